//! applyTax: TaxJar answers applied to carts, reconciled to the cent.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::estimate::{apply_tax, zero_estimate, Estimate, Source};
use edgetax::model::TaxResponse;
use edgetax::validate::ValidCart;

fn cart(json: &str) -> ValidCart {
    ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
}

fn apply(cart_json: &str, response_json: &str) -> Estimate {
    let response: TaxResponse = serde_json::from_str(response_json).unwrap();
    apply_tax(&cart(cart_json), &response)
}

fn line_taxes(e: &Estimate) -> Vec<String> {
    e.line_items
        .iter()
        .map(|l| l.tax_collectable.to_string())
        .collect()
}

/// Line taxes plus shipping tax, as a string of cents.
fn sum(e: &Estimate) -> String {
    (e.line_items
        .iter()
        .map(|l| l.tax_collectable)
        .sum::<edgetax::Money>()
        + e.shipping.tax_collectable)
        .to_string()
}

const NY_CART: &str = r#"{"to_zip":"10541","to_state":"NY","shipping":7.99,
    "line_items":[{"id":"1","unit_price":19.99},{"id":"2","unit_price":9.95}]}"#;

#[test]
fn breakdown_values_kept_when_they_add_up() {
    let e = apply(
        NY_CART,
        r#"{"tax":{"order_total_amount":37.93,"shipping":7.99,"taxable_amount":37.93,"amount_to_collect":1.98,
        "rate":0.05218,"has_nexus":true,"freight_taxable":true,"tax_source":"destination",
        "breakdown":{"shipping":{"taxable_amount":7.99,"tax_collectable":0.67,"combined_tax_rate":0.08375},
        "line_items":[{"id":"1","taxable_amount":19.99,"tax_collectable":0.87,"combined_tax_rate":0.04375},
                      {"id":"2","taxable_amount":9.95,"tax_collectable":0.44,"combined_tax_rate":0.04375}]}}}"#,
    );
    assert_eq!(line_taxes(&e), ["0.87", "0.44"]);
    assert_eq!(e.shipping.tax_collectable.to_string(), "0.67");
    assert_eq!(e.amount_to_collect.to_string(), "1.98");
    assert_eq!(e.rate.to_string(), "0.05218");
    assert_eq!(e.source, Source::Taxjar);
    assert_eq!(e.order_total_amount.to_string(), "37.93");
}

#[test]
fn a_missing_cent_goes_to_the_largest_remainder() {
    // Exact: 19.99×0.04375 = 0.8746, 9.95×0.04375 = 0.4353, 7.99×0.08375 = 0.6692.
    // TaxJar says 1.99 in all but its lines add to 1.98: the cent goes to
    // the part furthest below its exact value (line 2: 0.4353 vs 0.43).
    let e = apply(
        NY_CART,
        r#"{"tax":{"amount_to_collect":1.99,"rate":0.05218,"has_nexus":true,"freight_taxable":true,"taxable_amount":37.93,
        "tax_source":"destination","breakdown":{"shipping":{"taxable_amount":7.99,"tax_collectable":0.67,"combined_tax_rate":0.08375},
        "line_items":[{"id":1,"taxable_amount":19.99,"tax_collectable":0.88,"combined_tax_rate":0.04375},
                      {"id":2,"taxable_amount":9.95,"tax_collectable":0.43,"combined_tax_rate":0.04375}]}}}"#,
    );
    assert_eq!(line_taxes(&e), ["0.88", "0.44"]);
    assert_eq!(e.shipping.tax_collectable.to_string(), "0.67");
    assert_eq!(sum(&e), "1.99");
}

#[test]
fn an_extra_cent_comes_off_the_most_overstated() {
    let e = apply(
        r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"a","unit_price":3.85},{"id":"b","unit_price":3.85},{"id":"c","unit_price":3.85}]}"#,
        r#"{"tax":{"amount_to_collect":1.04,"rate":0.09,"has_nexus":true,"freight_taxable":false,"taxable_amount":11.55,
        "breakdown":{"line_items":[{"id":"a","taxable_amount":3.85,"tax_collectable":0.35,"combined_tax_rate":0.09},
        {"id":"b","taxable_amount":3.85,"tax_collectable":0.35,"combined_tax_rate":0.09},
        {"id":"c","taxable_amount":3.85,"tax_collectable":0.35,"combined_tax_rate":0.09}]}}}"#,
    );
    assert_eq!(line_taxes(&e), ["0.34", "0.35", "0.35"]);
    assert_eq!(sum(&e), "1.04");
}

