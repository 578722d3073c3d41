//! Helpers shared by the Transaction Sync test files.
#![allow(dead_code)]

use edgetax::sync::{order_transaction, refund_transaction, Order, Refund, TransactionOptions};
use serde_json::{json, Value};

pub const ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/taxjar-docs"
);

pub fn order(value: Value) -> Order {
    Order::from_value(&value).unwrap()
}

/// A shipped order to Los Angeles; `extra` fields replace the defaults.
pub fn base(extra: Value) -> Value {
    let mut order = json!({
        "id": "1001",
        "created_at": "2015/05/14",
        "status": "completed",
        "from_country": "US", "from_zip": "92093", "from_state": "CA",
        "from_city": "La Jolla", "from_street": "9500 Gilman Drive",
        "to_country": "US", "to_zip": "90002", "to_state": "CA",
        "to_city": "Los Angeles", "to_street": "123 Palm Grove Ln",
        "shipping": 5,
        "sales_tax": 1.35,
        "line_items": [
            {"id": "1", "quantity": 1, "unit_price": 10},
            {"id": "2", "quantity": 1, "unit_price": 5}
        ]
    });
    for (k, v) in extra.as_object().unwrap() {
        order[k] = v.clone();
    }
    order
}

pub fn body(value: Value) -> Value {
    let t = order_transaction(&order(value), &TransactionOptions::default()).unwrap();
    serde_json::to_value(t).unwrap()
}

pub fn error(value: Value) -> edgetax::Error {
    order_transaction(&order(value), &TransactionOptions::default()).unwrap_err()
}

pub fn lines(body: &Value, key: &str) -> Vec<Value> {
    body["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[key].clone())
        .collect()
}

pub fn refund(
    value: Value,
    order_value: Value,
    options: TransactionOptions,
) -> edgetax::Result<Value> {
    let r = Refund::from_value(&value)?;
    let t = refund_transaction(&r, &order(order_value), &options)?;
    Ok(serde_json::to_value(t).unwrap())
}
