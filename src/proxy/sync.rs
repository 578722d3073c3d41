//! Durable Transaction Sync in the Worker, without I/O.
//!
//! `POST /sync/orders` and `POST /sync/refunds` take a platform's orders
//! and refunds (the shapes of [`crate::sync::order`]). `jobs` checks the
//! whole body first and splits it into queue [`Job`]s (all or nothing: a
//! bad item is a 400 naming its field, and nothing is queued). The queue
//! consumer then plans each job against its sync record ([`plan`]), sends
//! the attempts the engine asks for ([`Delivery`], driven by
//! [`crate::http::drive`]: `upstream_call`, [`after`]), keeps the record
//! and, on a failure, retries later (`retry_delay_seconds`). The I/O is
//! in `bindings::worker::sync`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::Config;
use super::reply::Reply;
use super::route::{Kind, Matched};
use super::upstream::{answer_limit, Outcome as Answer, UpstreamRequest};
use crate::error::{Code, Error};
use crate::http::{Attempts, Policy, Then, Tried};
use crate::redact::Redactor;
use crate::sync::engine::{self, Action, Attempt, Outcome, Plan};
use crate::sync::engine::{Resource, SyncRecord};
use crate::sync::log::LogEntry;
use crate::sync::plan::{plan_order, plan_refund};
use crate::sync::time::format_iso;
use crate::sync::transaction::{order_transaction_id, refund_transaction_id};
use crate::sync::{Order, Refund};
use crate::sync::{SyncSettings, TransactionOptions};

/// At most this many jobs per request: a Queue's `sendBatch` takes 100.
pub(crate) const MAX_JOBS: usize = 100;

/// The queue's `max_retries` (as in `worker/wrangler.toml`): after that,
/// a message goes to the dead-letter queue. The tests check the delays
/// against it.
#[cfg(test)]
pub(crate) const MAX_RETRIES: u32 = 10;

/// One queue message: an order, or a refund with its order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Job {
    /// A platform order (cancelled ones are deleted at TaxJar).
    Order {
        /// The order as the platform sent it.
        order: Value,
    },
    /// A platform refund and the order it refunds.
    Refund {
        /// The refund as the platform sent it.
        refund: Value,
        /// Its order.
        order: Value,
    },
}

/// The same error with its field under `prefix` (`orders[2].` + `sales_tax`).
fn prefixed(mut error: Error, prefix: &str) -> Error {
    if !prefix.is_empty() {
        let inner = error.field.take().unwrap_or_default();
        let joined = if inner.is_empty() || inner.starts_with('[') {
            format!("{}{inner}", prefix.trim_end_matches('.'))
        } else {
            format!("{prefix}{inner}")
        };
        error.field = Some(joined);
    }
    error
}

fn read_order(value: &Value, prefix: &str) -> Result<Order, Error> {
    Order::from_value(value).map_err(|e| prefixed(e, prefix))
}

fn read_refund(value: &Value, prefix: &str) -> Result<Refund, Error> {
    Refund::from_value(value).map_err(|e| prefixed(e, prefix))
}

/// The item list of a body: `{ "<list>": [...] }`, or the body itself as
/// one item. Each comes with the field prefix its errors get.
fn items(body: Value, list: &str) -> Result<Vec<(String, Value)>, Error> {
    let Value::Object(mut map) = body else {
        return Err(Error::new(
            Code::InvalidType,
            "the body must be a JSON object",
        ));
    };
    let Some(listed) = map.remove(list) else {
        return Ok(vec![(String::new(), Value::Object(map))]);
    };
    let Value::Array(values) = listed else {
        return Err(Error::field(
            Code::InvalidType,
            list,
            format!("{list} must be an array"),
        ));
    };
    if values.is_empty() || values.len() > MAX_JOBS {
        return Err(Error::field(
            Code::InvalidValue,
            list,
            format!("{list} must hold 1 to {MAX_JOBS} items"),
        ));
    }
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (format!("{list}[{i}]."), v))
        .collect())
}

