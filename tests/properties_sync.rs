//! Transaction amounts under random orders and refunds (proptest): the
//! lines plus shipping are `amount`, and the line taxes are `sales_tax`,
//! whatever the discounts, and for refunds with every sign flipped.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::sync::{order_transaction, refund_transaction, Order, Refund, TransactionOptions};
use edgetax::Money;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn money(cents: i64) -> String {
    Money::from_cents(cents).to_string()
}

fn dec(v: &Value) -> Decimal {
    // Bodies serialize money as JSON numbers; read them exactly.
    v.to_string()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {v}"))
}

/// Checks the two sums on a transaction body; `sign` is 1 or -1.
fn check_sums(body: &Value, sign: i64) -> Result<(), TestCaseError> {
    let mut lines = Decimal::ZERO;
    let mut taxes = Decimal::ZERO;
    for l in body["line_items"].as_array().into_iter().flatten() {
        let q = l.get("quantity").map_or(Decimal::ONE, dec);
        let up = dec(&l["unit_price"]);
        let d = l.get("discount").map_or(Decimal::ZERO, dec);
        prop_assert!(
            up * Decimal::from(sign) >= Decimal::ZERO,
            "unit_price sign {}",
            up
        );
        lines += q * up - d;
        taxes += dec(&l["sales_tax"]);
    }
    let amount = dec(&body["amount"]);
    let shipping = dec(&body["shipping"]);
    prop_assert_eq!(amount, (lines + shipping).round_dp(2), "amount of {}", body);
    prop_assert!(amount * Decimal::from(sign) >= Decimal::ZERO);
    if body["line_items"].is_array() {
        prop_assert_eq!(taxes, dec(&body["sales_tax"]), "line taxes of {}", body);
    }
    Ok(())
}

/// An order: lines of (quantity, unit price in cents, line discount in
/// percent of the line), an order discount in percent of what is left,
/// shipping, handling fee and sales tax in cents.
fn order_json(
    lines: &[(u32, i64, u32)],
    order_off: u32,
    shipping: i64,
    handling: i64,
    tax: i64,
) -> Value {
    let mut net = 0i64;
    let items: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, &(q, up, off))| {
            let gross = q as i64 * up;
            let d = gross * off as i64 / 100;
            net += gross - d;
            json!({"id": format!("{}", i + 1), "quantity": q, "unit_price": money(up), "discount": money(d)})
        })
        .collect();
    let mut order = json!({
        "id": "1001", "created_at": "2015/05/14", "status": "completed",
        "from_country": "US", "from_zip": "92093", "from_state": "CA",
        "to_country": "US", "to_zip": "90002", "to_state": "CA",
        "shipping": money(shipping), "sales_tax": money(tax),
        "order_discount": money(net * order_off as i64 / 100),
        "line_items": items,
    });
    if handling > 0 {
        order["handling_fee"] = json!(money(handling));
    }
    order
}

fn line_strategy() -> impl Strategy<Value = Vec<(u32, i64, u32)>> {
    prop::collection::vec((1u32..6, 1i64..50_000, 0u32..101), 1..9)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn orders_add_up(lines in line_strategy(), order_off in 0u32..101, shipping in 0i64..3000, handling in 0i64..1000, tax in 0i64..5000) {
        let o = Order::from_value(&order_json(&lines, order_off, shipping, handling, tax)).unwrap();
        let body = serde_json::to_value(order_transaction(&o, &TransactionOptions::default()).unwrap()).unwrap();
        check_sums(&body, 1)?;
        prop_assert_eq!(dec(&body["sales_tax"]), Decimal::new(tax, 2));
    }

    #[test]
    fn refunds_add_up(
        lines in line_strategy(), order_off in 0u32..101, shipping in 0i64..3000, tax in 0i64..5000,
        picks in prop::collection::vec((any::<prop::sample::Index>(), 1u32..6), 0..5),
        refund_shipping in any::<bool>(), amount_only in 0i64..10_000,
    ) {
        let order_value = order_json(&lines, order_off, shipping, 0, tax);
        let o = Order::from_value(&order_value).unwrap();
        let options = TransactionOptions::default();
        let order_body = serde_json::to_value(order_transaction(&o, &options).unwrap()).unwrap();

        // The whole order: every amount negated.
        let full = Refund::from_value(&json!({"id": "r1", "created_at": "2015/06/01"})).unwrap();
        let body = serde_json::to_value(refund_transaction(&full, &o, &options).unwrap()).unwrap();
        check_sums(&body, -1)?;
        prop_assert_eq!(dec(&body["amount"]), -dec(&order_body["amount"]));
        prop_assert_eq!(dec(&body["sales_tax"]), -dec(&order_body["sales_tax"]));

        // Some units of some lines, with or without shipping.
        let mut refunded: Vec<Value> = Vec::new();
        for (index, q) in &picks {
            let i = index.index(lines.len());
            let id = format!("{}", i + 1);
            if refunded.iter().any(|r| r["id"] == id) { continue; }
            refunded.push(json!({"id": id, "quantity": (*q).min(lines[i].0)}));
        }
        if !refunded.is_empty() {
            let mut r = json!({"id": "r2", "created_at": "2015/06/02", "line_items": refunded});
            if refund_shipping { r["shipping"] = json!(money(shipping)); }
            let partial = Refund::from_value(&r).unwrap();
            let body = serde_json::to_value(refund_transaction(&partial, &o, &options).unwrap()).unwrap();
            check_sums(&body, -1)?;
            prop_assert!(dec(&body["amount"]) >= -dec(&order_body["amount"]));
        }

        // An amount alone: no lines, that amount negated.
        let r = Refund::from_value(&json!({"id": "r3", "created_at": "2015/06/03", "amount": money(amount_only), "sales_tax": "0"})).unwrap();
        let body = serde_json::to_value(refund_transaction(&r, &o, &options).unwrap()).unwrap();
        prop_assert_eq!(dec(&body["amount"]), -Decimal::new(amount_only, 2));
        prop_assert!(body.get("line_items").is_none());
    }
}
