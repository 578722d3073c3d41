//! Transaction Sync: the guide's examples to the cent, one test per rule of
//! `orderTransaction`, `refundTransaction`, `shouldSync`,
//! `customerRequest`, the sync engine, backfill and the CSV export, and
//! TaxJar's documented create requests reproduced from platform orders.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::model::transactions::TransactionRequest;
use edgetax::sync::backfill::{plan_backfill, BackfillAction, BackfillRange};
use edgetax::sync::engine::{
    delete_hash, next, plan_delete, plan_upsert, Action, Payload, Plan, Resource, SyncRecord,
};
use edgetax::sync::lines::check_amount;
use edgetax::sync::log::{LogEntry, REDACTED};
use edgetax::sync::rules::{should_sync_place, Reason};
use edgetax::sync::{
    customer_request, export_csv, order_transaction, payload_hash, refund_transaction, should_sync,
    Order, Refund, SyncSettings, TransactionOptions, AMOUNT_MISMATCH, EXEMPT_WITH_TAX,
};
use edgetax::Code;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/taxjar-docs"
);

fn order(value: Value) -> Order {
    Order::from_value(&value).unwrap()
}

/// A shipped order to Los Angeles; `extra` fields replace the defaults.
fn base(extra: Value) -> Value {
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

fn body(value: Value) -> Value {
    let t = order_transaction(&order(value), &TransactionOptions::default()).unwrap();
    serde_json::to_value(t).unwrap()
}

fn error(value: Value) -> edgetax::Error {
    order_transaction(&order(value), &TransactionOptions::default()).unwrap_err()
}

fn lines(body: &Value, key: &str) -> Vec<Value> {
    body["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[key].clone())
        .collect()
}

// ---- the guide's examples -------------------------------------------------

#[test]
fn guide_one_dollar_per_unit_discount_is_three_on_quantity_three() {
    let b = body(base(json!({"sales_tax": 0.95, "line_items": [
        {"quantity": 3, "product_identifier": "12-34234-9", "description": "Fuzzy Widget",
         "unit_price": 5, "unit_discount": 1, "sales_tax": 0.95}
    ]})));
    assert_eq!(b["line_items"][0]["discount"], json!(3));
    assert_eq!(b["line_items"][0]["quantity"], json!(3));
    assert_eq!(b["amount"], json!(17)); // 15 − 3 + 5 shipping
                                        // The same as a line total.
    let b2 = body(base(json!({"sales_tax": 0.95, "line_items": [
        {"quantity": 3, "product_identifier": "12-34234-9", "description": "Fuzzy Widget",
         "unit_price": 5, "discount": 3, "sales_tax": 0.95}
    ]})));
    assert_eq!(b, b2);
}

#[test]
fn guide_fifty_percent_discount_is_five_and_five() {
    let b = body(base(
        json!({"order_discount": 10, "sales_tax": 0.9, "line_items": [
            {"id": "1", "quantity": 2, "unit_price": 5},
            {"id": "2", "quantity": 1, "unit_price": 10}
        ]}),
    ));
    assert_eq!(lines(&b, "discount"), [json!(5), json!(5)]);
    assert_eq!(lines(&b, "sales_tax"), [json!(0.45), json!(0.45)]);
    assert_eq!(b["amount"], json!(15));
}

#[test]
fn guide_tax_of_1_35_is_0_90_and_0_45() {
    let b = body(base(json!({})));
    assert_eq!(lines(&b, "sales_tax"), [json!(0.9), json!(0.45)]);
    assert_eq!(b["amount"], json!(20));
    assert_eq!(b["shipping"], json!(5));
    assert_eq!(b["sales_tax"], json!(1.35));
}

// ---- orderTransaction, rule by rule ---------------------------------------

#[test]
fn transaction_id_keeps_letters_digits_underscore_dash() {
    assert_eq!(
        body(base(json!({"id": "#10/01 a_b-c"})))["transaction_id"],
        "1001a_b-c"
    );
    assert_eq!(body(base(json!({"id": 42})))["transaction_id"], "42");
    let err = error(base(json!({"id": "###"})));
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidValue, Some("id"))
    );
}

