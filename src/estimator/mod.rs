//! The plain-Rust half of the `Estimator`: what to do with a cart before
//! any call (skip it, or look it up), the memo, and the counters. The JS
//! class in `bindings/estimator.rs` adds fetch, promises and the clock.

pub mod memo;
pub mod nexus;

use serde::Serialize;

use crate::estimate::{zero_estimate, Estimate, Source};
use crate::validate::ValidCart;

pub use memo::Memo;
pub use nexus::{has_nexus, Region};

/// How long an upstream 4xx answer is kept, so the same bad cart is not
/// billed again at once.
pub const FAILURE_TTL_MS: f64 = 60_000.0;

/// What the estimator counted. Every `estimate()` adds to exactly one of
/// `calls`, `cache_hits`, `coalesced`, `no_nexus_skips`, `exempt_skips` or
/// `invalid`; `errors` counts failed calls (and memoized failures served).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Calls made to TaxJar (or the Worker).
    pub calls: u32,
    /// Answers served from the memo.
    pub cache_hits: u32,
    /// Callers who shared another caller's call in flight.
    pub coalesced: u32,
    /// Carts answered zero without a call: no nexus at the destination.
    pub no_nexus_skips: u32,
    /// Carts answered zero without a call: an exempt order.
    pub exempt_skips: u32,
    /// Carts refused by validation.
    pub invalid: u32,
    /// Calls that failed, and memoized failures served again.
    pub errors: u32,
}

/// What to do with a valid cart before looking at the memo.
#[derive(Debug)]
pub enum Plan {
    /// Answer this zero estimate without a call.
    Skip(Box<Estimate>),
    /// Look the cart up (memo, then TaxJar).
    Lookup,
}

/// Exempt orders (`wholesale`, `government`, `other`) are always zero at
/// TaxJar, so they are not sent. With nexus regions known, a destination
/// outside them and outside the cart's own nexus addresses is zero too.
/// `customer_id` alone never skips: TaxJar decides that exemption.
pub fn plan(cart: &ValidCart, regions: Option<&[Region]>) -> Plan {
    if cart.exemption_type.is_some_and(|e| e.is_exempt()) {
        return Plan::Skip(Box::new(zero_estimate(cart, Source::Exempt, true)));
    }
    match regions {
        Some(regions) if !has_nexus(cart, regions) => {
            Plan::Skip(Box::new(zero_estimate(cart, Source::NoNexus, false)))
        }
        _ => Plan::Lookup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;

    fn cart(json: &str) -> ValidCart {
        ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
    }

    #[test]
    fn exempt_types_skip_others_call() {
        for (t, skips) in [
            ("wholesale", true),
            ("government", true),
            ("other", true),
            ("marketplace", false),
            ("non_exempt", false),
        ] {
            let c = cart(&format!(
                r#"{{"to_zip":"90002","to_state":"CA","amount":5,"exemption_type":"{t}"}}"#
            ));
            match plan(&c, None) {
                Plan::Skip(e) => {
                    assert!(skips, "{t}");
                    assert_eq!(e.source, Source::Exempt);
                    assert!(e.amount_to_collect.is_zero());
                }
                Plan::Lookup => assert!(!skips, "{t}"),
            }
        }
        let with_customer =
            cart(r#"{"to_zip":"90002","to_state":"CA","amount":5,"customer_id":"123"}"#);
        assert!(matches!(plan(&with_customer, None), Plan::Lookup));
    }

    #[test]
    fn no_nexus_skips_only_when_regions_are_known() {
        let c = cart(r#"{"to_zip":"97035","to_state":"OR","amount":15,"shipping":1.5}"#);
        assert!(matches!(plan(&c, None), Plan::Lookup));
        let ca = [Region {
            country_code: "US".into(),
            region_code: Some("CA".into()),
        }];
        match plan(&c, Some(&ca)) {
            Plan::Skip(e) => {
                assert_eq!(e.source, Source::NoNexus);
                assert!(!e.has_nexus);
                assert_eq!(e.order_total_amount.to_string(), "16.50");
            }
            Plan::Lookup => panic!("should skip"),
        }
    }
}
