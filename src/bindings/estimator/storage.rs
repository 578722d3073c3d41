//! The memo's sessionStorage entries, so a reload reuses answers.

use js_sys::Reflect;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Prefix of the memo's sessionStorage entries.
pub(super) const STORAGE_PREFIX: &str = "edgetax:";

/// A memo entry as kept in sessionStorage.
#[derive(Serialize, Deserialize)]
pub(super) struct Saved {
    /// When it stops being good (the estimator's clock, ms).
    pub expires_at: f64,
    /// The estimate, as JSON.
    pub estimate: String,
    /// Its line ids, in the order of the cart that asked.
    pub ids: Vec<String>,
}

/// sessionStorage, if the runtime has one and lets us read it (it throws in
/// some privacy modes).
pub(super) fn session_storage() -> Option<web_sys::Storage> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage")).ok()?;
    value.is_object().then(|| value.unchecked_into())
}
