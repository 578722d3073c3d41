//! Durable Transaction Sync in the Worker, without I/O.
//!
//! `POST /sync/orders` and `POST /sync/refunds` take a platform's orders
//! and refunds (the shapes of [`crate::sync::order`]). [`jobs`] checks the
//! whole body first and splits it into queue [`Job`]s (all or nothing: a
//! bad item is a 400 naming its field, and nothing is queued). The queue
//! consumer then plans each job against its sync record ([`plan`]), sends
//! the attempts the engine asks for ([`upstream_call`], [`after`]), keeps
//! the record and, on a failure, retries later ([`retry_delay_seconds`]).
//! The I/O is in `bindings::worker::sync`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::Config;
use super::reply::Reply;
use super::upstream::{Outcome as Answer, UpstreamRequest};
use crate::error::{Code, Error};
use crate::sync::engine::{self, Action, Attempt, Outcome, Plan};
use crate::sync::engine::{Resource, SyncRecord};
use crate::sync::log::LogEntry;
use crate::sync::plan::{plan_order, plan_refund};
use crate::sync::transaction::{order_transaction_id, refund_transaction_id};
use crate::sync::{Order, Refund};
use crate::sync::{SyncSettings, TransactionOptions};

/// At most this many jobs per request: a Queue's `sendBatch` takes 100.
pub const MAX_JOBS: usize = 100;

/// The queue's `max_retries` (as in `worker/wrangler.toml`): after that,
/// a message goes to the dead-letter queue.
pub const MAX_RETRIES: u32 = 10;

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

/// Checks a `/sync/orders` (`resource` Order) or `/sync/refunds` (Refund)
/// body and splits it into jobs; the 400 names the first bad field.
pub fn jobs(
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
pub fn record_key(resource: Resource, id: &str) -> String {
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
pub fn upstream_call(config: &Config, token: &str, attempt: &Attempt) -> UpstreamRequest {
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
        /// A record to keep meanwhile (see [`known_record`]).
        record: Option<SyncRecord>,
    },
}

/// What a failed `attempt` proved: an update sent because the create got
/// 422 means TaxJar has the transaction. Kept with an empty hash, the next
/// delivery updates (one call) instead of creating again (422, then the
/// update: two calls, twice the chance to fail on every retry).
pub fn known_record(attempt: &Attempt, synced_at: &str) -> Option<SyncRecord> {
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
        Answer::TimedOut => retry("TaxJar did not answer in time".to_owned()),
        Answer::Failed => retry("could not reach TaxJar".to_owned()),
    }
}

/// The log line of one attempt (its answer, or the failure), the token
/// redacted by [`crate::sync::log`].
pub fn attempt_line(
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
    };
    serde_json::to_string(&entry).unwrap_or_default()
}

/// The log line of a skipped job.
pub fn skip_line(resource: Resource, outcome: &Outcome) -> String {
    serde_json::to_string(&LogEntry::skip(resource, outcome)).unwrap_or_default()
}

/// How long a failed message waits before its next delivery (`attempts`
/// is the queue's count, from 1): 10 s doubled each time, at most an hour,
/// so a TaxJar outage is ridden out within `max_retries`.
pub fn retry_delay_seconds(attempts: u32) -> u32 {
    let doublings = attempts.saturating_sub(1).min(9);
    (10u32 << doublings).min(3600)
}

