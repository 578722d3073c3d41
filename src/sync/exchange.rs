//! One `TransactionSync` call, for [`crate::http::drive`]: the engine's
//! request, its fallback (create 422 → update, update 404 → create), every
//! request and answer logged with the token redacted, and the error a
//! failure rejects with. Never retried here: the caller decides when to
//! sync again, and a record keeps it from writing twice.

use serde_json::Value;

use super::engine::{next, Attempt, Outcome};
use super::log::LogEntry;
use crate::error::Error;
use crate::http::{Attempts, Policy, Then, Tried, UpstreamRequest};
use crate::model::check_not_redirect;

/// The most bytes of a transaction or customer answer read (8 MiB): a
/// list of every order id of a busy month is the largest.
pub const RECORDS_ANSWER_LIMIT: usize = 8 * 1024 * 1024;

/// The engine's attempts at one sync, sent to `api_url` with `api_key`.
pub struct Exchange<'a, L: FnMut(&LogEntry)> {
    /// The API's base URL, without a trailing `/`.
    pub api_url: &'a str,
    /// The API token (redacted from every log entry).
    pub api_key: &'a str,
    /// Each attempt's time limit, in ms.
    pub timeout_ms: u32,
    /// The attempt to send next.
    pub attempt: Attempt,
    /// Where log entries go.
    pub log: L,
}

/// The answer a sync ended with.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered {
    /// The attempt answered (the fallback, when one was sent).
    pub attempt: Attempt,
    /// Its 2xx status (or 404 for a delete).
    pub status: u16,
    /// TaxJar's body.
    pub body: String,
}

impl Answered {
    /// The sync's outcome, its record kept as synced at `synced_at`.
    pub fn outcome(&self, synced_at: &str) -> Outcome {
        self.attempt.outcome(self.status, synced_at)
    }
}

impl<L: FnMut(&LogEntry)> Attempts for Exchange<'_, L> {
    type Done = Result<Answered, Error>;

    fn policy(&self) -> Policy {
        Policy::once(self.timeout_ms, RECORDS_ANSWER_LIMIT)
    }

    fn request(&mut self) -> UpstreamRequest {
        let attempt = &self.attempt;
        (self.log)(&LogEntry::request(attempt, self.api_url, self.api_key));
        UpstreamRequest {
            method: attempt.request.method.to_owned(),
            url: format!("{}{}", self.api_url, attempt.request.path_and_query()),
            headers: attempt
                .headers(self.api_key)
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
            body: attempt.request.body.as_ref().map(Value::to_string),
        }
    }

    fn after(&mut self, tried: Tried) -> Then<Result<Answered, Error>> {
        let (base, key, ms) = (self.api_url, self.api_key, tried.ms);
        // A redirect is never followed with the token: an error, as a
        // failed call is.
        let answer = tried.sent.map_err(|f| f.error(self.timeout_ms));
        let answer = answer.and_then(|a| check_not_redirect(a.status).map(|()| a));
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                (self.log)(&LogEntry::error(&self.attempt, base, key, &error, ms));
                return Then::Done(Err(error));
            }
        };
        let (status, body) = (answer.status, answer.body);
        let entry = LogEntry::response(&self.attempt, base, key, status, &body, ms);
        (self.log)(&entry);
        match next(&self.attempt, status, &body) {
            Ok(Some(fallback)) => {
                self.attempt = fallback;
                Then::Send
            }
            Ok(None) => Then::Done(Ok(Answered {
                attempt: self.attempt.clone(),
                status,
                body,
            })),
            Err(error) => Then::Done(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::Code;
    use crate::http::testing::{block_on, status, Fake};
    use crate::http::{drive, Answer, Failure, Sent};
    use crate::sync::engine::{plan_upsert, Action, Payload, Plan, SyncRecord};

    fn attempt(record: Option<&SyncRecord>) -> Attempt {
        let customer = json!({ "customer_id": "c-1", "exemption_type": "wholesale" });
        let body = crate::sync::customer_request(&customer).unwrap();
        match plan_upsert(Payload::Customer(body), record).unwrap() {
            Plan::Send(attempt) => *attempt,
            Plan::Skip(outcome) => panic!("skipped: {outcome:?}"),
        }
    }

    /// One sync on a fake runtime: its result and the log's events.
    fn sync<const N: usize>(answers: [Sent; N]) -> (Result<Answered, Error>, Vec<LogEntry>, Fake) {
        let fake = Fake::new(answers);
        let mut log = Vec::new();
        let mut exchange = Exchange {
            api_url: "https://api.test",
            api_key: "tok-123",
            timeout_ms: 2500,
            attempt: attempt(None),
            log: |entry: &LogEntry| log.push(entry.clone()),
        };
        let driven = block_on(drive(&mut exchange, &fake));
        (driven.done, log, fake)
    }

    fn events(log: &[LogEntry]) -> Vec<&str> {
        log.iter().map(|e| e.event).collect()
    }

    #[test]
    fn a_create_answered_422_falls_back_to_an_update() {
        let (done, log, fake) = sync([status(422), status(200)]);
        let done = done.unwrap();
        assert_eq!((done.attempt.action, done.status), (Action::Update, 200));
        let outcome = done.outcome("2024-03-01T00:00:00Z");
        assert!(outcome.fallback);
        let sent = fake.sent();
        let calls: Vec<(&str, &str)> = sent
            .iter()
            .map(|r| (r.method.as_str(), r.url.as_str()))
            .collect();
        assert_eq!(
            calls,
            [
                ("POST", "https://api.test/v2/customers"),
                ("PUT", "https://api.test/v2/customers/c-1")
            ]
        );
        assert_eq!(fake.limits(), [(2500, RECORDS_ANSWER_LIMIT); 2]);
        assert_eq!(events(&log), ["request", "response", "request", "response"]);
        assert_eq!((log[1].status, log[1].ms), (Some(422), Some(10.0)));
        assert!(!format!("{log:?}").contains("tok-123"));
    }

    #[test]
    fn failures_are_logged_and_reject_without_a_retry() {
        let (done, log, fake) = sync([Err(Failure::TimedOut)]);
        let error = done.unwrap_err();
        assert_eq!(
            (error.code, error.message.as_str()),
            (Code::Timeout, "no answer within 2500 ms")
        );
        assert_eq!(events(&log), ["request", "error"]);
        assert!(fake.sleeps().is_empty());
        // A 5xx is TaxJar's error, logged as its response.
        let (done, log, _) = sync([status(500)]);
        assert_eq!(done.unwrap_err().status, Some(500));
        assert_eq!(events(&log), ["request", "response"]);
        assert_eq!(log[1].level, "error");
    }

    #[test]
    fn a_redirect_is_an_error_never_followed() {
        let moved = Ok(Answer {
            status: 307,
            body: String::new(),
            retry_after: None,
        });
        let (done, log, fake) = sync([moved]);
        let error = done.unwrap_err();
        assert_eq!((error.code, error.status), (Code::UpstreamError, Some(307)));
        assert_eq!(events(&log), ["request", "error"]);
        assert_eq!(fake.sent().len(), 1);
    }
}
