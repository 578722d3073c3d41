//! TaxJar's error bodies, and [`parse_body`], which turns any HTTP answer
//! into a typed value or an [`Error`].
//!
//! How an answer is classified:
//!
//! | status | body | result |
//! | --- | --- | --- |
//! | 2xx | JSON of the expected shape | `Ok(T)` |
//! | 2xx | not JSON, or JSON of another shape | [`Code::UpstreamUnparseable`] |
//! | 401 | anything | [`Code::Unauthorized`] |
//! | any other | anything | [`Code::UpstreamError`] |
//!
//! An error body that is not JSON (an HTML page from a gateway, an empty
//! body on 429 or 5xx) is *not* unparseable: the status already says what
//! happened, so the error keeps its status and only lacks TaxJar's `detail`.
//! A 2xx answer whose body cannot be read is unparseable, since the caller
//! would otherwise get no value at all.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::error::{Code, Error, Result};
use crate::json::Json as Value;

/// The longest body excerpt quoted in an error message, in characters.
const SNIPPET_CHARS: usize = 80;

/// TaxJar's `{error, detail, status}` error body, read tolerantly: `status`
/// may be a number or a string (`"401"`), `detail` a string or an array of
/// strings (joined with `"; "`). Missing or null fields are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The reason phrase, e.g. `"Bad Request"`.
    pub error: Option<String>,
    /// What TaxJar says went wrong.
    pub detail: Option<String>,
    /// The status TaxJar wrote into the body, if it is a valid one.
    pub status: Option<u16>,
}

impl ErrorBody {
    /// Reads an error body; `None` when it is not a JSON object.
    pub fn parse(body: &str) -> Option<ErrorBody> {
        // Only an object is an error body; any JSON value is accepted per
        // field, then normalized, so one odd field never costs the others.
        let map = crate::json::parse(body).ok()?;
        if !matches!(map, Value::Object(_)) {
            return None;
        }
        let field = |name: &str| map.get(name).unwrap_or(&Value::Null);
        Some(ErrorBody {
            error: text(field("error")),
            detail: text(field("detail")),
            status: status_code(field("status")),
        })
    }
}

/// A field as text: strings as they are, arrays joined with `"; "`, other
/// values in their JSON form; null and blanks are `None`.
fn text(value: &Value) -> Option<String> {
    let joined = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Array(items) => items.iter().filter_map(text).collect::<Vec<_>>().join("; "),
        other => other.to_text(),
    };
    (!joined.is_empty()).then_some(joined)
}

