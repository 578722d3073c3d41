//! Console sessions: the passphrase check, the signed session token in the
//! cookie, its CSRF token, and the `Set-Cookie` strings.
//!
//! A token is `s1.<id>.<exp>.<signature>`: a random session id (32 hex
//! digits, made by the Worker), its expiry in unix seconds, and the
//! base64url HMAC-SHA256 of `s1.<id>.<exp>` under a key derived from
//! `CONSOLE_SECRET` with `SESSION_LABEL`. The CSRF token of a session is
//! the base64url HMAC-SHA256 of its id under a key derived with
//! `CSRF_LABEL`. Every comparison of a secret is in constant time (an
//! HMAC verify).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use hmac::Mac;

use crate::context::{base64url, mac};

/// The session cookie's name.
pub const COOKIE: &str = "edgetax_console";
/// The token format's tag.
pub(crate) const TAG: &str = "s1";
/// How long a session lasts: 12 hours.
pub(crate) const TTL_SECONDS: u64 = 12 * 3600;
/// The label of the session-signing key derived from `CONSOLE_SECRET`.
pub(crate) const SESSION_LABEL: &str = "edgetax console session v1";
/// The label of the CSRF key derived from `CONSOLE_SECRET`.
pub(crate) const CSRF_LABEL: &str = "edgetax console csrf v1";
/// The label of the key the passphrase is compared under.
pub(crate) const PASSPHRASE_LABEL: &str = "edgetax console passphrase v1";

/// A signed-in session, read from a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The session id.
    pub id: String,
    /// When it expires (unix seconds).
    pub exp: u64,
}

/// The key derived from `secret` for `label` (base64url HMAC-SHA256).
pub fn derive(secret: &str, label: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(secret, label).finalize().into_bytes())
}

/// Whether `presented` is the passphrase `key`, in constant time: both are
/// MACed under a key derived from `secret`, and the MACs compared, so
/// neither the content nor the length of `key` shows in the time taken.
pub(crate) fn passphrase_matches(presented: &str, key: &str, secret: &str) -> bool {
    let compare = derive(secret, PASSPHRASE_LABEL);
    let expected = mac(&compare, key).finalize().into_bytes();
    mac(&compare, presented).verify_slice(&expected).is_ok()
}

/// A session id is 32 lower-case hex digits.
pub(crate) fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The token of session `id` expiring at `exp`, signed with `secret`.
pub fn sign(id: &str, exp: u64, secret: &str) -> String {
    let signed = format!("{TAG}.{id}.{exp}");
    let key = derive(secret, SESSION_LABEL);
    let signature = URL_SAFE_NO_PAD.encode(mac(&key, &signed).finalize().into_bytes());
    format!("{signed}.{signature}")
}

/// The session of `token` when its signature under `secret` holds (checked
/// in constant time) and `now` is before its expiry; else `None`.
pub fn verify(token: &str, secret: &str, now: u64) -> Option<Session> {
    let mut parts = token.split('.');
    let (Some(TAG), Some(id), Some(exp), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let signature = base64url(signature)?;
    let signed = &token[..token.len() - parts_len(token) - 1];
    let key = derive(secret, SESSION_LABEL);
    mac(&key, signed).verify_slice(&signature).ok()?;
    let exp: u64 = exp.parse().ok()?;
    (valid_id(id) && now < exp).then(|| Session {
        id: id.to_owned(),
        exp,
    })
}

/// The length of the last `.`-separated part of `token`.
fn parts_len(token: &str) -> usize {
    token.rsplit('.').next().map_or(0, str::len)
}

/// The CSRF token of session `id` under `secret`.
pub fn csrf(id: &str, secret: &str) -> String {
    let key = derive(secret, CSRF_LABEL);
    URL_SAFE_NO_PAD.encode(mac(&key, id).finalize().into_bytes())
}

/// Whether `presented` is the CSRF token of session `id` (constant time).
pub(crate) fn csrf_ok(presented: Option<&str>, id: &str, secret: &str) -> bool {
    let Some(bytes) = presented.and_then(|p| base64url(p.trim())) else {
        return false;
    };
    let key = derive(secret, CSRF_LABEL);
    mac(&key, id).verify_slice(&bytes).is_ok()
}

/// The session token in a `Cookie` header, if there is one.
pub(crate) fn from_cookie_header(header: Option<&str>) -> Option<&str> {
    header?.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name.trim() == COOKIE).then(|| value.trim())
    })
}

