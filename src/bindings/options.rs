//! Reading option objects (`new Estimator(options)`, `new
//! TransactionSync(options)`) one option at a time, so a wrong value is an
//! error that names its option (`field: "ttlSeconds"`), not the whole
//! object.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{Code, Error};

/// The option `name`; `None` when it is absent or null.
pub fn option_value(options: &JsValue, name: &str) -> Option<JsValue> {
    let value = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

fn wrong_type(name: &str, expected: &str) -> Error {
    Error::field(
        Code::InvalidType,
        name,
        format!("{name} must be {expected}"),
    )
}

/// A string option.
pub fn string_option(options: &JsValue, name: &str) -> Result<Option<String>, Error> {
    option_value(options, name)
        .map(|v| v.as_string().ok_or_else(|| wrong_type(name, "a string")))
        .transpose()
}

/// A number option.
pub fn number_option(options: &JsValue, name: &str) -> Result<Option<f64>, Error> {
    option_value(options, name)
        .map(|v| v.as_f64().ok_or_else(|| wrong_type(name, "a number")))
        .transpose()
}

/// A boolean option.
pub fn bool_option(options: &JsValue, name: &str) -> Result<Option<bool>, Error> {
    option_value(options, name)
        .map(|v| v.as_bool().ok_or_else(|| wrong_type(name, "true or false")))
        .transpose()
}

/// A function option (`onLog`, `now`).
pub fn function_option(options: &JsValue, name: &str) -> Result<Option<Function>, Error> {
    option_value(options, name)
        .map(|v| {
            v.dyn_into::<Function>()
                .map_err(|_| wrong_type(name, "a function"))
        })
        .transpose()
}
