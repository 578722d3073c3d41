//! The pasted API token at rest: what is checked before it is kept, the
//! key it is sealed under, and the sealed text's format. The sealing
//! itself is AES-256-GCM by WebCrypto (`bindings::worker::vault`); this
//! module decides everything around it.
//!
//! Sealed text is `v1.<iv>.<ciphertext>`: a fresh random 12-byte IV and
//! the ciphertext with its 16-byte tag, both base64url. The key is
//! HMAC-SHA256 of [`VAULT_LABEL`] under `CONSOLE_SECRET`, so rotating the
//! secret makes a stored token unreadable (the console then asks for it
//! again) and never exposes it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;

use crate::context::mac;
use crate::proxy::upstream::Outcome;

/// The label of the sealing key derived from `CONSOLE_SECRET`.
pub(crate) const VAULT_LABEL: &str = "edgetax console vault v1";
/// The sealed format's tag.
const TAG: &str = "v1";
/// AES-GCM's IV length.
pub const IV_BYTES: usize = 12;
/// The longest API token accepted (TaxJar's are 32 hex digits).
pub(crate) const MAX_TOKEN_CHARS: usize = 200;

/// The 32-byte AES key derived from `secret`.
pub fn key(secret: &str) -> [u8; 32] {
    mac(secret, VAULT_LABEL).finalize().into_bytes().into()
}

/// The sealed text of `iv` and `ciphertext`.
pub fn format(iv: &[u8], ciphertext: &[u8]) -> String {
    format!(
        "{TAG}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ciphertext)
    )
}

/// The IV and ciphertext of sealed text; `None` when it is not in the
/// format (the token is then treated as not set).
pub fn parse(sealed: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut parts = sealed.split('.');
    let (tag, iv, ciphertext) = (parts.next()?, parts.next()?, parts.next()?);
    if tag != TAG || parts.next().is_some() {
        return None;
    }
    // The crate's own decoder: base64's was 3.7 KB more of the .wasm.
    let iv = crate::context::token::base64url(iv)?;
    let ciphertext = crate::context::token::base64url(ciphertext)?;
    (iv.len() == IV_BYTES && ciphertext.len() > 16).then_some((iv, ciphertext))
}

/// The token of a `PUT /console/api/token` body, `{"api_token": "..."}`,
/// trimmed; or what is wrong with it (naming the field, never the value).
pub fn pasted(body: &str) -> Result<String, String> {
    let value = crate::json::parse(body)
        .ok()
        .and_then(|root| root.get("api_token")?.as_str().map(str::to_owned))
        .ok_or("the body must be {\"api_token\": \"...\"}")?;
    let token = value.trim();
    let chars = token.chars().count();
    if !(crate::proxy::config::MIN_SECRET_CHARS..=MAX_TOKEN_CHARS).contains(&chars) {
        return Err(format!(
            "api_token must be {} to {MAX_TOKEN_CHARS} characters long",
            crate::proxy::config::MIN_SECRET_CHARS
        ));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("api_token must be printable ASCII with no spaces".to_owned());
    }
    Ok(token.to_owned())
}

/// The last 4 characters of a token: all the console ever shows of it.
pub fn last4(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// What TaxJar's answer to the check call (`GET /v2/categories`) says of
/// a token: `Ok` for 200, else the console's answer status and message.
/// The answer's body is never passed on (it could echo the token).
pub fn checked(outcome: &Outcome) -> Result<(), (u16, String)> {
    match outcome {
        Outcome::Answered { status: 200, .. } => Ok(()),
        Outcome::Answered { status: 401, .. } => Err((
            422,
            "TaxJar refused this API token (401 Unauthorized)".to_owned(),
        )),
        Outcome::Answered { status, .. } | Outcome::TooLarge { status, .. } => {
            Err((502, format!("TaxJar answered {status}")))
        }
        Outcome::TimedOut => Err((504, "TaxJar did not answer in time".to_owned())),
        Outcome::Failed => Err((502, "could not reach TaxJar".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_round_trips_and_refuses_other_shapes() {
        let sealed = format(&[7; 12], &[9; 40]);
        assert!(sealed.starts_with("v1.BwcHBwcHBwcHBwcH."));
        assert_eq!(parse(&sealed), Some((vec![7; 12], vec![9; 40])));
        assert_eq!(parse(&format(&[7; 11], &[9; 40])), None);
        assert_eq!(parse(&format(&[7; 12], &[9; 16])), None);
        assert_eq!(parse(&sealed.replacen("v1", "v2", 1)), None);
        assert_eq!(parse(&format!("{sealed}.x")), None);
        assert_eq!(parse("plain-token-in-clear"), None);
    }

    #[test]
    fn the_key_depends_on_the_secret_only() {
        let a = key("a-console-secret-of-32-characters!");
        assert_eq!(a, key("a-console-secret-of-32-characters!"));
        assert_ne!(a, key("b-console-secret-of-32-characters!"));
    }

    #[test]
    fn pasted_tokens_are_checked_without_quoting_them() {
        assert_eq!(
            pasted(r#"{"api_token":"  9e0cd62a22f451701f29c3bde214  "}"#).as_deref(),
            Ok("9e0cd62a22f451701f29c3bde214")
        );
        let short = pasted(r#"{"api_token":"abc"}"#).unwrap_err();
        assert_eq!(short, "api_token must be 8 to 200 characters long");
        let spaced = pasted(r#"{"api_token":"abc def ghi"}"#).unwrap_err();
        assert!(!spaced.contains("abc"), "{spaced}");
        assert!(pasted(r#"{"token":"9e0cd62a22f451701f29c3bde214"}"#).is_err());
        assert_eq!(last4("9e0cd62a22f451701f29c3bde214"), "e214");
        assert_eq!(last4("abc"), "abc");
    }

    #[test]
    fn taxjar_answers_decide_the_check() {
        let answered = |status| Outcome::Answered {
            status,
            body: "{}".into(),
            retry_after: None,
        };
        assert_eq!(checked(&answered(200)), Ok(()));
        assert_eq!(checked(&answered(401)).unwrap_err().0, 422);
        assert_eq!(
            checked(&answered(500)),
            Err((502, "TaxJar answered 500".into()))
        );
        assert_eq!(checked(&Outcome::TimedOut).unwrap_err().0, 504);
        assert_eq!(checked(&Outcome::Failed).unwrap_err().0, 502);
    }
}
