//! Summary rates for backup estimates: the scheduled refresh, and reading
//! them back when a tax request falls back. What is fetched, stored and
//! read is decided by [`crate::proxy::rates`].

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bindings::clock::today;
use crate::offline::OfflineOptions;
use crate::proxy::config::Config;
use crate::proxy::rates::{self, Report, RATES_TTL_SECONDS};
use crate::proxy::reply::JSON_TYPE;
use crate::proxy::Reply;

use super::io::{self, to_response};
use super::{exchange, State, WorkerCache, WorkerRuntime};

#[wasm_bindgen]
extern "C" {
    /// See `WorkerRates` in the TypeScript section (a KV namespace).
    #[wasm_bindgen(typescript_type = "WorkerRates")]
    type RatesStore;
    #[wasm_bindgen(method, catch)]
    fn get(this: &RatesStore, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn put(
        this: &RatesStore,
        key: &str,
        value: &str,
        options: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn rates(this: &WorkerRuntime) -> Option<RatesStore>;
}

/// Fetches and stores the summary rates; logs and returns the report line.
pub(super) async fn refresh(state: &State, runtime: &WorkerRuntime) -> String {
    let report = run(state, runtime).await;
    // Redacted like every line (the report can quote TaxJar's answer),
    // and handed back as it was logged.
    state.log(&report.line()).into_owned()
}

async fn run(state: &State, runtime: &WorkerRuntime) -> Report {
    let live = super::console::refreshed(state, runtime).await;
    let config = match &live.config {
        Ok(config) => config,
        Err(problem) => {
            let mut report = Report::new("skipped");
            report.detail = Some(format!("configuration error: {problem}"));
            return report;
        }
    };
    let Some((matched, request)) = rates::refresh_request(config) else {
        let mut report = Report::new("skipped");
        report.detail = Some("TAXJAR_API_TOKEN is not set".to_owned());
        return report;
    };
    let upstreamed = exchange(state, config, &matched, &request).await;
    let call = crate::proxy::log::Call::of(&request, &upstreamed.done, upstreamed.ms);
    super::logs::calls(state, runtime, &[call]).await;
    let day = today();
    let stored = match rates::document(config, &upstreamed.done, day) {
        Ok(document) => store(runtime, config, &document.text)
            .await
            .map(|store| (store, document.regions)),
        Err(detail) => Err(detail),
    };
    let mut report = match stored {
        Ok((store, regions)) => {
            let mut report = Report::new("stored");
            report.store = Some(store);
            report.regions = Some(regions);
            report.fetched_at = Some(day.to_string());
            report
        }
        Err(detail) => {
            let mut report = Report::new("failed");
            report.detail = Some(detail);
            report
        }
    };
    report.attempts = upstreamed.attempts;
    report
}

/// Puts the document in KV (with an expiry) or, unbound, in the cache.
async fn store(
    runtime: &WorkerRuntime,
    config: &Config,
    text: &str,
) -> Result<&'static str, String> {
    if let Some(kv) = runtime.rates() {
        let options = Object::new();
        let ttl = JsValue::from(RATES_TTL_SECONDS);
        let _ = Reflect::set(&options, &"expirationTtl".into(), &ttl);
        let promise = kv
            .put(&rates::kv_key(config), text, &options)
            .map_err(describe)?;
        JsFuture::from(promise).await.map_err(describe)?;
        return Ok("kv");
    }
    let Some(cache) = runtime.cache() else {
        return Err("no RATES binding and no cache to keep the rates in".to_owned());
    };
    let stored = Reply {
        status: 200,
        headers: vec![
            ("Content-Type".to_owned(), JSON_TYPE.to_owned()),
            (
                "Cache-Control".to_owned(),
                format!("max-age={RATES_TTL_SECONDS}"),
            ),
        ],
        body: Some(text.to_owned()),
    };
    let response = to_response(&stored).map_err(describe)?;
    let promise = cache
        .put(&rates::cache_url(config), &response)
        .map_err(describe)?;
    JsFuture::from(promise).await.map_err(describe)?;
    Ok("cache")
}

/// The kept summary rates as backup-estimate options (the defaults when
/// none are kept or they cannot be read).
pub(super) async fn load(runtime: &WorkerRuntime, config: &Config) -> OfflineOptions {
    let text = match (runtime.rates(), runtime.cache()) {
        (Some(kv), _) => kv_text(&kv, &rates::kv_key(config)).await,
        (None, Some(cache)) => cached_text(&cache, &rates::cache_url(config)).await,
        (None, None) => None,
    };
    rates::options(text.as_deref())
}

async fn kv_text(kv: &RatesStore, key: &str) -> Option<String> {
    JsFuture::from(kv.get(key).ok()?).await.ok()?.as_string()
}

async fn cached_text(cache: &WorkerCache, url: &str) -> Option<String> {
    // The header is not needed: kept rates are always a 200.
    Some(io::cached_text(cache, url, "content-type").await?.1)
}

/// A JS error's message, for the report.
fn describe(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_owned())
}
