//! The D1 logs' I/O (the `LOGS` binding): the table made once per isolate,
//! a row written after each proxied answer (in `waitUntil`, so the caller
//! never waits for it), the console's pages, download and savings, and
//! the cron's purge. Every statement and row is
//! [`crate::console::logs`]'s and [`crate::console::savings`]'s.

use js_sys::{Array, Function, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::bindings::clock::now_ms;
use crate::console::logs::{self, Filter, Param, Row};
use crate::console::savings;
use crate::proxy::log::{Call, LogEntry};
use crate::proxy::Reply;

use super::{State, WorkerRuntime};

#[wasm_bindgen]
extern "C" {
    /// See `WorkerLogs` in the TypeScript section (a D1 database).
    #[wasm_bindgen(typescript_type = "WorkerLogs")]
    #[derive(Clone)]
    pub(super) type LogsDb;
    #[wasm_bindgen(method, catch)]
    fn prepare(this: &LogsDb, sql: &str) -> Result<Statement, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn batch(this: &LogsDb, statements: &Array) -> Result<Promise, JsValue>;

    type Statement;
    #[wasm_bindgen(method, catch)]
    fn all(this: &Statement) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn run(this: &Statement) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, getter)]
    pub(super) fn logs(this: &WorkerRuntime) -> Option<LogsDb>;
}

/// `sql` with `params` bound (D1's `bind(...values)`).
fn statement(db: &LogsDb, sql: &str, params: &[Param]) -> Option<Statement> {
    let prepared = db.prepare(sql).ok()?;
    let values: Array = params
        .iter()
        .map(|p| match p {
            Param::Text(t) => JsValue::from_str(t),
            Param::Int(i) => JsValue::from_f64(*i as f64),
            Param::Null => JsValue::NULL,
        })
        .collect();
    let bind: Function = Reflect::get(&prepared, &"bind".into())
        .ok()?
        .dyn_into()
        .ok()?;
    bind.apply(&prepared, &values)
        .ok()
        .map(JsCast::unchecked_into)
}

/// Runs `sql`; whether it worked.
async fn exec(db: &LogsDb, sql: &str, params: &[Param]) -> bool {
    match statement(db, sql, params).and_then(|s| s.run().ok()) {
        Some(promise) => JsFuture::from(promise).await.is_ok(),
        None => false,
    }
}

/// The rows of `sql` as JSON text (`[{…},…]`).
async fn rows(db: &LogsDb, sql: &str, params: &[Param]) -> Option<String> {
    let promise = statement(db, sql, params)?.all().ok()?;
    let result = JsFuture::from(promise).await.ok()?;
    let list = Reflect::get(&result, &"results".into()).ok()?;
    JSON::stringify(&list).ok()?.as_string()
}

