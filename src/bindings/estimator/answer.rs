//! Shaping answers for callers: line order and frozen hit objects.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::validate::ValidCart;

/// The estimate's line ids, in cart order.
pub(super) fn line_ids(cart: &ValidCart) -> Vec<String> {
    if cart.lines.is_empty() {
        return vec![crate::estimate::AMOUNT_LINE_ID.to_owned()];
    }
    cart.lines.iter().map(|l| l.id.clone()).collect()
}

/// Freezes `value` and every object and array inside it, so a memoized
/// answer handed to many callers cannot be changed by one of them.
pub(super) fn deep_freeze(value: JsValue) -> JsValue {
    if let Some(object) = value.dyn_ref::<Object>() {
        for inner in Object::values(object).iter() {
            if inner.is_object() {
                deep_freeze(inner);
            }
        }
        Object::freeze(object);
    }
    value
}

/// A fresh estimate object for one caller, with its `source`, and its lines
/// in this caller's cart order (the key ignores line order).
pub(super) fn estimate_object(
    json: &str,
    source: &str,
    stored_ids: &[String],
    ids: &[String],
) -> JsValue {
    let object = JSON::parse(json).unwrap_or(JsValue::NULL);
    let _ = Reflect::set(&object, &"source".into(), &source.into());
    if stored_ids != ids {
        let lines: Array = Reflect::get(&object, &"line_items".into())
            .map(|v| Array::from(&v))
            .unwrap_or_default();
        let ordered = Array::new();
        for id in ids {
            if let Some(at) = stored_ids.iter().position(|s| s == id) {
                ordered.push(&lines.get(at as u32));
            }
        }
        let _ = Reflect::set(&object, &"line_items".into(), &ordered);
    }
    object
}
