//! `Estimator`: memoized, nexus-gated, coalesced TaxJar calls for browsers,
//! Node and workerd. The decisions are the core's (`crate::estimator`);
//! this folder holds the JS parts: options, the memo's JS side, storage.
//! It is synchronous: the waiting (fetch, timeouts, shared flights, abort)
//! is `driver.js`, which asks `EstimatorSteps` (steps.rs) what to do.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

mod answer;
mod memo;
mod nexus;
mod options;
mod peek;
mod steps;
mod storage;
mod texts;

use texts::TextIndex;

use super::convert::{js_error, json_string, parse_js};
use crate::cart::Cart;
use crate::estimate::Estimate;
use crate::estimator::{Lessons, Memo, Region, Stats};
use crate::validate::ValidCart;
pub use steps::EstimatorSteps;
use storage::STORAGE_PREFIX;

#[wasm_bindgen(module = "/src/bindings/estimator/driver.js")]
extern "C" {
    /// The JS half that waits (driver.js).
    type Driver;

    #[wasm_bindgen(constructor)]
    fn new(steps: EstimatorSteps) -> Driver;

    #[wasm_bindgen(method)]
    fn run(this: &Driver, text: &JsString, signal: Option<AbortSignal>) -> Promise;
}

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
    Failure(crate::error::Error),
}

enum Nexus {
    Off,
    Known(Rc<Vec<Region>>),
    /// Fetched from the Worker: the list and when it expires, and when a
    /// failed fetch may be tried again.
    Fetch {
        regions: Option<(Rc<Vec<Region>>, f64)>,
        retry_at: f64,
    },
}

/// A call in flight: when it started, and the cart it answers.
struct Flight {
    started: f64,
    cart: ValidCart,
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
    /// The calls in flight, by key: a few at a time, so a list.
    in_flight: RefCell<Vec<(String, Flight)>>,
    stats: RefCell<Stats>,
    /// What TaxJar's answers taught, per tax context, for `peek`.
    lessons: RefCell<Lessons>,
    /// Provisional figures `peek` gave, by cart key, until TaxJar answers.
    shown: RefCell<Vec<(String, Estimate)>>,
}

/// Memoized TaxJar estimates per cart state.
#[wasm_bindgen]
pub struct Estimator {
    inner: Rc<Inner>,
    driver: Driver,
}

#[wasm_bindgen]
impl Estimator {
    /// Creates an estimator (see `EstimatorOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EstimatorOptions")] options: JsValue,
    ) -> Result<Estimator, JsValue> {
        let inner = Rc::new(Inner::build(options).map_err(|e| js_error(&e))?);
        let driver = Driver::new(EstimatorSteps::new(inner.clone()));
        Ok(Estimator { inner, driver })
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
        let text = match json_string(&cart, "cart") {
            Ok(text) => text,
            Err(error) => return Promise::reject(&self.inner.invalid(&error)),
        };
        // A memo hit on a cart text seen before is answered here, without
        // a trip through the driver and without copying the text in.
        if let Some(answer) = self.inner.known_hit(&text) {
            return match answer {
                Ok(estimate) => Promise::resolve(&estimate),
                Err(error) => Promise::reject(&error),
            };
        }
        self.driver.run(&text, signal)
    }

    /// The cart's figure now, synchronously and with no call: a memo hit
    /// (`source: "cache"`), a no-nexus or exempt zero, or a provisional
    /// estimate (`source: "provisional"`, `provisional: true`) from the
    /// rates TaxJar gave the same tax context; `null` when none is known
    /// or the cart is invalid. It changes no memo entry and no counter.
    #[wasm_bindgen(unchecked_return_type = "Estimate | null")]
    pub fn peek(&self, #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue) -> JsValue {
        self.inner.peek(&cart).unwrap_or(JsValue::NULL)
    }

    /// The counters so far.
    #[wasm_bindgen(unchecked_return_type = "EstimatorStats")]
    pub fn stats(&self) -> JsValue {
        parse_js(&self.inner.stats.borrow().to_json())
    }

    /// Forgets every memoized answer (and those kept in sessionStorage).
    pub fn clear(&self) {
        self.inner.memo.borrow_mut().clear();
        self.inner.texts.borrow_mut().clear();
        self.inner.lessons.borrow_mut().clear();
        self.inner.shown.borrow_mut().clear();
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

/// The signal's reason, or an `AbortError` when it gave none.
fn abort_reason(signal: &AbortSignal) -> JsValue {
    let reason = signal.reason();
    if !reason.is_undefined() {
        return reason;
    }
    let error = js_sys::Error::new("The operation was aborted.");
    error.set_name("AbortError");
    error.into()
}

impl Inner {
    /// The estimator's clock (the `now` option, else `Date.now()`).
    fn now(&self) -> f64 {
        self.now
            .as_ref()
            .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    /// The one log guard: an entry for `onLog`, if given; a logger that
    /// throws must not break checkout.
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
        let _ = on_log.call1(&JsValue::UNDEFINED, &entry);
    }

    fn count(&self, field: fn(&mut Stats) -> &mut u32) {
        *field(&mut self.stats.borrow_mut()) += 1;
    }

    /// Counts one of two outcomes (`first` or not) and logs its event at
    /// `info` for `key`.
    fn tally(
        &self,
        first: bool,
        counters: [fn(&mut Stats) -> &mut u32; 2],
        events: [&str; 2],
        key: &str,
    ) {
        let at = usize::from(!first);
        self.count(counters[at]);
        self.log("info", events[at], Some(key), None, None);
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

    /// Counts and logs an invalid cart; its error for JS.
    fn invalid(&self, error: &crate::error::Error) -> JsValue {
        self.count(|s| &mut s.invalid);
        self.log("warn", "invalid", None, None, None);
        js_error(error)
    }

    fn storage(&self) -> Option<web_sys::Storage> {
        self.session.then(storage::session_storage).flatten()
    }
}