/// Whether the cookie may go without `Secure`: a request to this machine
/// (`127.0.0.1`, `localhost` or `[::1]`), which is plain HTTP in dev.
pub(crate) fn local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

/// The `Set-Cookie` value that keeps `token` for [`TTL_SECONDS`].
pub(crate) fn set_cookie(token: &str, secure: bool) -> String {
    cookie(token, TTL_SECONDS, secure)
}

/// The `Set-Cookie` value that signs out (an empty, expired cookie).
pub(crate) fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/console; Max-Age={max_age}; HttpOnly{secure}; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "console-secret-0123456789abcdef";
    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_sign_and_verify_until_they_expire() {
        let token = sign(ID, 1_000, SECRET);
        assert_eq!(
            token,
            format!(
                "s1.{ID}.1000.{}",
                URL_SAFE_NO_PAD.encode(
                    mac(&derive(SECRET, SESSION_LABEL), &format!("s1.{ID}.1000"))
                        .finalize()
                        .into_bytes()
                )
            )
        );
        let session = Session {
            id: ID.to_owned(),
            exp: 1_000,
        };
        assert_eq!(verify(&token, SECRET, 999), Some(session));
        assert_eq!(verify(&token, SECRET, 1_000), None);
        assert_eq!(verify(&token, "another-secret-0123456789abcdef", 0), None);
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let token = sign(ID, 1_000, SECRET);
        let longer = token.replace(".1000.", ".9000.");
        assert_eq!(verify(&longer, SECRET, 0), None);
        let other_id = token.replace(ID, &ID.replace('0', "1"));
        assert_eq!(verify(&other_id, SECRET, 0), None);
        for bad in ["", "s1", "s1.a.b", &format!("{token}.x"), &token[1..]] {
            assert_eq!(verify(bad, SECRET, 0), None, "{bad}");
        }
        // A well-signed token with a malformed id is refused too.
        assert_eq!(verify(&sign("ABC", 1_000, SECRET), SECRET, 0), None);
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let token = csrf(ID, SECRET);
        assert_eq!(token.len(), 43);
        assert_ne!(token, csrf(&ID.replace('0', "1"), SECRET));
        assert!(csrf_ok(Some(&token), ID, SECRET));
        assert!(!csrf_ok(None, ID, SECRET));
        assert!(!csrf_ok(Some(""), ID, SECRET));
        assert!(!csrf_ok(Some(&token[1..]), ID, SECRET));
        assert!(!csrf_ok(
            Some(&token),
            ID,
            "another-secret-0123456789abcdef"
        ));
    }

    #[test]
    fn the_passphrase_is_compared_whole() {
        assert!(passphrase_matches("open sesame", "open sesame", SECRET));
        assert!(!passphrase_matches("open sesam", "open sesame", SECRET));
        assert!(!passphrase_matches("open sesame!", "open sesame", SECRET));
        assert!(!passphrase_matches("", "open sesame", SECRET));
    }

    #[test]
    fn cookies_have_exact_attributes() {
        assert_eq!(
            set_cookie("tok", true),
            "edgetax_console=tok; Path=/console; Max-Age=43200; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            set_cookie("tok", false),
            "edgetax_console=tok; Path=/console; Max-Age=43200; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            clear_cookie(true),
            "edgetax_console=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            from_cookie_header(Some("a=1; edgetax_console=s1.x ;b=2")),
            Some("s1.x")
        );
        assert_eq!(from_cookie_header(Some("edgetax_console2=x")), None);
        assert_eq!(from_cookie_header(None), None);
    }

    #[test]
    fn local_hosts_go_without_secure() {
        for host in ["127.0.0.1", "127.0.0.1:8787", "localhost:8787", "[::1]:80"] {
            assert!(local_host(host), "{host}");
        }
        for host in ["shop.example", "127.0.0.2", "localhost.example", "[::2]"] {
            assert!(!local_host(host), "{host}");
        }
    }
}