/// What a `/sync/*` route queues: refunds on `POST /sync/refunds`, orders
/// on `POST /sync/orders` (the only other sync route).
pub(crate) fn resource(matched: &Matched) -> Resource {
    if matched.route.pattern == "/sync/refunds" {
        Resource::Refund
    } else {
        Resource::Order
    }
}

/// Checks a `/sync/orders` (`resource` Order) or `/sync/refunds` (Refund)
/// body and splits it into jobs; the 400 names the first bad field.
pub(crate) fn jobs(
    resource: Resource,
    bytes: &[u8],
    options: &TransactionOptions,
) -> Result<Vec<Job>, Reply> {
    // Text first: `from_slice` would be a second copy of the JSON reader.
    let body: Value = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| {
            Reply::invalid(&Error::new(
                Code::InvalidType,
                "the body must be a JSON object",
            ))
        })?;
    let list = if resource == Resource::Refund {
        "refunds"
    } else {
        "orders"
    };
    let items = items(body, list).map_err(|e| Reply::invalid(&e))?;
    let mut jobs = Vec::with_capacity(items.len());
    for (prefix, item) in items {
        let job = match resource {
            Resource::Refund => {
                let part = |name: &str| {
                    item.get(name).cloned().ok_or_else(|| {
                        let field = format!("{prefix}{name}");
                        Error::field(Code::MissingField, field, format!("{name} is required"))
                    })
                };
                match (part("refund"), part("order")) {
                    (Ok(refund), Ok(order)) => Job::Refund { refund, order },
                    (Err(e), _) | (_, Err(e)) => return Err(Reply::invalid(&e)),
                }
            }
            _ => Job::Order { order: item },
        };
        // Planned once without a record: whatever would fail later fails now.
        plan(&job, None, options, &prefix).map_err(|e| Reply::invalid(&e))?;
        jobs.push(job);
    }
    Ok(jobs)
}

/// What the job syncs and its transaction id at TaxJar.
pub fn job_id(job: &Job, options: &TransactionOptions) -> Result<(Resource, String), Error> {
    match job {
        Job::Order { order } => {
            let id = order_transaction_id(&read_order(order, "order.")?)?;
            Ok((Resource::Order, id))
        }
        Job::Refund { refund, .. } => {
            let id = refund_transaction_id(&read_refund(refund, "refund.")?, options)?;
            Ok((Resource::Refund, id))
        }
    }
}

/// The `SYNC_STATE` key of a transaction's sync record (refund and order
/// ids may overlap, so the resource is part of it).
pub(crate) fn record_key(resource: Resource, id: &str) -> String {
    match resource {
        Resource::Order => format!("order:{id}"),
        Resource::Refund => format!("refund:{id}"),
        Resource::Customer => format!("customer:{id}"),
    }
}

/// The first step of a job, as `TransactionSync` decides it: a cancelled
/// order is deleted, one that should not sync is skipped, the rest is
/// created or updated (or skipped when unchanged). `prefix` goes before
/// the field of an error (`orders[3].`).
pub fn plan(
    job: &Job,
    record: Option<&SyncRecord>,
    options: &TransactionOptions,
    prefix: &str,
) -> Result<Plan, Error> {
    let settings = SyncSettings::default();
    match job {
        Job::Order { order } => {
            let order = read_order(order, prefix)?;
            plan_order(&order, record, &settings, options).map_err(|e| prefixed(e, prefix))
        }
        Job::Refund { refund, order } => {
            let refund = read_refund(refund, &format!("{prefix}refund."))?;
            let order = read_order(order, &format!("{prefix}order."))?;
            // The id is the refund's own field: checked first under `refund.`;
            // what fails after it is the body, named under the item.
            refund_transaction_id(&refund, options)
                .map_err(|e| prefixed(e, &format!("{prefix}refund.")))?;
            plan_refund(&refund, &order, record, &settings, options)
                .map_err(|e| prefixed(e, prefix))
        }
    }
}

