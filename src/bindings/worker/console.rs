//! The console's I/O: the sign-in body, the `CONSOLE` KV namespace (failed
//! attempts per address, the saved settings and the sealed API token),
//! the random session id, and the calls to TaxJar of the token check and
//! the connection test. Every decision is [`crate::console`]'s.

use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Request;

use crate::bindings::clock::now_seconds;
use crate::console::route::{self, Call, ConsoleHead, SIGN_IN_BODY_LIMIT};
use crate::console::settings::{Stored, BODY_LIMIT, STORE_KEY};
use crate::console::{calls, limit, Console, Live};
use crate::proxy::Reply;

use super::io::read_body;
use super::{exchange, vault, State, WorkerRuntime};

#[wasm_bindgen(module = "/src/bindings/worker/helpers.js")]
extern "C" {
    /// 16 random bytes from `crypto.getRandomValues`, as 32 hex digits.
    #[wasm_bindgen(js_name = sessionId)]
    pub(super) fn random_id() -> String;
}

#[wasm_bindgen]
extern "C" {
    /// See `WorkerConsoleStore` in the TypeScript section (a KV namespace).
    #[wasm_bindgen(typescript_type = "WorkerConsoleStore")]
    type ConsoleStore;
    #[wasm_bindgen(method, catch)]
    fn get(this: &ConsoleStore, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn put(
        this: &ConsoleStore,
        key: &str,
        value: &str,
        options: &JsValue,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn delete(this: &ConsoleStore, key: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, getter, js_name = console)]
    fn console_store(this: &WorkerRuntime) -> Option<ConsoleStore>;
}

/// A sign-in: reads the stored failures of `client_ip`, the body, asks
/// [`crate::console::sign_in`], and writes what it says to keep.
pub(super) async fn sign_in(
    console: &Console,
    head: &ConsoleHead<'_>,
    request: &Request,
    client_ip: Option<&str>,
    runtime: &WorkerRuntime,
) -> Reply {
    let Some(kv) = runtime.console_store() else {
        return route::store_missing();
    };
    let key = limit::key(client_ip);
    let Some(stored) = read(&kv, &key).await else {
        return route::store_missing();
    };
    let body = read_body(request, SIGN_IN_BODY_LIMIT)
        .await
        .filter(|bytes| bytes.len() <= SIGN_IN_BODY_LIMIT);
    let id = random_id();
    let signed = route::sign_in(
        console,
        head,
        body.as_deref(),
        stored.as_deref(),
        now_seconds(),
        &id,
    );
    let written = match &signed.store {
        None => None,
        Some(Some(value)) => {
            let options = Object::new();
            let ttl = JsValue::from(limit::WINDOW_SECONDS as f64);
            let _ = Reflect::set(&options, &"expirationTtl".into(), &ttl);
            kv.put(&key, value, &options).ok()
        }
        Some(None) => kv.delete(&key).ok(),
    };
    if let Some(promise) = written {
        // Awaited: the next attempt, on any isolate, must see it.
        let _ = JsFuture::from(promise).await;
    }
    signed.reply
}

/// The stored value of `key`: `Some(None)` when there is none, `None`
/// when KV could not be read.
async fn read(kv: &ConsoleStore, key: &str) -> Option<Option<String>> {
    let value = JsFuture::from(kv.get(key).ok()?).await.ok()?;
    Some(value.as_string())
}

/// The settings in use, read again from KV when they are
/// `RELOAD_SECONDS` old. With the console off (no keys) or no `CONSOLE`
/// binding, the env alone decides; when KV cannot be read, the settings
/// read last stay in use.
pub(super) async fn refreshed(state: &State, runtime: &WorkerRuntime) -> Rc<Live> {
    let live = state.live();
    let now = now_seconds();
    if state.console.keys.is_none() || !live.due(now) {
        return live;
    }
    let Some(kv) = runtime.console_store() else {
        return live;
    };
    let Some(text) = read(&kv, STORE_KEY).await else {
        return live;
    };
    adopt(state, Stored::parse(text.as_deref()), now).await;
    state.live()
}

/// Uses `stored` from now on, with its token unsealed.
async fn adopt(state: &State, stored: Stored, now: u64) {
    let Some(keys) = &state.console.keys else {
        return;
    };
    let pasted = match &stored.sealed_token {
        Some(text) => {
            let opened = vault::opened(&keys.secret, text).await;
            if opened.is_none() {
                state.log(r#"{"level":"error","event":"console_token_unreadable","detail":"the API token pasted in the console does not open with this CONSOLE_SECRET; paste it again"}"#);
            }
            opened
        }
        None => None,
    };
    state.replace(Live::build(&state.env, stored, pasted, Some(now)));
}

/// A signed-in call: does its I/O and answers what `console::calls` says.
pub(super) async fn call(
    state: &State,
    call: Call,
    request: &Request,
    runtime: &WorkerRuntime,
) -> Reply {
    route::secure(answer(state, call, request, runtime).await, true)
}

async fn answer(state: &State, call: Call, request: &Request, runtime: &WorkerRuntime) -> Reply {
    let live = state.live();
    match call {
        Call::Status => return calls::status(&state.env, &live),
        Call::ReadSettings => return calls::read_settings(&state.env, &live.stored),
        Call::TestConnection => {
            let (matched, upstream) = match calls::test_request(&live) {
                Ok(request) => request,
                Err(reply) => return reply,
            };
            let config = match calls::config(&live) {
                Ok(config) => config,
                Err(reply) => return reply,
            };
            let sent = logged(state, runtime, config, &matched, &upstream).await;
            return calls::tested(&sent.done, sent.ms);
        }
        Call::ReadNexus => return calls::read_nexus(&live),
        Call::ReadLogs | Call::DownloadLogs => {
            let download = call == Call::DownloadLogs;
            return super::logs::read(state, runtime, &request.url(), download).await;
        }
        Call::Savings => return super::logs::savings(state, runtime).await,
        Call::ReadSync
        | Call::RetrySync
        | Call::Backfill
        | Call::BackfillProgress
        | Call::BackfillCsv => {
            return super::backfill::answer(state, call, request, runtime).await;
        }
        Call::SaveSettings
        | Call::SaveToken
        | Call::ForgetToken
        | Call::SyncNexus
        | Call::SaveAddresses => {}
    }
    let Some(kv) = runtime.console_store() else {
        return route::store_missing();
    };
    // What KV holds now, not this isolate's copy (up to 30 s old): a
    // change made elsewhere meanwhile is kept.
    let Some(current) = read(&kv, STORE_KEY).await else {
        return route::store_missing();
    };
    let current = Stored::parse(current.as_deref());
    let body = match call {
        Call::ForgetToken | Call::SyncNexus => None,
        _ => read_body(request, BODY_LIMIT)
            .await
            .filter(|bytes| bytes.len() <= BODY_LIMIT),
    };
    let (next, reply) = match call {
        Call::SaveSettings => match calls::save_settings(&state.env, &current, body.as_deref()) {
            Ok(next) => {
                let reply = calls::read_settings(&state.env, &next);
                (next, reply)
            }
            Err(reply) => return reply,
        },
        Call::SaveToken => {
            let (token, matched, upstream) = match calls::token_check(&live, body.as_deref()) {
                Ok(checked) => checked,
                Err(reply) => return reply,
            };
            let config = match calls::config(&live) {
                Ok(config) => config,
                Err(reply) => return reply,
            };
            let sent = logged(state, runtime, config, &matched, &upstream).await;
            let reply = match calls::token_checked(&token, &sent.done) {
                Ok(reply) => reply,
                Err(reply) => return reply,
            };
            let secret = &state.console.keys.as_ref().expect("signed in").secret;
            let Some(sealed) = vault::sealed(secret, &token).await else {
                return Reply::error(503, "the API token could not be encrypted");
            };
            let mut next = current;
            next.sealed_token = Some(sealed);
            (next, reply)
        }
        Call::SaveAddresses => match calls::save_addresses(&current, body.as_deref()) {
            // Answered below, as the Worker uses them.
            Ok(next) => (next, Reply::empty(0)),
            Err(reply) => return reply,
        },
        Call::SyncNexus => match synced_nexus(state, runtime, &live, &current).await {
            Ok(next) => (next, Reply::empty(0)),
            Err(reply) => return reply,
        },
        _ => {
            let mut next = current;
            next.sealed_token = None;
            (next, Reply::json(200, r#"{"saved":false}"#))
        }
    };
    if !put(&kv, &next).await {
        return route::store_missing();
    }
    adopt(state, next, now_seconds()).await;
    match call {
        Call::SaveAddresses | Call::SyncNexus => calls::read_nexus(&state.live()),
        _ => reply,
    }
}

/// Fetches the nexus regions from TaxJar: what KV is to hold with them.
async fn synced_nexus(
    state: &State,
    runtime: &WorkerRuntime,
    live: &Live,
    current: &Stored,
) -> Result<Stored, Reply> {
    let (matched, upstream) = calls::nexus_request(live)?;
    let config = calls::config(live)?;
    let sent = logged(state, runtime, config, &matched, &upstream).await;
    calls::nexus_synced(current, &sent.done, now_seconds())
}

/// Sends one of the console's (or the cron's) calls to TaxJar, and logs it
/// in D1 like every call the Worker makes.
async fn logged(
    state: &State,
    runtime: &WorkerRuntime,
    config: &crate::proxy::Config,
    matched: &crate::proxy::Matched,
    upstream: &crate::proxy::UpstreamRequest,
) -> crate::http::Driven<crate::proxy::Outcome> {
    let sent = exchange(state, config, matched, upstream).await;
    let call = crate::proxy::log::Call::of(upstream, &sent.done, sent.ms);
    super::logs::calls(state, runtime, &[call]).await;
    sent
}

/// The cron's nexus sync: with the console on, its KV bound and a token
/// set, the regions are fetched and kept. The report line is logged and
/// returned.
pub(super) async fn sync_nexus(state: &State, runtime: &WorkerRuntime) -> String {
    let (level, status, detail) = match cron_sync(state, runtime).await {
        Ok(()) => (
            "info",
            "stored",
            "the nexus regions were synced from TaxJar".to_owned(),
        ),
        Err((status, detail)) => {
            let level = if status == "failed" { "error" } else { "info" };
            (level, status, detail)
        }
    };
    let line = format!(
        r#"{{"level":"{level}","event":"nexus_sync","status":"{status}","detail":{}}}"#,
        crate::json::write::string_text(&detail)
    );
    state.log(&line).into_owned()
}

async fn cron_sync(state: &State, runtime: &WorkerRuntime) -> Result<(), (&'static str, String)> {
    let live = refreshed(state, runtime).await;
    let kv = match (&state.console.keys, runtime.console_store()) {
        (Some(_), Some(kv)) => kv,
        _ => {
            let why = "the console is off or its CONSOLE KV namespace is not bound";
            return Err(("skipped", why.to_owned()));
        }
    };
    let unreadable = || {
        (
            "failed",
            "the CONSOLE KV namespace could not be read or written".to_owned(),
        )
    };
    let current = Stored::parse(
        read(&kv, STORE_KEY)
            .await
            .ok_or_else(unreadable)?
            .as_deref(),
    );
    let next = match synced_nexus(state, runtime, &live, &current).await {
        Ok(next) => next,
        Err(reply) if reply.status == 409 => {
            return Err(("skipped", "no API token is configured".to_owned()))
        }
        Err(reply) => return Err(("failed", reply_detail(&reply))),
    };
    if !put(&kv, &next).await {
        return Err(unreadable());
    }
    adopt(state, next, now_seconds()).await;
    Ok(())
}

/// Writes `stored`; whether KV took it.
async fn put(kv: &ConsoleStore, stored: &Stored) -> bool {
    match kv.put(STORE_KEY, &stored.to_json(), &JsValue::UNDEFINED) {
        Ok(promise) => JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// The `detail` of an error answer.
fn reply_detail(reply: &Reply) -> String {
    reply
        .body
        .as_deref()
        .and_then(|b| crate::json::parse(b).ok())
        .and_then(|v| v.get("detail")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("status {}", reply.status))
}
