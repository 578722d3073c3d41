//! Transaction Sync: the guide's examples to the cent, one test per rule of
//! `orderTransaction`, and TaxJar's documented create requests reproduced
//! from platform orders.
#![cfg(not(target_arch = "wasm32"))]

mod sync_common;

use edgetax::model::transactions::TransactionRequest;
use edgetax::sync::lines::check_amount;
use edgetax::sync::{
    order_transaction, Order, TransactionOptions, AMOUNT_MISMATCH, EXEMPT_WITH_TAX,
};
use edgetax::Code;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sync_common::*;

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
