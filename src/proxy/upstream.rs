//! The request sent to TaxJar, when to try it again, and how its answer is
//! passed on.
//!
//! | TaxJar answered | the caller gets |
//! | --- | --- |
//! | 2xx, JSON of the expected shape | the same status and body, byte for byte |
//! | 2xx, not JSON (an HTML page, say) | 502, TaxJar-style |
//! | 401 (the Worker's token is wrong) | 502 "proxy token rejected by TaxJar" |
//! | 3xx (never followed) | 502 |
//! | 429 | 429, with TaxJar's `Retry-After` |
//! | other 4xx with a JSON body | the same status and body (rebuilt as a clean `{error, detail, status}` when a field has the wrong type) |
//! | other 4xx without one | 502 |
//! | 5xx, after one retry | 502 |
//! | nothing within `UPSTREAM_TIMEOUT_MS`, after one retry | 504 |
//! | a network failure, after one retry | 502 |
//! | an answer over the route's bound (`answer_limit`) | 502, never read further |
//!
//! Every answer is redacted as it arrives ([`Outcome::redacted`]): a token
//! or proxy key that the upstream echoes never reaches a caller, a cached
//! entry or a log line. A `Retry-After` that is neither seconds nor an
//! HTTP date is dropped.
//!
//! Only reads are retried (taxes, lookups, address validation, GETs), once,
//! after a short random pause, and only on 5xx, timeouts and network
//! failures.

use crate::http::{Attempts, Failure, Policy, Sent, Then, Tried};
use crate::legacy::{auth_header, Dialect};
use crate::model::read::tax_response;
use crate::model::{parse_answer, parse_body, ErrorBody};
use crate::redact::Redactor;

/// The request the Worker sends to TaxJar (`TAXJAR_API_URL`, the route's
/// path and query, the token among its headers).
pub use crate::http::UpstreamRequest;

use super::config::Config;
use super::reply::{reason_phrase, Reply};
use super::route::{Kind, Matched};

/// The TaxJar API version the proxy speaks.
pub(crate) const API_VERSION: &str = "2020-08-07";
/// The most attempts per request (one retry).
pub(crate) const MAX_ATTEMPTS: u32 = 2;
/// The shortest pause before the retry, in ms.
pub(crate) const RETRY_MIN_MS: u32 = 50;
/// The spread of the random pause before the retry, in ms.
pub(crate) const RETRY_JITTER_MS: u32 = 200;

/// The most bytes of a tax answer read (1 MiB): a 1,000-line answer with
/// its breakdown is about 600 KiB.
pub(crate) const TAXES_ANSWER_LIMIT: usize = 1024 * 1024;
/// The most bytes of a lookup answer read (1 MiB): the largest, the
/// summary rates of every region, is under 100 KiB.
pub(crate) const LOOKUP_ANSWER_LIMIT: usize = 1024 * 1024;
/// The most bytes of a transaction or customer answer read (8 MiB), as
/// `TransactionSync` reads them.
pub use crate::sync::exchange::RECORDS_ANSWER_LIMIT;

/// How many bytes of an answer on a route of `kind` are read at most.
/// TaxJar documents no sizes; these are many times its largest answers,
/// and small enough that an endless or huge answer cannot exhaust the
/// isolate (it is cut off, answered 502 and never cached).
pub(crate) fn answer_limit(kind: Kind) -> usize {
    match kind {
        Kind::Taxes | Kind::LegacySalesTax => TAXES_ANSWER_LIMIT,
        Kind::Transactions | Kind::Customers | Kind::Sync => RECORDS_ANSWER_LIMIT,
        Kind::Lookup | Kind::LegacyLookup | Kind::AddressValidation => LOOKUP_ANSWER_LIMIT,
    }
}

