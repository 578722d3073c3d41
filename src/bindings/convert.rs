//! JS ⇄ core conversion: carts in, estimates out, errors as JS `Error`s.
//!
//! Values cross the boundary as JSON text: `JSON.stringify` and `JSON.parse`
//! are the fastest way across, and one JSON reader in the wasm is much
//! smaller than a second, generic, serde backend. `NaN` and `Infinity`
//! are kept as the strings `"NaN"` and `"Infinity"`, which money parsing
//! refuses by name, instead of the silent `null` of plain JSON.

use js_sys::{Error as JsError, JsString, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::cart::Cart;
use crate::error::{Code, Error};
use crate::json::Json;

#[wasm_bindgen(module = "/src/bindings/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = toJson, catch)]
    fn to_json_text(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// A core error as a JS `Error` with `code`, `field`, `status` and
/// `detail` properties (null when they do not apply). Through this impl a
/// binding returning `Result<_, JsValue>` raises a core error with `?`.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        js_error(&error)
    }
}

/// A core error as a JS `Error`: what `JsValue::from(error)` gives.
pub fn js_error(error: &Error) -> JsValue {
    let js = JsError::new(&error.message);
    js.set_name("EdgetaxError");
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(error.code.as_str()));
    set(
        "field",
        error
            .field
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        "status",
        error
            .status
            .map_or(JsValue::NULL, |s| JsValue::from_f64(s as f64)),
    );
    set(
        "detail",
        error
            .detail
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str),
    );
    js.into()
}

/// A JS value as JSON text, left in JS as a string (`what` names it in
/// errors): for callers that may not need the text copied into the wasm.
pub fn json_string(value: &JsValue, what: &str) -> Result<JsString, Error> {
    to_json_text(value)
        .ok()
        .and_then(|text| text.dyn_into::<JsString>().ok())
        .ok_or_else(|| {
            Error::field(
                Code::InvalidType,
                what,
                format!("{what} cannot be written as JSON"),
            )
        })
}

/// A JS value as JSON text (`what` names it in errors).
pub fn json_text(value: &JsValue, what: &str) -> Result<String, Error> {
    json_string(value, what).map(String::from)
}

/// A body given as text, or as an object (written back to JSON text).
pub(crate) fn body_text(value: &JsValue, what: &str) -> Result<String, Error> {
    match value.as_string() {
        Some(text) => Ok(text),
        None => json_text(value, what),
    }
}

/// Reads a cart from a JS object (numbers or decimal strings for money).
pub fn cart_from_js(value: JsValue) -> Result<Cart, Error> {
    if !value.is_object() {
        return Err(Error::new(Code::InvalidType, "the cart must be an object"));
    }
    Cart::from_json(&json_text(&value, "cart")?)
}

/// A JS value as a [`Json`] tree (`what` names it in errors).
pub fn json_from_js(value: &JsValue, what: &str) -> Result<Json, Error> {
    crate::json::parse(&json_text(value, what)?)
        .map_err(|e| Error::field(Code::InvalidType, what, e.what))
}

/// Reads a JS value with one of the core's JSON readers; its message is
/// the error's, on the field `what`.
pub fn read_js<T>(
    value: &JsValue,
    what: &str,
    read: impl FnOnce(&Json) -> Result<T, String>,
) -> Result<T, Error> {
    read(&json_from_js(value, what)?)
        .map_err(|message| Error::field(Code::InvalidType, what, message))
}

/// JSON text the core wrote, as plain JS objects, arrays, strings and
/// numbers.
pub fn parse_js(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// Reads any deserializable value, naming the argument on failure.
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    let text = json_text(&value, what)?;
    serde_json::from_str(&text).map_err(|e| argument_error(&e, what))
}

/// A JS argument's reading error. The position is in edgetax's own JSON
/// text of the value, which the caller never saw, so it is left out. Not
/// generic, so the wasm has one copy, not one per type read.
fn argument_error(e: &serde_json::Error, what: &str) -> Error {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    Error::field(Code::InvalidType, what, message)
}

/// Writes a value as plain JS objects, arrays, strings and numbers.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}
