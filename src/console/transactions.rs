//! Transaction Sync in the console: every order and refund the Worker
//! receives (`POST /sync/*`, a backfill, a retry) is a row of the
//! `transactions` table in the `LOGS` D1 database, with what its delivery
//! came to: `received`, then `created`, `updated`, `deleted` or `skipped`
//! (unchanged, or not to sync), `failing` (the queue retries it), or
//! `dead` (in the dead-letter queue, or a message that can never sync).
//! The job's body is kept, so a failing or dead one can be sent again
//! from the console. Every value reaches SQL as a bound parameter.

use crate::json::{self, write::Object, Json};

use super::logs::Param;

/// Creates the table and its indexes.
pub const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS transactions (kind TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, \
     detail TEXT, batch TEXT, body TEXT, received INTEGER NOT NULL, updated INTEGER NOT NULL, \
     PRIMARY KEY (kind, id))",
    "CREATE INDEX IF NOT EXISTS transactions_updated ON transactions (updated)",
    "CREATE INDEX IF NOT EXISTS transactions_batch ON transactions (batch)",
];

/// A job received: `received`, its body kept (a batch id for a backfill).
pub const RECEIVED: &str =
    "INSERT INTO transactions (kind, id, status, detail, batch, body, received, updated) \
     VALUES (?1, ?2, 'received', NULL, ?3, ?4, ?5, ?5) \
     ON CONFLICT (kind, id) DO UPDATE SET status = 'received', detail = NULL, \
     batch = COALESCE(?3, batch), body = ?4, updated = ?5";

/// What a delivery came to (the row is made when a message from before
/// the table arrives).
pub const OUTCOME: &str =
    "INSERT INTO transactions (kind, id, status, detail, batch, body, received, updated) \
     VALUES (?1, ?2, ?3, ?4, NULL, NULL, ?5, ?5) \
     ON CONFLICT (kind, id) DO UPDATE SET status = ?3, detail = ?4, updated = ?5";

/// Counts by kind and status.
pub const COUNTS: &str =
    "SELECT kind, status, COUNT(*) AS n FROM transactions GROUP BY kind, status";

/// The 20 latest.
pub const RECENT: &str =
    "SELECT kind, id, status, detail, updated FROM transactions ORDER BY updated DESC, rowid DESC LIMIT 20";

/// The body of one failing or dead transaction (to send again).
pub const RETRYABLE: &str =
    "SELECT body FROM transactions WHERE kind = ?1 AND id = ?2 AND status IN ('failing', 'dead') AND body IS NOT NULL";

/// A backfill's counts by status.
pub const BATCH: &str =
    "SELECT status, COUNT(*) AS n FROM transactions WHERE batch = ?1 GROUP BY status";

/// The parameters of [`RECEIVED`].
pub fn received(kind: &str, id: &str, batch: Option<&str>, body: &str, now: u64) -> Vec<Param> {
    vec![
        Param::Text(kind.to_owned()),
        Param::Text(id.to_owned()),
        batch.map_or(Param::Null, |b| Param::Text(b.to_owned())),
        Param::Text(body.to_owned()),
        Param::Int(now as i64),
    ]
}

/// The parameters of [`OUTCOME`]; `detail` is cut at 500 characters.
pub fn outcome(kind: &str, id: &str, status: &str, detail: Option<&str>, now: u64) -> Vec<Param> {
    vec![
        Param::Text(kind.to_owned()),
        Param::Text(id.to_owned()),
        Param::Text(status.to_owned()),
        detail.map_or(Param::Null, |d| Param::Text(d.chars().take(500).collect())),
        Param::Int(now as i64),
    ]
}

/// `{"kind": "order" | "refund", "id": "..."}` of a retry body.
pub fn retry_target(body: &str) -> Result<(String, String), String> {
    let value = json::parse(body).map_err(|_| "the body is not JSON".to_owned())?;
    let kind = value
        .get("kind")
        .and_then(Json::as_str)
        .filter(|k| matches!(*k, "order" | "refund"));
    let id = value
        .get("id")
        .and_then(Json::as_str)
        .filter(|i| !i.is_empty() && i.len() <= 200);
    match (kind, id) {
        (Some(kind), Some(id)) => Ok((kind.to_owned(), id.to_owned())),
        _ => {
            Err("the body must be {\"kind\": \"order\" or \"refund\", \"id\": \"...\"}".to_owned())
        }
    }
}

/// The console's view: counts per kind (`received` counts every row),
/// and the recent rows. `counts` and `recent` are D1's rows as JSON text.
pub fn view(counts: &str, recent: &str) -> String {
    let rows = match json::parse(counts) {
        Ok(Json::Array(rows)) => rows,
        _ => Vec::new(),
    };
    const STATUSES: [&str; 7] = [
        "received", "created", "updated", "deleted", "skipped", "failing", "dead",
    ];
    let mut out = String::new();
    let mut root = Object::new(&mut out);
    for kind in ["order", "refund"] {
        let n = |status: &str| -> u64 {
            rows.iter()
                .filter(|r| r.get("kind").and_then(Json::as_str) == Some(kind))
                .filter(|r| {
                    status == "received" || r.get("status").and_then(Json::as_str) == Some(status)
                })
                .filter_map(|r| r.get("n").and_then(Json::as_u64))
                .sum()
        };
        let mut counts = Object::new(root.key(&format!("{kind}s")));
        for status in STATUSES {
            counts.raw(status, &n(status).to_string());
        }
        counts.end();
    }
    root.raw("recent", recent).end();
    out
}

/// A backfill's progress from [`BATCH`]'s rows: received, sent (created,
/// updated or deleted), skipped, failed (failing or dead), and pending.
pub fn progress(batch: &str, rows: &str) -> String {
    let rows = match json::parse(rows) {
        Ok(Json::Array(rows)) => rows,
        _ => Vec::new(),
    };
    let n = |statuses: &[&str]| -> u64 {
        rows.iter()
            .filter(|r| {
                r.get("status")
                    .and_then(Json::as_str)
                    .is_some_and(|s| statuses.contains(&s))
            })
            .filter_map(|r| r.get("n").and_then(Json::as_u64))
            .sum()
    };
    let mut out = String::new();
    Object::new(&mut out)
        .str("batch", batch)
        .raw(
            "received",
            &n(&[
                "received", "created", "updated", "deleted", "skipped", "failing", "dead",
            ])
            .to_string(),
        )
        .raw("sent", &n(&["created", "updated", "deleted"]).to_string())
        .raw("skipped", &n(&["skipped"]).to_string())
        .raw("failed", &n(&["failing", "dead"]).to_string())
        .raw("pending", &n(&["received"]).to_string())
        .end();
    out
}
