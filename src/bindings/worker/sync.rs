//! Durable Transaction Sync's I/O: sending `/sync/*` jobs to the
//! `SYNC_QUEUE` binding, and the queue consumer's work on one message
//! (the record in `SYNC_STATE`; the TaxJar calls, one log line each, as
//! the core's [`Delivery`] drives them). Every decision is made by
//! [`crate::proxy::sync`].

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bindings::clock::now_ms;
use crate::bindings::http::Js;
use crate::console::logs::Param;
use crate::console::transactions as tx;
use crate::http::drive;
use crate::proxy::config::Config;
use crate::proxy::flow::Admitted;
use crate::proxy::sync::{self as plan, Delivery, Job};
use crate::proxy::Reply;
use crate::sync::engine::{Plan, Resource, SyncRecord};
use crate::sync::TransactionOptions;

use super::{logs, State, WorkerRuntime};

#[wasm_bindgen]
extern "C" {
    /// See `WorkerQueue` in the TypeScript section (a Queue producer).
    #[wasm_bindgen(typescript_type = "WorkerQueue")]
    type SyncQueue;
    #[wasm_bindgen(method, catch, js_name = sendBatch)]
    fn send_batch(this: &SyncQueue, messages: &Array) -> Result<Promise, JsValue>;

    /// See `WorkerSyncState` in the TypeScript section (a KV namespace).
    #[wasm_bindgen(typescript_type = "WorkerSyncState")]
    type SyncState;
    #[wasm_bindgen(method, catch)]
    fn get(this: &SyncState, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn put(this: &SyncState, key: &str, value: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, getter, js_name = syncQueue)]
    fn sync_queue(this: &WorkerRuntime) -> Option<SyncQueue>;
    #[wasm_bindgen(method, getter, js_name = syncState)]
    fn sync_state(this: &WorkerRuntime) -> Option<SyncState>;
}

fn options(config: &Config) -> TransactionOptions {
    TransactionOptions {
        plugin: config.plugin.clone(),
        refund_suffix: None,
    }
}

/// `POST /sync/orders` and `/sync/refunds`: checks the whole body, then
/// queues one message per order or refund and answers 202 `{ queued }`.
pub(super) async fn enqueue(
    state: &State,
    config: &Config,
    admitted: &Admitted,
    bytes: &[u8],
    runtime: &WorkerRuntime,
) -> Reply {
    let resource = plan::resource(&admitted.matched);
    let jobs = match plan::jobs(resource, bytes, &options(config)) {
        Ok(jobs) => jobs,
        Err(reply) => return reply,
    };
    let options = options(config);
    let queued: Vec<Queued> = jobs
        .into_iter()
        .filter_map(|job| {
            let (resource, id) = plan::job_id(&job, &options).ok()?;
            Some(Queued {
                kind: kind_of(resource),
                id,
                job,
                skipped: None,
            })
        })
        .collect();
    match send(state, runtime, &queued, None).await {
        Ok(()) => plan::queued(queued.len()),
        Err(reply) => reply,
    }
}

/// A job to queue (or, from a backfill, recorded as skipped with why).
pub(super) struct Queued {
    pub kind: &'static str,
    pub id: String,
    pub job: Job,
    pub skipped: Option<String>,
}

/// The console's name of a resource.
pub(super) fn kind_of(resource: Resource) -> &'static str {
    if resource == Resource::Refund {
        "refund"
    } else {
        "order"
    }
}

/// The most messages and bytes of one `sendBatch` (Queues' limits: 100
/// messages and 256 KB).
const SEND_MESSAGES: usize = 100;
const SEND_BYTES: usize = 200 * 1024;