#[test]
fn transaction_date_comes_from_created_at() {
    let b = body(base(json!({"created_at": "2015-05-14T10:00:00Z"})));
    assert_eq!(b["transaction_date"], "2015-05-14T10:00:00Z");
    let b = body(base(json!({"transaction_date": "2015/05/15"})));
    assert_eq!(b["transaction_date"], "2015/05/15");
    let mut o = base(json!({}));
    o.as_object_mut().unwrap().remove("created_at");
    assert_eq!(error(o).field.as_deref(), Some("created_at"));
    assert_eq!(
        error(base(json!({"created_at": "14/05/2015"}))).code,
        Code::InvalidValue
    );
}

#[test]
fn amount_includes_shipping_and_excludes_tax() {
    let b = body(base(json!({"shipping": 7.5, "sales_tax": 3})));
    assert_eq!(b["amount"], json!(22.5));
    // Fractional prices: Σ(quantity × unit_price) rounded once.
    let b = body(base(json!({"shipping": 0, "sales_tax": 0, "line_items": [
        {"id": "a", "quantity": 3, "unit_price": "0.333"}
    ]})));
    assert_eq!(b["amount"], json!(1));
    check_amount(&serde_json::from_value(b).unwrap()).unwrap();
}

#[test]
fn sales_tax_is_required() {
    let mut o = base(json!({}));
    o.as_object_mut().unwrap().remove("sales_tax");
    let err = error(o);
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::MissingField, Some("sales_tax"))
    );
    let err = Order::from_value(&base(json!({"sales_tax": -1}))).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidAmount, Some("sales_tax"))
    );
}

#[test]
fn given_line_taxes_are_used() {
    let b = body(base(json!({"sales_tax": 1.35, "line_items": [
        {"id": "1", "unit_price": 10, "sales_tax": 1.0},
        {"id": "2", "unit_price": 5, "sales_tax": 0.35}
    ]})));
    assert_eq!(lines(&b, "sales_tax"), [json!(1), json!(0.35)]);
}

#[test]
fn split_tax_is_reconciled_to_the_cent() {
    let b = body(base(json!({"sales_tax": 0.10, "line_items": [
        {"id": "a", "unit_price": 1}, {"id": "b", "unit_price": 1}, {"id": "c", "unit_price": 1}
    ]})));
    assert_eq!(
        lines(&b, "sales_tax"),
        [json!(0.04), json!(0.03), json!(0.03)]
    );
    // Only taxable lines take tax: an exempt code and `taxable: false`.
    let b = body(base(json!({"sales_tax": 0.8, "line_items": [
        {"id": "a", "unit_price": 10},
        {"id": "b", "unit_price": 10, "product_tax_code": "99999"},
        {"id": "c", "unit_price": 10, "taxable": false}
    ]})));
    assert_eq!(lines(&b, "sales_tax"), [json!(0.8), json!(0), json!(0)]);
    // Given values count first; the rest is split over the others.
    let err = error(base(json!({"sales_tax": 1, "line_items": [
        {"id": "a", "unit_price": 10, "sales_tax": 2}, {"id": "b", "unit_price": 10}
    ]})));
    assert_eq!(err.field.as_deref(), Some("line_items"));
}

#[test]
fn order_discount_is_split_like_the_core() {
    // Room 18.99 and 9.95: $10 → 6.56 + own 1 = 7.56, and 3.44.
    let b = body(base(
        json!({"order_discount": "10", "sales_tax": 0, "line_items": [
            {"id": "1", "unit_price": 19.99, "discount": 1}, {"id": "2", "unit_price": 9.95}
        ]}),
    ));
    assert_eq!(lines(&b, "discount"), [json!(7.56), json!(3.44)]);
    let even = body(base(
        json!({"order_discount": 30, "discount_split": "even", "sales_tax": 0,
        "line_items": [{"id": "a", "unit_price": 5}, {"id": "b", "unit_price": 20}, {"id": "c", "unit_price": 20}]}),
    ));
    assert_eq!(
        lines(&even, "discount"),
        [json!(5), json!(12.5), json!(12.5)]
    );
    assert_eq!(
        error(base(json!({"order_discount": 100}))).code,
        Code::DiscountExceedsAmount
    );
}

