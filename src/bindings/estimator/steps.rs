//! `EstimatorSteps`: what `driver.js` asks the wasm between its waits.
//! Each method is synchronous and makes every decision: what a cart needs
//! (a skip, a hit, a call, or the nexus regions first), what an answer or a
//! failure becomes, what is counted, logged and memoized.

use std::rc::Rc;

use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::answer::{estimate_object, line_ids};
use super::nexus::Regions;
use super::{Flight, Inner, Stored};
use crate::bindings::convert::{js_error, parse_js};
use crate::cart::Cart;
use crate::context::valid_unverified;
use crate::error::{Code, Error};
use crate::estimate::{apply_tax, Source};
use crate::estimator::{on_failure, plan, Failure, Plan};
use crate::json::write::strings;
use crate::key::cart_key;
use crate::model::read::tax_response;
use crate::model::{check_not_redirect, fetch_failure, parse_answer};
use crate::offline::{offline_estimate, Date, OfflineOptions};
use crate::request::{estimator_body, RequestOptions};
use crate::validate::ValidCart;

/// The Estimator's synchronous steps, for its JS driver only.
#[wasm_bindgen(skip_typescript)]
pub struct EstimatorSteps {
    inner: Rc<Inner>,
}

/// A plain JS object of these properties.
fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

impl EstimatorSteps {
    pub(super) fn new(inner: Rc<Inner>) -> Self {
        EstimatorSteps { inner }
    }
}

#[wasm_bindgen]
impl EstimatorSteps {
    /// What a cart's JSON text needs: `{estimate}` (a skip or a hit),
    /// `{regions}` (a request: fetch the nexus regions, then plan again with
    /// `fetched` true), `{key, ids, call}` (a request to make) or `{key,
    /// ids}` (join the call in flight for `key`). Throws the cart's error,
    /// or a memoized failure.
    pub fn plan(&self, text: JsString, fetched: bool) -> Result<JsValue, JsValue> {
        let inner = &self.inner;
        let cart = inner
            .valid_cart(&String::from(&text))
            .map_err(|e| inner.invalid(&e))?;
        let regions = match inner.regions(fetched) {
            Regions::Use(regions) => regions,
            Regions::Fetch => return Ok(object(&[("regions", inner.request(None))])),
        };
        if let Plan::Skip(estimate) = plan(&cart, regions.as_deref().map(Vec::as_slice)) {
            inner.tally(
                estimate.source == Source::Exempt,
                [|s| &mut s.exempt_skips, |s| &mut s.no_nexus_skips],
                ["exempt_skip", "no_nexus_skip"],
                &estimate.key,
            );
            return Ok(object(&[("estimate", parse_js(&estimate.to_json()))]));
        }
        let key = cart_key(&cart);
        let ids = line_ids(&cart);
        inner.texts.borrow_mut().insert(
            text,
            key.clone(),
            ids.clone(),
            inner.regions_version.get(),
        );
        if let Some(answer) = inner.hit(&key, &ids) {
            return answer.map(|estimate| object(&[("estimate", estimate)]));
        }
        let step = vec![
            ("key", JsValue::from_str(&key)),
            ("ids", parse_js(&strings(&ids))),
        ];
        if inner.in_flight.borrow().iter().any(|(k, _)| *k == key) {
            inner.count(|s| &mut s.coalesced);
            inner.log("info", "coalesced", Some(&key), None, None);
            return Ok(object(&step));
        }
        inner.count(|s| &mut s.calls);
        let body = estimator_body(
            &cart,
            &RequestOptions {
                plugin: inner.plugin.clone(),
            },
        );
        let call = inner.request(Some(body));
        let flight = Flight {
            started: inner.now(),
            cart,
        };
        inner.in_flight.borrow_mut().push((key, flight));
        Ok(object(&[step[0].clone(), step[1].clone(), ("call", call)]))
    }

    /// The nexus regions' answer.
    #[wasm_bindgen(js_name = regionsAnswer)]
    pub fn regions_answer(&self, status: u16, body: String) {
        self.inner.take_regions(Ok((status, &body)));
    }

    /// The nexus regions' fetch failed (the JS error's name and message).
    #[wasm_bindgen(js_name = regionsFailed)]
    pub fn regions_failed(&self, name: String, detail: String) {
        let error = fetch_failure(&name, &detail, self.inner.timeout_ms);
        self.inner.take_regions(Err(error));
    }

    /// The call for `key` answered: `[json, ids, source]` for every caller
    /// waiting on it (see `shape`), or its error thrown.
    pub fn settle(&self, key: String, status: u16, body: String) -> Result<JsValue, JsValue> {
        let inner = &self.inner;
        let Some(flight) = inner.take_flight(&key) else {
            return Err(js_error(&lost(&key)));
        };
        let result = (|| {
            if inner.api_key.is_some() {
                check_not_redirect(status)?;
            }
            let response = parse_answer(status, &body, tax_response)?;
            let estimate = apply_tax(&flight.cart, &response);
            inner.taught(&key, &flight.cart, &response, &estimate);
            Ok((estimate.to_json(), estimate.estimated))
        })();
        inner.finish(&key, flight, result)
    }

