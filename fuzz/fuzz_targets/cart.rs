//! Cart JSON → `validateCart`, the order-discount split, `taxRequest` and
//! `cartKey` (the core functions behind those exports).
//!
//! Input: the cart's JSON text. Invariants when the cart is valid:
//! - `validateCart` is empty exactly when `ValidCart::new` succeeds, and its
//!   first problem is the one `ValidCart::new` reports;
//! - the order discount's shares sum to it exactly, and no line is
//!   discounted below zero or above its amount;
//! - the request's `amount` is the lines after discounts (or the cart's
//!   `amount`), and the request, read back as a cart, has the same key;
//! - the key is the same after reformatting the JSON, and after reversing
//!   the line items and nexus addresses when every line has its own id.
#![no_main]

use edgetax::cart::Cart;
use edgetax::key::cart_key;
use edgetax::request::{tax_request, RequestOptions};
use edgetax::split::line_discounts;
use edgetax::validate::{validate_cart, ValidCart};
use edgetax::Money;
use edgetax_fuzz::check_error;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let cart = match Cart::from_json(text) {
        Ok(cart) => cart,
        Err(error) => return check_error(&error),
    };
    let problems = validate_cart(&cart);
    let valid = match ValidCart::new(&cart) {
        Ok(valid) => valid,
        Err(error) => {
            assert_eq!(problems.first(), Some(&error));
            for problem in &problems {
                check_error(problem);
                assert!(problem.field.is_some(), "no field: {problem:?}");
            }
            return;
        }
    };
    assert!(problems.is_empty(), "{problems:?}");
    check_split(&valid);
    let key = cart_key(&valid);
    assert!(key.starts_with("et1_") && key.len() == 36, "{key}");
    check_request(&valid, &key);
    check_key_stability(text, &key);
});

fn check_split(valid: &ValidCart) {
    let discounts = line_discounts(valid);
    assert_eq!(discounts.len(), valid.lines.len());
    let mut shared = Money::ZERO;
    for (line, total) in valid.lines.iter().zip(&discounts) {
        assert!(*total >= line.discount, "{line:?}: {total}");
        assert!(*total <= line.gross, "{line:?}: {total}");
        assert_eq!(*total, total.round_cents());
        if !line.discountable {
            assert_eq!(*total, line.discount, "{line:?}");
        }
        shared += *total - line.discount;
    }
    assert_eq!(shared, valid.order_discount, "{valid:?}");
}

fn check_request(valid: &ValidCart, key: &str) {
    let request = tax_request(valid, &RequestOptions::default());
    let discounts = line_discounts(valid);
    let items: Money = valid
        .lines
        .iter()
        .zip(&discounts)
        .map(|(l, d)| l.gross - *d)
        .sum();
    let amount = valid.amount.unwrap_or(items);
    assert_eq!(request.amount, Some(amount.value()));
    assert_eq!(request.shipping, Some(valid.shipping.value()));
    let body = serde_json::to_string(&request).expect("a request serializes");
    // The body is a cart in TaxJar's vocabulary, with every discount on
    // its line: read back, it must stand for the same tax question.
    let again = Cart::from_json(&body).expect("the request reads as a cart");
    let again = ValidCart::new(&again)
        .unwrap_or_else(|e| panic!("the request is not a valid cart: {e:?}\n{body}"));
    assert_eq!(
        cart_key(&again),
        key,
        "the request changed the key:\n{body}"
    );
}

fn check_key_stability(text: &str, key: &str) {
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        unreachable!("Cart::from_json read it")
    };
    let key_of = |value: &Value| {
        let text = serde_json::to_string_pretty(value).expect("a value serializes");
        let cart = Cart::from_json(&text).expect("reformatted cart reads");
        cart_key(&ValidCart::new(&cart).expect("reformatted cart is valid"))
    };
    assert_eq!(key_of(&value), key, "reformatting changed the key");
    let own_ids = |items: &Vec<Value>| {
        items.iter().all(|item| match item.get("id") {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Number(n)) => n.is_i64() || n.is_u64(),
            _ => false,
        })
    };
    let mut reordered = false;
    if let Some(Value::Array(items)) = value.get_mut("line_items") {
        if items.len() > 1 && own_ids(items) {
            items.reverse();
            reordered = true;
        }
    }
    if let Some(Value::Array(nexus)) = value.get_mut("nexus_addresses") {
        if nexus.len() > 1 {
            nexus.reverse();
            reordered = true;
        }
    }
    if reordered {
        assert_eq!(key_of(&value), key, "reordering changed the key");
    }
}
