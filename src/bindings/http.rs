//! The server build's one HTTP sender ([`send`]), and the runtime the
//! core's attempt driver ([`crate::http::drive`]) runs on here ([`Js`]):
//! `fetch`, `setTimeout`, the clock and `Math.random`. The Worker and
//! `TransactionSync` send every TaxJar call through them. No decisions:
//! what to send, when to retry and what an answer means are the core's.

use std::future::Future;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamDefaultReader, Request, RequestInit,
    RequestRedirect, Response,
};

use super::clock::now_ms;
use crate::http::{Answer, Failure, Policy, Runtime, Sent, UpstreamRequest};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_request(request: &Request) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;
}

/// Sends `call` once: no redirect followed, the answer read up to `limit`
/// bytes (a declared `Content-Length` over it is not read at all), all
/// within `timeout_ms`.
pub(crate) async fn send(call: &UpstreamRequest, timeout_ms: u32, limit: usize) -> Sent {
    let signal = AbortSignal::timeout_with_u32(timeout_ms);
    let failed = |signal: &AbortSignal, error: &JsValue| {
        if signal.aborted() {
            Failure::TimedOut
        } else {
            Failure::Failed(text_of(error))
        }
    };
    let request = upstream_request(call, &signal).map_err(|e| failed(&signal, &e))?;
    let promise = fetch_request(&request).map_err(|e| failed(&signal, &e))?;
    let response: Response = match JsFuture::from(promise).await {
        Ok(value) => value.unchecked_into(),
        Err(error) => return Err(failed(&signal, &error)),
    };
    let status = response.status();
    let headers = response.headers();
    let retry_after = headers.get("retry-after").ok().flatten();
    let too_large = Failure::TooLarge { status, limit };
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
            return Err(too_large);
        }
        // The length frames the body, so one read is bounded.
        Some(_) => match response.text() {
            Ok(promise) => JsFuture::from(promise).await.map(|text| text.as_string()),
            Err(error) => Err(error),
        },
        None => match response.body() {
            Some(stream) => match read_stream(stream, limit).await {
                Some(bytes) if bytes.len() > limit => return Err(too_large),
                Some(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
                None => Err(JsValue::from_str("the answer could not be read")),
            },
            None => Ok(Some(String::new())),
        },
    };
    match body {
        Ok(Some(body)) => Ok(Answer {
            status,
            body,
            retry_after,
        }),
        Ok(None) => Err(failed(
            &signal,
            &JsValue::from_str("the answer is not text"),
        )),
        Err(error) => Err(failed(&signal, &error)),
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
    // A redirect is answered as it is: following it would send the token
    // and the body elsewhere than the API's URL.
    init.set_redirect(RequestRedirect::Manual);
    if let Some(body) = &call.body {
        init.set_body(&JsValue::from_str(body));
    }
    Request::new_with_str_and_init(&call.url, &init)
}

/// A JS error as the runtime prints it (`TypeError: fetch failed`).
fn text_of(error: &JsValue) -> String {
    match (error.as_string(), error.dyn_ref::<js_sys::Object>()) {
        (Some(text), _) => text,
        (None, Some(object)) => String::from(object.to_string()),
        (None, None) => format!("{error:?}"),
    }
}

/// Reads `stream` until it ends or passes `limit` bytes, then stops and
/// cancels the rest, so a huge body is never held whole. `None` when it
/// cannot be read; more than `limit` bytes back means it was over.
pub(crate) async fn read_stream(stream: ReadableStream, limit: usize) -> Option<Vec<u8>> {
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

/// A promise that resolves after `ms` milliseconds.
pub(crate) fn sleep(ms: u32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
    })
}

/// The JS runtime, for [`crate::http::drive`].
pub(crate) struct Js;

impl Runtime for Js {
    fn send(&self, request: &UpstreamRequest, policy: &Policy) -> impl Future<Output = Sent> {
        send(request, policy.timeout_ms, policy.limit)
    }

    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        let promise = sleep(ms);
        async move {
            let _ = JsFuture::from(promise).await;
        }
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}