/// A status from a number or a numeric string, if it is a valid HTTP status.
fn status_code(value: &Value) -> Option<u16> {
    let number = match value {
        n @ Value::Number(_) => n.as_u64()?,
        Value::String(s) => s.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    u16::try_from(number)
        .ok()
        .filter(|s| (100..=599).contains(s))
}

/// Turns an HTTP answer from TaxJar into `T` or a typed [`Error`]; see the
/// module documentation for how each case is classified. Errors carry the
/// HTTP `status`, and for error statuses TaxJar's `detail` when the body has
/// one. The HTTP status is the one reported: it is what actually happened,
/// whereas the body's `status` field may be missing or a string.
pub fn parse_body<T: DeserializeOwned>(status: u16, body: &str) -> Result<T> {
    if (200..300).contains(&status) {
        parse_success(status, body)
    } else {
        Err(upstream_error(status, body))
    }
}

/// [`parse_body`] for the answers read by hand (see [`super::read`]):
/// `read` turns the JSON into `T`, or says what is wrong with its shape.
/// Errors are [`parse_body`]'s, without serde's line and column.
pub fn parse_answer<T>(
    status: u16,
    body: &str,
    read: impl FnOnce(&Value) -> std::result::Result<T, String>,
) -> Result<T> {
    if !(200..300).contains(&status) {
        return Err(upstream_error(status, body));
    }
    let value = crate::json::parse(body).map_err(|_| not_json(status, body))?;
    read(&value).map_err(|err| {
        unparseable(
            status,
            format!(
                "TaxJar's {status} answer does not have the expected shape: {err}; body: {}",
                Snippet(body)
            ),
        )
    })
}

fn unparseable(status: u16, message: String) -> Error {
    Error {
        status: Some(status),
        ..Error::new(Code::UpstreamUnparseable, message)
    }
}

fn not_json(status: u16, body: &str) -> Error {
    unparseable(
        status,
        format!(
            "TaxJar's {status} answer is not JSON; body: {}",
            Snippet(body)
        ),
    )
}

/// A request sent with an API token does not follow redirects (as the
/// Worker does not): a 3xx, or the opaque 0 a browser shows for one, is an
/// error naming it, never a body to parse.
pub fn check_not_redirect(status: u16) -> Result<()> {
    if status == 0 || (300..400).contains(&status) {
        return Err(Error {
            status: Some(status),
            ..Error::new(
                Code::UpstreamError,
                format!(
                    "answered {status} with a redirect, which edgetax does not follow \
                     with an API token: check the API URL"
                ),
            )
        });
    }
    Ok(())
}

/// A `fetch` that failed before any answer, from the JS error's `name`:
/// a timeout (`TimeoutError`, or `AbortError` from the timeout's signal)
/// or a network failure, whose `detail` is the runtime's own text.
pub fn fetch_failure(name: &str, detail: &str, timeout_ms: u32) -> Error {
    if name == "TimeoutError" || name == "AbortError" {
        return Error::new(Code::Timeout, format!("no answer within {timeout_ms} ms"));
    }
    Error::new(Code::NetworkError, format!("the request failed: {detail}"))
}

fn parse_success<T: DeserializeOwned>(status: u16, body: &str) -> Result<T> {
    let not_json = || not_json(status, body);
    let mut reader = serde_json::Deserializer::from_str(body);
    // serde_json names the missing or mistyped field in its message; no
    // path tracker, which would double the parsing code in the wasm.
    let value = T::deserialize(&mut reader).map_err(|err| {
        if err.is_data() {
            unparseable(
                status,
                format!(
                    "TaxJar's {status} answer does not have the expected shape: {err}; body: {}",
                    Snippet(body)
                ),
            )
        } else {
            not_json()
        }
    })?;
    // Trailing garbage after the JSON value means the body is not JSON.
    reader.end().map_err(|_| not_json())?;
    Ok(value)
}

fn upstream_error(status: u16, body: &str) -> Error {
    let code = if status == 401 {
        Code::Unauthorized
    } else {
        Code::UpstreamError
    };
    let parsed = ErrorBody::parse(body);
    let reason = parsed
        .as_ref()
        .and_then(|b| b.error.clone())
        .unwrap_or_else(|| reason_phrase(status).to_owned());
    let detail = parsed.and_then(|b| b.detail);
    let message = match (&detail, body.trim().is_empty()) {
        (Some(detail), _) => format!("TaxJar answered {status} {reason}: {detail}"),
        (None, true) => format!("TaxJar answered {status} {reason} with an empty body"),
        (None, false) => format!("TaxJar answered {status} {reason}; body: {}", Snippet(body)),
    };
    Error {
        status: Some(status),
        detail,
        ..Error::new(code, message)
    }
}

/// The standard reason phrase of `status` ("Error" for unusual ones), as
/// TaxJar writes it in the `error` field of its error bodies.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        410 => "Gone",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A body quoted on one line, at most [`SNIPPET_CHARS`] characters long.
struct Snippet<'a>(&'a str);

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flat = self.0.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.is_empty() {
            return f.write_str("(empty)");
        }
        if flat.chars().count() <= SNIPPET_CHARS {
            return write!(f, "{flat:?}");
        }
        let cut: String = flat.chars().take(SNIPPET_CHARS - 3).collect();
        write!(f, "{:?}", format!("{cut}..."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn error_body_tolerates_shapes() {
        let body = ErrorBody::parse(r#"{"error":"Bad Request","detail":["a","b"],"status":"400"}"#);
        assert_eq!(
            body,
            Some(ErrorBody {
                error: Some("Bad Request".into()),
                detail: Some("a; b".into()),
                status: Some(400),
            })
        );
        let body = ErrorBody::parse(r#"{"status":"oops","detail":null}"#).unwrap();
        assert_eq!(body, ErrorBody::default());
        assert_eq!(ErrorBody::parse("<html></html>"), None);
        assert_eq!(ErrorBody::parse("[1]"), None);
    }

    #[test]
    fn snippet_is_short_and_on_one_line() {
        let long = "x".repeat(200);
        let shown = Snippet(&long).to_string();
        // The quotes are added by Debug formatting; the excerpt is 80 chars.
        assert_eq!(shown.len(), SNIPPET_CHARS + 2);
        assert!(shown.ends_with("...\""));
        assert_eq!(Snippet("a\n  b").to_string(), "\"a b\"");
        assert_eq!(Snippet(" ").to_string(), "(empty)");
        // Multi-byte characters are cut on a character boundary.
        let accents = "é".repeat(100);
        assert_eq!(
            Snippet(&accents).to_string().chars().count(),
            SNIPPET_CHARS + 2
        );
    }

    #[test]
    fn trailing_garbage_is_not_json() {
        let err = parse_body::<serde_json::Value>(200, "{} <html>").unwrap_err();
        assert_eq!(err.code, Code::UpstreamUnparseable);
        assert!(err.message.contains("not JSON"), "{}", err.message);
    }

    #[test]
    fn shape_errors_say_what_was_wrong() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct T {
            tax: Inner,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            amount: u32,
        }
        let err = parse_body::<T>(200, r#"{"tax":{"amount":"x"}}"#).unwrap_err();
        assert_eq!(err.code, Code::UpstreamUnparseable);
        assert_eq!(err.status, Some(200));
        assert!(
            err.message.contains("expected u32 at line 1 column 20"),
            "{}",
            err.message
        );
    }
    #[test]
    fn redirects_and_fetch_failures_are_named() {
        assert!(check_not_redirect(200).is_ok());
        assert!(check_not_redirect(404).is_ok());
        for status in [0, 301, 302, 307, 308] {
            let e = check_not_redirect(status).unwrap_err();
            assert_eq!((e.code, e.status), (Code::UpstreamError, Some(status)));
            assert!(e
                .message
                .starts_with(&format!("answered {status} with a redirect")));
        }
        for name in ["TimeoutError", "AbortError"] {
            let e = fetch_failure(name, "signal timed out", 5000);
            assert_eq!(
                (e.code, e.message.as_str()),
                (Code::Timeout, "no answer within 5000 ms")
            );
        }
        let e = fetch_failure("TypeError", "fetch failed", 5000);
        assert_eq!(
            (e.code, e.message.as_str()),
            (Code::NetworkError, "the request failed: fetch failed")
        );
    }
}