#[test]
fn without_breakdown_the_total_is_split_by_taxable_amount() {
    // 10 and 5 with $1.35: 0.90 and 0.45 (the guide's example).
    let e = apply(
        r#"{"to_zip":"90002","to_state":"CA","shipping":2,"line_items":[{"id":"1","unit_price":10},{"id":"2","unit_price":5}]}"#,
        r#"{"tax":{"amount_to_collect":1.35,"rate":0.09,"has_nexus":true,"freight_taxable":false,"taxable_amount":15,"tax_source":"destination"}}"#,
    );
    assert_eq!(line_taxes(&e), ["0.90", "0.45"]);
    assert_eq!(e.shipping.tax_collectable.to_string(), "0.00");
    // Freight taxable: shipping takes its share too (15+5 at 7%: 1.40).
    let e = apply(
        r#"{"to_zip":"10541","to_state":"NY","shipping":5,"line_items":[{"id":"1","unit_price":10},{"id":"2","unit_price":5},{"id":"3","unit_price":4,"product_tax_code":"99999"}]}"#,
        r#"{"tax":{"amount_to_collect":1.40,"rate":0.07,"has_nexus":true,"freight_taxable":true,"taxable_amount":20}}"#,
    );
    assert_eq!(line_taxes(&e), ["0.70", "0.35", "0.00"]);
    assert_eq!(e.shipping.tax_collectable.to_string(), "0.35");
    assert_eq!(e.shipping.taxable_amount.to_string(), "5.00");
}

#[test]
fn no_nexus_and_exempt_orders_are_zero() {
    let no_nexus = apply(
        r#"{"to_zip":"97035","to_state":"OR","shipping":1.5,"amount":15}"#,
        r#"{"tax":{"amount_to_collect":0,"freight_taxable":false,"has_nexus":false,"rate":0,"tax_source":null,"taxable_amount":0}}"#,
    );
    assert!(!no_nexus.has_nexus);
    assert_eq!(line_taxes(&no_nexus), ["0.00"]);
    assert_eq!(no_nexus.line_items[0].id, "amount");
    assert_eq!(no_nexus.order_total_amount.to_string(), "16.50");
    assert_eq!(no_nexus.tax_source, None);
    // An exempt order shows zero even if a stale answer had tax.
    let exempt = apply(
        r#"{"to_zip":"90002","to_state":"CA","exemption_type":"wholesale","line_items":[{"id":"1","unit_price":10}]}"#,
        r#"{"tax":{"amount_to_collect":0.9,"rate":0.09,"has_nexus":true,"freight_taxable":false,"taxable_amount":10}}"#,
    );
    assert_eq!(exempt.amount_to_collect.to_string(), "0.00");
    assert_eq!(line_taxes(&exempt), ["0.00"]);
    assert_eq!(exempt.exemption_type.as_deref(), Some("wholesale"));
    let zero = zero_estimate(&cart(NY_CART), Source::NoNexus, false);
    assert_eq!(serde_json::to_value(&zero).unwrap()["source"], "no_nexus");
    assert_eq!(sum(&zero), "0.00");
}

#[test]
fn estimates_serialize_money_as_strings() {
    let e = apply(
        r#"{"to_zip":"90002","to_state":"CA","order_discount":1,"line_items":[{"id":"1","unit_price":15}]}"#,
        r#"{"tax":{"amount_to_collect":1.26,"rate":0.09,"has_nexus":true,"freight_taxable":false,"taxable_amount":14,"tax_source":"destination",
        "breakdown":{"line_items":[{"id":"1","taxable_amount":14,"tax_collectable":1.26,"combined_tax_rate":0.09}]}}}"#,
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["amount_to_collect"], "1.26");
    assert_eq!(json["rate"], "0.09");
    assert_eq!(json["estimated"], false);
    assert_eq!(json["line_items"][0]["amount"], "15.00");
    assert_eq!(json["line_items"][0]["discount"], "1.00");
    assert_eq!(json["line_items"][0]["taxable_amount"], "14.00");
    assert_eq!(json["shipping"]["amount"], "0.00");
    assert_eq!(json["order_total_amount"], "14.00");
    assert!(json.get("warnings").is_none());
    assert!(json["key"].as_str().unwrap().starts_with("et1_"));
}

#[test]
fn a_backup_estimate_from_the_worker_keeps_its_flags() {
    let e = apply(
        r#"{"to_zip":"07446","to_state":"NJ","line_items":[{"id":"a","unit_price":100}]}"#,
        r#"{"tax":{"amount_to_collect":6.63,"rate":0.06625,"has_nexus":true,"freight_taxable":true,"taxable_amount":100,
        "tax_source":"destination","estimated":true,"source":"offline","rates_as_of":"2026-07-01","warnings":["local rates may apply"],
        "breakdown":{"line_items":[{"id":"a","taxable_amount":100,"tax_collectable":6.63,"combined_tax_rate":0.06625}]}}}"#,
    );
    assert_eq!(e.source, Source::Offline);
    assert!(e.estimated);
    assert_eq!(e.rates_as_of.as_deref(), Some("2026-07-01"));
    assert_eq!(e.warnings, ["local rates may apply"]);
    assert_eq!(line_taxes(&e), ["6.63"]);
}
