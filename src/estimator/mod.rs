//! The plain-Rust half of the `Estimator`: what to do with a cart before
//! any call (skip it, or look it up), the memo, and the counters. The JS
//! class in `bindings/estimator.rs` adds fetch, promises and the clock.

pub mod memo;
pub mod nexus;
pub mod provisional;

use serde::Serialize;

use crate::error::{Code, Error};
use crate::estimate::{zero_estimate, Estimate, Source};
use crate::validate::ValidCart;

pub use memo::Memo;
pub use nexus::{has_nexus, Region};
pub use provisional::{same_figures, Lessons};

/// How long an upstream 4xx answer is kept, so the same bad cart is not
/// billed again at once.
pub const FAILURE_TTL_MS: f64 = 60_000.0;

/// How long a failed `GET /v2/nexus/regions` waits before it is tried
/// again; carts go through ungated meanwhile.
pub const NEXUS_RETRY_MS: f64 = 60_000.0;

/// What the Estimator does with a call that failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Failure {
    /// Answer a flagged offline estimate, not memoized: the Worker (or
    /// TaxJar behind it) could not answer, and `offline: true` is set.
    Backup,
    /// Reject, and keep the failure this long (ms): a 4xx is the cart's
    /// fault, so the same cart is not billed again at once.
    Remember(f64),
    /// Reject and keep nothing: the next estimate asks again.
    Reject,
}

/// True when the failure means the Worker (or TaxJar behind it) could not
/// answer, rather than that it refused the cart: a timeout, a network
/// failure, a 5xx, or 429 (too many requests).
pub fn unreachable(error: &Error) -> bool {
    matches!(error.code, Code::Timeout | Code::NetworkError)
        || error.status.is_some_and(|s| s >= 500 || s == 429)
}

/// What to do with `error`, a failed call, with `offline` backups on or off.
/// 429 is never remembered: it is about the rate, not the cart.
pub fn on_failure(error: &Error, offline: bool) -> Failure {
    if offline && unreachable(error) {
        return Failure::Backup;
    }
    match error.status {
        Some(s) if (400..500).contains(&s) && s != 429 => Failure::Remember(FAILURE_TTL_MS),
        _ => Failure::Reject,
    }
}

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
    /// Provisional figures (`peek`) that TaxJar's answer then matched.
    pub provisional_hits: u32,
    /// Provisional figures that TaxJar's answer then changed.
    pub provisional_misses: u32,
}

impl Stats {
    /// The counters as JSON text, as serde_json wrote them.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(200);
        let mut o = crate::json::write::Object::new(&mut out);
        for (name, count) in [
            ("calls", self.calls),
            ("cache_hits", self.cache_hits),
            ("coalesced", self.coalesced),
            ("no_nexus_skips", self.no_nexus_skips),
            ("exempt_skips", self.exempt_skips),
            ("invalid", self.invalid),
            ("errors", self.errors),
            ("provisional_hits", self.provisional_hits),
            ("provisional_misses", self.provisional_misses),
        ] {
            o.raw(name, &count.to_string());
        }
        o.end();
        out
    }
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
    fn failures_are_remembered_backed_up_or_rejected() {
        let status = |s: u16| Error {
            status: Some(s),
            ..Error::new(Code::UpstreamError, "x")
        };
        let timeout = Error::new(Code::Timeout, "x");
        let network = Error::new(Code::NetworkError, "x");
        for offline in [false, true] {
            for s in [400, 401, 404, 422] {
                assert_eq!(on_failure(&status(s), offline), Failure::Remember(60_000.0));
            }
        }
        for e in [
            status(429),
            status(500),
            status(503),
            timeout.clone(),
            network.clone(),
        ] {
            assert!(unreachable(&e));
            assert_eq!(on_failure(&e, false), Failure::Reject);
            assert_eq!(on_failure(&e, true), Failure::Backup);
        }
        // A redirect refused (3xx) is not "unreachable" here: the URL is wrong.
        assert_eq!(on_failure(&status(302), true), Failure::Reject);
        assert!(!unreachable(&status(302)));
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
