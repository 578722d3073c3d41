//! The Cloudflare Worker's JS face: `new WorkerProxy(env)` once per
//! isolate, then `await proxy.handle(request, runtime)` per request, and
//! `await proxy.refreshRates(runtime)` and `await proxy.syncNexus(runtime)`
//! from the scheduled handler, and
//! `await proxy.syncMessage(body, attempts, runtime)` per queue message.
//!
//! Only I/O lives here (and in `worker/io.rs`, `worker/flight.rs`,
//! `worker/rates.rs`, `worker/sync.rs`): reading the request, the Rate
//! Limiting binding, the Cache API, KV, building the `Response` and the
//! log line's writing. TaxJar is called through `bindings::http` by the
//! core's attempt driver. Every decision is made by [`crate::proxy`].

mod backfill;
mod console;
mod flight;
mod io;
mod logs;
mod rates;
mod sync;
mod types;
mod vault;

use flight::{coalesced, Flight};
use io::{binding_allows, cache_get, cache_put, read_body, to_response};

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Request, Response};

use super::clock::{now_ms, now_seconds, today};
use super::http::Js;
use super::log::{self as logging, Sink};
use crate::console::live::Env;
use crate::console::{self as admin, Console, ConsoleHead, Live, Step};
use crate::http::{drive, Driven};
use crate::offline::OfflineOptions;
use crate::proxy::config::{Config, VARS};
use crate::proxy::flow::{self, Admitted, Front, Head, Prepared};
use crate::proxy::log::{CacheStatus, LogEntry};
use crate::proxy::ratelimit::TokenBuckets;
use crate::proxy::route::Kind;
use crate::proxy::upstream::{Outcome, Proxied, UpstreamRequest};
use crate::proxy::{Matched, Reply};

#[wasm_bindgen]
extern "C" {
    /// See `WorkerRuntime` in the TypeScript section.
    #[wasm_bindgen(typescript_type = "WorkerRuntime")]
    pub type WorkerRuntime;
    #[wasm_bindgen(method, getter)]
    fn cache(this: &WorkerRuntime) -> Option<WorkerCache>;
    #[wasm_bindgen(method, getter, js_name = rateLimiter)]
    fn rate_limiter(this: &WorkerRuntime) -> Option<RateLimiter>;
    #[wasm_bindgen(method, catch, js_name = waitUntil)]
    fn wait_until(this: &WorkerRuntime, promise: &Promise) -> Result<(), JsValue>;

    #[wasm_bindgen(typescript_type = "WorkerCache")]
    type WorkerCache;
    #[wasm_bindgen(method, catch)]
    fn put(this: &WorkerCache, key: &str, response: &Response) -> Result<Promise, JsValue>;

    #[wasm_bindgen(typescript_type = "WorkerRateLimiter")]
    type RateLimiter;
    #[wasm_bindgen(method, catch)]
    fn limit(this: &RateLimiter, options: &JsValue) -> Result<Promise, JsValue>;
}

/// One upstream exchange: its last outcome, time and attempts.
type Upstreamed = Driven<Outcome>;

/// Per-isolate state.
struct State {
    /// The env's vars, read once.
    env: Env,
    /// The settings in use: the env, with what the console saved over it
    /// (read again from KV at most every 30 s; see `console::live`).
    live: RefCell<Rc<Live>>,
    /// The merchant console (off without its keys).
    console: Console,
    buckets: RefCell<TokenBuckets>,
    inflight: RefCell<HashMap<String, Rc<Flight>>>,
    /// Whether the `LOGS` table was made in this isolate.
    logs_ready: Cell<bool>,
}

impl State {
    /// The settings in use now.
    fn live(&self) -> Rc<Live> {
        self.live.borrow().clone()
    }

    /// Every line of the Worker's log goes through the one log guard:
    /// redacted (of the env's secrets and the pasted token). Gives back
    /// what was written.
    fn log<'a>(&self, line: &'a str) -> std::borrow::Cow<'a, str> {
        logging::write(Sink::Console, &self.live().redactor, line)
    }

    /// Uses `live` from now on: logs its configuration problem (when it
    /// is a new one), and
    /// starts the per-isolate rate limit afresh when the rate changed.
    fn replace(&self, live: Live) {
        let rate = |l: &Live| l.config.as_ref().map_or(0, |c| c.rate_limit);
        if rate(&live) != rate(&self.live()) {
            *self.buckets.borrow_mut() = TokenBuckets::new(rate(&live));
        }
        let before = self.live().config.as_ref().err().cloned();
        *self.live.borrow_mut() = Rc::new(live);
        if let Err(problem) = &self.live().config {
            // Once per problem; every request then gets a 503 naming the var.
            if before.as_ref() != Some(problem) {
                self.log(&problem.log_line());
            }
        }
    }
}

