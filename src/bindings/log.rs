//! The one way the server build's bindings write a log line: with every
//! secret taken out, and never failing the work it logs.

use std::borrow::Cow;

use js_sys::{Function, JSON};
use wasm_bindgen::prelude::*;

use crate::redact::Redactor;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(line: &str);
}

/// Where a log line goes.
pub(crate) enum Sink<'a> {
    /// `console.log`, as text: the Worker's log (feature `proxy`).
    #[cfg_attr(not(feature = "proxy"), allow(dead_code))]
    Console,
    /// A caller's `onLog`, as the parsed object (`TransactionSync`).
    Callback(&'a Function),
}

/// Writes `line` (JSON text) to `sink` with every secret `redactor` knows
/// taken out, and gives back what was written. A throwing callback is
/// ignored: a broken logger must not break a sync.
pub(crate) fn write<'a>(sink: Sink, redactor: &Redactor, line: &'a str) -> Cow<'a, str> {
    let line = redactor.text(line);
    match sink {
        Sink::Console => console_log(&line),
        Sink::Callback(callback) => {
            let entry = JSON::parse(&line).unwrap_or_else(|_| JsValue::from_str(&line));
            let _ = callback.call1(&JsValue::UNDEFINED, &entry);
        }
    }
    line
}