/// Queues every job not skipped (in `sendBatch`es within Queues' limits),
/// and records each job in the console's `transactions` table (with
/// `LOGS` bound): `received`, or `skipped` with why. A batch the queue
/// refused is an error; what was sent before it stays sent.
pub(super) async fn send(
    state: &State,
    runtime: &WorkerRuntime,
    jobs: &[Queued],
    batch: Option<&str>,
) -> Result<(), Reply> {
    let Some(queue) = runtime.sync_queue() else {
        return Err(Reply::error(503, "SYNC_QUEUE is not bound"));
    };
    let now = now_ms() as u64;
    let mut rows = Vec::new();
    let (mut messages, mut bytes) = (Array::new(), 0);
    for (i, queued) in jobs.iter().enumerate() {
        let text = serde_json::to_string(&queued.job).unwrap_or_default();
        rows.push((
            tx::RECEIVED,
            tx::received(queued.kind, &queued.id, batch, &text, now),
        ));
        if let Some(reason) = &queued.skipped {
            rows.push((
                tx::OUTCOME,
                tx::outcome(queued.kind, &queued.id, "skipped", Some(reason), now),
            ));
        } else {
            let message = Object::new();
            let _ = Reflect::set(&message, &"body".into(), &JsValue::from_str(&text));
            messages.push(&message);
            bytes += text.len();
        }
        let last = i + 1 == jobs.len();
        let full = messages.length() as usize >= SEND_MESSAGES || bytes >= SEND_BYTES;
        if messages.length() > 0 && (full || last) {
            let sent = match queue.send_batch(&messages) {
                Ok(promise) => JsFuture::from(promise).await.is_ok(),
                Err(_) => false,
            };
            if !sent {
                return Err(Reply::error(503, "the sync queue refused the messages"));
            }
            (messages, bytes) = (Array::new(), 0);
        }
    }
    if let Some(db) = runtime.logs() {
        // The console's record; a lost write loses no transaction.
        let statements: Vec<(&str, Vec<Param>)> = rows;
        if !logs::exec_all(state, &db, &statements).await {
            state.log(r#"{"level":"error","event":"sync_track_failed","detail":"the LOGS D1 database could not be written"}"#);
        }
    }
    Ok(())
}

/// Records what a delivery came to in the console's table (with `LOGS`).
async fn track(
    state: &State,
    runtime: &WorkerRuntime,
    kind: &str,
    id: &str,
    status: &str,
    detail: Option<&str>,
) {
    if let Some(db) = runtime.logs() {
        let row = (
            tx::OUTCOME,
            tx::outcome(kind, id, status, detail, now_ms() as u64),
        );
        let _ = logs::exec_all(state, &db, &[row]).await;
    }
}

/// A message the dead-letter queue delivers: recorded as `dead`.
pub(super) async fn dead(state: &State, config: &Config, body: &JsValue, runtime: &WorkerRuntime) {
    let job: Option<Job> = body.as_string().and_then(|t| serde_json::from_str(&t).ok());
    let Some((resource, id)) = job.and_then(|job| plan::job_id(&job, &options(config)).ok()) else {
        state.log(r#"{"level":"error","event":"dead_letter","detail":"an unreadable message"}"#);
        return;
    };
    let detail = "in the dead-letter queue: every delivery failed";
    track(state, runtime, kind_of(resource), &id, "dead", Some(detail)).await;
}

/// The consumer's work on one message body: `None` when it is done (ack),
/// or the seconds to wait before the next delivery (retry).
pub(super) async fn process(
    state: &State,
    config: &Config,
    body: &JsValue,
    attempts: u32,
    runtime: &WorkerRuntime,
) -> Option<u32> {
    let retry = Some(plan::retry_delay_seconds(attempts));
    let Some(token) = config.token.as_deref() else {
        state.log("{\"event\":\"error\",\"message\":\"TAXJAR_API_TOKEN is not set\"}");
        return retry;
    };
    let options = options(config);
    // Bodies are JSON text; an unreadable one can never succeed: dropped.
    let job: Job = match body.as_string().map(|t| serde_json::from_str(&t)) {
        Some(Ok(job)) => job,
        _ => {
            state.log("{\"event\":\"error\",\"message\":\"unreadable sync message\"}");
            return None;
        }
    };
    let (resource, id) = match plan::job_id(&job, &options) {
        Ok(found) => found,
        Err(error) => return dropped(state, &error),
    };
    let records = runtime.sync_state();
    let key = plan::record_key(resource, &id);
    let record = match &records {
        Some(state) => read_record(state, &key).await,
        None => None,
    };
    let kind = kind_of(resource);
    let attempt = match plan::plan(&job, record.as_ref(), &options, "") {
        Ok(Plan::Send(attempt)) => *attempt,
        Ok(Plan::Skip(outcome)) => {
            state.log(&plan::skip_line(resource, &outcome));
            track(
                state,
                runtime,
                kind,
                &id,
                "skipped",
                outcome.reason.as_deref(),
            )
            .await;
            return None;
        }
        Err(error) => {
            track(state, runtime, kind, &id, "dead", Some(&error.to_string())).await;
            return dropped(state, &error);
        }
    };
    let live = state.live();
    let mut delivery = Delivery {
        config,
        token,
        redactor: &live.redactor,
        attempt,
        log: |line: &str| {
            state.log(line);
        },
        calls: Vec::new(),
    };
    let delivered = drive(&mut delivery, &Js).await.done;
    logs::calls(state, runtime, &delivery.calls).await;
    keep(records.as_ref(), &key, delivered.record.as_ref()).await;
    track(
        state,
        runtime,
        kind,
        &id,
        delivered.status,
        delivered.detail.as_deref(),
    )
    .await;
    if delivered.retry {
        retry
    } else {
        None
    }
}

/// Writes a sync record. A lost write only costs one more call next time.
async fn keep(state: Option<&SyncState>, key: &str, record: Option<&SyncRecord>) {
    if let (Some(state), Some(record)) = (state, record) {
        let text = serde_json::to_string(record).unwrap_or_default();
        if let Ok(promise) = state.put(key, &text) {
            let _ = JsFuture::from(promise).await;
        }
    }
}

/// Logs a message that can never sync (checked when queued, so only a
/// message from elsewhere) and acks it: retrying would not help. Only the
/// code and field are logged: messages may quote customer data.
fn dropped(state: &State, error: &crate::error::Error) -> Option<u32> {
    let line = serde_json::json!({
        "level": "error",
        "event": "dropped",
        "code": error.code.as_str(),
        "field": error.field,
    });
    state.log(&line.to_string());
    None
}

async fn read_record(state: &SyncState, key: &str) -> Option<SyncRecord> {
    let value = JsFuture::from(state.get(key).ok()?).await.ok()?;
    serde_json::from_str(&value.as_string()?).ok()
}