/// The TaxJar proxy of one Worker isolate.
#[wasm_bindgen]
pub struct WorkerProxy {
    state: Rc<State>,
}

#[wasm_bindgen]
impl WorkerProxy {
    /// Reads the settings from `env`. A bad value does not throw: every
    /// request is then answered 503 naming the var.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "WorkerEnv")] env: JsValue) -> WorkerProxy {
        let var = |name: &str| {
            if env.is_object() {
                Reflect::get(&env, &JsValue::from_str(name))
                    .ok()
                    .and_then(|v| v.as_string())
            } else {
                None
            }
        };
        let env: Env = VARS
            .iter()
            .filter_map(|name| var(name).map(|value| (*name, value)))
            .collect();
        let live = Live::build(&env, Default::default(), None, None);
        let rate = live.config.as_ref().map_or(0, |c| c.rate_limit);
        let state = State {
            console: Console::from_vars(var),
            env,
            live: RefCell::new(Rc::new(live)),
            buckets: RefCell::new(TokenBuckets::new(rate)),
            inflight: RefCell::new(HashMap::new()),
            logs_ready: Cell::new(false),
        };
        if let Err(problem) = &state.live().config {
            state.log(&problem.log_line());
        }
        if let Some(problem) = &state.console.problem {
            state.log(problem);
        }
        WorkerProxy {
            state: Rc::new(state),
        }
    }

    /// The configuration problem (the var and what is wrong with it, never
    /// its value), or `undefined` when the settings are valid.
    #[wasm_bindgen(getter, js_name = configError)]
    pub fn config_error(&self) -> Option<String> {
        self.state
            .live()
            .config
            .as_ref()
            .err()
            .map(ToString::to_string)
    }

    /// The names of the vars read from `env`.
    #[wasm_bindgen(js_name = varNames, unchecked_return_type = "string[]")]
    pub fn var_names() -> JsValue {
        VARS.iter()
            .map(|v| JsValue::from_str(v))
            .collect::<Array>()
            .into()
    }

    /// Answers one request. Never rejects for a bad request: every problem
    /// is a TaxJar-style error answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn handle(&self, request: Request, runtime: WorkerRuntime) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let response = serve(state, request, runtime).await?;
            Ok(response.into())
        })
    }

    /// The queue consumer's work on one message of `SYNC_QUEUE` (its `body`
    /// and `attempts`): resolves to `undefined` when done (ack it), or to
    /// the seconds to wait before retrying it. Never rejects.
    #[wasm_bindgen(js_name = syncMessage, unchecked_return_type = "Promise<number | undefined>")]
    pub fn sync_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
        attempts: u32,
        runtime: WorkerRuntime,
    ) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let live = console::refreshed(&state, &runtime).await;
            let delay = match &live.config {
                Ok(config) => sync::process(&state, config, &body, attempts, &runtime).await,
                Err(_) => Some(crate::proxy::sync::retry_delay_seconds(attempts)),
            };
            Ok(delay.map_or(JsValue::UNDEFINED, JsValue::from))
        })
    }

    /// The dead-letter queue's consumer, per message: records it as dead
    /// for the console (which can send it again). Never rejects.
    #[wasm_bindgen(js_name = deadLetter, unchecked_return_type = "Promise<void>")]
    pub fn dead_letter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
        runtime: WorkerRuntime,
    ) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let live = console::refreshed(&state, &runtime).await;
            if let Ok(config) = &live.config {
                sync::dead(&state, config, &body, &runtime).await;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The scheduled handler's other job: fetches `/v2/nexus/regions`
    /// and keeps them for the console and `GET /v2/nexus/regions` (with
    /// the console on, its `CONSOLE` KV bound and a token set). Never
    /// rejects: resolves to the report line, which is also logged.
    #[wasm_bindgen(js_name = syncNexus, unchecked_return_type = "Promise<string>")]
    pub fn sync_nexus(&self, runtime: WorkerRuntime) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let line = console::sync_nexus(&state, &runtime).await;
            Ok(JsValue::from_str(&line))
        })
    }

    /// The scheduled handler's third job: deletes D1 log rows older than
    /// `LOG_RETENTION_DAYS`. Never rejects: resolves to the report line.
    #[wasm_bindgen(js_name = purgeLogs, unchecked_return_type = "Promise<string>")]
    pub fn purge_logs(&self, runtime: WorkerRuntime) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let line = logs::purge(&state, &runtime).await;
            Ok(JsValue::from_str(&line))
        })
    }

    /// The scheduled handler's job: fetches `/v2/summary_rates` with the
    /// token and keeps it (in `runtime.rates`, else `runtime.cache`) for
    /// backup estimates. Never rejects: resolves to the report line, which
    /// is also logged.
    #[wasm_bindgen(js_name = refreshRates, unchecked_return_type = "Promise<string>")]
    pub fn refresh_rates(&self, runtime: WorkerRuntime) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let line = rates::refresh(&state, &runtime).await;
            Ok(JsValue::from_str(&line))
        })
    }
}