/// Builds the request for `matched` with `body`: `Authorization: Bearer
/// <token>`, `x-api-version`, `Content-Type` (with a body) and `Referer`
/// (with `STORE_URL`). `token` is the configured TaxJar token. The legacy
/// routes send the reference's `Authorization: Token token="<token>"` and
/// no API version.
pub fn build(
    config: &Config,
    token: &str,
    matched: &Matched,
    body: Option<String>,
) -> UpstreamRequest {
    let mut headers = if matched.route.kind.is_legacy() {
        let value = auth_header(Dialect::LegacyStandard, token);
        vec![("Authorization".to_owned(), value)]
    } else {
        vec![
            ("Authorization".to_owned(), auth_header(Dialect::V2, token)),
            ("x-api-version".to_owned(), API_VERSION.to_owned()),
        ]
    };
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    if let Some(store) = &config.store_url {
        headers.push(("Referer".to_owned(), store.clone()));
    }
    UpstreamRequest {
        method: matched.method.clone(),
        url: format!("{}{}", config.api_url, matched.path_and_query()),
        headers,
        body,
    }
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// TaxJar (or a gateway) answered.
    Answered {
        /// The HTTP status.
        status: u16,
        /// The body text.
        body: String,
        /// The `Retry-After` header, if any.
        retry_after: Option<String>,
    },
    /// The answer was longer than `answer_limit`; it was not read further.
    TooLarge {
        /// The HTTP status.
        status: u16,
        /// The bound it passed, in bytes.
        limit: usize,
    },
    /// No answer within the timeout.
    TimedOut,
    /// The fetch failed (DNS, connection reset, ...).
    Failed,
}

/// What the sender's result is to the Worker (a network failure's text is
/// not passed on: the caller gets "could not reach TaxJar").
impl From<Sent> for Outcome {
    fn from(sent: Sent) -> Outcome {
        match sent {
            Ok(answer) => Outcome::Answered {
                status: answer.status,
                body: answer.body,
                retry_after: answer.retry_after,
            },
            Err(Failure::TooLarge { status, limit }) => Outcome::TooLarge { status, limit },
            Err(Failure::TimedOut) => Outcome::TimedOut,
            Err(Failure::Failed(_)) => Outcome::Failed,
        }
    }
}

impl Outcome {
    /// The outcome as it may be used: body and `Retry-After` redacted, and
    /// a `Retry-After` that is not one `plain_retry_after` accepts dropped.
    pub fn redacted(self, redactor: &Redactor) -> Outcome {
        match self {
            Outcome::Answered {
                status,
                body,
                retry_after,
            } => Outcome::Answered {
                status,
                body: match redactor.text(&body) {
                    std::borrow::Cow::Borrowed(_) => body,
                    std::borrow::Cow::Owned(clean) => clean,
                },
                retry_after: retry_after
                    .as_deref()
                    .and_then(plain_retry_after)
                    .map(|v| redactor.owned(v)),
            },
            other => other,
        }
    }
}

/// A `Retry-After` value worth passing on: delay seconds (digits) or an
/// HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`). Anything else, such as a
/// body echoed into the header, is dropped.
pub(crate) fn plain_retry_after(value: &str) -> Option<&str> {
    let value = value.trim();
    let seconds = (1..=10).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
    let date = (20..=40).contains(&value.len())
        && value.ends_with(" GMT")
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b',' || b == b':');
    (seconds || date).then_some(value)
}

/// How the Worker sends a call on `matched`'s route: each attempt within
/// `UPSTREAM_TIMEOUT_MS`, the answer read up to [`answer_limit`], and a
/// read (taxes, lookups, address validation, GETs) sent once more after a
/// transient failure ([`crate::http::transient`]), after a short random
/// pause. Writes are sent once: a retry could write twice.
pub(crate) fn policy(config: &Config, matched: &Matched) -> Policy {
    let retry_safe = matched.route.retry_safe(&matched.method);
    Policy {
        max_attempts: if retry_safe { MAX_ATTEMPTS } else { 1 },
        retry_min_ms: RETRY_MIN_MS,
        retry_jitter_ms: RETRY_JITTER_MS,
        ..Policy::once(config.upstream_timeout_ms, answer_limit(matched.route.kind))
    }
}

/// One proxied call, for [`crate::http::drive`]: `request` sent as
/// `policy` says, its answer redacted as it arrives.
pub struct Proxied<'a> {
    /// The settings (the timeout).
    pub config: &'a Config,
    /// The route called (the size bound, whether to retry).
    pub matched: &'a Matched,
    /// What to send.
    pub request: &'a UpstreamRequest,
    /// The secrets to take out of the answer.
    pub redactor: &'a Redactor,
}

impl Attempts for Proxied<'_> {
    type Done = Outcome;

    fn policy(&self) -> Policy {
        policy(self.config, self.matched)
    }

    fn request(&mut self) -> UpstreamRequest {
        self.request.clone()
    }

    fn after(&mut self, tried: Tried) -> Then<Outcome> {
        Then::Done(Outcome::from(tried.sent).redacted(self.redactor))
    }
}