/// The request for `attempt`, sent like every proxied call: TaxJar's URL,
/// the engine's headers, and `Referer` with `STORE_URL`.
pub(crate) fn upstream_call(config: &Config, token: &str, attempt: &Attempt) -> UpstreamRequest {
    let mut headers: Vec<(String, String)> = attempt
        .headers(token)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    if let Some(store) = &config.store_url {
        headers.push(("Referer".to_owned(), store.clone()));
    }
    UpstreamRequest {
        method: attempt.request.method.to_owned(),
        url: format!("{}{}", config.api_url, attempt.request.path_and_query()),
        headers,
        body: attempt.request.body.as_ref().map(Value::to_string),
    }
}

/// What to do after one attempt's answer.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// Send the engine's fallback (create 422 → update, update 404 → create).
    Next(Box<Attempt>),
    /// Done: keep the outcome's record.
    Done(Outcome),
    /// Failed: retry the message later.
    Retry {
        /// Why, for the log.
        reason: String,
        /// A record to keep meanwhile (see `known_record`).
        record: Option<SyncRecord>,
    },
}

/// What a failed `attempt` proved: an update sent because the create got
/// 422 means TaxJar has the transaction. Kept with an empty hash, the next
/// delivery updates (one call) instead of creating again (422, then the
/// update: two calls, twice the chance to fail on every retry).
pub(crate) fn known_record(attempt: &Attempt, synced_at: &str) -> Option<SyncRecord> {
    (attempt.action == Action::Update && attempt.fallback).then(|| SyncRecord {
        transaction_id: attempt.id.clone(),
        hash: String::new(),
        synced_at: synced_at.to_owned(),
    })
}

/// The step after `answer` to `attempt`; `synced_at` (ISO 8601) goes in
/// the record. Anything but success or a fallback is retried by the queue,
/// so a timeout, a 5xx or a 429 never loses a transaction.
pub fn after(attempt: &Attempt, answer: &Answer, synced_at: &str) -> Step {
    let retry = |reason: String| Step::Retry {
        reason,
        record: known_record(attempt, synced_at),
    };
    match answer {
        Answer::Answered { status, body, .. } => match engine::next(attempt, *status, body) {
            Ok(None) => Step::Done(attempt.outcome(*status, synced_at)),
            Ok(Some(fallback)) => Step::Next(Box::new(fallback)),
            Err(error) => retry(error.to_string()),
        },
        Answer::TooLarge { status, limit } => retry(too_large(*status, *limit)),
        Answer::TimedOut => retry("TaxJar did not answer in time".to_owned()),
        Answer::Failed => retry("could not reach TaxJar".to_owned()),
    }
}

/// The queue consumer's attempts at one job, for [`crate::http::drive`]:
/// each sent once within `UPSTREAM_TIMEOUT_MS` (the queue retries, later),
/// its answer redacted, its `attempt_line` logged, then [`after`].
pub struct Delivery<'a, L: FnMut(&str)> {
    /// The settings (API URL, `STORE_URL`, timeout).
    pub config: &'a Config,
    /// The TaxJar token.
    pub token: &'a str,
    /// The secrets to take out of every answer.
    pub redactor: &'a Redactor,
    /// The attempt to send next.
    pub attempt: Attempt,
    /// Where the log lines go.
    pub log: L,
    /// Each call sent, for the console's D1 logs.
    pub calls: Vec<super::log::Call>,
}

/// What a delivery came to: the record to keep, and whether the message
/// is retried (else acknowledged).
#[derive(Clone, Debug, PartialEq)]
pub struct Delivered {
    /// The record to keep, if any.
    pub record: Option<SyncRecord>,
    /// True when the queue should deliver the message again.
    pub retry: bool,
    /// What it came to, for the console: `created`, `updated`,
    /// `deleted`, `skipped` or `failing` (to be retried).
    pub status: &'static str,
    /// Why it is failing, or why it was skipped.
    pub detail: Option<String>,
}