#[test]
fn a_gift_card_is_never_a_discount() {
    let with = body(base(json!({"gift_card_amount": 10})));
    assert_eq!(with, body(base(json!({}))));
    assert!(with["line_items"][0].get("discount").is_none());
}

#[test]
fn shipping_discount_is_deducted_from_shipping() {
    let b = body(base(json!({"shipping": 5, "shipping_discount": 2})));
    assert_eq!(
        (b["shipping"].clone(), b["amount"].clone()),
        (json!(3), json!(18))
    );
    let free = body(base(json!({"shipping": 5, "shipping_discount": 5})));
    assert_eq!(free["shipping"], json!(0));
}

#[test]
fn a_handling_fee_is_a_handling_fee_line() {
    let b = body(base(json!({"handling_fee": 3.5, "sales_tax": 1.85})));
    let fee = &b["line_items"][2];
    assert_eq!(fee["description"], "Handling Fee");
    assert_eq!(
        (fee["unit_price"].clone(), fee["quantity"].clone()),
        (json!(3.5), json!(1))
    );
    assert_eq!(b["amount"], json!(23.5));
    let taxes: Vec<Value> = lines(&b, "sales_tax");
    assert_eq!(taxes, [json!(1), json!(0.5), json!(0.35)]);
}

#[test]
fn line_amounts_plus_shipping_must_equal_amount() {
    // The order's own amount is checked against the lines.
    assert_eq!(body(base(json!({"amount": 20})))["amount"], json!(20));
    let err = error(base(json!({"amount": 30})));
    assert_eq!(
        (err.code, err.field.as_deref()),
        (AMOUNT_MISMATCH, Some("amount"))
    );
    assert_eq!(err.code.as_str(), "amount_mismatch");
    // And every body is checked before it is handed out.
    let mut t: TransactionRequest = serde_json::from_value(body(base(json!({})))).unwrap();
    assert!(check_amount(&t).is_ok());
    t.shipping = Some(Decimal::ONE);
    assert!(check_amount(&t).is_err());
}

#[test]
fn description_is_at_most_255_characters() {
    let long = "x".repeat(300);
    let b = body(base(
        json!({"line_items": [{"id": "1", "unit_price": 15, "description": long}]}),
    ));
    assert_eq!(
        b["line_items"][0]["description"].as_str().unwrap().len(),
        255
    );
}

#[test]
fn providers_and_marketplace_exemption() {
    let b = body(base(json!({"provider": "Amazon", "marketplace": true})));
    assert_eq!(
        (b["provider"].clone(), b.get("exemption_type")),
        (json!("amazon"), None)
    );
    for p in ["ebay", "etsy", "facebook", "walmart"] {
        assert_eq!(body(base(json!({"provider": p})))["provider"], p);
    }
    let b = body(base(json!({"provider": "shopee", "marketplace": true})));
    assert_eq!(
        (b["provider"].clone(), b["exemption_type"].clone()),
        (json!("shopee"), json!("marketplace"))
    );
    // The default provider is api: TaxJar's own default, so not sent.
    assert!(body(base(json!({}))).get("provider").is_none());
    assert!(body(base(json!({"provider": "api"})))
        .get("provider")
        .is_none());
    assert_eq!(body(base(json!({"provider": "pos"})))["provider"], "pos");
}

#[test]
fn exempt_orders_carry_no_tax() {
    for kind in ["wholesale", "government", "other"] {
        let err = error(base(json!({"exemption_type": kind})));
        assert_eq!(
            (err.code, err.field.as_deref()),
            (EXEMPT_WITH_TAX, Some("sales_tax"))
        );
        assert_eq!(err.code.as_str(), "exempt_with_tax");
        let b = body(base(json!({"exemption_type": kind, "sales_tax": 0})));
        assert_eq!(b["exemption_type"], kind);
        assert_eq!(lines(&b, "sales_tax"), [json!(0), json!(0)]);
    }
    let err = error(base(
        json!({"exemption_type": "wholesale", "sales_tax": 0, "line_items": [
            {"id": "1", "unit_price": 10, "sales_tax": 0.5}
        ]}),
    ));
    assert_eq!(err.field.as_deref(), Some("line_items[0].sales_tax"));
    assert!(order_transaction(
        &order(base(json!({"exemption_type": "non_exempt"}))),
        &Default::default()
    )
    .is_ok());
    assert_eq!(
        error(base(json!({"exemption_type": "resale"}))).code,
        Code::InvalidExemptionType
    );
}

