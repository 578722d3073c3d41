//! Answers the Worker sends, and the TaxJar-style error body
//! `{"error":"<Reason>","detail":"...","status":N}` that TaxJar clients
//! already know how to read.

use serde::Serialize;

pub use crate::model::errors::reason_phrase;

use crate::error::Error;
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

/// TaxJar's error body, plus `code` and `field` on validation errors.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    detail: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    // Present (possibly null) whenever `code` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<Option<&'a str>>,
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
        let body = ErrorBody {
            error: reason_phrase(status),
            detail,
            status,
            code: None,
            field: None,
        };
        Reply::json(status, to_json(&body))
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
        let body = ErrorBody {
            error: reason_phrase(400),
            detail: &detail,
            status: 400,
            code: Some(error.code.as_str()),
            field: Some(error.field.as_deref()),
        };
        Reply::json(400, to_json(&body))
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

fn to_json<T: Serialize>(value: &T) -> String {
    // Strings and numbers only: serializing cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}
