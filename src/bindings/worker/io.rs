//! The Worker's plain I/O: one upstream attempt with a timeout and a size
//! bound, the Rate Limiting binding, the request body, the Cache API,
//! timers and building a `Response`. No decisions here.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamDefaultReader, Request, RequestInit,
    RequestRedirect, Response, ResponseInit,
};

use crate::proxy::cache::STATUS_HEADER;
use crate::proxy::flow;
use crate::proxy::upstream::{Outcome, UpstreamRequest};
use crate::proxy::Reply;

use super::{fetch_request, set_timeout, RateLimiter, WorkerCache};

/// One attempt: the answer is read up to `limit` bytes (a declared
/// `Content-Length` over it is not read at all), within the timeout.
pub(super) async fn fetch_once(call: &UpstreamRequest, timeout_ms: u32, limit: usize) -> Outcome {
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
    let headers = response.headers();
    let retry_after = headers.get("retry-after").ok().flatten();
    let too_large = Outcome::TooLarge { status, limit };
    // A compressed body's length says nothing of what it inflates to.
    let encoded = headers
        .get("content-encoding")
        .ok()
        .flatten()
        .is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|_| !encoded);
    let body = match declared {
        Some(n) if n > limit as u64 => {
            if let Some(stream) = response.body() {
                let _ = stream.cancel();
            }
            return too_large;
        }
        // The length frames the body, so one read is bounded.
        Some(_) => match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|text| text.as_string()),
            Err(_) => None,
        },
        None => match response.body() {
            Some(stream) => match read_stream(stream, limit).await {
                Some(bytes) if bytes.len() > limit => return too_large,
                Some(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                None => None,
            },
            None => Some(String::new()),
        },
    };
    match body {
        Some(body) => Outcome::Answered {
            status,
            body,
            retry_after,
        },
        None => failed(&signal),
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
    // A redirect is answered as it is (502): following it would send the
    // body elsewhere than TAXJAR_API_URL.
    init.set_redirect(RequestRedirect::Manual);
    if let Some(body) = &call.body {
        init.set_body(&JsValue::from_str(body));
    }
    Request::new_with_str_and_init(&call.url, &init)
}

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

/// Reads `stream` until it ends or passes `limit` bytes, then stops and
/// cancels the rest, so a huge body is never held whole. `None` when it
/// cannot be read; more than `limit` bytes back means it was over.
async fn read_stream(stream: ReadableStream, limit: usize) -> Option<Vec<u8>> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    while bytes.len() <= limit {
        let chunk = JsFuture::from(reader.read()).await.ok()?;
        if Reflect::get(&chunk, &"done".into()).ok()?.is_truthy() {
            return Some(bytes);
        }
        let value = Reflect::get(&chunk, &"value".into()).ok()?;
        bytes.extend(Uint8Array::new(&value).to_vec());
    }
    // Over the limit: the rest is never read.
    let _ = reader.cancel();
    Some(bytes)
}

#[wasm_bindgen(inline_js = "
export function cachedText(cache, url, header) {
  return cache.match(url).then((found) =>
    found ? found.text().then((body) => [found.headers.get(header), body]) : undefined);
}
")]
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

pub(super) fn sleep_promise(ms: u32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
    })
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
