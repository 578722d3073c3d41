//! `Estimator`: memoized, nexus-gated, coalesced TaxJar calls for browsers,
//! Node and workerd. The decisions are the core's (`crate::estimator`);
//! this file holds the JS parts: options, fetch, promises, abort, storage.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

mod answer;
mod nexus;
mod options;
mod texts;

use answer::{deep_freeze, estimate_object, line_ids, unreachable};
use texts::TextIndex;

use super::convert::{js_error, json_string, to_js};
use super::transport::{abort_reason, send, session_storage, wait, Saved, STORAGE_PREFIX};
use crate::cart::Cart;
use crate::context::valid_unverified;
use crate::error::{Code, Error};
use crate::estimate::apply_tax;
use crate::estimator::{plan, Memo, Plan, Region, Stats, FAILURE_TTL_MS};
use crate::key::cart_key;
use crate::model::{parse_body, TaxResponse};
use crate::offline::{offline_estimate, Date, OfflineOptions};
use crate::request::{estimator_body, RequestOptions};
use crate::validate::ValidCart;

/// What the memo keeps: an estimate as JSON (with the frozen object hits
/// share) or a 4xx failure.
enum Stored {
    Estimate {
        json: String,
        ids: Vec<String>,
        /// The hit object for callers with lines in `ids` order, made once
        /// and frozen: parsing the JSON on every hit was its main cost.
        frozen: Option<JsValue>,
    },
    Failure(Error),
}

enum Nexus {
    Off,
    Known(Rc<Vec<Region>>),
    Fetch {
        regions: Option<(Rc<Vec<Region>>, f64)>,
        retry_at: f64,
        pending: Option<Promise>,
    },
}

struct Inner {
    taxes_url: String,
    regions_url: String,
    api_key: Option<String>,
    ttl_ms: f64,
    timeout_ms: u32,
    plugin: Option<String>,
    defaults: Option<Cart>,
    session: bool,
    offline: bool,
    on_log: Option<Function>,
    now: Option<Function>,
    nexus: RefCell<Nexus>,
    memo: RefCell<Memo<Stored>>,
    /// Cart JSON text → its key, for carts already validated and keyed.
    texts: RefCell<TextIndex>,
    /// Bumped whenever fetched nexus regions change, which voids `texts`.
    regions_version: Cell<u32>,
    in_flight: RefCell<HashMap<String, Promise>>,
    stats: RefCell<Stats>,
}

/// Memoized TaxJar estimates per cart state.
#[wasm_bindgen]
pub struct Estimator {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl Estimator {
    /// Creates an estimator (see `EstimatorOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EstimatorOptions")] options: JsValue,
    ) -> Result<Estimator, JsValue> {
        Self::build(options).map_err(|e| js_error(&e))
    }

    /// The estimate for `cart`: from the memo, a skip, or one shared call.
    /// The cart is read now, so changing it after the call changes nothing.
    #[wasm_bindgen(unchecked_return_type = "Promise<Estimate>")]
    pub fn estimate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "EstimateOptions")] options: Option<JsValue>,
    ) -> Promise {
        // Only read `signal` from an object: Reflect.get on undefined throws,
        // and a thrown TypeError on every call is most of a memo hit's cost.
        let signal = options
            .filter(|o| o.is_object())
            .and_then(|o| Reflect::get(&o, &JsValue::from_str("signal")).ok())
            .filter(|s| s.is_object())
            .map(|s| s.unchecked_into::<AbortSignal>());
        if let Some(s) = signal.as_ref().filter(|s| s.aborted()) {
            return Promise::reject(&abort_reason(s));
        }
        let text = json_string(&cart, "cart");
        // A memo hit on a cart text seen before is answered here, without
        // the future machinery and without copying the text into the wasm.
        if let Some(answer) = text.as_ref().ok().and_then(|t| self.inner.known_hit(t)) {
            return match answer {
                Ok(estimate) => Promise::resolve(&estimate),
                Err(error) => Promise::reject(&error),
            };
        }
        let inner = self.inner.clone();
        future_to_promise(async move { inner.estimate(text, signal).await })
    }

    /// The counters so far.
    #[wasm_bindgen(unchecked_return_type = "EstimatorStats")]
    pub fn stats(&self) -> JsValue {
        to_js(&*self.inner.stats.borrow())
    }

    /// Forgets every memoized answer (and those kept in sessionStorage).
    pub fn clear(&self) {
        self.inner.memo.borrow_mut().clear();
        self.inner.texts.borrow_mut().clear();
        if let Some(storage) = self.inner.storage() {
            let keys: Vec<String> = (0..storage.length().unwrap_or(0))
                .filter_map(|i| storage.key(i).ok().flatten())
                .filter(|k| k.starts_with(STORAGE_PREFIX))
                .collect();
            for key in keys {
                let _ = storage.remove_item(&key);
            }
        }
    }
}

