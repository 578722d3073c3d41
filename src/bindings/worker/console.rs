//! The console's I/O: the sign-in body, the `CONSOLE` KV namespace (failed
//! attempts per address) and the random session id. Every decision is
//! [`crate::console`]'s.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Request;

use crate::bindings::clock::now_seconds;
use crate::console::limit;
use crate::console::route::{self, ConsoleHead, SIGN_IN_BODY_LIMIT};
use crate::console::Console;
use crate::proxy::Reply;

use super::io::read_body;
use super::WorkerRuntime;

#[wasm_bindgen(inline_js = "
export function sessionId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
")]
extern "C" {
    /// 16 random bytes from `crypto.getRandomValues`, as 32 hex digits.
    #[wasm_bindgen(js_name = sessionId)]
    fn session_id() -> String;
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
    let id = session_id();
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