#[test]
fn only_usd_and_valid_addresses_build() {
    assert_eq!(
        error(base(json!({"currency": "EUR"}))).field.as_deref(),
        Some("currency")
    );
    assert_eq!(error(base(json!({"to_zip": "123"}))).code, Code::InvalidZip);
    assert_eq!(
        error(base(json!({"line_items": []}))).field.as_deref(),
        Some("line_items")
    );
    let b = body(base(json!({"customer_id": 123, "currency": "usd"})));
    assert_eq!(b["customer_id"], "123");
}

// ---- refunds ---------------------------------------------------------------

fn refund(value: Value, order_value: Value, options: TransactionOptions) -> edgetax::Result<Value> {
    let r = Refund::from_value(&value)?;
    let t = refund_transaction(&r, &order(order_value), &options)?;
    Ok(serde_json::to_value(t).unwrap())
}

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

// ---- TaxJar's documented requests ------------------------------------------

fn documented(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/transactions/{name}.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["request"].clone()
}

fn docs_order() -> Value {
    json!({
        "id": 123, "created_at": "2015/05/14", "status": "completed", "currency": "USD",
        "to_street": "123 Palm Grove Ln", "to_city": "Los Angeles", "to_state": "CA",
        "to_zip": "90002", "to_country": "US",
        "shipping": "1.50", "sales_tax": "0.95",
        "line_items": [{"quantity": 1, "product_identifier": "12-34234-9",
            "description": "Fuzzy Widget", "unit_price": "15.00", "sales_tax": "0.95"}]
    })
}

#[test]
fn documented_create_an_order_is_reproduced() {
    assert_eq!(
        body(docs_order()),
        documented("create-an-order-transaction")
    );
}

#[test]
fn documented_create_a_refund_is_reproduced() {
    let opts = TransactionOptions {
        refund_suffix: Some(String::new()),
        ..Default::default()
    };
    let b = refund(
        json!({"id": "321", "created_at": "2015/05/14"}),
        docs_order(),
        opts,
    )
    .unwrap();
    assert_eq!(b, documented("create-a-refund-transaction"));
}

// ---- shouldSync ----------------------------------------------------------------

fn decision(extra: Value, settings: &SyncSettings) -> (bool, Reason) {
    let d = should_sync(&order(base(extra)), settings);
    (d.sync, d.reason)
}

#[test]
fn should_sync_by_status_destination_currency_and_address() {
    let s = SyncSettings::default();
    for status in ["completed", "shipped", "paid", "closed", "Completed"] {
        assert_eq!(
            decision(json!({"status": status}), &s),
            (true, Reason::Ready)
        );
    }
    assert_eq!(
        decision(json!({"status": "pending"}), &s),
        (false, Reason::Status)
    );
    assert_eq!(
        decision(json!({"status": null}), &s),
        (false, Reason::Status)
    );
    assert_eq!(
        decision(json!({"status": "cancelled"}), &s),
        (false, Reason::Cancelled)
    );
    assert_eq!(
        decision(
            json!({"to_country": "CA", "to_zip": "V5K 0A1", "to_state": "BC"}),
            &s
        ),
        (false, Reason::NotUs)
    );
    assert_eq!(
        decision(json!({"currency": "CAD"}), &s),
        (false, Reason::Currency)
    );
    assert_eq!(
        decision(json!({"to_zip": null}), &s),
        (false, Reason::IncompleteAddress)
    );
    assert_eq!(
        decision(json!({"to_state": "ZZ"}), &s),
        (false, Reason::IncompleteAddress)
    );
    let custom = SyncSettings {
        statuses: vec!["complete".into()],
        ..SyncSettings::default()
    };
    assert_eq!(
        decision(json!({"status": "complete"}), &custom),
        (true, Reason::Ready)
    );
    assert_eq!(
        decision(json!({"status": "completed"}), &custom),
        (false, Reason::Status)
    );
    let off = SyncSettings {
        enabled: false,
        ..SyncSettings::default()
    };
    assert_eq!(decision(json!({}), &off), (false, Reason::Disabled));
    assert!(should_sync_place(&order(base(json!({"status": "refunded"})))).sync);
    let json = serde_json::to_value(should_sync(&order(base(json!({}))), &s)).unwrap();
    assert_eq!(json, json!({"sync": true, "reason": "ready"}));
}

