//! Answers the Worker sends, and the TaxJar-style error body
//! `{"error":"<Reason>","detail":"...","status":N}` that TaxJar clients
//! already know how to read.

pub use crate::model::errors::reason_phrase;

use crate::error::Error;
use crate::json::write::Object;
use crate::redact::Redactor;

/// The content type of every JSON answer.
pub(crate) const JSON_TYPE: &str = "application/json; charset=utf-8";

/// An HTTP answer, ready for the Worker to turn into a `Response`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Headers in the order they are set; names as written here.
    pub headers: Vec<(String, String)>,
    /// The body; `None` for 204 answers.
    pub body: Option<String>,
}

impl Reply {
    /// A JSON answer with `body` as given.
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".to_owned(), JSON_TYPE.to_owned())],
            body: Some(body.into()),
        }
    }

    /// A TaxJar-style error: `{"error":"<Reason>","detail":...,"status":...}`.
    pub fn error(status: u16, detail: &str) -> Reply {
        Reply::json(status, error_body(status, detail, None))
    }

    /// A 400 for a cart that failed to parse or validate: the TaxJar body
    /// plus the edgetax `code` and `field` (null when no field is to blame).
    pub fn invalid(error: &Error) -> Reply {
        let detail = match &error.field {
            // Many validation messages already begin with their field.
            Some(field) if !error.message.starts_with(field.as_str()) => {
                format!("{field}: {}", error.message)
            }
            _ => error.message.clone(),
        };
        let code = (error.code.as_str(), error.field.as_deref());
        Reply::json(400, error_body(400, &detail, Some(code)))
    }

    /// An empty answer (204), as for preflights.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The same answer with one more header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The same answer with every header value and the body redacted
    /// (see [`crate::redact`]): the last step before it leaves the Worker.
    pub fn redacted(mut self, redactor: &Redactor) -> Reply {
        for (_, value) in &mut self.headers {
            if let std::borrow::Cow::Owned(clean) = redactor.text(value) {
                *value = clean;
            }
        }
        if let Some(body) = &mut self.body {
            if let std::borrow::Cow::Owned(clean) = redactor.text(body) {
                *body = clean;
            }
        }
        self
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// TaxJar's error body `{"error","detail","status"}`, plus `code` and
/// `field` (null when no field is to blame) on validation errors: the text
/// serde_json wrote for it.
fn error_body(status: u16, detail: &str, code: Option<(&str, Option<&str>)>) -> String {
    let mut out = String::with_capacity(64 + detail.len());
    let mut o = Object::new(&mut out);
    o.str("error", reason_phrase(status))
        .str("detail", detail)
        .raw("status", &status.to_string());
    if let Some((code, field)) = code {
        o.str("code", code).opt_str("field", field);
    }
    o.end();
    out
}
