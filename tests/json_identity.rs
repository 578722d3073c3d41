//! The crate's own JSON writer and reader against serde_json: request
//! bodies (and so cart keys, which digest them) byte for byte, and JSON
//! text read to the same values.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::NexusAddress;
use edgetax::json::{parse, Json};
use edgetax::model::{TaxLineItem, TaxRequest};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Text with what JSON must escape: quotes, backslashes, control
/// characters, and characters past ASCII.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('"'),
            Just('\\'),
            Just('/'),
            Just('\u{0}'),
            Just('\u{8}'),
            Just('\u{1f}'),
            Just('\u{7f}'),
            Just('é'),
            Just('\u{2028}'),
            Just('😀'),
            any::<char>(),
            prop::char::range('a', 'z'),
        ],
        0..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

/// Decimals of every size: cents, six-place prices, quantities near
/// 10^13, and extremes where the float text turns to exponents.
fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (-10_000_000_000_000_000i64..10_000_000_000_000_000, 0u32..7)
            .prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<i128>(), 0u32..96, 0u32..29).prop_map(|(m, shift, s)| {
            Decimal::from_i128_with_scale((m >> shift) % (1i128 << 96), s)
        }),
        (1i64..1000, 0u32..29).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

fn nexus() -> impl Strategy<Value = NexusAddress> {
    (
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(id, country, state, zip, city, street)| NexusAddress {
            id,
            country,
            state,
            zip,
            city,
            street,
        })
}

fn line() -> impl Strategy<Value = TaxLineItem> {
    (
        opt_text(),
        prop::option::of(decimal()),
        opt_text(),
        prop::option::of(decimal()),
        prop::option::of(decimal()),
    )
        .prop_map(
            |(id, quantity, product_tax_code, unit_price, discount)| TaxLineItem {
                id,
                quantity,
                product_tax_code,
                unit_price,
                discount,
            },
        )
}

fn request() -> impl Strategy<Value = TaxRequest> {
    (
        prop::collection::vec(opt_text(), 10),
        prop::option::of(decimal()),
        prop::option::of(decimal()),
        (opt_text(), opt_text(), opt_text()),
        prop::option::of(prop::collection::vec(nexus(), 0..3)),
        prop::option::of(prop::collection::vec(line(), 0..4)),
    )
        .prop_map(
            |(
                places,
                amount,
                shipping,
                (customer_id, exemption_type, plugin),
                nexus_addresses,
                line_items,
            )| {
                let mut p = places.into_iter();
                TaxRequest {
                    from_country: p.next().unwrap(),
                    from_zip: p.next().unwrap(),
                    from_state: p.next().unwrap(),
                    from_city: p.next().unwrap(),
                    from_street: p.next().unwrap(),
                    to_country: p.next().unwrap(),
                    to_zip: p.next().unwrap(),
                    to_state: p.next().unwrap(),
                    to_city: p.next().unwrap(),
                    to_street: p.next().unwrap(),
                    amount,
                    shipping,
                    customer_id,
                    exemption_type,
                    nexus_addresses,
                    line_items,
                    plugin,
                }
            },
        )
}

/// A JSON tree of every kind of value, as serde_json holds it.
fn value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|i| i.into()),
        any::<u64>().prop_map(|u| u.into()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.into()),
        text().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    /// The `POST /v2/taxes` body, and so the text a cart key digests.
    #[test]
    fn request_bodies_are_serde_jsons(request in request()) {
        prop_assert_eq!(request.to_json(), serde_json::to_string(&request).unwrap());
    }

    #[test]
    fn nexus_addresses_are_serde_jsons(address in nexus()) {
        let mut text = String::new();
        address.write_json(&mut text);
        prop_assert_eq!(text, serde_json::to_string(&address).unwrap());
    }

    /// serde_json's text (compact and pretty) reads back to the same tree,
    /// and writes back to serde_json's text.
    #[test]
    fn json_reads_as_serde_json_reads(value in value()) {
        for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
            let parsed = parse(&text).unwrap();
            prop_assert_eq!(&parsed, &Json::from(&value));
            prop_assert_eq!(parsed.to_text(), serde_json::to_string(&value).unwrap());
        }
    }

    /// Whatever serde_json refuses, the reader refuses, with its message.
    #[test]
    fn bad_json_is_refused_alike(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,12}") {
        let ours = parse(&text);
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?} {:?}", text, ours, theirs);
    }
}

#[test]
fn syntax_errors_read_as_serde_jsons() {
    for text in [
        "",
        " ",
        "x",
        "{",
        "[1,",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "[1 2]",
        "\"abc",
        "01",
        "-",
        "1.",
        "1e",
        "nul",
        "[1]x",
        "{1:2}",
        "\"\\x\"",
        "\"\u{1}\"",
    ] {
        let ours = parse(text).unwrap_err().to_string();
        let theirs = serde_json::from_str::<serde_json::Value>(text)
            .unwrap_err()
            .to_string();
        assert_eq!(ours, theirs, "{text:?}");
    }
}