/// The caller's answer for TaxJar's `outcome` on `matched`'s route, and
/// whether that answer is TaxJar's own (only those may be cached). On the
/// legacy routes, a 400 or 404 without a JSON body keeps its status, with
/// the reference's meaning as the detail.
pub(crate) fn map_for(config: &Config, matched: &Matched, outcome: &Outcome) -> (Reply, bool) {
    let kind = matched.route.kind;
    if let Outcome::Answered { status, body, .. } = outcome {
        let plain = (400..=499).contains(status) && !matches!(status, 401 | 429);
        if kind.is_legacy() && plain && !json_object(body) {
            if let Some(meaning) = super::legacy::meaning(matched.route.pattern, *status) {
                return (Reply::error(*status, meaning), false);
            }
        }
    }
    map(config, kind, outcome)
}

/// The caller's answer for TaxJar's `outcome`, and whether that answer is
/// TaxJar's own (only those may be cached).
pub fn map(config: &Config, kind: Kind, outcome: &Outcome) -> (Reply, bool) {
    let (status, body, retry_after) = match outcome {
        Outcome::TimedOut => {
            let detail = format!(
                "TaxJar did not answer within {} ms",
                config.upstream_timeout_ms
            );
            return (Reply::error(504, &detail), false);
        }
        Outcome::Failed => return (Reply::error(502, "could not reach TaxJar"), false),
        Outcome::TooLarge { status, limit } => {
            let detail = format!(
                "TaxJar's {status} answer is larger than {} KiB, which the Worker does not read",
                limit / 1024
            );
            return (Reply::error(502, &detail), false);
        }
        Outcome::Answered {
            status,
            body,
            retry_after,
        } => (*status, body, retry_after),
    };
    match status {
        200..=299 => {
            let readable = match kind {
                Kind::Taxes => parse_answer(status, body, tax_response).map(|_| ()),
                // The legacy answers are bare objects (no `tax` envelope).
                Kind::LegacySalesTax => {
                    parse_body::<serde_json::Map<String, serde_json::Value>>(status, body)
                        .map(|_| ())
                }
                _ => parse_body::<serde_json::Value>(status, body).map(|_| ()),
            };
            match readable {
                Ok(()) => (Reply::json(status, body.clone()), true),
                Err(error) => (Reply::error(502, &error.message), false),
            }
        }
        401 => (
            Reply::error(
                502,
                "proxy token rejected by TaxJar (401): check TAXJAR_API_TOKEN",
            ),
            false,
        ),
        300..=399 => {
            let detail = format!(
                "TaxJar answered {status} with a redirect, which the Worker does not follow: \
                 check TAXJAR_API_URL"
            );
            (Reply::error(502, &detail), false)
        }
        429 => {
            let reply = error_reply(429, body)
                .unwrap_or_else(|| Reply::error(429, "TaxJar's rate limit was reached"));
            let reply = match retry_after {
                Some(value) => reply.with_header("Retry-After", value.clone()),
                None => reply,
            };
            (reply, false)
        }
        400..=499 => match error_reply(status, body) {
            Some(reply) => (reply, true),
            None => (bad_gateway(status, body), false),
        },
        _ => (bad_gateway(status, body), false),
    }
}

/// The 502 for an answer that is not TaxJar's: a 5xx, or a 4xx without a
/// JSON error body (a gateway's page).
fn bad_gateway(status: u16, body: &str) -> Reply {
    let message = match parse_body::<serde_json::Value>(status, body) {
        Err(error) => error.message,
        Ok(_) => format!("TaxJar answered with status {status}"),
    };
    Reply::error(502, &message)
}

/// TaxJar's JSON error body for the caller: as written when it is clean
/// (`error` and `detail` strings, `status` the HTTP status as a number),
/// else rebuilt clean from what it says (`"status":"400"`, a `detail`
/// list joined with `"; "`). `None` when the body is not a JSON object.
fn error_reply(status: u16, body: &str) -> Option<Reply> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(body) else {
        return None;
    };
    let clean = map.get("error").is_some_and(serde_json::Value::is_string)
        && map.get("detail").is_some_and(serde_json::Value::is_string)
        && map.get("status").and_then(serde_json::Value::as_u64) == Some(u64::from(status));
    if clean {
        return Some(Reply::json(status, body));
    }
    let parsed = ErrorBody::parse(body).unwrap_or_default();
    let detail = parsed.detail.unwrap_or_else(|| {
        let reason = parsed.error.as_deref().unwrap_or(reason_phrase(status));
        format!("TaxJar answered {status} {reason}")
    });
    Some(Reply::error(status, &detail))
}

fn json_object(body: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    )
}

#[cfg(test)]
mod tests;