impl<L: FnMut(&str)> Attempts for Delivery<'_, L> {
    type Done = Delivered;

    fn policy(&self) -> Policy {
        let limit = answer_limit(Kind::Transactions);
        Policy::once(self.config.upstream_timeout_ms, limit)
    }

    fn request(&mut self) -> UpstreamRequest {
        upstream_call(self.config, self.token, &self.attempt)
    }

    fn after(&mut self, tried: Tried) -> Then<Delivered> {
        let answer = Answer::from(tried.sent).redacted(self.redactor);
        let line = attempt_line(self.config, self.token, &self.attempt, &answer, tried.ms);
        (self.log)(&line);
        let sent = upstream_call(self.config, self.token, &self.attempt);
        self.calls
            .push(super::log::Call::of(&sent, &answer, tried.ms));
        match after(&self.attempt, &answer, &format_iso(tried.now_ms as i64)) {
            Step::Next(fallback) => {
                self.attempt = *fallback;
                Then::Send
            }
            Step::Retry { record, reason } => Then::Done(Delivered {
                record,
                retry: true,
                status: "failing",
                detail: Some(reason),
            }),
            Step::Done(outcome) => Then::Done(Delivered {
                status: done_status(outcome.action),
                detail: outcome.reason,
                record: outcome.record,
                retry: false,
            }),
        }
    }
}

/// The console's name for what a finished job did.
pub(crate) fn done_status(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
        Action::Skip => "skipped",
    }
}

fn too_large(status: u16, limit: usize) -> String {
    format!(
        "TaxJar's {status} answer is larger than {} KiB, which the Worker does not read",
        limit / 1024
    )
}

/// The log line of one attempt (its answer, or the failure), the token
/// redacted by [`crate::sync::log`].
pub(crate) fn attempt_line(
    config: &Config,
    token: &str,
    attempt: &Attempt,
    answer: &Answer,
    ms: f64,
) -> String {
    let base = config.api_url.as_str();
    let entry = match answer {
        Answer::Answered { status, body, .. } => {
            let mut entry = LogEntry::response(attempt, base, token, *status, body, ms);
            // A success echoes the transaction, addresses and all: the
            // Worker's logs keep only error bodies (TaxJar's detail).
            if (200..300).contains(status) {
                entry.body = None;
            }
            entry
        }
        Answer::TimedOut => {
            let error = Error::new(Code::Timeout, "TaxJar did not answer in time");
            LogEntry::error(attempt, base, token, &error, ms)
        }
        Answer::Failed => {
            let error = Error::new(Code::NetworkError, "could not reach TaxJar");
            LogEntry::error(attempt, base, token, &error, ms)
        }
        Answer::TooLarge { status, limit } => {
            let error = Error::new(Code::UpstreamError, too_large(*status, *limit));
            LogEntry::error(attempt, base, token, &error, ms)
        }
    };
    serde_json::to_string(&entry).unwrap_or_default()
}

/// The log line of a skipped job.
pub(crate) fn skip_line(resource: Resource, outcome: &Outcome) -> String {
    serde_json::to_string(&LogEntry::skip(resource, outcome)).unwrap_or_default()
}

/// How long a failed message waits before its next delivery (`attempts`
/// is the queue's count, from 1): 10 s doubled each time, at most an hour,
/// so a TaxJar outage is ridden out within `max_retries`.
pub(crate) fn retry_delay_seconds(attempts: u32) -> u32 {
    let doublings = attempts.saturating_sub(1).min(9);
    (10u32 << doublings).min(3600)
}

/// The `202` answer: `{ "queued": n }`.
pub(crate) fn queued(n: usize) -> Reply {
    Reply::json(202, format!("{{\"queued\":{n}}}"))
}

#[cfg(test)]
mod tests;