async fn serve(
    state: Rc<State>,
    request: Request,
    runtime: WorkerRuntime,
) -> Result<Response, JsValue> {
    let method = request.method();
    let url = request.url();
    let headers = request.headers();
    let get = |name: &str| headers.get(name).ok().flatten();
    let (origin, authorization) = (get("origin"), get("authorization"));
    let (content_type, content_length) = (get("content-type"), get("content-length"));
    let client_ip = get("cf-connecting-ip");
    let head = Head {
        method: &method,
        url: &url,
        origin: origin.as_deref(),
        authorization: authorization.as_deref(),
        content_type: content_type.as_deref(),
        content_length: content_length.as_deref(),
        client_ip: client_ip.as_deref(),
    };
    let mut log = LogEntry::new(&method);
    let live = console::refreshed(&state, &runtime).await;
    // The console first: its paths never reach the proxy's checks (no
    // CORS, no proxy keys), and the proxy never reads the cookie.
    let (cookie, csrf) = (get("cookie"), get("x-csrf-token"));
    let console_head = ConsoleHead {
        head,
        cookie: cookie.as_deref(),
        csrf: csrf.as_deref(),
    };
    let console_reply = match admin::front(&state.console, &console_head, now_seconds(), &mut log) {
        Step::Pass => None,
        Step::Done(reply) => Some(reply),
        Step::SignIn => Some(
            console::sign_in(
                &state.console,
                &console_head,
                &request,
                client_ip.as_deref(),
                &runtime,
            )
            .await,
        ),
        Step::Call(call) => Some(console::call(&state, call, &request, &runtime).await),
    };
    if let Some(reply) = console_reply {
        return finish(&state, &mut log, reply);
    }
    let config = live.config.as_ref();
    let reply = match (flow::front(config, &head, &mut log), &live.config) {
        (Front::Admitted(admitted), Ok(config)) => {
            admit(&state, config, &admitted, &request, &runtime, &mut log).await
        }
        (Front::Done(reply), _) => reply,
        (Front::Admitted(_), Err(_)) => Reply::error(503, "configuration error"),
    };
    logs::record(&state, &runtime, &log, &reply);
    finish(&state, &mut log, reply)
}

/// Logs the request's line and builds its `Response`.
fn finish(state: &State, log: &mut LogEntry, reply: Reply) -> Result<Response, JsValue> {
    log.status = reply.status;
    state.log(&log.line());
    // Every answer, whatever built it, leaves through this one redaction.
    to_response(&reply.redacted(&state.live().redactor))
}

