//! JS ⇄ core conversion: carts in, estimates out, errors as JS `Error`s.

use js_sys::{Error as JsError, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::cart::{self, Cart};
use crate::error::{Code, Error};

/// A core error as a JS `Error` with `code`, `field`, `status` and
/// `detail` properties (null when they do not apply).
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

/// Reads a cart from a JS object (numbers or decimal strings for money).
pub fn cart_from_js(value: JsValue) -> Result<Cart, Error> {
    if !value.is_object() {
        return Err(Error::new(Code::InvalidType, "the cart must be an object"));
    }
    cart::from_deserializer(serde_wasm_bindgen::Deserializer::from(value))
}

/// Reads any deserializable value, naming the argument on failure.
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            what.to_owned()
        } else {
            format!("{what}.{path}")
        };
        Error::field(Code::InvalidType, field, e.inner().to_string())
    })
}

/// Writes a value as plain JS objects, arrays, strings and numbers.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// Core result → JS result.
pub fn js_result<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|e| js_error(&e))
}
