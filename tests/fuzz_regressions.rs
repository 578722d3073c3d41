//! Regression tests for the findings of the fuzzing work (`make fuzz`,
//! `fuzz/README.md`): crashes of the fuzz targets, and overflows found while
//! writing them. Each test is a minimal input with the exact error or values
//! the fixed code gives; each panicked or failed before its fix.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::error::Code;
use edgetax::estimate::{apply_tax, Estimate};
use edgetax::legacy::{apply_legacy_body, location_request, Dialect};
use edgetax::model::{parse_body, TaxResponse};
use edgetax::sync::{order_transaction, refund_transaction, Order, Refund, TransactionOptions};
use edgetax::validate::{validate_cart, ValidCart};
use edgetax::Money;
use rust_decimal::Decimal;

/// legacy_query target: a city (or zip) of `.` or `..` made the path
/// `/locations/<zip>/.`, which URL resolution turns into another path.
#[test]
fn location_lookup_refuses_dot_segments() {
    let err = location_request("\u{1}i<", Some("."), None).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidValue, Some("city"))
    );
    assert_eq!(
        err.message,
        "\".\" cannot be used: it would change the request path"
    );
    let err = location_request(" .. ", Some("ramsey"), None).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidValue, Some("zip"))
    );
    // Dots inside a segment are plain text, and stay.
    let ok = location_request("07446", Some("St. Louis"), Some("us")).unwrap();
    assert_eq!(
        ok.path_and_query(),
        "/locations/07446/St.%20Louis?country=US"
    );
}

// ---- response target: TaxJar answers past any real figure ----------------

/// A cart of two lines (15.00 and 2 × 10.00) and 1.50 shipping.
fn two_lines() -> ValidCart {
    let cart = r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,
        "line_items":[{"id":"1","unit_price":15},{"id":"2","quantity":2,"unit_price":"10"}]}"#;
    ValidCart::new(&Cart::from_json(cart).unwrap()).unwrap()
}

/// Line taxes, then the shipping tax, after checking they sum to the total.
fn taxes(estimate: &Estimate) -> Vec<String> {
    let mut all: Vec<Money> = estimate
        .line_items
        .iter()
        .map(|l| l.tax_collectable)
        .collect();
    all.push(estimate.shipping.tax_collectable);
    assert_eq!(
        all.iter().copied().sum::<Money>(),
        estimate.amount_to_collect
    );
    all.iter().map(Money::to_string).collect()
}

fn apply(body: &str) -> Estimate {
    let response: TaxResponse = parse_body(200, body).unwrap();
    apply_tax(&two_lines(), &response)
}

/// `taxable_amount × combined_tax_rate` of a breakdown line overflowed
/// `Decimal` ("Multiplication overflowed").
#[test]
fn huge_breakdown_line_does_not_overflow() {
    let e = apply(
        r#"{"tax":{"amount_to_collect":1,"has_nexus":true,"rate":0.1,"breakdown":{"line_items":[
        {"id":"1","taxable_amount":1e20,"combined_tax_rate":1e20}]}}}"#,
    );
    assert_eq!(taxes(&e), ["1.00", "0.00", "0.00"]);
}

/// Line taxes of 9e16 each overflowed the i64 sum of cents ("attempt to
/// add with overflow"); the total is now split afresh.
#[test]
fn huge_line_taxes_do_not_overflow_the_cent_sum() {
    let e = apply(
        r#"{"tax":{"amount_to_collect":1,"has_nexus":true,"rate":0.1,"breakdown":{"line_items":[
        {"id":"1","tax_collectable":90000000000000000},{"id":"2","tax_collectable":90000000000000000}]}}}"#,
    );
    assert_eq!(taxes(&e), ["1.00", "0.00", "0.00"]);
}

