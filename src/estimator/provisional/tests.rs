use super::*;
use crate::cart::Cart;
use proptest::prelude::*;

fn cart(json: &str) -> ValidCart {
    ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Los Angeles, as the fake computes it: 9.5% on everything but groceries
/// (40030, exempt) and clothing (20010) under $110 (state part exempt:
/// 3.25% left); shipping taxed at 9.5% when some line is taxed.
fn la_rate(code: Option<&str>, unit_price: Decimal) -> Decimal {
    match code {
        Some("40030") | Some("99999") => Decimal::ZERO,
        Some("20010") if unit_price < dec("110") => dec("0.0325"),
        _ => dec("0.095"),
    }
}

/// TaxJar's answer for `cart` the way TaxJar (and the fake) computes it:
/// each part's exact tax, each line rounded on its own, the total once.
fn answer(cart: &ValidCart, freight: Option<Decimal>) -> TaxResponse {
    let mut exact = Decimal::ZERO;
    let mut taxable = Decimal::ZERO;
    let mut lines = Vec::new();
    let mut any_taxed = false;
    for (line, discount) in cart.lines.iter().zip(discounts(cart)) {
        let rate = la_rate(line.product_tax_code.as_deref(), line.unit_price);
        let net = (line.gross - *discount).value();
        let base = if rate.is_zero() { Decimal::ZERO } else { net };
        any_taxed |= !base.is_zero();
        exact += base * rate;
        taxable += base;
        lines.push(LineBreakdown {
            id: Some(line.id.clone()),
            rates: Rates {
                taxable_amount: Some(base),
                tax_collectable: Some(round_dp(base * rate, 2)),
                combined_tax_rate: Some(rate),
                ..Rates::default()
            },
        });
    }
    let freight_taxable = freight.is_some() && any_taxed;
    let shipping = freight.filter(|_| freight_taxable).map(|rate| {
        let base = cart.shipping.value();
        exact += base * rate;
        taxable += base;
        ShippingBreakdown {
            rates: Rates {
                taxable_amount: Some(base),
                tax_collectable: Some(round_dp(base * rate, 2)),
                combined_tax_rate: Some(rate),
                ..Rates::default()
            },
        }
    });
    TaxResponse {
        tax: Tax {
            amount_to_collect: round_dp(exact, 2),
            taxable_amount: Some(taxable),
            has_nexus: true,
            freight_taxable,
            tax_source: Some("destination".into()),
            breakdown: Some(Breakdown {
                rates: Rates::default(),
                shipping,
                line_items: lines,
            }),
            ..Tax::default()
        },
    }
}

const TTL: f64 = 60_000.0;

fn la(lines: &str, shipping: &str) -> ValidCart {
    cart(&format!(
        r#"{{"to_country":"US","to_zip":"90002","to_state":"CA","shipping":{shipping},"line_items":[{lines}]}}"#
    ))
}

const TEACH: &str = r#"{"id":"shirt","quantity":1,"unit_price":"15.00","product_tax_code":"20010"},
    {"id":"mug","quantity":2,"unit_price":"10.00"}"#;

fn taught(freight: Option<Decimal>) -> Lessons {
    let first = la(TEACH, "5");
    let mut lessons = Lessons::new();
    lessons.learn(&first, &answer(&first, freight), 0.0);
    lessons
}

#[test]
fn a_new_quantity_gets_the_figures_taxjar_gives() {
    let lessons = taught(Some(dec("0.095")));
    let next = la(
        r#"{"id":"shirt","quantity":3,"unit_price":"15.00","product_tax_code":"20010"},
           {"id":"mug","quantity":1,"unit_price":"10.00"},
           {"id":"cap","quantity":1,"unit_price":"7.99"}"#,
        "5",
    );
    let estimate = lessons.estimate(&next, 1_000.0, TTL).unwrap();
    // shirt 45 × 3.25% = 1.4625; mug 10 × 9.5% = 0.95; cap 7.99 × 9.5% =
    // 0.75905; shipping 5 × 9.5% = 0.475: 3.64655 → 3.65.
    assert_eq!(estimate.amount_to_collect.to_string(), "3.65");
    assert_eq!(estimate.source, Source::Provisional);
    assert!(estimate.provisional && !estimate.estimated);
    let taxes: Vec<String> = estimate
        .line_items
        .iter()
        .map(|l| format!("{}:{}", l.id, l.tax_collectable))
        .collect();
    assert_eq!(taxes, ["shirt:1.46", "mug:0.95", "cap:0.76"]);
    assert_eq!(estimate.shipping.tax_collectable.to_string(), "0.48");
    assert!(estimate.freight_taxable);
    let truth = apply_tax(&next, &answer(&next, Some(dec("0.095"))));
    assert!(same_figures(&estimate, &truth));
}

#[test]
fn unknown_codes_and_other_unit_prices_give_nothing() {
    let lessons = taught(None);
    let unknown_code = la(
        r#"{"id":"food","quantity":1,"unit_price":"3.00","product_tax_code":"40030"}"#,
        "0",
    );
    assert_eq!(lessons.estimate(&unknown_code, 1.0, TTL), None);
    // Clothing at $120 may cross New York's or Massachusetts' threshold.
    let other_price = la(
        r#"{"id":"shirt","quantity":1,"unit_price":"120.00","product_tax_code":"20010"}"#,
        "0",
    );
    assert_eq!(lessons.estimate(&other_price, 1.0, TTL), None);
    // Lines without a code take the general rate at any price.
    let general = la(r#"{"id":"lamp","quantity":1,"unit_price":"120.00"}"#, "0");
    let estimate = lessons.estimate(&general, 1.0, TTL).unwrap();
    assert_eq!(estimate.amount_to_collect.to_string(), "11.40");
}

#[test]
fn another_context_or_an_old_lesson_gives_nothing() {
    let lessons = taught(None);
    let same = la(TEACH, "5");
    assert!(lessons.estimate(&same, TTL - 1.0, TTL).is_some());
    assert_eq!(lessons.estimate(&same, TTL, TTL), None, "expired");
    let elsewhere = cart(&format!(
        r#"{{"to_country":"US","to_zip":"90003","to_state":"CA","shipping":5,"line_items":[{TEACH}]}}"#
    ));
    assert_eq!(lessons.estimate(&elsewhere, 1.0, TTL), None);
    let customer = cart(&format!(
        r#"{{"to_country":"US","to_zip":"90002","to_state":"CA","shipping":5,"customer_id":"c1","line_items":[{TEACH}]}}"#
    ));
    assert_eq!(lessons.estimate(&customer, 1.0, TTL), None);
}

#[test]
fn shipping_rules_that_depend_on_the_lines_are_not_guessed() {
    let lessons = taught(Some(dec("0.095")));
    // Only an exempt line: TaxJar would not tax the shipping either, but
    // that rule was never seen, so no figure...
    let mut exempt_only = la(
        r#"{"id":"food","quantity":1,"unit_price":"3.00","product_tax_code":"40030"}"#,
        "5",
    );
    let mut lessons = lessons;
    let other = la(
        r#"{"id":"food","quantity":1,"unit_price":"3.00","product_tax_code":"40030"},
           {"id":"mug","quantity":1,"unit_price":"10.00"}"#,
        "5",
    );
    lessons.learn(&other, &answer(&other, Some(dec("0.095"))), 1.0);
    assert_eq!(lessons.estimate(&exempt_only, 2.0, TTL), None);
    // ...unless there is no shipping to tax.
    exempt_only = la(
        r#"{"id":"food","quantity":1,"unit_price":"3.00","product_tax_code":"40030"}"#,
        "0",
    );
    let zero = lessons.estimate(&exempt_only, 2.0, TTL).unwrap();
    assert_eq!(zero.amount_to_collect, Money::ZERO);
    assert!(!zero.freight_taxable);
}

#[test]
fn part_taxed_lines_no_nexus_and_backups() {
    let first = la(TEACH, "0");
    let mut partial = answer(&first, None);
    let lines = &mut partial.tax.breakdown.as_mut().unwrap().line_items;
    lines[1].rates.taxable_amount = Some(dec("10.00")); // half of the mugs
    let mut lessons = Lessons::new();
    lessons.learn(&first, &partial, 0.0);
    let mugs = la(r#"{"id":"mug","quantity":5,"unit_price":"10.00"}"#, "0");
    assert_eq!(lessons.estimate(&mugs, 1.0, TTL), None);

    let no_nexus = TaxResponse {
        tax: Tax {
            has_nexus: false,
            ..Tax::default()
        },
    };
    lessons.learn(&first, &no_nexus, 2.0);
    let zero = lessons.estimate(&mugs, 3.0, TTL).unwrap();
    assert!(!zero.has_nexus && zero.provisional);
    assert_eq!(zero.amount_to_collect, Money::ZERO);
    assert_eq!(zero.order_total_amount.to_string(), "50.00");

    let mut backup = answer(&first, None);
    backup.tax.estimated = Some(true);
    backup.tax.source = Some("offline".into());
    let mut fresh = Lessons::new();
    fresh.learn(&first, &backup, 0.0);
    assert_eq!(
        fresh.estimate(&first, 1.0, TTL),
        None,
        "backups teach nothing"
    );
}

#[test]
fn a_customers_exemption_zeroes_every_cart() {
    let json = |lines: &str| {
        format!(
            r#"{{"to_country":"US","to_zip":"90002","to_state":"CA","shipping":5,"customer_id":"gov1","line_items":[{lines}]}}"#
        )
    };
    let first = cart(&json(TEACH));
    let mut exempt = answer(&first, None);
    exempt.tax.exemption_type = Some("government".into());
    let mut lessons = Lessons::new();
    lessons.learn(&first, &exempt, 0.0);
    let other = cart(&json(
        r#"{"id":"tv","quantity":1,"unit_price":"999.00","product_tax_code":"30070"}"#,
    ));
    let zero = lessons.estimate(&other, 1.0, TTL).unwrap();
    assert_eq!(zero.amount_to_collect, Money::ZERO);
    assert_eq!(zero.exemption_type.as_deref(), Some("government"));
}

fn line_json(
    i: usize,
    quantity: u32,
    price_cents: u32,
    code: Option<&str>,
    discount: u32,
) -> String {
    let code = code.map_or(String::new(), |c| format!(r#","product_tax_code":"{c}""#));
    format!(
        r#"{{"id":"l{i}","quantity":{quantity},"unit_price":"{}.{:02}","discount":"{}.{:02}"{code}}}"#,
        price_cents / 100,
        price_cents % 100,
        discount / 100,
        discount % 100
    )
}

proptest! {
    /// Any cart whose codes and unit prices were all taught gets exactly
    /// the figures TaxJar's answer would give it: the provisional figure is
    /// never one a shopper sees change for the same rates.
    #[test]
    fn provisional_equals_taxjar_when_rates_are_known(
        lines in proptest::collection::vec((1u32..5, 0usize..4, 0u32..300), 1..8),
        order_discount in 0u32..2_000,
        shipping in 0u32..1_500,
    ) {
        const PRICES: [(u32, Option<&str>); 4] =
            [(1_500, Some("20010")), (999, None), (12_000, Some("20010")), (350, Some("40030"))];
        let lessons_cart = la(
            &(0..4).map(|k| line_json(100 + k, 1, PRICES[k].0, PRICES[k].1, 0)).collect::<Vec<_>>().join(","),
            "5",
        );
        let mut lessons = Lessons::new();
        lessons.learn(&lessons_cart, &answer(&lessons_cart, Some(dec("0.095"))), 0.0);
        let mut room = 0;
        let body: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, &(q, k, d))| {
                let d = d.min(PRICES[k].0 * q);
                room += PRICES[k].0 * q - d;
                line_json(i, q, PRICES[k].0, PRICES[k].1, d)
            })
            .collect();
        let order_discount = order_discount.min(room);
        let next = cart(&format!(
            r#"{{"to_country":"US","to_zip":"90002","to_state":"CA","shipping":"{}.{:02}","order_discount":"{}.{:02}","line_items":[{}]}}"#,
            shipping / 100, shipping % 100, order_discount / 100, order_discount % 100, body.join(",")
        ));
        let truth = apply_tax(&next, &answer(&next, Some(dec("0.095"))));
        match lessons.estimate(&next, 1.0, TTL) {
            Some(estimate) => prop_assert!(same_figures(&estimate, &truth), "{estimate:?} vs {truth:?}"),
            // Only a cart of exempt lines with shipping: that rule was not taught.
            None => prop_assert!(truth.line_items.iter().all(|l| l.tax_collectable.is_zero())),
        }
    }
}