/// Runs `statements` as one D1 batch (one transaction); whether it worked.
pub(super) async fn exec_all(
    state: &State,
    db: &LogsDb,
    statements: &[(&str, Vec<Param>)],
) -> bool {
    if !ready(state, db).await {
        return false;
    }
    let list = Array::new();
    for (sql, params) in statements {
        match statement(db, sql, params) {
            Some(s) => list.push(&s),
            None => return false,
        };
    }
    match db.batch(&list) {
        Ok(promise) => JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// The rows of `sql` as JSON text, the tables made first.
pub(super) async fn query(
    state: &State,
    db: &LogsDb,
    sql: &str,
    params: &[Param],
) -> Option<String> {
    if !ready(state, db).await {
        return None;
    }
    rows(db, sql, params).await
}

/// Makes the tables once per isolate.
async fn ready(state: &State, db: &LogsDb) -> bool {
    if state.logs_ready.get() {
        return true;
    }
    for sql in logs::SCHEMA
        .iter()
        .chain(&crate::console::transactions::SCHEMA)
    {
        if !exec(db, sql, &[]).await {
            return false;
        }
    }
    state.logs_ready.set(true);
    true
}

/// Writes the row of a proxied answer, when logging is on and `LOGS` is
/// bound, after the answer (in `waitUntil`).
pub(super) fn record(
    state: &std::rc::Rc<State>,
    runtime: &WorkerRuntime,
    entry: &LogEntry,
    reply: &Reply,
) {
    let live = state.live();
    let on = live.config.as_ref().is_ok_and(|c| c.logging_enabled);
    let (Some(db), true) = (runtime.logs(), on) else {
        return;
    };
    let Some(row) = logs::row(entry, reply, now_ms() as u64, &live.redactor) else {
        return;
    };
    let state = state.clone();
    let write = future_to_promise(async move {
        if ready(&state, &db).await && !exec(&db, logs::INSERT, &Row::params(&row)).await {
            state.log(r#"{"level":"error","event":"log_write_failed","detail":"the LOGS D1 database could not be written"}"#);
        }
        Ok(JsValue::UNDEFINED)
    });
    let _ = runtime.wait_until(&write);
}

/// Writes rows for calls to TaxJar outside a proxied request (Transaction
/// Sync's deliveries, the console's checks and syncs, the cron), when
/// logging is on and `LOGS` is bound.
pub(super) async fn calls(state: &State, runtime: &WorkerRuntime, calls: &[Call]) {
    let live = state.live();
    let on = live.config.as_ref().is_ok_and(|c| c.logging_enabled);
    let (Some(db), true, false) = (runtime.logs(), on, calls.is_empty()) else {
        return;
    };
    let now = now_ms() as u64;
    let rows: Vec<Row> = calls
        .iter()
        .map(|c| logs::call_row(c, now, &live.redactor))
        .collect();
    let statements: Vec<(&str, Vec<Param>)> =
        rows.iter().map(|r| (logs::INSERT, r.params())).collect();
    if !exec_all(state, &db, &statements).await {
        state.log(r#"{"level":"error","event":"log_write_failed","detail":"the LOGS D1 database could not be written"}"#);
    }
}

/// The console's logs calls: a page (`download`: the JSON file instead).
pub(super) async fn read(
    state: &State,
    runtime: &WorkerRuntime,
    url: &str,
    download: bool,
) -> Reply {
    let filter: Filter = match logs::filter(url) {
        Ok(filter) => filter,
        Err(error) => return Reply::invalid(&error),
    };
    let Some(db) = runtime.logs() else {
        return Reply::error(503, "the LOGS D1 database is not bound");
    };
    let unreadable = || Reply::error(503, "the LOGS D1 database could not be read");
    if !ready(state, &db).await {
        return unreadable();
    }
    let (sql, params) = logs::select(&filter, download);
    let Some(list) = rows(&db, &sql, &params).await else {
        return unreadable();
    };
    let list = state.live().redactor.owned(&list);
    if download {
        let now = now_ms() as u64;
        let name = format!(
            "attachment; filename=\"edgetax-logs-{}.json\"",
            crate::offline::date::Date::from_unix_ms(now as f64)
        );
        return Reply::json(200, logs::download(&list, &filter, now))
            .with_header("Content-Disposition", name);
    }
    let (sql, params) = logs::count(&filter);
    let total = rows(&db, &sql, &params)
        .await
        .and_then(|t| crate::json::parse(&t).ok())
        .and_then(|v| match v {
            crate::json::Json::Array(items) => items.first()?.get("n")?.as_u64(),
            _ => None,
        });
    match total {
        Some(total) => Reply::json(200, logs::page(&list, total, &filter)),
        None => unreadable(),
    }
}

/// `GET /console/api/savings`.
pub(super) async fn savings(state: &State, runtime: &WorkerRuntime) -> Reply {
    let Some(db) = runtime.logs() else {
        return Reply::error(503, "the LOGS D1 database is not bound");
    };
    let now = now_ms() as u64;
    let (sql, params) = savings::query(&savings::first_day(now));
    match (ready(state, &db).await, rows(&db, &sql, &params).await) {
        (true, Some(list)) => Reply::json(200, savings::summary(&list, now)),
        _ => Reply::error(503, "the LOGS D1 database could not be read"),
    }
}

/// The cron's retention: deletes rows older than `LOG_RETENTION_DAYS`.
/// The report line is logged and returned.
pub(super) async fn purge(state: &State, runtime: &WorkerRuntime) -> String {
    let live = super::console::refreshed(state, runtime).await;
    let days = live.config.as_ref().map_or(7, |c| c.log_retention_days);
    let status = match runtime.logs() {
        None => "skipped",
        Some(db) => {
            let (sql, params) = logs::purge(now_ms() as u64, days);
            if ready(state, &db).await && exec(&db, &sql, &params).await {
                "done"
            } else {
                "failed"
            }
        }
    };
    let line =
        format!(r#"{{"level":"info","event":"log_retention","status":"{status}","days":{days}}}"#);
    state.log(&line).into_owned()
}