// ---- customers -------------------------------------------------------------------

#[test]
fn customer_requests_validate_with_clear_errors() {
    let c = customer_request(&json!({"customer_id": "123", "exemption_type": "wholesale", "name": "Dunder Mifflin",
        "exempt_regions": [{"country": "US", "state": "FL"}, {"country": "US", "state": "PA"}],
        "country": "US", "state": "PA", "zip": "18504", "city": "Scranton", "street": "1725 Slough Avenue"})).unwrap();
    assert_eq!(
        serde_json::to_value(&c).unwrap()["exempt_regions"][1],
        json!({"country": "US", "state": "PA"})
    );
    let err = customer_request(&json!({"customer_id": "1", "exemption_type": "wholesale",
        "exempt_regions": [{"country": "US", "state": "FL"}, {"country": "us", "state": "fl"}]}))
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidValue, Some("exempt_regions[1]"))
    );
    let err = customer_request(&json!({"customer_id": "1", "exemption_type": "non_exempt",
        "exempt_regions": [{"country": "US", "state": "FL"}]}))
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("exempt_regions"));
    let err = customer_request(
        &json!({"customer_id": "1", "exemption_type": "wholesale", "exempt_regions": "FL"}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidType, Some("exempt_regions"))
    );
    let err = customer_request(&json!({"customer_id": "1"})).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::MissingField, Some("exemption_type"))
    );
    let err = customer_request(
        &json!({"customer_id": "1", "exemption_type": "other", "country": "US", "zip": "1"}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidZip, Some("zip"))
    );
    let err =
        customer_request(&json!({"customer_id": "1", "exemption_type": "other", "country": "USA"}))
            .unwrap_err();
    assert_eq!(err.code, Code::InvalidCountry);
}

// ---- the engine --------------------------------------------------------------------

fn order_payload() -> Payload {
    Payload::Order(order_transaction(&order(base(json!({}))), &Default::default()).unwrap())
}

fn send(plan: Plan) -> edgetax::sync::engine::Attempt {
    match plan {
        Plan::Send(a) => *a,
        Plan::Skip(o) => panic!("skipped: {o:?}"),
    }
}

#[test]
fn create_then_422_falls_back_to_put_once() {
    let a = send(plan_upsert(order_payload(), None).unwrap());
    assert_eq!(
        (a.action, a.request.method, a.request.path.as_str()),
        (Action::Create, "POST", "/v2/transactions/orders")
    );
    let b = next(
        &a,
        422,
        r#"{"error":"Unprocessable Entity","detail":"exists","status":422}"#,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (
            b.action,
            b.request.method,
            b.request.path.as_str(),
            b.fallback
        ),
        (Action::Update, "PUT", "/v2/transactions/orders/1001", true)
    );
    assert_eq!(b.request.body, a.request.body);
    assert!(next(&b, 200, "{}").unwrap().is_none());
    let done = b.outcome(200, "2026-01-01T00:00:00.000Z");
    assert_eq!(
        (done.action, done.fallback, done.status),
        (Action::Update, true, Some(200))
    );
    assert_eq!(done.record.as_ref().unwrap().hash, a.hash);
    // A second 404 after the fallback is an error, not a loop.
    let err = next(
        &b,
        404,
        r#"{"error":"Not Found","detail":"gone","status":404}"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.status, err.detail.as_deref()),
        (Code::UpstreamError, Some(404), Some("gone"))
    );
}

#[test]
fn update_then_404_falls_back_to_post() {
    let record = SyncRecord {
        transaction_id: "1001".into(),
        hash: "old".into(),
        synced_at: "2015-05-14T00:00:00Z".into(),
    };
    let a = send(plan_upsert(order_payload(), Some(&record)).unwrap());
    assert_eq!((a.action, a.request.method), (Action::Update, "PUT"));
    let b = next(&a, 404, "").unwrap().unwrap();
    assert_eq!(
        (b.action, b.request.method, b.request.path.as_str()),
        (Action::Create, "POST", "/v2/transactions/orders")
    );
    assert!(next(&b, 422, "").is_err());
    assert_eq!(next(&a, 500, "").unwrap_err().status, Some(500));
    assert_eq!(next(&a, 401, "").unwrap_err().code, Code::Unauthorized);
}

