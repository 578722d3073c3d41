//! The JS transport under the `Estimator`: fetch with a timeout, waiting
//! with an abort signal, and the memo's sessionStorage entries.

use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::error::{Code, Error};

/// Prefix of the memo's sessionStorage entries.
pub const STORAGE_PREFIX: &str = "edgetax:";

/// A memo entry as kept in sessionStorage.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    /// When it stops being good (the estimator's clock, ms).
    pub expires_at: f64,
    /// The estimate, as JSON.
    pub estimate: String,
    /// Its line ids, in the order of the cart that asked.
    pub ids: Vec<String>,
}

/// sessionStorage, if the runtime has one and lets us read it (it throws in
/// some privacy modes).
pub fn session_storage() -> Option<web_sys::Storage> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage")).ok()?;
    value.is_object().then(|| value.unchecked_into())
}

/// One HTTP request through the global `fetch`, with a timeout; answers
/// the status and body text.
pub async fn send(
    url: &str,
    body: Option<String>,
    api_key: Option<&str>,
    timeout_ms: u32,
) -> Result<(u16, String), Error> {
    let mut builder = match body {
        Some(_) => gloo_net::http::Request::post(url).header("Content-Type", "application/json"),
        None => gloo_net::http::Request::get(url),
    };
    if let Some(key) = api_key {
        builder = refuse_redirects(builder.header("Authorization", &format!("Bearer {key}")));
    }
    let signal = AbortSignal::timeout_with_u32(timeout_ms);
    let builder = builder.abort_signal(Some(&signal));
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|e| fetch_error(e, timeout_ms))?;
    let response = request
        .send()
        .await
        .map_err(|e| fetch_error(e, timeout_ms))?;
    let status = response.status();
    if api_key.is_some() {
        check_not_redirect(status)?;
    }
    let text = response
        .text()
        .await
        .map_err(|e| fetch_error(e, timeout_ms))?;
    Ok((status, text))
}

/// A request carrying the API token is not sent on to wherever a redirect
/// points (as the Worker does not): the answer is the redirect itself.
/// Browsers asking the Worker without a token keep fetch's default.
pub fn refuse_redirects(builder: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    builder.redirect(web_sys::RequestRedirect::Manual)
}

/// After [`refuse_redirects`]: a 3xx (or, in a browser, the opaque 0 it
/// shows for one) is an error that names it, never a body to parse.
pub fn check_not_redirect(status: u16) -> Result<(), Error> {
    if status == 0 || (300..400).contains(&status) {
        return Err(Error {
            status: Some(status),
            ..Error::new(
                Code::UpstreamError,
                format!(
                    "answered {status} with a redirect, which edgetax does not follow \
                     with an API token: check the API URL"
                ),
            )
        });
    }
    Ok(())
}

/// Waits for `promise`, or rejects as soon as `signal` aborts. The promise
/// itself goes on, so others waiting on it still get its answer.
pub async fn wait(promise: Promise, signal: Option<&AbortSignal>) -> Result<JsValue, JsValue> {
    let Some(signal) = signal else {
        return JsFuture::from(promise).await;
    };
    if signal.aborted() {
        return Err(abort_reason(signal));
    }
    let aborted = Promise::new(&mut |_resolve, reject| {
        let watched = signal.clone();
        let on_abort = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::UNDEFINED, &abort_reason(&watched));
        });
        let once = Object::new();
        let _ = Reflect::set(&once, &"once".into(), &JsValue::TRUE);
        if let Ok(add) = Reflect::get(signal, &"addEventListener".into()) {
            let _ =
                add.unchecked_into::<Function>()
                    .call3(signal, &"abort".into(), &on_abort, &once);
        }
    });
    JsFuture::from(Promise::race(&Array::of2(&promise, &aborted))).await
}

/// The signal's reason, or an `AbortError` when it gave none.
pub fn abort_reason(signal: &AbortSignal) -> JsValue {
    let reason = signal.reason();
    if !reason.is_undefined() {
        return reason;
    }
    let error = js_sys::Error::new("The operation was aborted.");
    error.set_name("AbortError");
    error.into()
}

/// A failed fetch as `timeout` or `network_error`.
pub fn fetch_error(error: gloo_net::Error, timeout_ms: u32) -> Error {
    match error {
        gloo_net::Error::JsError(e) if e.name == "TimeoutError" || e.name == "AbortError" => {
            Error::new(Code::Timeout, format!("no answer within {timeout_ms} ms"))
        }
        other => Error::new(Code::NetworkError, format!("the request failed: {other}")),
    }
}
