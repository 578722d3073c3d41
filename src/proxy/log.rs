//! One JSON log line per request.
//!
//! Only what is safe to keep: the method, the route *pattern* (never the
//! raw path, which can hold a ZIP or an order id), the status, the cache
//! result, the upstream time and attempts, a short label of the cache key,
//! and who called (`browser` or `server:<8 hex of the key's hash>`). Never
//! the token, a proxy key, a client address or a cart.

use serde::Serialize;

/// What the cache did for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheStatus {
    /// Answered from the cache.
    Hit,
    /// Not in the cache: TaxJar was asked.
    Miss,
    /// An identical request in this isolate was already asking TaxJar;
    /// this one shared its answer.
    Coalesced,
    /// The route is not cached, or the request never got that far.
    None,
}

impl CacheStatus {
    /// The `x-edgetax-cache` header value: `hit` when this request caused
    /// no upstream call of its own, `miss` when it did; `None` when the
    /// cache was not involved.
    pub fn header(self) -> Option<&'static str> {
        match self {
            CacheStatus::Hit | CacheStatus::Coalesced => Some("hit"),
            CacheStatus::Miss => Some("miss"),
            CacheStatus::None => None,
        }
    }
}

/// The fields of one log line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// The HTTP method.
    pub method: String,
    /// The route pattern (`/v2/rates/:zip`), or `-` when none matched.
    pub path: String,
    /// The status sent to the caller.
    pub status: u16,
    /// What the cache did.
    pub cache: CacheStatus,
    /// Time spent waiting for TaxJar, in ms, when it was asked.
    pub upstream_ms: Option<u64>,
    /// Upstream attempts made by this request (0, 1 or 2).
    pub attempts: u32,
    /// A short label of the cache key ([`super::cache::log_label`]).
    pub key_hash: Option<String>,
    /// `browser`, `server:<id>`, or `-` before the caller is known.
    pub caller: String,
    /// The request's body as read (for the D1 logs, redacted there; never
    /// in the log line).
    #[serde(skip)]
    pub request: Option<String>,
}

impl LogEntry {
    /// An entry for a request with `method`, before anything is known
    /// (a method that is not 1 to 10 letters is logged as `OTHER`).
    pub fn new(method: &str) -> LogEntry {
        let plain =
            (1..=10).contains(&method.len()) && method.bytes().all(|b| b.is_ascii_alphabetic());
        LogEntry {
            method: if plain {
                method.to_ascii_uppercase()
            } else {
                "OTHER".to_owned()
            },
            path: "-".to_owned(),
            status: 0,
            cache: CacheStatus::None,
            upstream_ms: None,
            attempts: 0,
            key_hash: None,
            caller: "-".to_owned(),
            request: None,
        }
    }

    /// The line: one JSON object, no newline.
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One call to TaxJar that is not a shopper's or server's request (a
/// Transaction Sync delivery, the console's checks and syncs, the cron),
/// for the console's D1 logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The method.
    pub method: String,
    /// TaxJar's path (no query).
    pub path: String,
    /// TaxJar's status; 0 when it did not answer.
    pub status: u16,
    /// How long it took.
    pub ms: u64,
    /// The body sent.
    pub request: Option<String>,
    /// The body answered (already redacted by the caller's outcome).
    pub response: Option<String>,
}

impl Call {
    /// The call of `request` that came to `outcome` in `ms`.
    pub fn of(request: &super::UpstreamRequest, outcome: &super::Outcome, ms: f64) -> Call {
        let rest = request
            .url
            .split_once("://")
            .map_or(request.url.as_str(), |(_, r)| r);
        let path = rest.find('/').map_or("/", |at| &rest[at..]);
        let (status, response) = match outcome {
            super::Outcome::Answered { status, body, .. } => (*status, Some(body.clone())),
            super::Outcome::TooLarge { status, .. } => (*status, None),
            _ => (0, None),
        };
        Call {
            method: request.method.clone(),
            path: path.split('?').next().unwrap_or("/").to_owned(),
            status,
            ms: ms.max(0.0).round() as u64,
            request: request.body.clone(),
            response,
        }
    }
}