impl Inner {
    fn now(&self) -> f64 {
        self.now
            .as_ref()
            .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    fn log(
        &self,
        level: &str,
        event: &str,
        key: Option<&str>,
        ms: Option<f64>,
        status: Option<u16>,
    ) {
        let Some(on_log) = &self.on_log else { return };
        let entry = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&entry, &JsValue::from_str(k), &v);
        };
        set("level", level.into());
        set("event", event.into());
        set("key", key.map_or(JsValue::NULL, JsValue::from_str));
        if let Some(ms) = ms {
            set("ms", ms.into());
        }
        if let Some(status) = status {
            set("status", status.into());
        }
        // A throwing logger must not break checkout.
        let _ = on_log.call1(&JsValue::UNDEFINED, &entry);
    }

    fn count(&self, field: fn(&mut Stats) -> &mut u32) {
        *field(&mut self.stats.borrow_mut()) += 1;
    }

    /// A memo hit for a cart text seen before (valid and due a lookup,
    /// under the same nexus regions); `None` sends the cart the long way.
    fn known_hit(&self, text: &JsString) -> Option<Result<JsValue, JsValue>> {
        let known = self.texts.borrow_mut().get(text)?;
        if known.regions != self.regions_version.get() {
            return None;
        }
        self.hit(&known.key, &known.ids)
    }

    /// The long way: parse, validate, plan, then memo or one shared call.
    async fn estimate(
        self: Rc<Self>,
        text: Result<JsString, Error>,
        signal: Option<AbortSignal>,
    ) -> Result<JsValue, JsValue> {
        let js_text = match text {
            Ok(text) => text,
            Err(error) => return Err(self.invalid(&error)),
        };
        let text = String::from(&js_text);
        let cart = match self.valid_cart(&text) {
            Ok(cart) => cart,
            Err(error) => return Err(self.invalid(&error)),
        };
        let regions = self.clone().regions().await;
        if let Plan::Skip(estimate) = plan(&cart, regions.as_deref().map(Vec::as_slice)) {
            let exempt = estimate.source == crate::estimate::Source::Exempt;
            self.count(if exempt {
                |s| &mut s.exempt_skips
            } else {
                |s| &mut s.no_nexus_skips
            });
            let event = if exempt {
                "exempt_skip"
            } else {
                "no_nexus_skip"
            };
            self.log("info", event, Some(&estimate.key), None, None);
            return Ok(to_js(&*estimate));
        }
        let key = cart_key(&cart);
        let ids = line_ids(&cart);
        self.texts.borrow_mut().insert(
            js_text,
            key.clone(),
            ids.clone(),
            self.regions_version.get(),
        );
        if let Some(answer) = self.hit(&key, &ids) {
            return answer;
        }
        let existing = self.in_flight.borrow().get(&key).cloned();
        let flight = match existing {
            Some(flight) => {
                self.count(|s| &mut s.coalesced);
                self.log("info", "coalesced", Some(&key), None, None);
                flight
            }
            None => {
                let flight = future_to_promise(self.clone().call(key.clone(), cart));
                self.in_flight
                    .borrow_mut()
                    .insert(key.clone(), flight.clone());
                flight
            }
        };
        // The flight answers [json, ids of the cart that started it].
        let answer = Array::from(&wait(flight, signal.as_ref()).await?);
        let json = answer.get(0).as_string().unwrap_or_default();
        let source = answer.get(2).as_string().unwrap_or_default();
        let stored_ids: Vec<String> = Array::from(&answer.get(1))
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        Ok(estimate_object(&json, &source, &stored_ids, &ids))
    }

    /// Counts and logs an invalid cart; its error for JS.
    fn invalid(&self, error: &Error) -> JsValue {
        self.count(|s| &mut s.invalid);
        self.log("warn", "invalid", None, None, None);
        js_error(error)
    }

    /// A memo hit for `key`, shaped for a caller whose lines are `ids`.
    fn hit(&self, key: &str, ids: &[String]) -> Option<Result<JsValue, JsValue>> {
        let found = self.lookup(key, ids)?;
        self.count(|s| &mut s.cache_hits);
        self.log("info", "cache_hit", Some(key), None, None);
        Some(match found {
            Ok(object) => Ok(object),
            Err(error) => {
                self.count(|s| &mut s.errors);
                Err(js_error(&error))
            }
        })
    }

    fn valid_cart(&self, text: &str) -> Result<ValidCart, Error> {
        let mut cart = Cart::from_json(text)?;
        if let Some(defaults) = &self.defaults {
            cart = cart.merged_over(defaults);
        }
        // Read, not verified (no secret here): it plans and shows; the
        // Worker checks the signature.
        valid_unverified(cart)
    }

    /// A live memo entry, from memory or else from sessionStorage.
    /// The memoized answer for `key`, for a caller whose lines are `ids`:
    /// from memory, else from sessionStorage.
    fn lookup(&self, key: &str, ids: &[String]) -> Option<Result<JsValue, Error>> {
        let now = self.now();
        if let Some(stored) = self.memo.borrow_mut().get_mut(key, now) {
            return Some(match stored {
                Stored::Estimate {
                    json,
                    ids: stored_ids,
                    frozen,
                } if stored_ids.as_slice() == ids => Ok(frozen
                    .get_or_insert_with(|| {
                        deep_freeze(estimate_object(json, "cache", stored_ids, ids))
                    })
                    .clone()),
                Stored::Estimate {
                    json,
                    ids: stored_ids,
                    ..
                } => Ok(deep_freeze(estimate_object(json, "cache", stored_ids, ids))),
                Stored::Failure(error) => Err(error.clone()),
            });
        }
        let text = self
            .storage()?
            .get_item(&format!("{STORAGE_PREFIX}{key}"))
            .ok()??;
        let saved: Saved = serde_json::from_str(&text).ok()?;
        if saved.expires_at <= now {
            return None;
        }
        let stored = Stored::Estimate {
            json: saved.estimate,
            ids: saved.ids,
            frozen: None,
        };
        self.memo
            .borrow_mut()
            .insert(key.to_owned(), stored, saved.expires_at);
        self.lookup(key, ids)
    }

    fn remember(&self, key: &str, stored: Stored, ttl_ms: f64) {
        let expires_at = self.now() + ttl_ms;
        if let (Stored::Estimate { json, ids, .. }, Some(storage)) = (&stored, self.storage()) {
            let saved = Saved {
                expires_at,
                estimate: json.clone(),
                ids: ids.clone(),
            };
            if let Ok(text) = serde_json::to_string(&saved) {
                // A full storage only costs the reload its saving.
                let _ = storage.set_item(&format!("{STORAGE_PREFIX}{key}"), &text);
            }
        }
        self.memo
            .borrow_mut()
            .insert(key.to_owned(), stored, expires_at);
    }

    fn storage(&self) -> Option<web_sys::Storage> {
        self.session.then(session_storage).flatten()
    }

    /// One call to `POST {apiUrl}/v2/taxes`; resolves to
    /// `[json, line ids, source]`.
    async fn call(self: Rc<Self>, key: String, cart: ValidCart) -> Result<JsValue, JsValue> {
        self.count(|s| &mut s.calls);
        let started = self.now();
        let result = self.fetch_estimate(&cart).await;
        self.in_flight.borrow_mut().remove(&key);
        let ms = Some(self.now() - started);
        match result {
            Ok((json, estimated)) => {
                self.log("info", "call", Some(&key), ms, Some(200));
                let ids = line_ids(&cart);
                if estimated {
                    // A backup estimate from the Worker: shown, flagged, and
                    // not memoized, so the next estimate asks again.
                    let answer =
                        Array::of3(&JsValue::from_str(&json), &to_js(&ids), &"offline".into());
                    return Ok(answer.into());
                }
                let answer = Array::of3(&JsValue::from_str(&json), &to_js(&ids), &"taxjar".into());
                let stored = Stored::Estimate {
                    json,
                    ids,
                    frozen: None,
                };
                self.remember(&key, stored, self.ttl_ms);
                Ok(answer.into())
            }
            Err(error) => {
                self.count(|s| &mut s.errors);
                self.log("error", "error", Some(&key), ms, error.status);
                if self.offline && unreachable(&error) {
                    // A flagged backup, not memoized: the next estimate asks again.
                    let today = Date::from_unix_ms(js_sys::Date::now());
                    let backup = offline_estimate(&cart, today, &OfflineOptions::default());
                    self.log("warn", "offline", Some(&key), None, None);
                    let json = serde_json::to_string(&backup).unwrap_or_default();
                    let ids = to_js(&line_ids(&cart));
                    return Ok(
                        Array::of3(&JsValue::from_str(&json), &ids, &"offline".into()).into(),
                    );
                }
                if error
                    .status
                    .is_some_and(|s| (400..500).contains(&s) && s != 429)
                {
                    self.remember(&key, Stored::Failure(error.clone()), FAILURE_TTL_MS);
                }
                Err(js_error(&error))
            }
        }
    }

    /// The estimate's JSON, and whether it is a backup estimate.
    async fn fetch_estimate(&self, cart: &ValidCart) -> Result<(String, bool), Error> {
        let options = RequestOptions {
            plugin: self.plugin.clone(),
        };
        let body = estimator_body(cart, &options);
        let (status, text) = send(
            &self.taxes_url,
            Some(body),
            self.api_key.as_deref(),
            self.timeout_ms,
        )
        .await?;
        let response: TaxResponse = parse_body(status, &text)?;
        let estimate = apply_tax(cart, &response);
        serde_json::to_string(&estimate)
            .map(|json| (json, estimate.estimated))
            .map_err(|e| Error::new(Code::InvalidValue, e.to_string()))
    }
}
