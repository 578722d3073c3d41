//! One exchange with TaxJar, without I/O: the request, what one attempt
//! came to, how the attempts are sent ([`Policy`]: timeout, size bound,
//! retries and their pauses) and the attempt driver ([`drive`]) that the
//! Worker's calls and both Transaction Sync loops share.
//!
//! What is sent, and what each answer leads to, is decided by the caller's
//! [`Attempts`]: the Worker's proxied call ([`crate::proxy::upstream`]), a
//! queued sync job ([`crate::proxy::sync`]) and a `TransactionSync` call
//! ([`crate::sync::exchange`]). The I/O (`fetch`, timers, the clock) is the
//! bindings' [`Runtime`].

mod drive;
#[cfg(test)]
pub(crate) mod testing;

pub use drive::{drive, Attempts, Driven, Runtime, Then, Tried};

use crate::error::{Code, Error};
use crate::model::fetch_failure;

/// A request to send to TaxJar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// The full URL: the API's base, the route's path and query.
    pub url: String,
    /// Headers, the token among them: never log this value.
    pub headers: Vec<(String, String)>,
    /// The JSON body, for `POST` and `PUT`.
    pub body: Option<String>,
}

/// TaxJar's (or a gateway's) answer to one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body text.
    pub body: String,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

/// An attempt that brought no answer to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The answer was longer than the bound; it was not read further.
    TooLarge {
        /// The HTTP status.
        status: u16,
        /// The bound it passed, in bytes.
        limit: usize,
    },
    /// No answer within the timeout.
    TimedOut,
    /// The fetch failed (DNS, connection reset, ...): the runtime's text.
    Failed(String),
}

/// What one attempt came to.
pub type Sent = Result<Answer, Failure>;

impl Failure {
    /// The failure as the error a `TransactionSync` call rejects with:
    /// `timeout`, `network_error`, or `upstream_error` with the status for
    /// an answer too large to read.
    pub fn error(&self, timeout_ms: u32) -> Error {
        match self {
            Failure::TooLarge { status, limit } => Error {
                status: Some(*status),
                ..Error::new(
                    Code::UpstreamError,
                    format!(
                        "TaxJar's {status} answer is larger than {} KiB, which edgetax does not read",
                        limit / 1024
                    ),
                )
            },
            Failure::TimedOut => fetch_failure("TimeoutError", "", timeout_ms),
            Failure::Failed(detail) => fetch_failure("", detail, timeout_ms),
        }
    }
}

/// Whether a failed attempt may pass when sent again: a 5xx, a timeout or
/// a network failure. Not a 4xx (the same request gets the same answer),
/// nor an answer too large to read (it would come again).
pub(crate) fn transient(sent: &Sent) -> bool {
    match sent {
        Ok(answer) => answer.status >= 500,
        Err(Failure::TooLarge { .. }) => false,
        Err(Failure::TimedOut | Failure::Failed(_)) => true,
    }
}

/// How the attempts of one exchange are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Each attempt's time limit, in ms.
    pub timeout_ms: u32,
    /// The most bytes of an answer read.
    pub limit: usize,
    /// The most attempts of one request: 1 sends it once; 2 sends it once
    /// more after a `transient` failure.
    pub max_attempts: u32,
    /// The shortest pause before a retry, in ms.
    pub retry_min_ms: u32,
    /// The spread of the random pause before a retry, in ms, so that many
    /// isolates retrying at once do not arrive together.
    pub retry_jitter_ms: u32,
}

impl Policy {
    /// Each request sent once, never retried.
    pub fn once(timeout_ms: u32, limit: usize) -> Policy {
        Policy {
            timeout_ms,
            limit,
            max_attempts: 1,
            retry_min_ms: 0,
            retry_jitter_ms: 0,
        }
    }

    /// Whether attempt `number` (from 1) of a request, which came to
    /// `sent`, is followed by another of the same request.
    pub fn retries(&self, sent: &Sent, number: u32) -> bool {
        number < self.max_attempts && transient(sent)
    }

    /// The pause before a retry for `random` in `[0, 1)` (anything else
    /// reads as 0).
    pub fn delay_ms(&self, random: f64) -> u32 {
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.retry_min_ms + (random * self.retry_jitter_ms as f64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Sent {
        Ok(Answer {
            status,
            body: String::new(),
            retry_after: None,
        })
    }

    #[test]
    fn only_5xx_timeouts_and_network_failures_are_transient() {
        for sent in [
            status(500),
            status(503),
            Err(Failure::TimedOut),
            Err(Failure::Failed("reset".into())),
        ] {
            assert!(transient(&sent), "{sent:?}");
        }
        let big = Err(Failure::TooLarge {
            status: 200,
            limit: 10,
        });
        for sent in [status(200), status(400), status(401), status(429), big] {
            assert!(!transient(&sent), "{sent:?}");
        }
    }

    #[test]
    fn a_policy_retries_up_to_its_attempts_after_its_pause() {
        let policy = Policy {
            max_attempts: 3,
            retry_min_ms: 50,
            retry_jitter_ms: 200,
            ..Policy::once(5000, 1024)
        };
        assert!(policy.retries(&status(502), 1) && policy.retries(&status(502), 2));
        assert!(!policy.retries(&status(502), 3) && !policy.retries(&status(404), 1));
        let delays = [0.0, 0.5, 0.999, 1.5, -1.0, f64::NAN].map(|r| policy.delay_ms(r));
        assert_eq!(delays, [50, 150, 249, 250, 50, 50]);
        let once = Policy::once(5000, 1024);
        assert!(!once.retries(&Err(Failure::TimedOut), 1));
        assert_eq!(once.delay_ms(0.7), 0);
    }

    #[test]
    fn failures_become_the_sync_clients_errors() {
        let timeout = Failure::TimedOut.error(2500);
        assert_eq!(
            (timeout.code, timeout.message.as_str()),
            (Code::Timeout, "no answer within 2500 ms")
        );
        let failed = Failure::Failed("TypeError: fetch failed".into()).error(2500);
        assert_eq!(
            (failed.code, failed.message.as_str()),
            (
                Code::NetworkError,
                "the request failed: TypeError: fetch failed"
            )
        );
        let big = Failure::TooLarge {
            status: 200,
            limit: 8 * 1024 * 1024,
        }
        .error(2500);
        assert_eq!(
            (big.code, big.status, big.message.as_str()),
            (
                Code::UpstreamError,
                Some(200),
                "TaxJar's 200 answer is larger than 8192 KiB, which edgetax does not read"
            )
        );
    }
}