    /// The call for `key` got no answer (the JS error's name and message).
    pub fn failed(&self, key: String, name: String, detail: String) -> Result<JsValue, JsValue> {
        let inner = &self.inner;
        let Some(flight) = inner.take_flight(&key) else {
            return Err(js_error(&lost(&key)));
        };
        let error = fetch_failure(&name, &detail, inner.timeout_ms);
        inner.finish(&key, flight, Err(error))
    }

    /// A settled call's answer as the estimate for one caller, whose lines
    /// are `ids` (the key ignores line order).
    pub fn shape(&self, answer: Array, ids: Array) -> JsValue {
        let json = answer.get(0).as_string().unwrap_or_default();
        let source = answer.get(2).as_string().unwrap_or_default();
        let strings =
            |list: &Array| -> Vec<String> { list.iter().filter_map(|v| v.as_string()).collect() };
        let stored_ids = strings(&Array::from(&answer.get(1)));
        estimate_object(&json, &source, &stored_ids, &strings(&ids))
    }
}

/// A settle for a key not in flight: only a driver bug can cause it.
fn lost(key: &str) -> Error {
    Error::new(Code::InvalidValue, format!("no call in flight for {key}"))
}

impl Inner {
    /// The call in flight for `key`, no longer in flight.
    fn take_flight(&self, key: &str) -> Option<Flight> {
        let mut flights = self.in_flight.borrow_mut();
        let at = flights.iter().position(|(k, _)| k == key)?;
        Some(flights.swap_remove(at).1)
    }

    pub(super) fn valid_cart(&self, text: &str) -> Result<ValidCart, Error> {
        let mut cart = Cart::from_json(text)?;
        if let Some(defaults) = &self.defaults {
            cart = cart.merged_over(defaults);
        }
        // Read, not verified (no secret here): it plans and shows; the
        // Worker checks the signature.
        valid_unverified(cart)
    }

    /// A request for the driver: `{url, init, timeout}`; a POST of `body`
    /// to `/v2/taxes`, or a GET of the nexus regions.
    fn request(&self, body: Option<String>) -> JsValue {
        let headers = Object::new();
        let set = |object: &Object, key: &str, value: &JsValue| {
            let _ = Reflect::set(object, &JsValue::from_str(key), value);
        };
        let init = Object::new();
        let url = match body {
            Some(body) => {
                set(&headers, "Content-Type", &"application/json".into());
                set(&init, "method", &"POST".into());
                set(&init, "body", &body.into());
                &self.taxes_url
            }
            None => {
                set(&init, "method", &"GET".into());
                &self.regions_url
            }
        };
        if let Some(key) = &self.api_key {
            set(&headers, "Authorization", &format!("Bearer {key}").into());
            // A token is never sent on to wherever a redirect points.
            set(&init, "redirect", &"manual".into());
        }
        set(&init, "headers", &headers);
        object(&[
            ("url", JsValue::from_str(url)),
            ("init", init.into()),
            ("timeout", JsValue::from(self.timeout_ms)),
        ])
    }

    /// A settled call: counted, logged, memoized or not, as the core says.
    fn finish(
        &self,
        key: &str,
        flight: Flight,
        result: Result<(String, bool), Error>,
    ) -> Result<JsValue, JsValue> {
        let ms = Some(self.now() - flight.started);
        let cart = flight.cart;
        let answer = |json: &str, source: &str| -> JsValue {
            Array::of3(
                &JsValue::from_str(json),
                &parse_js(&strings(&line_ids(&cart))),
                &source.into(),
            )
            .into()
        };
        match result {
            Ok((json, estimated)) => {
                self.log("info", "call", Some(key), ms, Some(200));
                if estimated {
                    // A backup estimate from the Worker: shown, flagged, and
                    // not memoized, so the next estimate asks again.
                    return Ok(answer(&json, "offline"));
                }
                let shared = answer(&json, "taxjar");
                let stored = Stored::Estimate {
                    json,
                    ids: line_ids(&cart),
                    frozen: None,
                };
                self.remember(key, stored, self.ttl_ms);
                Ok(shared)
            }
            Err(error) => {
                self.count(|s| &mut s.errors);
                self.log("error", "error", Some(key), ms, error.status);
                match on_failure(&error, self.offline) {
                    Failure::Backup => {
                        let today = Date::from_unix_ms(js_sys::Date::now());
                        let backup = offline_estimate(&cart, today, &OfflineOptions::default());
                        self.log("warn", "offline", Some(key), None, None);
                        let json = backup.to_json();
                        Ok(answer(&json, "offline"))
                    }
                    Failure::Remember(ttl_ms) => {
                        self.remember(key, Stored::Failure(error.clone()), ttl_ms);
                        Err(js_error(&error))
                    }
                    Failure::Reject => Err(js_error(&error)),
                }
            }
        }
    }
}
