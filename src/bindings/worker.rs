//! The Cloudflare Worker's JS face: `new WorkerProxy(env)` once per
//! isolate, then `await proxy.handle(request, runtime)` per request.
//!
//! Only I/O lives here: reading the request, the Rate Limiting binding,
//! the Cache API, `fetch` with a timeout, the retry pause, building the
//! `Response` and printing the log line. Every decision is made by
//! [`crate::proxy`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Date, Function, Math, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{AbortSignal, Headers, Request, RequestInit, Response, ResponseInit};

use crate::proxy::cache::STATUS_HEADER;
use crate::proxy::config::{Config, VARS};
use crate::proxy::flow::{self, Admitted, Front, Head, Prepared};
use crate::proxy::log::{CacheStatus, LogEntry};
use crate::proxy::ratelimit::TokenBuckets;
use crate::proxy::upstream::{retry_delay_ms, should_retry, Outcome, UpstreamRequest};
use crate::proxy::Reply;

#[wasm_bindgen(typescript_custom_section)]
const WORKER_TYPES: &str = r#"
/** The Worker's vars and secrets (all strings; other bindings are ignored). */
export interface WorkerEnv {
  /** Default "https://api.taxjar.com". */
  TAXJAR_API_URL?: string;
  /** Secret: the real TaxJar token. Without it every route answers 503. */
  TAXJAR_API_TOKEN?: string;
  /** Secret: comma-separated keys servers send as `Authorization: Bearer <key>`. */
  PROXY_KEYS?: string;
  /** Comma-separated browser origins, matched exactly. */
  ALLOWED_ORIGINS?: string;
  /** The `plugin` tag of tax requests; default "edgetax". */
  PLUGIN?: string;
  /** Sent to TaxJar as `Referer`. */
  STORE_URL?: string;
  /** Default "900"; "0" caches no tax answers. */
  CACHE_TTL_SECONDS?: string;
  /** Default "5000", per attempt. */
  UPSTREAM_TIMEOUT_MS?: string;
  /** Requests per minute per caller; default "120"; "0" for no limit. */
  RATE_LIMIT?: string;
  /** "false" answers /v2/taxes with 503. */
  CALCULATIONS_ENABLED?: string;
}

/** The Cache API object to use (`caches.default` in a Worker). */
export interface WorkerCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

/** The Workers Rate Limiting binding. */
export interface WorkerRateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** What the Worker's runtime lends one request. */
export interface WorkerRuntime {
  /** Omit to cache nothing. */
  cache?: WorkerCache;
  /** `(promise) => ctx.waitUntil(promise)`: keeps cache writes alive after the answer. */
  waitUntil(promise: Promise<unknown>): void;
  /** `env.RATE_LIMITER`, if bound; else a per-isolate token bucket limits. */
  rateLimiter?: WorkerRateLimiter;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_request(request: &Request) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(line: &str);

    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;

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
    #[wasm_bindgen(method, catch, js_name = match)]
    fn lookup(this: &WorkerCache, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn put(this: &WorkerCache, key: &str, response: &Response) -> Result<Promise, JsValue>;

    #[wasm_bindgen(typescript_type = "WorkerRateLimiter")]
    type RateLimiter;
    #[wasm_bindgen(method, catch)]
    fn limit(this: &RateLimiter, options: &JsValue) -> Result<Promise, JsValue>;
}

/// One upstream exchange: its last outcome, time and attempts.
#[derive(Clone)]
struct Upstreamed {
    outcome: Outcome,
    upstream_ms: u64,
    attempts: u32,
}

/// An upstream call other requests for the same key may wait on.
struct Flight {
    done: Promise,
    result: RefCell<Option<Upstreamed>>,
}

/// Per-isolate state.
struct State {
    config: Result<Config, String>,
    buckets: RefCell<TokenBuckets>,
    inflight: RefCell<HashMap<String, Rc<Flight>>>,
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
        let config = Config::from_vars(var);
        let rate = config.as_ref().map_or(0, |c| c.rate_limit);
        WorkerProxy {
            state: Rc::new(State {
                config,
                buckets: RefCell::new(TokenBuckets::new(rate)),
                inflight: RefCell::new(HashMap::new()),
            }),
        }
    }