/// The `202` answer: `{ "queued": n }`.
pub fn queued(n: usize) -> Reply {
    Reply::json(202, format!("{{\"queued\":{n}}}"))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::proxy::flow::{front, Front, Head};
    use crate::proxy::log::LogEntry as ProxyLog;
    use crate::proxy::testing::{answered, config, one, tj};

    fn order(id: &str) -> Value {
        json!({
            "id": id, "created_at": "2024-03-01T10:00:00Z", "status": "completed",
            "to_country": "US", "to_zip": "90002", "to_state": "CA",
            "shipping": 5, "sales_tax": "1.35",
            "line_items": [{ "id": "1", "quantity": 1, "unit_price": "10.00" }],
        })
    }

    fn jobs_of(resource: Resource, body: Value) -> Result<Vec<Job>, Reply> {
        jobs(
            resource,
            body.to_string().as_bytes(),
            &TransactionOptions::default(),
        )
    }

    fn field(reply: Reply) -> (u16, Value, Value) {
        let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
        (reply.status, body["code"].clone(), body["field"].clone())
    }

    fn first(job: &Job) -> Attempt {
        match plan(job, None, &TransactionOptions::default(), "").unwrap() {
            Plan::Send(attempt) => *attempt,
            Plan::Skip(outcome) => panic!("skipped: {outcome:?}"),
        }
    }

    #[test]
    fn bodies_split_into_jobs_or_name_the_bad_field() {
        let list = jobs_of(
            Resource::Order,
            json!({ "orders": [order("1"), order("2")] }),
        );
        assert_eq!(list.unwrap().len(), 2);
        assert_eq!(jobs_of(Resource::Order, order("3")).unwrap().len(), 1);
        let mut bad = order("4");
        bad.as_object_mut().unwrap().remove("sales_tax");
        let reply = jobs_of(Resource::Order, json!({ "orders": [order("1"), bad] })).unwrap_err();
        assert_eq!(
            field(reply),
            (400, json!("missing_field"), json!("orders[1].sales_tax"))
        );
        let reply = jobs_of(Resource::Order, json!({ "orders": [] })).unwrap_err();
        assert_eq!(field(reply), (400, json!("invalid_value"), json!("orders")));
        let reply = jobs_of(Resource::Refund, json!({ "refund": { "id": "r1" } })).unwrap_err();
        assert_eq!(field(reply), (400, json!("missing_field"), json!("order")));
        let refund = json!({ "id": "r1", "created_at": "2024-03-05" });
        let refund = json!({ "refunds": [{ "refund": refund, "order": order("1") }] });
        let refunds = jobs_of(Resource::Refund, refund).unwrap();
        let (resource, id) = job_id(&refunds[0], &TransactionOptions::default()).unwrap();
        assert_eq!(record_key(resource, &id), "refund:r1-refund");
    }

    #[test]
    fn unchanged_jobs_skip_and_answers_decide_the_next_step() {
        let job = Job::Order { order: order("7") };
        let attempt = first(&job);
        assert_eq!(attempt.request.method, "POST");
        // 422 on create: the engine's update, once.
        let Step::Next(update) = after(&attempt, &answered(422, "{}", None), "t") else {
            panic!("no fallback");
        };
        assert_eq!(update.request.method, "PUT");
        let Step::Done(outcome) = after(&update, &answered(200, "{}", None), "t") else {
            panic!("not done");
        };
        let record = outcome.record.unwrap();
        let again = plan(&job, Some(&record), &TransactionOptions::default(), "").unwrap();
        assert!(matches!(again, Plan::Skip(ref o) if o.reason.as_deref() == Some("unchanged")));
        for answer in [
            answered(500, "{}", None),
            answered(429, "{}", None),
            Answer::TimedOut,
        ] {
            // A failed create proves nothing: no record.
            let step = after(&attempt, &answer, "t");
            assert!(matches!(step, Step::Retry { record: None, .. }), "{step:?}");
        }
    }

    #[test]
    fn a_failed_update_after_422_keeps_a_record_so_the_retry_updates() {
        let job = Job::Order { order: order("9") };
        let Step::Next(update) = after(&first(&job), &answered(422, "{}", None), "t1") else {
            panic!("no fallback");
        };
        let Step::Retry { record, .. } = after(&update, &Answer::TimedOut, "t2") else {
            panic!("not retried");
        };
        let record = record.unwrap();
        assert_eq!(
            (record.transaction_id.as_str(), record.hash.as_str()),
            ("9", "")
        );
        let options = TransactionOptions::default();
        let Ok(Plan::Send(retry)) = plan(&job, Some(&record), &options, "") else {
            panic!("skipped");
        };
        // One call when it is there; a 404 still falls back to a create.
        assert_eq!((retry.request.method, retry.fallback), ("PUT", false));
        let Step::Next(create) = after(&retry, &answered(404, "{}", None), "t3") else {
            panic!("no fallback");
        };
        assert_eq!(create.request.method, "POST");
        // An update planned from a record that fails keeps that record.
        let step = after(&retry, &answered(503, "{}", None), "t3");
        assert!(matches!(step, Step::Retry { record: None, .. }), "{step:?}");
    }

    #[test]
    fn calls_carry_the_token_and_logs_do_not() {
        let config = config();
        let attempt = first(&Job::Order { order: order("8") });
        let call = upstream_call(&config, "test-token", &attempt);
        assert_eq!(call.url, "http://127.0.0.1:9999/v2/transactions/orders");
        assert!(call
            .headers
            .contains(&("Authorization".into(), "Bearer test-token".into())));
        let ok = attempt_line(
            &config,
            "test-token",
            &attempt,
            &answered(201, "{\"a\":1}", None),
            3.0,
        );
        assert!(
            ok.contains("\"status\":201") && !ok.contains("\"a\""),
            "{ok}"
        );
        let failed = answered(500, "{\"detail\":\"test-token broke\"}", None);
        let line = attempt_line(&config, "test-token", &attempt, &failed, 3.0);
        assert!(line.contains("[REDACTED] broke") && !line.contains("test-token"));
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let delays: Vec<u32> = (1..=MAX_RETRIES + 1).map(retry_delay_seconds).collect();
        assert_eq!(delays[..4], [10, 20, 40, 80]);
        assert_eq!(delays[10], 3600);
        assert_eq!(retry_delay_seconds(0), 10);
    }

    #[test]
    fn sync_routes_are_for_servers_and_follow_the_reporting_toggle() {
        let head = |origin, authorization| Head {
            method: "POST",
            url: "https://proxy.example/sync/orders",
            origin,
            authorization,
            content_type: Some("application/json"),
            content_length: None,
            client_ip: None,
        };
        let run = |config: &Config, head: &Head| match front(
            Ok(config),
            head,
            &mut ProxyLog::new("POST"),
        ) {
            Front::Done(reply) => Some(reply),
            Front::Admitted(_) => None,
        };
        let config = config();
        let browser = run(&config, &head(Some("https://shop.example"), None)).unwrap();
        assert_eq!(browser.status, 403);
        assert!(run(&config, &head(None, Some("Bearer pk_test_1"))).is_none());
        let off = Config {
            reporting_enabled: false,
            ..config.clone()
        };
        let refused = run(&off, &head(None, Some("Bearer pk_test_1"))).unwrap();
        assert_eq!(tj(&refused), "503 Service Unavailable: reporting disabled");
        assert!(one("REPORTING_ENABLED", "maybe").is_err());
    }
}
