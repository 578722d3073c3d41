//! Transaction Sync: `refundTransaction`, rule by rule.
#![cfg(not(target_arch = "wasm32"))]

mod sync_common;

use edgetax::sync::lines::check_amount;
use edgetax::sync::{TransactionOptions, AMOUNT_MISMATCH, EXEMPT_WITH_TAX};
use edgetax::Code;
use serde_json::json;
use sync_common::*;

// ---- refunds ---------------------------------------------------------------

#[test]
fn a_full_refund_is_the_order_negated() {
    let b = refund(
        json!({"id": "1001", "created_at": "2015/06/01"}),
        base(json!({})),
        Default::default(),
    )
    .unwrap();
    assert_eq!(b["transaction_id"], "1001-refund");
    assert_eq!(b["transaction_reference_id"], "1001");
    assert_eq!(b["transaction_date"], "2015/06/01");
    assert_eq!(
        (
            b["amount"].clone(),
            b["shipping"].clone(),
            b["sales_tax"].clone()
        ),
        (json!(-20), json!(-5), json!(-1.35))
    );
    assert_eq!(lines(&b, "unit_price"), [json!(-10), json!(-5)]);
    assert_eq!(lines(&b, "sales_tax"), [json!(-0.9), json!(-0.45)]);
    assert_eq!(lines(&b, "quantity"), [json!(1), json!(1)]);
    check_amount(&serde_json::from_value(b).unwrap()).unwrap();
}

#[test]
fn refund_suffix_is_an_option() {
    let opts = TransactionOptions {
        refund_suffix: Some("_r".into()),
        ..Default::default()
    };
    let b = refund(
        json!({"id": "#9", "created_at": "2015/06/01"}),
        base(json!({})),
        opts,
    )
    .unwrap();
    assert_eq!(b["transaction_id"], "9_r");
    let bad = TransactionOptions {
        refund_suffix: Some("/r".into()),
        ..Default::default()
    };
    let err = refund(
        json!({"id": "9", "created_at": "2015/06/01"}),
        base(json!({})),
        bad,
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("refundSuffix"));
    let err = refund(json!({"id": "9"}), base(json!({})), Default::default()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("created_at"));
}

#[test]
fn a_partial_refund_carries_only_the_refunded_lines() {
    let o = base(
        json!({"order_discount": 10, "sales_tax": 0.9, "line_items": [
            {"id": "1", "quantity": 2, "unit_price": 5, "description": "Socks"},
            {"id": "2", "quantity": 1, "unit_price": 10}
        ]}),
    );
    // One of two socks: half the line's discount (2.50) and tax (0.225 → 0.23).
    let b = refund(
        json!({"id": "r1", "created_at": "2015/06/01", "line_items": [{"id": "1", "quantity": 1}]}),
        o.clone(),
        Default::default(),
    )
    .unwrap();
    assert_eq!(b["line_items"].as_array().unwrap().len(), 1);
    let line = &b["line_items"][0];
    assert_eq!(
        (
            line["unit_price"].clone(),
            line["discount"].clone(),
            line["sales_tax"].clone()
        ),
        (json!(-5), json!(-2.5), json!(-0.23))
    );
    assert_eq!(line["description"], "Socks");
    assert_eq!(
        (
            b["amount"].clone(),
            b["shipping"].clone(),
            b["sales_tax"].clone()
        ),
        (json!(-2.5), json!(0), json!(-0.23))
    );
    // With the refund's own tax and shipping, the tax is split over its lines.
    let b = refund(
        json!({"id": "r2", "created_at": "2015/06/02", "shipping": 5, "sales_tax": 0.45,
        "line_items": [{"id": "2"}]}),
        o.clone(),
        Default::default(),
    )
    .unwrap();
    assert_eq!(
        (b["amount"].clone(), b["sales_tax"].clone()),
        (json!(-10), json!(-0.45))
    );
    assert_eq!(b["line_items"][0]["sales_tax"], json!(-0.45));
    // Too many units, unknown lines and a wrong amount are refused.
    let err = refund(
        json!({"id": "r3", "created_at": "2015/06/02", "line_items": [{"id": "2", "quantity": 2}]}),
        o.clone(),
        Default::default(),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidQuantity, Some("line_items[0].quantity"))
    );
    let err = refund(
        json!({"id": "r3", "created_at": "2015/06/02", "line_items": [{"id": "9"}]}),
        o.clone(),
        Default::default(),
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("line_items[0].id"));
    let err = refund(json!({"id": "r3", "created_at": "2015/06/02", "amount": 3, "line_items": [{"id": "1", "quantity": 1}]}),
        o, Default::default()).unwrap_err();
    assert_eq!(err.code, AMOUNT_MISMATCH);
}

#[test]
fn an_amount_only_refund_has_no_lines() {
    let b = refund(
        json!({"id": "r1", "created_at": "2015/06/01", "amount": 5, "sales_tax": 0.3}),
        base(json!({})),
        Default::default(),
    )
    .unwrap();
    assert_eq!(
        (
            b["amount"].clone(),
            b["sales_tax"].clone(),
            b.get("line_items")
        ),
        (json!(-5), json!(-0.3), None)
    );
    let err = refund(
        json!({"id": "r1", "created_at": "2015/06/01", "amount": 5}),
        base(json!({})),
        Default::default(),
    )
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("sales_tax"));
}

#[test]
fn several_refunds_per_order() {
    let o = base(json!({}));
    let a = refund(
        json!({"id": "r1", "created_at": "2015/06/01", "line_items": [{"id": "1"}]}),
        o.clone(),
        Default::default(),
    )
    .unwrap();
    let b = refund(
        json!({"id": "r2", "created_at": "2015/06/02", "line_items": [{"id": "2"}]}),
        o,
        Default::default(),
    )
    .unwrap();
    assert_ne!(a["transaction_id"], b["transaction_id"]);
    assert_eq!(a["transaction_reference_id"], b["transaction_reference_id"]);
    assert_eq!(
        (a["amount"].clone(), b["amount"].clone()),
        (json!(-10), json!(-5))
    );
}

#[test]
fn exempt_refunds_carry_no_tax() {
    let o = base(json!({"exemption_type": "wholesale", "sales_tax": 0}));
    let err = refund(
        json!({"id": "r", "created_at": "2015/06/01", "amount": 5, "sales_tax": 1}),
        o,
        Default::default(),
    )
    .unwrap_err();
    assert_eq!(err.code, EXEMPT_WITH_TAX);
}