    /// The configuration problem, or `undefined` when the settings are valid.
    #[wasm_bindgen(getter, js_name = configError)]
    pub fn config_error(&self) -> Option<String> {
        self.state.config.as_ref().err().cloned()
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
    let config = state.config.as_ref().map_err(String::as_str);
    let reply = match (flow::front(config, &head, &mut log), &state.config) {
        (Front::Admitted(admitted), Ok(config)) => {
            admit(&state, config, &admitted, &request, &runtime, &mut log).await
        }
        (Front::Done(reply), _) => reply,
        (Front::Admitted(_), Err(_)) => Reply::error(503, "configuration error"),
    };
    log.status = reply.status;
    console_log(&log.line());
    to_response(&reply)
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
        None => flow::rate_limit(&mut state.buckets.borrow_mut(), admitted, Date::now()),
    };
    if let Err(reply) = allowed {
        return finish(reply, CacheStatus::None);
    }
    let bytes = match admitted.body_limit {
        Some(_) => match read_body(request).await {
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
    let prepared = match flow::prepare(config, admitted, &bytes) {
        Ok(prepared) => prepared,
        Err(reply) => return finish(reply, CacheStatus::None),
    };
    log.key_hash = prepared.key_hash.clone();
    let cache = prepared.cache_url.as_ref().and_then(|_| runtime.cache());
    if let (Some(url), Some(cache)) = (&prepared.cache_url, &cache) {
        if let Some(reply) = cache_get(cache, url).await {
            log.cache = CacheStatus::Hit;
            return finish(reply, CacheStatus::Hit);
        }
    }
    let (upstreamed, status) = match &prepared.cache_url {
        Some(url) => coalesced(state, config, admitted, &prepared, url).await,
        None => (
            exchange(config, admitted, &prepared).await,
            CacheStatus::None,
        ),
    };
    log.cache = status;
    if status != CacheStatus::Coalesced {
        log.upstream_ms = Some(upstreamed.upstream_ms);
        log.attempts = upstreamed.attempts;
    }
    let finished = flow::answer(config, admitted, &upstreamed.outcome);
    if let (Some((ttl, code, body)), Some(cache), Some(url), CacheStatus::Miss) =
        (&finished.store, &cache, &prepared.cache_url, status)
    {
        cache_put(runtime, cache, url, *ttl, *code, body);
    }
    finish(finished.reply, status)
}

/// Asks TaxJar, or waits for an identical request of this isolate that
/// already is asking: identical carts share one upstream call.
async fn coalesced(
    state: &Rc<State>,
    config: &Config,
    admitted: &Admitted,
    prepared: &Prepared,
    key: &str,
) -> (Upstreamed, CacheStatus) {
    let waiting = state.inflight.borrow().get(key).cloned();
    if let Some(flight) = waiting {
        // Bounded, in case the leading request is cancelled mid-flight.
        let most = 2 * config.upstream_timeout_ms + 1000;
        let race = Promise::race(&Array::of2(&flight.done, &sleep_promise(most)));
        let _ = JsFuture::from(race).await;
        if let Some(result) = flight.result.borrow().clone() {
            return (result, CacheStatus::Coalesced);
        }
    }
    let mut resolve = None;
    let done = Promise::new(&mut |res, _rej| resolve = Some(res));
    let flight = Rc::new(Flight {
        done,
        result: RefCell::new(None),
    });
    state
        .inflight
        .borrow_mut()
        .insert(key.to_owned(), flight.clone());
    let _guard = Landing {
        state: state.clone(),
        key: key.to_owned(),
        resolve,
    };
    let result = exchange(config, admitted, prepared).await;
    *flight.result.borrow_mut() = Some(result.clone());
    (result, CacheStatus::Miss)
}

/// Ends a flight even if its request is dropped: followers never hang.
struct Landing {
    state: Rc<State>,
    key: String,
    resolve: Option<Function>,
}

impl Drop for Landing {
    fn drop(&mut self) {
        self.state.inflight.borrow_mut().remove(&self.key);
        if let Some(resolve) = &self.resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Sends the upstream request, once more after a short random pause when
/// [`should_retry`] says so.
async fn exchange(config: &Config, admitted: &Admitted, prepared: &Prepared) -> Upstreamed {
    let started = Date::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = fetch_once(&prepared.upstream, config.upstream_timeout_ms).await;
        if should_retry(&admitted.matched, &outcome, attempts) {
            let _ = JsFuture::from(sleep_promise(retry_delay_ms(Math::random()))).await;
            continue;
        }
        let upstream_ms = (Date::now() - started).max(0.0) as u64;
        return Upstreamed {
            outcome,
            upstream_ms,
            attempts,
        };
    }
}

async fn fetch_once(call: &UpstreamRequest, timeout_ms: u32) -> Outcome {
    let signal = AbortSignal::timeout_with_u32(timeout_ms);
    let request = match upstream_request(call, &signal) {
        Ok(request) => request,
        Err(_) => return Outcome::Failed,
    };
    let failed = |signal: &AbortSignal| {
        if signal.aborted() {
            Outcome::TimedOut
        } else {
            Outcome::Failed
        }
    };
    let response: Response = match fetch_request(&request) {
        Ok(promise) => match JsFuture::from(promise).await {
            Ok(value) => value.unchecked_into(),
            Err(_) => return failed(&signal),
        },
        Err(_) => return Outcome::Failed,
    };
    let status = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    match text {
        Ok(body) => Outcome::Answered {
            status,
            body: body.as_string().unwrap_or_default(),
            retry_after,
        },
        Err(_) => failed(&signal),
    }
}

fn upstream_request(call: &UpstreamRequest, signal: &AbortSignal) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in &call.headers {
        headers.set(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method(&call.method);
    init.set_headers(&headers);
    init.set_signal(Some(signal));
    if let Some(body) = &call.body {
        init.set_body(&JsValue::from_str(body));
    }
    Request::new_with_str_and_init(&call.url, &init)
}

/// `env.RATE_LIMITER.limit({key})`; a failing binding lets the request by.
async fn binding_allows(limiter: &RateLimiter, key: &str) -> bool {
    let options = Object::new();
    let _ = Reflect::set(&options, &"key".into(), &key.into());
    let Ok(promise) = limiter.limit(&options) else {
        return true;
    };
    match JsFuture::from(promise).await {
        Ok(result) => Reflect::get(&result, &"success".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true),
        Err(_) => true,
    }
}

async fn read_body(request: &Request) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(request.array_buffer().ok()?).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

async fn cache_get(cache: &WorkerCache, url: &str) -> Option<Reply> {
    let found = JsFuture::from(cache.lookup(url).ok()?).await.ok()?;
    if found.is_undefined() || found.is_null() {
        return None;
    }
    let response: Response = found.unchecked_into();
    let status = response.headers().get(STATUS_HEADER).ok().flatten();
    let body = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    Some(flow::from_cache(status.as_deref(), body))
}

/// Stores an answer after the response is sent (`waitUntil`).
fn cache_put(
    runtime: &WorkerRuntime,
    cache: &WorkerCache,
    url: &str,
    ttl: u32,
    status: u16,
    body: &str,
) {
    let stored = Reply {
        status: 200,
        headers: flow::stored_headers(ttl, status),
        body: Some(body.to_owned()),
    };
    let Ok(response) = to_response(&stored) else {
        return;
    };
    if let Ok(promise) = cache.put(url, &response) {
        let _ = runtime.wait_until(&promise);
    }
}

fn sleep_promise(ms: u32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
    })
}

fn to_response(reply: &Reply) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in &reply.headers {
        headers.append(name, value)?;
    }
    let init = ResponseInit::new();
    init.set_status(reply.status);
    init.set_headers(&headers);
    Response::new_with_opt_str_and_init(reply.body.as_deref(), &init)
}
