//! The console's Transaction Sync calls: the counts and recent
//! transactions, a retry, Backfill Transactions (upload, progress, CSV).
//! The decisions are [`crate::console::transactions`]' and
//! [`crate::console::backfill`]'s; the queue is `sync::send`'s.

use web_sys::Request;

use crate::console::backfill;
use crate::console::logs::Param;
use crate::console::route::Call;
use crate::console::transactions as tx;
use crate::proxy::sync::Job;
use crate::proxy::Reply;
use crate::sync::TransactionOptions;

use super::io::read_body;
use super::sync::{send, Queued};
use super::{logs, State, WorkerRuntime};

/// The most bytes of an upload read (5,000 orders of about 1 KB each).
const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

fn unbound() -> Reply {
    Reply::error(503, "the LOGS D1 database is not bound")
}

fn unreadable() -> Reply {
    Reply::error(503, "the LOGS D1 database could not be read")
}

/// Answers one of the Transaction Sync calls.
pub(super) async fn answer(
    state: &State,
    call: Call,
    request: &Request,
    runtime: &WorkerRuntime,
) -> Reply {
    let Some(db) = runtime.logs() else {
        return unbound();
    };
    let live = state.live();
    let config = match crate::console::calls::config(&live) {
        Ok(config) => config,
        Err(reply) => return reply,
    };
    let options = TransactionOptions {
        plugin: config.plugin.clone(),
        refund_suffix: None,
    };
    let body = if call.takes_body() {
        match read_body(request, UPLOAD_LIMIT)
            .await
            .filter(|b| b.len() <= UPLOAD_LIMIT)
        {
            Some(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => return Reply::error(400, "the body is not UTF-8"),
            },
            None => return Reply::error(413, "the upload is larger than 8 MB"),
        }
    } else {
        String::new()
    };
    match call {
        Call::ReadSync => {
            let counts = logs::query(state, &db, tx::COUNTS, &[]).await;
            let recent = logs::query(state, &db, tx::RECENT, &[]).await;
            match (counts, recent) {
                (Some(counts), Some(recent)) => Reply::json(200, tx::view(&counts, &recent)),
                _ => unreadable(),
            }
        }
        Call::RetrySync => {
            let (kind, id) = match tx::retry_target(&body) {
                Ok(target) => target,
                Err(detail) => return Reply::error(400, &detail),
            };
            let params = [Param::Text(kind.clone()), Param::Text(id.clone())];
            let Some(rows) = logs::query(state, &db, tx::RETRYABLE, &params).await else {
                return unreadable();
            };
            let job: Option<Job> = crate::json::parse(&rows)
                .ok()
                .and_then(|v| match v {
                    crate::json::Json::Array(items) => {
                        items.first()?.get("body")?.as_str().map(str::to_owned)
                    }
                    _ => None,
                })
                .and_then(|text| serde_json::from_str(&text).ok());
            let Some(job) = job else {
                return Reply::error(404, "no failing or dead transaction with that kind and id");
            };
            let kind = if kind == "refund" { "refund" } else { "order" };
            match send(
                state,
                runtime,
                &[Queued {
                    kind,
                    id,
                    job,
                    skipped: None,
                }],
                None,
            )
            .await
            {
                Ok(()) => Reply::json(200, r#"{"retried":true}"#),
                Err(reply) => reply,
            }
        }
        Call::Backfill => {
            let items = match backfill::read(&body, &options) {
                Ok(items) => items,
                Err(error) => return Reply::invalid(&error),
            };
            let batch = format!("bf-{}", &super::console::random_id()[..12]);
            let jobs: Vec<Queued> = items
                .into_iter()
                .map(|i| Queued {
                    kind: i.kind,
                    id: i.id,
                    job: i.job,
                    skipped: i.skipped,
                })
                .collect();
            if let Err(reply) = send(state, runtime, &jobs, Some(&batch)).await {
                return reply;
            }
            progress(state, &db, &batch).await
        }
        Call::BackfillProgress => {
            let url = request.url();
            let batch = url
                .split_once("batch=")
                .map(|(_, b)| b.split('&').next().unwrap_or(""))
                .filter(|b| {
                    b.starts_with("bf-")
                        && b.len() <= 40
                        && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                });
            match batch {
                Some(batch) => progress(state, &db, batch).await,
                None => Reply::error(400, "batch must be a backfill id such as bf-0123456789ab"),
            }
        }
        _ => {
            match backfill::read(&body, &options).and_then(|items| backfill::csv(&items, &options))
            {
                Ok(csv) => Reply {
                    status: 200,
                    headers: vec![
                        (
                            "Content-Type".to_owned(),
                            "text/csv; charset=utf-8".to_owned(),
                        ),
                        (
                            "Content-Disposition".to_owned(),
                            "attachment; filename=\"taxjar-transactions.csv\"".to_owned(),
                        ),
                    ],
                    body: Some(csv),
                },
                Err(error) => Reply::invalid(&error),
            }
        }
    }
}

async fn progress(state: &State, db: &logs::LogsDb, batch: &str) -> Reply {
    match logs::query(state, db, tx::BATCH, &[Param::Text(batch.to_owned())]).await {
        Some(rows) => Reply::json(200, tx::progress(batch, &rows)),
        None => unreadable(),
    }
}
