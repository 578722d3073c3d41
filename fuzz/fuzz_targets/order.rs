//! Platform orders and refunds → `orderTransaction` / `refundTransaction`
//! (also `shouldSync`, `payloadHash` and `exportCsv` on what they build).
//!
//! Input: `order JSON`, or `order JSON NUL refund JSON`. Invariants of
//! every body built:
//! - `amount` is Σ(quantity × unit_price − discount) + shipping, to the
//!   cent (the `x-api-version: 2020-08-07` rule), whenever it has lines;
//! - an order's money is at least zero and a refund's at most zero, and
//!   quantities are above zero;
//! - when the platform gave no line tax, the line taxes sum to the
//!   order's `sales_tax`;
//! - `transaction_id` keeps only `[A-Za-z0-9_-]`; the body hashes and
//!   exports as CSV.
#![no_main]

use edgetax::model::transactions::TransactionRequest;
use edgetax::money::round_dp;
use edgetax::sync::transaction::order_transaction_id;
use edgetax::sync::{
    export_csv, order_transaction, payload_hash, refund_transaction, should_sync, Order, Refund,
    SyncSettings, TransactionOptions,
};
use edgetax_fuzz::{check_error, split_nul};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|data: &[u8]| {
    let (order, refund) = split_nul(data);
    let Ok(order) = std::str::from_utf8(order) else {
        return;
    };
    let order = match Order::from_json(order) {
        Ok(order) => order,
        Err(error) => return check_error(&error),
    };
    let _ = should_sync(&order, &SyncSettings::default());
    let options = TransactionOptions::default();
    match order_transaction(&order, &options) {
        Ok(body) => {
            check_body(&body, Decimal::ONE);
            if order.lines.iter().all(|l| l.sales_tax.is_none()) {
                let lines: Decimal = body
                    .line_items
                    .iter()
                    .flatten()
                    .map(|l| l.sales_tax.unwrap_or_default())
                    .sum();
                assert_eq!(Some(lines), body.sales_tax, "line taxes: {body:?}");
            }
        }
        Err(error) => check_error(&error),
    }
    let Some(Ok(refund)) = refund.map(std::str::from_utf8) else {
        return;
    };
    let refund = match Refund::from_json(refund) {
        Ok(refund) => refund,
        Err(error) => return check_error(&error),
    };
    match refund_transaction(&refund, &order, &options) {
        Ok(body) => {
            let order_id = order_transaction_id(&order).expect("a refunded order has an id");
            assert_eq!(body.transaction_reference_id, Some(order_id));
            check_body(&body, Decimal::NEGATIVE_ONE);
        }
        Err(error) => check_error(&error),
    }
});

/// `sign` is 1 for orders, −1 for refunds.
fn check_body(body: &TransactionRequest, sign: Decimal) {
    assert!(!body.transaction_id.is_empty());
    assert!(
        body.transaction_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
        "{}",
        body.transaction_id
    );
    let signed_ok = |v: Option<Decimal>| v.is_none_or(|v| v * sign >= Decimal::ZERO);
    assert!(signed_ok(body.amount), "amount sign: {body:?}");
    assert!(signed_ok(body.shipping), "shipping sign: {body:?}");
    assert!(signed_ok(body.sales_tax), "sales_tax sign: {body:?}");
    let items = body.line_items.as_deref().unwrap_or_default();
    for line in items {
        assert!(line.quantity.is_some_and(|q| q > Decimal::ZERO), "{line:?}");
        assert!(signed_ok(line.unit_price), "unit_price sign: {line:?}");
        assert!(signed_ok(line.discount), "discount sign: {line:?}");
        assert!(signed_ok(line.sales_tax), "sales_tax sign: {line:?}");
    }
    if !items.is_empty() {
        let lines: Decimal = items
            .iter()
            .map(|l| {
                l.quantity.unwrap_or(Decimal::ONE) * l.unit_price.unwrap_or_default()
                    - l.discount.unwrap_or_default()
            })
            .sum();
        let expected = round_dp(lines + body.shipping.unwrap_or_default(), 2);
        assert_eq!(
            body.amount.map(|a| round_dp(a, 2)),
            Some(expected),
            "lines + shipping != amount: {body:?}"
        );
    }
    let value = serde_json::to_value(body).expect("a body serializes");
    assert_eq!(payload_hash(&value).len(), 64);
    let csv = export_csv(std::slice::from_ref(body));
    assert!(csv.ends_with("\r\n"));
}
