//! Reading option objects (`new Estimator(options)`, `new
//! TransactionSync(options)`, the options of `taxRequest` and `applyTax`)
//! one option at a time, so a wrong value is an error that names its
//! option (`field: "ttlSeconds"`, `"options.status"`), not the whole
//! object.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{unknown_option, Code, Error};

/// `field` holds a value of the wrong type: "`field` must be `expected`",
/// the wording of every option error.
pub fn wrong_type(field: &str, expected: &str) -> Error {
    Error::field(
        Code::InvalidType,
        field,
        format!("{field} must be {expected}"),
    )
}

/// An options object, and how its options are named in errors.
pub struct Options {
    value: JsValue,
    /// Put before an option's name in errors: `""` or `"options."`.
    prefix: &'static str,
}

impl Options {
    /// `value` as options. Absent or null is no options; anything else but
    /// an object is an `invalid_type` error naming `what`, and an own key
    /// that is not one of `known` is an `invalid_value` error naming it
    /// (and the known option it is closest to).
    pub fn new(
        value: JsValue,
        prefix: &'static str,
        what: &str,
        known: &[&str],
    ) -> Result<Options, Error> {
        if !(value.is_undefined() || value.is_null() || value.is_object()) {
            return Err(Error::field(
                Code::InvalidType,
                what,
                format!("{what} must be an object"),
            ));
        }
        let options = Options { value, prefix };
        if options.value.is_object() {
            let object: &js_sys::Object = options.value.unchecked_ref();
            for key in js_sys::Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                if !known.contains(&key.as_str()) {
                    return Err(unknown_option(&options.field(&key), &key, known));
                }
            }
        }
        Ok(options)
    }

    /// How the option `name` is named in errors.
    pub fn field(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The option `name`; `None` when it is absent or null.
    pub fn value(&self, name: &str) -> Option<JsValue> {
        if !self.value.is_object() {
            return None;
        }
        let value =
            Reflect::get(&self.value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn wrong_type(&self, name: &str, expected: &str) -> Error {
        wrong_type(&self.field(name), expected)
    }

    /// A string option.
    pub fn string(&self, name: &str) -> Result<Option<String>, Error> {
        self.value(name)
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| self.wrong_type(name, "a string"))
            })
            .transpose()
    }

    /// A number option.
    pub fn number(&self, name: &str) -> Result<Option<f64>, Error> {
        self.value(name)
            .map(|v| v.as_f64().ok_or_else(|| self.wrong_type(name, "a number")))
            .transpose()
    }

    /// A boolean option.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        self.value(name)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| self.wrong_type(name, "true or false"))
            })
            .transpose()
    }

    /// A function option (`onLog`, `now`).
    pub fn function(&self, name: &str) -> Result<Option<Function>, Error> {
        self.value(name)
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| self.wrong_type(name, "a function"))
            })
            .transpose()
    }
}
