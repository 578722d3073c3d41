//! applyTax on each documented `POST /v2/taxes` scenario: the scenario's
//! request is the cart, its response the answer; line taxes must add up.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::estimate::apply_tax;
use edgetax::model::TaxResponse;
use edgetax::validate::ValidCart;
use edgetax::Money;
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/taxjar-docs/taxes"
);

/// (file, amount_to_collect, line taxes in cart order, shipping tax).
const EXPECTED: &[(&str, &str, &[&str], &str)] = &[
    ("australia.json", "1.65", &["1.50"], "0.15"),
    ("canada.json", "2.15", &["1.95"], "0.20"),
    (
        "clothing-exemptions.json",
        "1.98",
        &["0.87", "0.44"],
        "0.67",
    ),
    ("european-union.json", "3.30", &["3.00"], "0.30"),
    (
        "food-grocery-exemptions.json",
        "0.00",
        &["0.00", "0.00"],
        "0.00",
    ),
    ("no-nexus.json", "0.00", &["0.00"], "0.00"),
    ("origin-based-sourcing.json", "1.36", &["1.24"], "0.12"),
    ("shipping-exemptions.json", "0.94", &["0.94"], "0.00"),
    ("united-states.json", "1.35", &["1.35"], "0.00"),
];

#[test]
fn every_documented_scenario_reconciles() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("shared conformance folder") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let cart = Cart::from_json(&doc["request"].to_string()).unwrap();
        let cart = ValidCart::new(&cart).unwrap_or_else(|e| panic!("{name}: {e}"));
        let response: TaxResponse = serde_json::from_value(doc["response"].clone()).unwrap();
        let estimate = apply_tax(&cart, &response);

        let (_, atc, lines, shipping) = EXPECTED
            .iter()
            .find(|(file, ..)| *file == name)
            .unwrap_or_else(|| panic!("no expectation for {name}"));
        let got: Vec<String> = estimate
            .line_items
            .iter()
            .map(|l| l.tax_collectable.to_string())
            .collect();
        assert_eq!(estimate.amount_to_collect.to_string(), *atc, "{name}");
        assert_eq!(got, *lines, "{name}");
        assert_eq!(
            estimate.shipping.tax_collectable.to_string(),
            *shipping,
            "{name}"
        );
        let sum: Money = estimate
            .line_items
            .iter()
            .map(|l| l.tax_collectable)
            .sum::<Money>()
            + estimate.shipping.tax_collectable;
        assert_eq!(sum, estimate.amount_to_collect, "{name}: lines + shipping");
        seen.push(name);
    }
    seen.sort();
    let mut want: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    want.sort();
    assert_eq!(seen, want);
}
