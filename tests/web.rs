//! The JS exports called with real JS values, in headless Chromium and
//! Firefox (`wasm-pack test --headless --chrome --firefox`).
#![cfg(target_arch = "wasm32")]

use edgetax::bindings::exports::{
    allocate, apply_tax_js, cart_key_js, tax_request_js, validate_cart_js, version,
};
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        let key: JsValue = key
            .parse::<u32>()
            .map_or_else(|_| key.into(), JsValue::from);
        Reflect::get(&v, &key).unwrap()
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path)
        .as_string()
        .unwrap_or_else(|| format!("<{:?}>", get(value, path)))
}

#[wasm_bindgen_test]
fn number_inputs_stay_exact() {
    let cart = js(
        r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,"line_items":[{"id":"1","quantity":3,"unit_price":9.98},{"id":"2","unit_price":19.99}]}"#,
    );
    let body = tax_request_js(cart, None).unwrap();
    assert_eq!(get(&body, "amount").as_f64(), Some(49.93));
    assert_eq!(get(&body, "line_items.1.unit_price").as_f64(), Some(19.99));
    let json = JSON::stringify(&body).unwrap().as_string().unwrap();
    assert!(json.contains("\"amount\":49.93"), "{json}");
}

#[wasm_bindgen_test]
fn allocate_splits_to_the_cent() {
    let shares = allocate(JsValue::from_str("10.00"), js("[1, 1, 1]")).unwrap();
    let shares: Vec<String> = Array::from(&shares)
        .iter()
        .map(|s| s.as_string().unwrap())
        .collect();
    assert_eq!(shares, ["3.34", "3.33", "3.33"]);
    let shares = allocate(JsValue::from_f64(1.35), js(r#"["10", 5]"#)).unwrap();
    assert_eq!(text(&shares, "0"), "0.90");
    assert_eq!(text(&shares, "1"), "0.45");
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_code_and_field() {
    let err = allocate(JsValue::from_f64(1.0), js("[]")).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&err, "code"), "invalid_value");
    let err = tax_request_js(
        js(r#"{"to_state":"CA","to_zip":"9","line_items":[{"id":"a","unit_price":1}]}"#),
        None,
    )
    .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&err, "code"), "invalid_zip");
    assert_eq!(text(&err, "field"), "to_zip");
    let nan = js(r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"a"}]}"#);
    Reflect::set(
        &get(&nan, "line_items.0"),
        &"unit_price".into(),
        &JsValue::from_f64(f64::NAN),
    )
    .unwrap();
    let err = cart_key_js(nan).unwrap_err();
    assert_eq!(text(&err, "code"), "invalid_amount");
    assert_eq!(text(&err, "field"), "line_items[0].unit_price");
}

#[wasm_bindgen_test]
fn validate_cart_lists_every_problem() {
    let issues = validate_cart_js(js(
        r#"{"to_zip":"123","to_state":"CA","line_items":[{"id":"a","unit_price":-1}]}"#,
    ));
    let issues = Array::from(&issues);
    assert_eq!(issues.length(), 2);
    assert_eq!(text(&issues.get(0), "code"), "invalid_zip");
    assert_eq!(text(&issues.get(1), "field"), "line_items[0].unit_price");
    let none = Array::from(&validate_cart_js(js(
        r#"{"to_zip":"90002","to_state":"CA","amount":1}"#,
    )));
    assert_eq!(none.length(), 0);
}

#[wasm_bindgen_test]
fn apply_tax_reconciles_and_keys() {
    let cart = r#"{"to_zip":"10541","to_state":"NY","shipping":7.99,"line_items":[{"id":"1","unit_price":19.99},{"id":"2","unit_price":9.95}]}"#;
    let response = js(
        r#"{"tax":{"amount_to_collect":1.99,"rate":0.05218,"has_nexus":true,"freight_taxable":true,"taxable_amount":37.93,"tax_source":"destination",
        "breakdown":{"shipping":{"taxable_amount":7.99,"tax_collectable":0.67,"combined_tax_rate":0.08375},
        "line_items":[{"id":1,"taxable_amount":19.99,"tax_collectable":0.88,"combined_tax_rate":0.04375},{"id":2,"taxable_amount":9.95,"tax_collectable":0.43,"combined_tax_rate":0.04375}]}}}"#,
    );
    let estimate = apply_tax_js(js(cart), response, None).unwrap();
    assert_eq!(text(&estimate, "amount_to_collect"), "1.99");
    assert_eq!(text(&estimate, "line_items.0.tax_collectable"), "0.88");
    assert_eq!(text(&estimate, "line_items.1.tax_collectable"), "0.44");
    assert_eq!(text(&estimate, "shipping.tax_collectable"), "0.67");
    assert_eq!(text(&estimate, "source"), "taxjar");
    assert_eq!(get(&estimate, "estimated"), JsValue::FALSE);
    assert_eq!(text(&estimate, "key"), cart_key_js(js(cart)).unwrap());
    // A gateway's HTML page is not a tax answer.
    let err = apply_tax_js(js(cart), JsValue::from_str("<html>502</html>"), None).unwrap_err();
    assert_eq!(text(&err, "code"), "upstream_unparseable");
}

#[wasm_bindgen_test]
fn key_ignores_spelling_and_version_is_set() {
    let a = cart_key_js(js(r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":10},{"id":"2","unit_price":5}]}"#)).unwrap();
    let b = cart_key_js(js(r#"{"to_state":"ca","to_zip":"90002","line_items":[{"id":"2","unit_price":"5.00"},{"id":"1","unit_price":"10"}]}"#)).unwrap();
    assert_eq!(a, b);
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}
