//! Legacy query building: `legacy_query` (Standard and Enhanced) from cart
//! JSON, and `location_request` from free text.
//!
//! Input: one selector byte, then either a cart's JSON (even selector) or
//! `zip NUL city NUL country` (odd selector; city and country optional).
//! Invariants of every request built:
//! - `encoded` decodes back to `query`, pair by pair, and holds only
//!   unreserved characters, `%XX`, `=` and `&`;
//! - the path is absolute, has no query, fragment, space, or `.`/`..`
//!   segment (which would change the path TaxJar sees);
//! - v2 is never a GET; for a cart both dialects take, Enhanced's
//!   `amount` is Standard's `amount` plus `shipping`.
#![no_main]

use edgetax::cart::Cart;
use edgetax::legacy::{legacy_query, location_request, percent_decode, Dialect, LegacyRequest};
use edgetax_fuzz::check_error;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector % 2 == 0 {
        cart_queries(text);
    } else {
        let mut parts = text.split('\0');
        let zip = parts.next().unwrap_or_default();
        match location_request(zip, parts.next(), parts.next()) {
            Ok(request) => check_request(&request),
            Err(error) => check_error(&error),
        }
    }
});

fn cart_queries(text: &str) {
    let Ok(cart) = Cart::from_json(text) else {
        return;
    };
    assert!(legacy_query(&cart, Dialect::V2).is_err());
    let standard = legacy_query(&cart, Dialect::LegacyStandard);
    let enhanced = legacy_query(&cart, Dialect::LegacyEnhanced);
    for result in [&standard, &enhanced] {
        match result {
            Ok(request) => check_request(request),
            Err(error) => check_error(error),
        }
    }
    if let (Ok(standard), Ok(enhanced)) = (&standard, &enhanced) {
        let amount = param(enhanced, "amount");
        assert_eq!(
            amount,
            param(standard, "amount") + param(standard, "shipping"),
            "{standard:?}\n{enhanced:?}"
        );
        assert_eq!(param(enhanced, "shipping"), param(standard, "shipping"));
    }
}

fn param(request: &LegacyRequest, name: &str) -> Decimal {
    let (_, value) = request
        .query
        .iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no {name}: {request:?}"));
    Decimal::from_str_exact(value).unwrap_or_else(|_| panic!("{name}={value}"))
}

fn check_request(request: &LegacyRequest) {
    assert_eq!(request.method, "GET");
    let path = &request.path;
    assert!(path.starts_with('/'), "{path}");
    assert!(!path.contains(['?', '#', ' ', '\\']), "{path}");
    for segment in path.split('/').skip(1) {
        assert!(
            !segment.is_empty() && segment != "." && segment != "..",
            "path {path:?} has the segment {segment:?}"
        );
    }
    let encoded = &request.encoded;
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)),
        "{encoded}"
    );
    let pairs: Vec<(String, String)> = if encoded.is_empty() {
        Vec::new()
    } else {
        encoded
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').expect("every pair has '='");
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    };
    assert_eq!(pairs, request.query);
    let full = request.path_and_query();
    assert!(full.starts_with(path.as_str()));
}
