//! TaxJar answers (any bytes, any status) → `parse_body` / `applyTax`, and
//! the legacy dialects' `apply_legacy_body`; also every other v2 answer
//! type and the legacy lookups, parse only.
//!
//! Input: one selector byte, then `cart JSON NUL body`, or just the body
//! (the cart is then [`edgetax_fuzz::DEFAULT_CART`]). The selector's low
//! four bits pick the HTTP status, the high four what is done:
//!
//! | high bits | what |
//! | --- | --- |
//! | 0-9 | v2: `parse_body::<TaxResponse>` and the browser build's hand reader (`parse_answer` with `model::read::tax_response`), then `apply_tax` |
//! | 10, 11 | legacy Standard, Enhanced: `apply_legacy_body` |
//! | 12 | one of 13 other v2 answer types (low bits), status 200 |
//! | 13 | `parse_categories`, `parse_location` |
//! | 14, 15 | `ErrorBody::parse` and the error path of `parse_body` |
//!
//! No panic; errors keep the status and the code that goes with it; and
//! every estimate's line taxes plus shipping tax equal `amount_to_collect`.
#![no_main]

use edgetax::estimate::apply_tax;
use edgetax::legacy::{apply_legacy_body, parse_categories, parse_location, Dialect};
use edgetax::model::customers::{CustomerListResponse, CustomerResponse};
use edgetax::model::lookups::{
    AddressesResponse, CategoriesResponse, NexusRegionsResponse, RateResponse,
    SummaryRatesResponse, ValidationResponse, ViesResponse,
};
use edgetax::model::transactions::{
    OrderListResponse, OrderResponse, RefundListResponse, RefundResponse,
};
use edgetax::model::read::tax_response;
use edgetax::model::{parse_answer, parse_body, ErrorBody, TaxResponse};
use edgetax::validate::ValidCart;
use edgetax_fuzz::{check_estimate, check_upstream_error, split_nul, valid_cart};
use libfuzzer_sys::fuzz_target;

/// Statuses a TaxJar call can end with, the common ones more than once.
const STATUSES: [u16; 16] = [
    200, 200, 200, 200, 201, 203, 400, 401, 404, 422, 429, 500, 502, 503, 504, 999,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(selector & 15)];
    let (cart, body) = match split_nul(rest) {
        (cart, Some(body)) => (Some(cart), body),
        (body, None) => (None, body),
    };
    // A fetch's `text()` decodes the same way.
    let body = String::from_utf8_lossy(body);
    match selector >> 4 {
        0..=9 => {
            if let Some(cart) = valid_cart(cart) {
                v2(&cart, status, &body);
            }
        }
        10 | 11 => {
            if let Some(cart) = valid_cart(cart) {
                let dialect = if selector >> 4 == 10 {
                    Dialect::LegacyStandard
                } else {
                    Dialect::LegacyEnhanced
                };
                legacy(&cart, dialect, status, &body);
            }
        }
        12 => other_types(selector & 15, &body),
        13 => {
            check(parse_categories(status, &body), status);
            check(parse_location(status, &body), status);
        }
        _ => {
            let _ = ErrorBody::parse(&body);
            check(parse_body::<serde::de::IgnoredAny>(status, &body), status);
        }
    }
});

fn check<T>(result: edgetax::Result<T>, status: u16) {
    if let Err(error) = result {
        check_upstream_error(&error, status);
    }
}

fn v2(cart: &ValidCart, status: u16, body: &str) {
    // The browser build's reader: no panic, the same kinds of errors.
    match parse_answer(status, body, tax_response) {
        Ok(response) => {
            assert!((200..300).contains(&status));
            check_estimate(cart, &apply_tax(cart, &response));
        }
        Err(error) => check_upstream_error(&error, status),
    }
    match parse_body::<TaxResponse>(status, body) {
        Ok(response) => {
            assert!((200..300).contains(&status));
            check_estimate(cart, &apply_tax(cart, &response));
        }
        Err(error) => check_upstream_error(&error, status),
    }
}

fn legacy(cart: &ValidCart, dialect: Dialect, status: u16, body: &str) {
    match apply_legacy_body(cart, dialect, status, body, Some("299 - \"fuzz\"")) {
        Ok(estimate) => check_estimate(cart, &estimate),
        Err(error) => check_upstream_error(&error, status),
    }
}

fn other_types(which: u8, body: &str) {
    let status = 200;
    match which {
        0 => check(parse_body::<OrderResponse>(status, body), status),
        1 => check(parse_body::<RefundResponse>(status, body), status),
        2 => check(parse_body::<OrderListResponse>(status, body), status),
        3 => check(parse_body::<RefundListResponse>(status, body), status),
        4 => check(parse_body::<CustomerResponse>(status, body), status),
        5 => check(parse_body::<CustomerListResponse>(status, body), status),
        6 => check(parse_body::<NexusRegionsResponse>(status, body), status),
        7 => check(parse_body::<RateResponse>(status, body), status),
        8 => check(parse_body::<SummaryRatesResponse>(status, body), status),
        9 => check(parse_body::<CategoriesResponse>(status, body), status),
        10 => check(parse_body::<AddressesResponse>(status, body), status),
        11 => check(parse_body::<ValidationResponse>(status, body), status),
        _ => check(parse_body::<ViesResponse>(status, body), status),
    }
}