#[test]
fn an_unchanged_payload_is_skipped() {
    let a = send(plan_upsert(order_payload(), None).unwrap());
    let record = a.outcome(201, "2026-01-01T00:00:00.000Z").record.unwrap();
    match plan_upsert(order_payload(), Some(&record)).unwrap() {
        Plan::Skip(o) => {
            assert_eq!(
                (o.action, o.reason.as_deref()),
                (Action::Skip, Some("unchanged"))
            );
            assert_eq!(o.record, Some(record.clone()));
        }
        Plan::Send(_) => panic!("sent an unchanged payload"),
    }
    let other = SyncRecord {
        transaction_id: "9".into(),
        ..record
    };
    assert_eq!(
        plan_upsert(order_payload(), Some(&other))
            .unwrap_err()
            .field
            .as_deref(),
        Some("record.transaction_id")
    );
}

#[test]
fn deletes_and_customers() {
    let a = send(plan_delete(Resource::Order, "1001", None).unwrap());
    assert_eq!(
        (
            a.request.method,
            a.request.path.as_str(),
            a.request.body.is_none()
        ),
        ("DELETE", "/v2/transactions/orders/1001", true)
    );
    assert!(next(&a, 404, "").unwrap().is_none()); // already gone is done
    let record = a.outcome(404, "2026-01-01T00:00:00.000Z").record.unwrap();
    assert_eq!(record.hash, delete_hash(Resource::Order, "1001"));
    assert!(matches!(
        plan_delete(Resource::Order, "1001", Some(&record)).unwrap(),
        Plan::Skip(_)
    ));
    let c = customer_request(&json!({"customer_id": "c1", "exemption_type": "wholesale"})).unwrap();
    let a = send(plan_upsert(Payload::Customer(c), None).unwrap());
    assert_eq!(
        (a.request.method, a.request.path.as_str()),
        ("POST", "/v2/customers")
    );
    let b = next(&a, 422, "").unwrap().unwrap();
    assert_eq!(
        (b.request.method, b.request.path.as_str()),
        ("PUT", "/v2/customers/c1")
    );
    let r: SyncRecord =
        serde_json::from_value(json!({"customer_id": "c1", "hash": "h", "synced_at": "x"}))
            .unwrap();
    assert_eq!(r.transaction_id, "c1");
}

