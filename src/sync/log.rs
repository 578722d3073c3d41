//! What Transaction Sync logs: every request and response, with the API
//! token redacted wherever it appears (headers, bodies, messages), so the
//! merchant can review the calls later, as the guide asks.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::engine::{Attempt, Outcome, Resource};
use crate::error::Error;

use crate::redact::Redactor;
pub use crate::redact::REDACTED;

/// `text` with every form of `token` (as written, percent-encoded, in
/// base64; see [`crate::redact`]) replaced by [`REDACTED`].
pub(crate) fn redact(text: &str, token: &str) -> String {
    Redactor::new([token]).owned(text)
}

/// One log line: every request and response, the token redacted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    /// `info`, or `error` for an error status or a failed call.
    pub level: &'static str,
    /// `request`, `response`, `error` or `skip`.
    pub event: &'static str,
    /// What is synced.
    pub resource: Resource,
    /// The id at TaxJar.
    pub transaction_id: String,
    /// HTTP method (none for a skip).
    pub method: Option<&'static str>,
    /// The full URL.
    pub url: Option<String>,
    /// Request headers, the token redacted.
    pub headers: Option<BTreeMap<&'static str, String>>,
    /// Request or response body (JSON when it parses, else text).
    pub body: Option<Value>,
    /// Response status.
    pub status: Option<u16>,
    /// Milliseconds the call took.
    pub ms: Option<f64>,
    /// The error or skip reason.
    pub message: Option<String>,
}

fn redacted_body(text: &str, redactor: &Redactor) -> Value {
    let text = redactor.owned(text);
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

impl LogEntry {
    fn new(attempt: &Attempt, event: &'static str, base_url: &str) -> LogEntry {
        LogEntry {
            level: "info",
            event,
            resource: attempt.resource,
            transaction_id: attempt.id.clone(),
            method: Some(attempt.request.method),
            url: Some(format!("{}{}", base_url, attempt.request.path_and_query())),
            headers: None,
            body: None,
            status: None,
            ms: None,
            message: None,
        }
    }

    /// The request about to be sent.
    pub fn request(attempt: &Attempt, base_url: &str, token: &str) -> LogEntry {
        // Inserted one by one: `collect` into a map sorts first, which is
        // one more copy of std's sort in the wasm.
        // One redactor for the whole entry: it computes every form once.
        let redactor = Redactor::new([token]);
        let mut headers = BTreeMap::new();
        for (k, v) in attempt.headers(token) {
            headers.insert(k, redactor.owned(&v));
        }
        LogEntry {
            headers: Some(headers),
            body: attempt
                .request
                .body
                .as_ref()
                .map(|b| redacted_body(&b.to_string(), &redactor)),
            ..LogEntry::new(attempt, "request", base_url)
        }
    }

    /// The answer.
    pub fn response(
        attempt: &Attempt,
        base_url: &str,
        token: &str,
        status: u16,
        body: &str,
        ms: f64,
    ) -> LogEntry {
        let failed = !(200..300).contains(&status);
        LogEntry {
            level: if failed { "error" } else { "info" },
            status: Some(status),
            ms: Some(ms),
            body: (!body.is_empty()).then(|| redacted_body(body, &Redactor::new([token]))),
            ..LogEntry::new(attempt, "response", base_url)
        }
    }

    /// A call that got no answer (timeout, network).
    pub fn error(
        attempt: &Attempt,
        base_url: &str,
        token: &str,
        error: &Error,
        ms: f64,
    ) -> LogEntry {
        LogEntry {
            level: "error",
            ms: Some(ms),
            message: Some(redact(&error.to_string(), token)),
            ..LogEntry::new(attempt, "error", base_url)
        }
    }

    /// A skip (nothing sent).
    pub fn skip(resource: Resource, outcome: &Outcome) -> LogEntry {
        LogEntry {
            level: "info",
            event: "skip",
            resource,
            transaction_id: outcome.transaction_id.clone(),
            method: None,
            url: None,
            headers: None,
            body: None,
            status: None,
            ms: None,
            message: outcome.reason.clone(),
        }
    }
}