/// Steps 2 to 6 of [`crate::proxy::flow`] for an admitted request.
async fn admit(
    state: &Rc<State>,
    config: &Config,
    admitted: &Admitted,
    request: &Request,
    runtime: &WorkerRuntime,
    log: &mut LogEntry,
) -> Reply {
    let finish = |reply: Reply, cache: CacheStatus| flow::complete(admitted, reply, cache);
    let allowed = match runtime.rate_limiter() {
        Some(limiter) => binding_allows(&limiter, &admitted.rate_key)
            .await
            .then_some(())
            .ok_or_else(flow::binding_refused),
        None => flow::rate_limit(&mut state.buckets.borrow_mut(), admitted, now_ms()),
    };
    if let Err(reply) = allowed {
        return finish(reply, CacheStatus::None);
    }
    let bytes = match admitted.body_limit {
        Some(limit) => match read_body(request, limit).await {
            Some(bytes) => bytes,
            None => {
                return finish(
                    Reply::error(400, "the body could not be read"),
                    CacheStatus::None,
                )
            }
        },
        None => Vec::new(),
    };
    if !bytes.is_empty() {
        log.request = Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    if admitted.matched.route.kind == Kind::Sync {
        let reply = match flow::check_sync_body(admitted, &bytes) {
            Ok(()) => sync::enqueue(state, config, admitted, &bytes, runtime).await,
            Err(reply) => reply,
        };
        return finish(reply, CacheStatus::None);
    }
    let prepared = match flow::prepare(config, admitted, &bytes, now_seconds()) {
        Ok(prepared) => prepared,
        Err(reply) => return finish(reply, CacheStatus::None),
    };
    log.key_hash = prepared.key_hash.clone();
    if let Some(reply) = flow::skip(config, &prepared) {
        return finish(reply, CacheStatus::None);
    }
    if admitted.offline_only {
        // No token, so no summary rates were fetched: the embedded table.
        log.cache = CacheStatus::Miss;
        let reply = backup(&prepared, &OfflineOptions::default())
            .unwrap_or_else(|| Reply::error(503, "TAXJAR_API_TOKEN is not set"));
        return finish(reply, CacheStatus::Miss);
    }
    let cache = prepared.cache_url.as_ref().and_then(|_| runtime.cache());
    if let (Some(url), Some(cache)) = (&prepared.cache_url, &cache) {
        if let Some(reply) = cache_get(cache, url).await {
            log.cache = CacheStatus::Hit;
            return finish(reply, CacheStatus::Hit);
        }
    }
    let (upstreamed, status, landing) = match &prepared.cache_url {
        Some(url) => coalesced(state, config, admitted, &prepared, url).await,
        None => (
            exchange(state, config, &admitted.matched, &prepared.upstream).await,
            CacheStatus::None,
            None,
        ),
    };
    log.cache = status;
    if status != CacheStatus::Coalesced {
        log.upstream_ms = Some(upstreamed.ms as u64);
        log.attempts = upstreamed.attempts;
    }
    let finished = flow::answer(config, admitted, &upstreamed.done);
    if flow::falls_back(config, admitted, &upstreamed.done, &finished) {
        let options = rates::load(runtime, config).await;
        if let Some(reply) = backup(&prepared, &options) {
            // Never stored, and always a miss: TaxJar is asked next time.
            return finish(reply, CacheStatus::Miss);
        }
    }
    if let (Some((ttl, code, body)), Some(cache), Some(url), CacheStatus::Miss) =
        (&finished.store, &cache, &prepared.cache_url, status)
    {
        // Redacted again: what is stored is served later without a check.
        let body = state.live().redactor.owned(body);
        if let Some(put) = cache_put(cache, url, *ttl, *code, &body) {
            // The write can take longer than TaxJar did: identical requests
            // meanwhile share this answer instead of asking again.
            let written = future_to_promise(async move {
                let _ = JsFuture::from(put).await;
                drop(landing);
                Ok(JsValue::UNDEFINED)
            });
            let _ = runtime.wait_until(&written);
        }
    }
    finish(finished.reply, status)
}

/// The backup estimate of a tax request, for today (UTC).
fn backup(prepared: &Prepared, options: &OfflineOptions) -> Option<Reply> {
    flow::offline_answer(prepared, today(), options)
}

/// Sends `call` for `matched` as the core's [`Proxied`] says (once more
/// after a short random pause for a read that failed transiently), its
/// answer read up to its route's bound and redacted before anything else
/// sees it.
async fn exchange(
    state: &State,
    config: &Config,
    matched: &Matched,
    call: &UpstreamRequest,
) -> Upstreamed {
    let live = state.live();
    let mut proxied = Proxied {
        config,
        matched,
        request: call,
        redactor: &live.redactor,
    };
    drive(&mut proxied, &Js).await
}
