//! The `Estimator` in headless Chromium and Firefox against the local
//! TaxJar fake. `make test` starts the fake and passes its URL in
//! `EDGETAX_FAKE_URL` at build time.
#![cfg(target_arch = "wasm32")]

use edgetax::bindings::estimator::Estimator;
use js_sys::{Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fake_url() -> &'static str {
    // Read at build time; `make test` builds these tests with the fake up.
    match option_env!("EDGETAX_FAKE_URL") {
        Some(url) => url,
        None => panic!("run through `make test`, which starts the fake TaxJar"),
    }
}

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn text(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

/// Calls a control route of the fake and returns its JSON answer.
async fn control(method: &str, path: &str) -> JsValue {
    let url = format!("{}{path}", fake_url());
    let request = match method {
        "POST" => gloo_net::http::Request::post(&url).build().unwrap(),
        _ => gloo_net::http::Request::get(&url).build().unwrap(),
    };
    js(&request.send().await.unwrap().text().await.unwrap())
}

async fn tax_calls() -> f64 {
    Reflect::get(
        &control("GET", "/__fake/stats").await,
        &"POST /v2/taxes".into(),
    )
    .unwrap()
    .as_f64()
    .unwrap_or(0.0)
}

async fn run(estimator: &Estimator, cart: &str) -> Result<JsValue, JsValue> {
    let promise: Promise = estimator.estimate(js(cart), None);
    JsFuture::from(promise).await
}

const CART: &str = r#"{"to_zip":"10541","to_state":"NY","shipping":7.99,
    "line_items":[{"id":"1","unit_price":19.99,"product_tax_code":"20010"},{"id":"2","quantity":2,"unit_price":9.95}]}"#;

#[wasm_bindgen_test]
async fn memoizes_gates_and_reconciles_against_the_fake() {
    control("POST", "/__fake/reset").await;
    let options = format!(
        r#"{{"apiUrl":"{}","apiKey":"test-token","nexusRegions":[{{"country_code":"US","region_code":"NY"}}]}}"#,
        fake_url()
    );
    let estimator = Estimator::new(js(&options)).unwrap();

    let first = run(&estimator, CART).await.unwrap();
    assert_eq!(text(&first, "source"), "taxjar");
    let second = run(&estimator, CART).await.unwrap();
    assert_eq!(text(&second, "source"), "cache");
    assert_eq!(
        text(&second, "amount_to_collect"),
        text(&first, "amount_to_collect")
    );
    assert_eq!(tax_calls().await, 1.0);

    let oregon = run(
        &estimator,
        &CART.replace("10541", "97035").replace("\"NY\"", "\"OR\""),
    )
    .await
    .unwrap();
    assert_eq!(text(&oregon, "source"), "no_nexus");
    assert_eq!(text(&oregon, "amount_to_collect"), "0.00");

    let invalid = run(&estimator, &CART.replace("10541", "1"))
        .await
        .unwrap_err();
    assert_eq!(text(&invalid, "code"), "invalid_zip");
    assert_eq!(tax_calls().await, 1.0);

    let stats = estimator.stats();
    let count = |k: &str| Reflect::get(&stats, &k.into()).unwrap().as_f64().unwrap();
    assert_eq!(
        (
            count("calls"),
            count("cache_hits"),
            count("no_nexus_skips"),
            count("invalid")
        ),
        (1.0, 1.0, 1.0, 1.0)
    );
}

#[wasm_bindgen_test]
async fn upstream_errors_reach_js_with_codes() {
    let options = format!(r#"{{"apiUrl":"{}","apiKey":"wrong-token"}}"#, fake_url());
    let estimator = Estimator::new(js(&options)).unwrap();
    let error = run(&estimator, CART).await.unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&error, "code"), "unauthorized");
    assert_eq!(
        Reflect::get(&error, &"status".into()).unwrap().as_f64(),
        Some(401.0)
    );
}
