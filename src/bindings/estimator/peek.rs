//! `peek`: a cart's figure now, with no call: a memo hit, a skip, or a
//! provisional estimate from the rates TaxJar gave the same tax context
//! (`crate::estimator::provisional`). It changes no memo entry and no
//! counter; it only notes a provisional figure, to count it as a hit or
//! a miss when TaxJar's own answer for the cart comes.

use wasm_bindgen::prelude::*;

use super::answer::line_ids;
use super::nexus::Regions;
use super::Inner;
use crate::bindings::convert::{json_string, parse_js};
use crate::estimate::Estimate;
use crate::estimator::{plan, same_figures, Plan};
use crate::key::cart_key;
use crate::model::TaxResponse;
use crate::validate::ValidCart;

/// How many provisional figures wait for their TaxJar answer.
const MAX_SHOWN: usize = 32;

impl Inner {
    /// The figure for `cart` now, or `None`.
    pub(super) fn peek(&self, cart: &JsValue) -> Option<JsValue> {
        let text = json_string(cart, "cart").ok()?;
        let known = self.texts.borrow_mut().get(&text);
        if let Some(known) = known.filter(|k| k.regions == self.regions_version.get()) {
            if let Some(found) = self.lookup(&known.key, &known.ids) {
                return found.ok();
            }
        }
        let cart = self.valid_cart(&String::from(&text)).ok()?;
        let regions = match self.regions(false) {
            Regions::Use(regions) => regions,
            Regions::Fetch => None,
        };
        if let Plan::Skip(estimate) = plan(&cart, regions.as_deref().map(Vec::as_slice)) {
            return Some(parse_js(&estimate.to_json()));
        }
        let key = cart_key(&cart);
        if let Some(found) = self.lookup(&key, &line_ids(&cart)) {
            return found.ok();
        }
        let estimate = self
            .lessons
            .borrow()
            .estimate(&cart, self.now(), self.ttl_ms)?;
        let object = parse_js(&estimate.to_json());
        let mut shown = self.shown.borrow_mut();
        shown.retain(|(k, _)| *k != key);
        shown.push((key, estimate));
        if shown.len() > MAX_SHOWN {
            shown.remove(0);
        }
        Some(object)
    }

    /// TaxJar answered `cart` (key `key`) with `response`, which gave
    /// `estimate`: learn its rates, and count a provisional figure shown
    /// for the cart as a hit or a miss.
    pub(super) fn taught(
        &self,
        key: &str,
        cart: &ValidCart,
        response: &TaxResponse,
        estimate: &Estimate,
    ) {
        if estimate.estimated {
            return;
        }
        self.lessons.borrow_mut().learn(cart, response, self.now());
        let shown = {
            let mut shown = self.shown.borrow_mut();
            let at = shown.iter().position(|(k, _)| k == key);
            at.map(|at| shown.remove(at).1)
        };
        if let Some(shown) = shown {
            self.tally(
                same_figures(&shown, estimate),
                [|s| &mut s.provisional_hits, |s| &mut s.provisional_misses],
                ["provisional_hit", "provisional_miss"],
                key,
            );
        }
    }
}