#[test]
fn logs_redact_the_token() {
    let token = "tok_SECRET_123";
    let a = send(plan_upsert(order_payload(), None).unwrap());
    let request = LogEntry::request(&a, "https://api.taxjar.com", token);
    let response = LogEntry::response(
        &a,
        "https://api.taxjar.com",
        token,
        401,
        &format!(r#"{{"error":"Unauthorized","detail":"bad token {token}"}}"#),
        12.0,
    );
    let text = serde_json::to_string(&[request.clone(), response]).unwrap();
    assert!(!text.contains(token));
    assert!(text.contains(REDACTED));
    let headers = request.headers.unwrap();
    assert_eq!(headers["Authorization"], format!("Bearer {REDACTED}"));
    assert_eq!(headers["x-api-version"], "2020-08-07");
    assert_eq!(headers["Content-Type"], "application/json");
    assert_eq!(
        request.url.as_deref(),
        Some("https://api.taxjar.com/v2/transactions/orders")
    );
    assert_eq!(a.headers(token)[0].1, format!("Bearer {token}"));
}

#[test]
fn payload_hash_is_canonical() {
    let a = payload_hash(&json!({"b": 1, "a": [1, {"y": 2, "x": 1}]}));
    let b = payload_hash(&json!({"a": [1, {"x": 1, "y": 2}], "b": 1}));
    assert_eq!(a, b);
    assert_eq!(a.len(), 64);
    assert_ne!(
        a,
        payload_hash(&json!({"a": [1, {"x": 1, "y": 3}], "b": 1}))
    );
}

// ---- backfill --------------------------------------------------------------

#[test]
fn backfill_decides_like_the_magento_extension() {
    let range =
        BackfillRange::from_value(&json!({"from": "2024-01-01", "to": "2024-01-31"})).unwrap();
    let items = json!([
        {"id": "new", "created_at": "2024-01-05T10:00:00Z"},
        {"id": "changed", "created_at": "2023-12-20", "updated_at": "2024-01-10T00:00:00Z", "synced_at": "2024-01-02T00:00:00Z"},
        {"id": "same", "created_at": "2024-01-03", "updated_at": "2024-01-04T00:00:00Z", "record": {"transaction_id": "same", "hash": "h", "synced_at": "2024-01-05T00:00:00Z"}},
        {"id": "late", "created_at": "2024-01-31T23:59:59Z"},
        {"id": "out", "created_at": "2024-02-01T00:00:00Z"},
        {"id": "old", "created_at": "2023-12-01", "updated_at": "2023-12-02"},
        {"id": "pending", "created_at": "2024-01-05", "status": "pending"},
        {"id": "void", "created_at": "2024-01-05", "status": "canceled"}
    ]);
    let plan = plan_backfill(&range, &items).unwrap();
    let got: Vec<(&str, BackfillAction, &str)> = plan
        .iter()
        .map(|d| (d.id.as_str(), d.action, d.reason))
        .collect();
    use BackfillAction::*;
    assert_eq!(
        got,
        [
            ("new", Create, "never_synced"),
            ("changed", Update, "updated_since_sync"),
            ("same", Skip, "not_updated_since_sync"),
            ("late", Create, "never_synced"),
            ("out", Skip, "out_of_range"),
            ("old", Skip, "out_of_range"),
            ("pending", Skip, "status"),
            ("void", Skip, "cancelled"),
        ]
    );
    // By created_at, "changed" (created in December) is out of range.
    let by_created = BackfillRange::from_value(
        &json!({"from": "2024-01-01", "by": "created_at", "force": true}),
    )
    .unwrap();
    let plan = plan_backfill(&by_created, &items).unwrap();
    assert_eq!((plan[1].action, plan[1].reason), (Skip, "out_of_range"));
    assert_eq!((plan[2].action, plan[2].reason), (Update, "forced"));
    assert_eq!(
        BackfillRange::from_value(&json!({"from": "2024-01-01", "by": "synced"}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("by")
    );
    assert_eq!(
        BackfillRange::from_value(&json!({}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("from")
    );
    assert_eq!(
        plan_backfill(&range, &json!([{"id": "x"}]))
            .unwrap_err()
            .field
            .as_deref(),
        Some("items[0].created_at")
    );
}

// ---- CSV -------------------------------------------------------------------

#[test]
fn csv_export_in_taxjars_import_format() {
    let o = base(
        json!({"to_street": "123 Palm Grove Ln, Apt \"B\"", "created_at": "2015-05-14T10:00:00Z"}),
    );
    let t = order_transaction(&order(o.clone()), &Default::default()).unwrap();
    let r = refund_transaction(
        &Refund::from_value(&json!({"id": "1001", "created_at": "2015/06/01"})).unwrap(),
        &order(o),
        &Default::default(),
    )
    .unwrap();
    let csv = export_csv(&[t, r]);
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        rows[0],
        "provider,order_id,transaction_type,transaction_reference_id,completed_at,customer_name,\
shiptostreet,shiptocity,shiptostate,shiptozip,shiptocountrycode,\
from_street,from_city,from_state,from_zip,from_country,\
shipping_amount,handling_amount,discount_amount,total_sale,sales_tax"
    );
    assert_eq!(
        rows[1],
        "api,1001,Order,,2015-05-14,,\"123 Palm Grove Ln, Apt \"\"B\"\"\",Los Angeles,CA,90002,US,\
9500 Gilman Drive,La Jolla,CA,92093,US,5.00,,0.00,20.00,1.35"
    );
    assert_eq!(
        rows[2],
        "api,1001-refund,Refund,1001,2015-06-01,,\"123 Palm Grove Ln, Apt \"\"B\"\"\",Los Angeles,CA,90002,US,\
9500 Gilman Drive,La Jolla,CA,92093,US,-5.00,,0.00,-20.00,-1.35"
    );
    assert_eq!((rows.len(), rows[3]), (4, ""));
}
