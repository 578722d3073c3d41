//! Identical tax requests of one isolate share one upstream call: the
//! first asks TaxJar, the others wait for its answer (kept until it is in
//! the cache).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bindings::clock::now_ms;
use crate::bindings::http::sleep;
use crate::proxy::config::Config;
use crate::proxy::flow::{Admitted, Prepared};
use crate::proxy::log::CacheStatus;

use super::{exchange, State, Upstreamed};

/// An upstream call other requests for the same key may wait on, kept
/// after it lands until its answer is in the cache.
pub(super) struct Flight {
    done: Promise,
    result: RefCell<Option<Upstreamed>>,
    /// When the result came (`Date.now()`); 0 while in flight.
    landed_ms: Cell<f64>,
}

/// A landed flight is shared for at most this long, should its cache
/// write never finish.
const SHARE_LANDED_MS: f64 = 10_000.0;

/// Asks TaxJar, or waits for an identical request of this isolate that
/// already is asking (or whose answer is not in the cache yet): identical
/// carts share one upstream call. The leader gets the [`Landing`] that
/// ends the flight when dropped.
pub(super) async fn coalesced(
    state: &Rc<State>,
    config: &Config,
    admitted: &Admitted,
    prepared: &Prepared,
    key: &str,
) -> (Upstreamed, CacheStatus, Option<Landing>) {
    let waiting = state.inflight.borrow().get(key).cloned();
    if let Some(flight) = waiting {
        // Bounded, in case the leading request is cancelled mid-flight.
        let most = 2 * config.upstream_timeout_ms + 1000;
        let race = Promise::race(&Array::of2(&flight.done, &sleep(most)));
        let _ = JsFuture::from(race).await;
        let fresh = now_ms() - flight.landed_ms.get() < SHARE_LANDED_MS;
        if let (Some(result), true) = (flight.result.borrow().clone(), fresh) {
            return (result, CacheStatus::Coalesced, None);
        }
    }
    let mut resolve = None;
    let done = Promise::new(&mut |res, _rej| resolve = Some(res));
    let flight = Rc::new(Flight {
        done,
        result: RefCell::new(None),
        landed_ms: Cell::new(0.0),
    });
    state
        .inflight
        .borrow_mut()
        .insert(key.to_owned(), flight.clone());
    let landing = Landing {
        state: state.clone(),
        key: key.to_owned(),
        flight: flight.clone(),
        resolve,
    };
    let result = exchange(state, config, &admitted.matched, &prepared.upstream).await;
    *flight.result.borrow_mut() = Some(result.clone());
    flight.landed_ms.set(now_ms());
    landing.wake();
    (result, CacheStatus::Miss, Some(landing))
}

/// Ends a flight even if its request is dropped: followers never hang.
pub(super) struct Landing {
    state: Rc<State>,
    key: String,
    flight: Rc<Flight>,
    resolve: Option<Function>,
}

impl Landing {
    /// Lets the followers go (resolving twice does nothing).
    fn wake(&self) {
        if let Some(resolve) = &self.resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        let mut inflight = self.state.inflight.borrow_mut();
        // Only this flight: a later one may have replaced a stale entry.
        if inflight
            .get(&self.key)
            .is_some_and(|f| Rc::ptr_eq(f, &self.flight))
        {
            inflight.remove(&self.key);
        }
        drop(inflight);
        self.wake();
    }
}
