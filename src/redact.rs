//! The one redaction every byte leaving the Worker goes through: answers
//! (bodies and headers), cached entries, and log lines. Transaction Sync's
//! logs use it too.
//!
//! A secret is replaced by [`REDACTED`] in every form it could take in
//! text that echoes it: as written, percent-encoded (upper- and lower-case
//! hex), JSON-escaped, and inside base64 or base64url at each of the three
//! byte alignments (only the characters that depend on the secret alone,
//! so a secret inside a longer base64 string, such as `Basic id:key`, is
//! found too). The workerd suite's scanner (`worker/test/leaks.js`) looks
//! for the same forms.

use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Shorter base64 fragments are not replaced: they would match by chance.
const MIN_FRAGMENT: usize = 8;

/// The forms of a set of secrets, longest first, ready to replace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redactor {
    forms: Vec<String>,
}

impl Redactor {
    /// A redactor for `secrets` (blank ones are ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut forms: Vec<String> = Vec::new();
        for secret in secrets {
            if secret.is_empty() {
                continue;
            }
            for form in forms_of(secret) {
                if form.is_empty() || forms.contains(&form) {
                    continue;
                }
                // Longest first, so a form inside a longer one never splits
                // it. An ordered insert, not a sort: the crate keeps one
                // copy of std's sort in the wasm (`crate::order`).
                let at = forms.iter().position(|f| f.len() < form.len());
                forms.insert(at.unwrap_or(forms.len()), form);
            }
        }
        Redactor { forms }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `text` with every form of every secret replaced by [`REDACTED`].
    pub fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        out
    }

    /// [`Redactor::text`] into an owned string.
    pub fn owned(&self, text: &str) -> String {
        self.text(text).into_owned()
    }
}

/// Every form of `secret` to look for.
fn forms_of(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        percent_encode(secret, b"0123456789ABCDEF"),
        percent_encode(secret, b"0123456789abcdef"),
        json_escape(secret),
    ];
    for pad in 0..3 {
        let standard = base64_fragment(secret.as_bytes(), pad);
        if standard.len() >= MIN_FRAGMENT {
            forms.push(standard.replace('+', "-").replace('/', "_"));
            forms.push(standard);
        }
    }
    forms
}

/// `encodeURIComponent(secret)`, with `hex` digits.
fn percent_encode(secret: &str, hex: &[u8; 16]) -> String {
    crate::model::endpoints::percent_encode_keeping(secret, b"-_.!~*'()", hex)
}

/// `secret` as it appears inside a JSON string.
fn json_escape(secret: &str) -> String {
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or("")
        .to_owned()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64 characters of `secret` preceded by `pad` other bytes that
/// depend on the secret's bytes alone.
fn base64_fragment(secret: &[u8], pad: usize) -> String {
    let mut bytes = vec![0u8; pad];
    bytes.extend_from_slice(secret);
    let mut encoded = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let word = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=n {
            encoded.push(BASE64[((word >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    // Characters fed by a pad byte, or by a byte after the secret, vary.
    let start = (pad * 4).div_ceil(3);
    let end = ((pad + secret.len()) * 8) / 6;
    encoded.get(start..end).unwrap_or("").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let word = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(BASE64[((word >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn every_form_is_replaced() {
        let token = "tok/en+4242 \"x\"";
        let r = Redactor::new([token, "pk_live_abc123"]);
        assert_eq!(r.owned(&format!("a {token} b")), "a [REDACTED] b");
        assert_eq!(
            r.owned("?t=tok%2Fen%2B4242%20%22x%22&u=tok%2fen%2b4242%20%22x%22"),
            "?t=[REDACTED]&u=[REDACTED]"
        );
        assert_eq!(
            r.owned(&serde_json::to_string(token).unwrap()),
            "\"[REDACTED]\""
        );
        for prefix in ["", "i", "id", "id:"] {
            let encoded = b64(format!("{prefix}pk_live_abc123.").as_bytes());
            let out = r.owned(&encoded);
            assert!(out.contains(REDACTED), "{prefix}: {out}");
            let url = encoded.replace('+', "-").replace('/', "_");
            assert!(r.owned(&url).contains(REDACTED), "{prefix}: {url}");
        }
        assert_eq!(r.owned("pk_live_abc12"), "pk_live_abc12");
        assert_eq!(r.owned("nothing here"), "nothing here");
        assert!(matches!(r.text("clean"), Cow::Borrowed(_)));
        let lengths: Vec<usize> = r.forms.iter().map(String::len).collect();
        assert!(lengths.windows(2).all(|w| w[0] >= w[1]), "{lengths:?}");
    }

    #[test]
    fn blank_secrets_redact_nothing() {
        let r = Redactor::new(["", ""]);
        assert!(r.is_empty());
        assert_eq!(r.owned("x"), "x");
    }

    #[test]
    fn fragments_match_the_scanners() {
        // The same stable slice `worker/test/leaks.js` computes.
        assert_eq!(base64_fragment(b"test-token", 0), "dGVzdC10b2tlb");
        assert_eq!(base64_fragment(b"test-token", 1), "Rlc3QtdG9rZW");
        assert_eq!(base64_fragment(b"test-token", 2), "0ZXN0LXRva2Vu");
    }
}