/// An `amount_to_collect` past i64 cents could not be split, and every
/// part stayed 0.00: line taxes no longer added up to it.
#[test]
fn total_past_i64_cents_still_adds_up() {
    let e = apply(r#"{"tax":{"amount_to_collect":1e20,"has_nexus":true,"rate":0.1}}"#);
    assert_eq!(e.amount_to_collect.to_string(), "100000000000000000000.00");
    // The line with the most tax (2 × 10.00 against 15.00) takes it all.
    assert_eq!(taxes(&e), ["0.00", "100000000000000000000.00", "0.00"]);
}

/// `Money::cents` multiplied by 100 unchecked and panicked past 7.9e26,
/// reached through `apply_tax` with such an `amount_to_collect`.
#[test]
fn cents_of_a_huge_amount_is_none() {
    let huge = Money::new(Decimal::from_str_exact("1000000000000000000000000000").unwrap());
    assert_eq!(huge.cents(), None);
    assert_eq!(
        Money::parse("92233720368547758.07").unwrap().cents(),
        Some(i64::MAX)
    );
    let e = apply(r#"{"tax":{"amount_to_collect":1e27,"has_nexus":true,"rate":0.1}}"#);
    assert_eq!(taxes(&e).len(), 3);
    assert_eq!(e.amount_to_collect, huge);
    assert_eq!(e.line_items[1].tax_collectable, huge);
    assert!(e.line_items[0].tax_collectable.is_zero() && e.shipping.tax_collectable.is_zero());
}

/// Legacy Enhanced items past `Decimal`'s range overflowed in the
/// jurisdiction figures: taxable × rate ("Multiplication overflowed"), the
/// sum of rates ("Addition overflowed"), and then exact tax ÷ taxable.
#[test]
fn legacy_enhanced_huge_jurisdictions_do_not_overflow() {
    let cart = ValidCart::new(
        &Cart::from_json(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"a","unit_price":1}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let max = "79228162514264337593543950335";
    for body in [
        r#"{"amount_to_collect":1,"has_nexus":true,"breakdown":{"items":{"a":
            {"state_taxable_amount":1e20,"state_sales_tax_rate":1e20}}}}"#
            .to_owned(),
        format!(
            r#"{{"amount_to_collect":1,"has_nexus":true,"breakdown":{{"items":{{"a":
            {{"state_taxable_amount":"0.000001","state_sales_tax_rate":"{max}",
              "county_taxable_amount":"0.000001","county_tax_rate":"{max}"}}}}}}}}"#
        ),
    ] {
        let e = apply_legacy_body(&cart, Dialect::LegacyEnhanced, 200, &body, None).unwrap();
        assert_eq!(taxes(&e), ["1.00", "0.00"], "{body}");
    }
}

// ---- order target: platform orders and refunds -------------------------

/// `unit_discount × quantity` overflowed `Decimal` while reading the order;
/// now the quantity is refused by validation, and the discount named too.
#[test]
fn unit_discount_of_a_huge_quantity_is_refused() {
    let order = Order::from_json(
        r#"{"id":"1","created_at":"2015/05/14","sales_tax":0,"to_zip":"90002","to_state":"CA",
        "line_items":[{"quantity":"1000000000000000000000000000","unit_price":1,"unit_discount":100}]}"#,
    )
    .unwrap();
    let err = order_transaction(&order, &TransactionOptions::default()).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidQuantity, Some("line_items[0].quantity"))
    );
    let problems = validate_cart(&order.cart);
    assert_eq!(problems.len(), 2);
    assert_eq!(
        (problems[1].code, problems[1].field.as_deref()),
        (Code::InvalidAmount, Some("line_items[0].discount"))
    );
    assert_eq!(
        problems[1].message,
        "line_items[0].discount (unit_discount × quantity) is too large"
    );
}

/// A refund line not in the order took any `unit_price × quantity` (up to
/// 10^26); a thousand of them overflowed the refund's `amount` sum. Such a
/// line is refused as cart lines are.
#[test]
fn refund_line_above_the_money_limit_is_refused() {
    let order = Order::from_json(
        r#"{"id":"1","created_at":"2015/05/14","to_zip":"90002","to_state":"CA","sales_tax":0,
        "line_items":[{"id":"a","unit_price":1}]}"#,
    )
    .unwrap();
    let line = r#"{"id":"x","quantity":9999999999999,"unit_price":9999999999999}"#;
    let lines = vec![line; 1000].join(",");
    let refund = Refund::from_json(&format!(
        r#"{{"id":"r","created_at":"2015/05/14","sales_tax":0,"line_items":[{lines}]}}"#
    ))
    .unwrap();
    let err = refund_transaction(&refund, &order, &TransactionOptions::default()).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref(), err.message.as_str()),
        (
            Code::InvalidAmount,
            Some("line_items[0].unit_price"),
            "unit_price × quantity is too large"
        )
    );
    // At the limit itself a line is still refunded.
    let refund = Refund::from_json(
        r#"{"id":"r","created_at":"2015/05/14","sales_tax":0,
        "line_items":[{"id":"x","quantity":1,"unit_price":10000000000000}]}"#,
    )
    .unwrap();
    let body = refund_transaction(&refund, &order, &TransactionOptions::default()).unwrap();
    assert_eq!(body.amount, Some(Decimal::from(-10_000_000_000_000i64)));
}
