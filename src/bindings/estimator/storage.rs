//! The memo's sessionStorage entries, so a reload reuses answers.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::json::write::{strings, Object};
use crate::json::{number_decimal, Json};
use crate::money::digits::float_text;
use crate::money::float::nearest_f64;

/// Prefix of the memo's sessionStorage entries.
pub(super) const STORAGE_PREFIX: &str = "edgetax:";

/// A memo entry as kept in sessionStorage: `{"expires_at":…,
/// "estimate":"…","ids":[…]}`, as serde wrote it before.
pub(super) struct Saved {
    /// When it stops being good (the estimator's clock, ms).
    pub expires_at: f64,
    /// The estimate, as JSON.
    pub estimate: String,
    /// Its line ids, in the order of the cart that asked.
    pub ids: Vec<String>,
}

impl Saved {
    /// The entry as JSON text.
    pub(super) fn to_json(&self) -> String {
        // serde_json wrote a float that is not finite as null.
        let expires_at = match self.expires_at {
            t if t.is_finite() => float_text(t),
            _ => "null".to_owned(),
        };
        let mut out = String::with_capacity(self.estimate.len() + 64);
        Object::new(&mut out)
            .raw("expires_at", &expires_at)
            .str("estimate", &self.estimate)
            .raw("ids", &strings(&self.ids))
            .end();
        out
    }

    /// An entry read back; `None` for anything else.
    pub(super) fn from_json(text: &str) -> Option<Saved> {
        let value = crate::json::parse(text).ok()?;
        let expires_at = match value.get("expires_at")? {
            Json::Number(n) => nearest_f64(number_decimal(n, 28).ok()?),
            _ => return None,
        };
        let ids = match value.get("ids")? {
            Json::Array(items) => items
                .iter()
                .map(|id| id.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()?,
            _ => return None,
        };
        Some(Saved {
            expires_at,
            estimate: value.get("estimate")?.as_str()?.to_owned(),
            ids,
        })
    }
}

/// sessionStorage, if the runtime has one and lets us read it (it throws in
/// some privacy modes).
pub(super) fn session_storage() -> Option<web_sys::Storage> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage")).ok()?;
    value.is_object().then(|| value.unchecked_into())
}
