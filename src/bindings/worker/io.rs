//! The Worker's plain I/O: the Rate Limiting binding, the request body,
//! the Cache API and building a `Response` (upstream calls go through
//! `bindings::http`). No decisions here.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, Response, ResponseInit};

use crate::bindings::http::read_stream;
use crate::proxy::cache::STATUS_HEADER;
use crate::proxy::flow;
use crate::proxy::Reply;

use super::{RateLimiter, WorkerCache};

/// `env.RATE_LIMITER.limit({key})`; a failing binding lets the request by.
pub(super) async fn binding_allows(limiter: &RateLimiter, key: &str) -> bool {
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

/// Reads the body until it ends or passes `limit` bytes (then stops, so a
/// huge body without a `Content-Length` is never held whole); `None` when
/// it cannot be read. The caller answers 413 when more than `limit` came.
pub(super) async fn read_body(request: &Request, limit: usize) -> Option<Vec<u8>> {
    let declared = request
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n <= limit) {
        // The length frames the body, so one read suffices (the caller
        // still checks what came): reading chunk by chunk from Rust cost
        // a tenth of a cached answer.
        let buffer = JsFuture::from(request.array_buffer().ok()?).await.ok()?;
        return Some(Uint8Array::new(&buffer).to_vec());
    }
    match request.body() {
        Some(stream) => read_stream(stream, limit).await,
        None => Some(Vec::new()),
    }
}

#[wasm_bindgen(module = "/src/bindings/worker/helpers.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = cachedText)]
    fn cached_text_js(cache: &WorkerCache, url: &str, header: &str) -> Result<Promise, JsValue>;
}

/// A cached response's `header` and body text. One promise for both: each
/// await from Rust costs two closures and a microtask, more than the JS.
pub(super) async fn cached_text(
    cache: &WorkerCache,
    url: &str,
    header: &str,
) -> Option<(Option<String>, String)> {
    let found = JsFuture::from(cached_text_js(cache, url, header).ok()?)
        .await
        .ok()?;
    if !Array::is_array(&found) {
        return None;
    }
    let pair: Array = found.unchecked_into();
    Some((pair.get(0).as_string(), pair.get(1).as_string()?))
}

pub(super) async fn cache_get(cache: &WorkerCache, url: &str) -> Option<Reply> {
    let (status, body) = cached_text(cache, url, STATUS_HEADER).await?;
    Some(flow::from_cache(status.as_deref(), body))
}

/// Starts storing an answer; the caller hands the promise to `waitUntil`.
pub(super) fn cache_put(
    cache: &WorkerCache,
    url: &str,
    ttl: u32,
    status: u16,
    body: &str,
) -> Option<Promise> {
    let stored = Reply {
        status: 200,
        headers: flow::stored_headers(ttl, status),
        body: Some(body.to_owned()),
    };
    cache.put(url, &to_response(&stored).ok()?).ok()
}

pub(super) fn to_response(reply: &Reply) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in &reply.headers {
        headers.append(name, value)?;
    }
    let init = ResponseInit::new();
    init.set_status(reply.status);
    init.set_headers(&headers);
    Response::new_with_opt_str_and_init(reply.body.as_deref(), &init)
}
