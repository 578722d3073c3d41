//! Every validation rule, with its code and field path.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::validate::{check_with_max_lines, validate_cart, ValidCart};

/// (code, field) pairs for a cart given as JSON.
fn problems(json: &str) -> Vec<(String, String)> {
    let cart = Cart::from_json(json).expect("cart JSON");
    validate_cart(&cart)
        .into_iter()
        .map(|e| (e.code.as_str().to_owned(), e.field.unwrap_or_default()))
        .collect()
}

fn one(json: &str) -> (String, String) {
    let p = problems(json);
    assert_eq!(p.len(), 1, "expected one problem, got {p:?}");
    p[0].clone()
}

fn pair(code: &str, field: &str) -> (String, String) {
    (code.to_owned(), field.to_owned())
}

const LINE: &str = r#""line_items":[{"id":"1","unit_price":10}]"#;

fn us(extra: &str) -> String {
    format!(r#"{{"to_zip":"90002","to_state":"CA",{LINE}{extra}}}"#)
}

#[test]
fn a_good_cart_has_no_problems() {
    assert_eq!(problems(&us("")), vec![]);
    assert_eq!(problems(r#"{"to_country":"FR","amount":15}"#), vec![]);
    assert_eq!(
        problems(r#"{"to_country":"CA","to_zip":"v5k0a1","to_state":"bc","amount":15}"#),
        vec![]
    );
}

#[test]
fn missing_fields() {
    assert_eq!(
        one(&format!(r#"{{"to_state":"CA",{LINE}}}"#)),
        pair("missing_field", "to_zip")
    );
    assert_eq!(
        one(&format!(r#"{{"to_zip":"90002",{LINE}}}"#)),
        pair("missing_field", "to_state")
    );
    assert_eq!(
        one(&format!(
            r#"{{"to_country":"CA","to_zip":"V5K 0A1",{LINE}}}"#
        )),
        pair("missing_field", "to_state")
    );
    assert_eq!(
        one(&format!(r#"{{"to_country":" ","to_zip":"90002",{LINE}}}"#)),
        pair("missing_field", "to_country")
    );
    assert_eq!(
        one(r#"{"to_zip":"90002","to_state":"CA"}"#),
        pair("missing_field", "line_items")
    );
    assert_eq!(
        one(r#"{"to_zip":"90002","to_state":"CA","line_items":[]}"#),
        pair("missing_field", "line_items")
    );
    assert_eq!(
        one(r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"a"}]}"#),
        pair("missing_field", "line_items[0].unit_price")
    );
    // Outside the US and Canada, neither ZIP nor state is required.
    assert_eq!(problems(r#"{"to_country":"AU","amount":1}"#), vec![]);
}

#[test]
fn zips_states_countries() {
    assert_eq!(
        one(&us(r#","to_zip":"123""#).replacen(r#""to_zip":"90002","#, "", 1)),
        pair("invalid_zip", "to_zip")
    );
    assert_eq!(
        one(&format!(
            r#"{{"to_zip":"90002-12","to_state":"CA",{LINE}}}"#
        )),
        pair("invalid_zip", "to_zip")
    );
    assert_eq!(
        problems(&format!(
            r#"{{"to_zip":"90002-1234","to_state":"CA",{LINE}}}"#
        )),
        vec![]
    );
    assert_eq!(
        one(&format!(
            r#"{{"to_country":"CA","to_zip":"12345","to_state":"ON",{LINE}}}"#
        )),
        pair("invalid_zip", "to_zip")
    );
    assert_eq!(
        one(&format!(r#"{{"to_zip":"90002","to_state":"ZZ",{LINE}}}"#)),
        pair("invalid_state", "to_state")
    );
    assert_eq!(
        one(&format!(
            r#"{{"to_country":"CA","to_zip":"V5K 0A1","to_state":"NY",{LINE}}}"#
        )),
        pair("invalid_state", "to_state")
    );
    assert_eq!(
        one(&format!(
            r#"{{"to_country":"USA","to_zip":"90002",{LINE}}}"#
        )),
        pair("invalid_country", "to_country")
    );
    assert_eq!(
        one(&us(r#","from_country":"XX""#)),
        pair("invalid_country", "from_country")
    );
    assert_eq!(
        one(&us(r#","from_country":"US","from_zip":"9209""#)),
        pair("invalid_zip", "from_zip")
    );
    assert_eq!(
        one(&us(
            r#","nexus_addresses":[{"country":"US","state":"CA"},{"country":"US","state":"QQ"}]"#
        )),
        pair("invalid_state", "nexus_addresses[1].state")
    );
    assert_eq!(
        one(&us(r#","nexus_addresses":[{"state":"CA"}]"#)),
        pair("missing_field", "nexus_addresses[0].country")
    );
}

#[test]
fn amounts() {
    for (extra, field) in [
        (r#","shipping":-1"#, "shipping"),
        (r#","shipping":"abc""#, "shipping"),
        (r#","shipping":"""#, "shipping"),
        (r#","shipping":"1e3""#, "shipping"),
        (r#","shipping_discount":"-0.01""#, "shipping_discount"),
        (r#","order_discount":1.1234567"#, "order_discount"),
        (r#","handling_fee":-2"#, "handling_fee"),
        // A negative zero is refused too: no cart amount carries a sign.
        (r#","shipping":-0"#, "shipping"),
        (r#","order_discount":-0.0"#, "order_discount"),
        (r#","handling_fee":"-0.00""#, "handling_fee"),
    ] {
        assert_eq!(one(&us(extra)), pair("invalid_amount", field), "{extra}");
    }
    assert_eq!(
        one(r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":-1}]}"#),
        pair("invalid_amount", "line_items[0].unit_price")
    );
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":1,"discount":"x"}]}"#
        ),
        pair("invalid_amount", "line_items[0].discount")
    );
    assert_eq!(
        one(r#"{"to_zip":"90002","to_state":"CA","amount":-5}"#),
        pair("invalid_amount", "amount")
    );
    // Six places are fine for a price.
    assert_eq!(
        problems(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":"0.123456"}]}"#
        ),
        vec![]
    );
}

#[test]
fn quantities() {
    for q in ["0", "-1", "\"x\"", "\"\""] {
        let json = format!(
            r#"{{"to_zip":"90002","to_state":"CA","line_items":[{{"id":"1","unit_price":1,"quantity":{q}}}]}}"#
        );
        assert_eq!(
            one(&json),
            pair("invalid_quantity", "line_items[0].quantity"),
            "{q}"
        );
    }
    // The message says what is wrong: a huge quantity is not "below zero".
    for (q, message) in [
        ("0", "quantity 0 must be above zero"),
        (
            "10000000000001",
            "quantity 10000000000001 is above the largest accepted quantity (10^13)",
        ),
    ] {
        let json = format!(
            r#"{{"to_zip":"90002","to_state":"CA","line_items":[{{"id":"1","unit_price":1,"quantity":{q}}}]}}"#
        );
        let err = ValidCart::new(&Cart::from_json(&json).unwrap()).unwrap_err();
        assert_eq!(err.message, message);
    }
    let fractional = r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":2,"quantity":1.5}]}"#;
    let cart = ValidCart::new(&Cart::from_json(fractional).unwrap()).unwrap();
    assert_eq!(cart.lines[0].gross.to_string(), "3.00");
}

#[test]
fn line_ids_and_limits() {
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"a","unit_price":1},{"id":"a","unit_price":2}]}"#
        ),
        pair("duplicate_line_id", "line_items[1].id")
    );
    // Every repeat after the first of its id, in cart order, among the
    // other problems of the same lines.
    assert_eq!(
        problems(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"b","unit_price":1},{"id":"a","unit_price":1},
            {"id":"b","unit_price":-1},{"id":"a","unit_price":1},{"id":"b","unit_price":1},{"id":"c","unit_price":1}]}"#
        ),
        [
            pair("duplicate_line_id", "line_items[2].id"),
            pair("invalid_amount", "line_items[2].unit_price"),
            pair("duplicate_line_id", "line_items[3].id"),
            pair("duplicate_line_id", "line_items[4].id"),
        ]
    );
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","handling_fee":1,"line_items":[{"id":"handling-fee","unit_price":1}]}"#
        ),
        pair("duplicate_line_id", "handling_fee")
    );
    // Lines without ids are numbered from 1, as TaxJar does.
    let cart = ValidCart::new(&Cart::from_json(r#"{"to_zip":"90002","to_state":"CA","line_items":[{"unit_price":1},{"unit_price":2}]}"#).unwrap()).unwrap();
    assert_eq!(
        cart.lines.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["1", "2"]
    );
    let many: Vec<String> = (0..1001)
        .map(|i| format!(r#"{{"id":"{i}","unit_price":1}}"#))
        .collect();
    let json = format!(
        r#"{{"to_zip":"90002","to_state":"CA","line_items":[{}]}}"#,
        many.join(",")
    );
    assert_eq!(one(&json), pair("too_many_line_items", "line_items"));
    let ok: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"id":"{i}","unit_price":1}}"#))
        .collect();
    let json = format!(
        r#"{{"to_zip":"90002","to_state":"CA","line_items":[{}]}}"#,
        ok.join(",")
    );
    assert_eq!(problems(&json), vec![]);
}

#[test]
fn discounts() {
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":5,"quantity":2,"discount":10.01}]}"#
        ),
        pair("discount_exceeds_amount", "line_items[0].discount")
    );
    assert_eq!(
        problems(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":5,"quantity":2,"discount":10}]}"#
        ),
        vec![]
    );
    // The order discount may use only discountable lines.
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":6,"line_items":[{"id":"1","unit_price":5},{"id":"2","unit_price":5,"discountable":false}]}"#
        ),
        pair("discount_exceeds_amount", "order_discount")
    );
    assert_eq!(
        one(&us(r#","discount_split":"random""#)),
        pair("invalid_value", "discount_split")
    );
    // A shipping discount larger than shipping only zeroes shipping.
    let cart =
        ValidCart::new(&Cart::from_json(&us(r#","shipping":5,"shipping_discount":9"#)).unwrap())
            .unwrap();
    assert_eq!(cart.shipping.to_string(), "0.00");
}

#[test]
fn exemption_types() {
    for t in [
        "wholesale",
        "government",
        "marketplace",
        "other",
        "non_exempt",
    ] {
        assert_eq!(
            problems(&us(&format!(r#","exemption_type":"{t}""#))),
            vec![],
            "{t}"
        );
    }
    assert_eq!(
        one(&us(r#","exemption_type":"resale""#)),
        pair("invalid_exemption_type", "exemption_type")
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = problems(
        r#"{"to_zip":"1","to_state":"XX","exemption_type":"no","line_items":[{"id":"1","unit_price":-1,"quantity":0}]}"#,
    );
    assert_eq!(
        p,
        vec![
            pair("invalid_zip", "to_zip"),
            pair("invalid_state", "to_state"),
            pair("invalid_exemption_type", "exemption_type"),
            pair("invalid_quantity", "line_items[0].quantity"),
            pair("invalid_amount", "line_items[0].unit_price"),
        ]
    );
}

#[test]
fn the_line_cap_can_be_moved_for_benchmarks() {
    let lines = |n: usize| {
        let items: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"id":"{i}","unit_price":1}}"#))
            .collect();
        let json = format!(
            r#"{{"to_zip":"90002","to_state":"CA","line_items":[{}]}}"#,
            items.join(",")
        );
        Cart::from_json(&json).unwrap()
    };
    let valid = check_with_max_lines(&lines(1001), 10_000).unwrap();
    assert_eq!(valid.lines.len(), 1001);
    let errors = check_with_max_lines(&lines(11), 10).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code.as_str(), "too_many_line_items");
    assert_eq!(errors[0].message, "11 line items; at most 10 are allowed");
    // The default cap is unchanged.
    assert_eq!(
        validate_cart(&lines(1001))[0].message,
        "1001 line items; at most 1000 are allowed"
    );
}

#[test]
fn amounts_longer_than_a_float_holds_are_refused() {
    // 17 significant digits: sent as a JSON number, TaxJar would read
    // 123456789012.12346, and the cart key could not tell the two apart.
    assert_eq!(
        one(
            r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":"123456789012.123456"}]}"#
        ),
        pair("invalid_amount", "line_items[0].unit_price")
    );
    assert_eq!(
        one(&us(r#","shipping":"1234567890.1234567""#)),
        pair("invalid_amount", "shipping")
    );
    // 15 digits pass, and trailing zeros do not count.
    assert!(edgetax::validate::validate_cart(&edgetax::cart::Cart::from_json(
        r#"{"to_zip":"90002","to_state":"CA","shipping":"1234567890.123450","line_items":[{"id":"1","unit_price":"123456789.123456"}]}"#
    ).unwrap()).is_empty());
}
