//! Money invariants under random input (proptest).
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::estimate::apply_tax;
use edgetax::key::cart_key;
use edgetax::model::TaxResponse;
use edgetax::split::allocate;
use edgetax::validate::ValidCart;
use edgetax::Money;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn shares_sum_exactly_and_stay_within_a_cent(total in -10_000_000i64..10_000_000, weights in prop::collection::vec(0u32..100_000, 1..40)) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let ws: Vec<Decimal> = weights.iter().map(|w| Decimal::new(*w as i64, 2)).collect();
        let shares = allocate(cents(total), &ws).unwrap();
        prop_assert_eq!(shares.iter().copied().sum::<Money>(), cents(total));
        let sum: i64 = weights.iter().map(|w| *w as i64).sum();
        for (share, w) in shares.iter().zip(&weights) {
            // exact = total × w / sum, in cents; the share is floor or ceil of it.
            let exact = Decimal::from(total) * Decimal::from(*w) / Decimal::from(sum);
            let got = Decimal::from(share.cents().unwrap());
            prop_assert!((got - exact).abs() < Decimal::ONE, "share {} exact {}", got, exact);
            if *w == 0 { prop_assert!(share.is_zero()); }
        }
    }

    #[test]
    fn sign_symmetry(total in 0i64..1_000_000, weights in prop::collection::vec(1u32..1000, 1..20)) {
        let ws: Vec<Decimal> = weights.iter().map(|w| Decimal::from(*w)).collect();
        let pos = allocate(cents(total), &ws).unwrap();
        let neg = allocate(cents(-total), &ws).unwrap();
        prop_assert_eq!(neg, pos.into_iter().map(|m| -m).collect::<Vec<_>>());
    }

    #[test]
    fn permuting_weights_permutes_shares(total in 0i64..1_000_000, weights in prop::collection::vec(1u32..1000, 2..20), seed in any::<u64>()) {
        // Distinct weights, so no ties decide anything.
        let mut ws: Vec<u32> = weights.clone();
        ws.sort_unstable(); ws.dedup();
        prop_assume!(ws.len() >= 2);
        let mut perm: Vec<usize> = (0..ws.len()).collect();
        let n = perm.len();
        for i in 0..n { perm.swap(i, (seed as usize).wrapping_add(i * 7919) % n); }
        let a: Vec<Decimal> = ws.iter().map(|w| Decimal::from(*w)).collect();
        let b: Vec<Decimal> = perm.iter().map(|&i| a[i]).collect();
        let sa = allocate(cents(total), &a).unwrap();
        let sb = allocate(cents(total), &b).unwrap();
        // Equal remainders can still tie with distinct weights (e.g. 1 and 3
        // of 4), so compare share by weight only where there is no tie.
        let sum: i64 = ws.iter().map(|w| *w as i64).sum();
        let rem = |w: u32| (total * w as i64) % sum;
        for (k, &i) in perm.iter().enumerate() {
            let tied = ws.iter().enumerate().any(|(j, w)| j != i && rem(*w) == rem(ws[i]));
            if !tied { prop_assert_eq!(sb[k], sa[i]); }
        }
    }

    #[test]
    fn reconciled_estimates_always_sum(
        lines in prop::collection::vec((1u32..100_000, 1u32..5, 0i64..3), 1..12),
        shipping in 0u32..5000, rate_bp in 0u32..1500, off in -3i64..4, freight in any::<bool>(), with_breakdown in any::<bool>()
    ) {
        let items: Vec<String> = lines.iter().enumerate()
            .map(|(i, (p, q, _))| format!(r#"{{"id":"l{i}","unit_price":"{}","quantity":{q}}}"#, Money::from_cents(*p as i64)))
            .collect();
        let cart_json = format!(r#"{{"to_zip":"10541","to_state":"NY","shipping":"{}","line_items":[{}]}}"#, cents(shipping as i64), items.join(","));
        let cart = ValidCart::new(&Cart::from_json(&cart_json).unwrap()).unwrap();
        let rate = Decimal::new(rate_bp as i64, 4);
        // TaxJar-like per-line values, each nudged by up to ±2 cents.
        let mut total = 0i64;
        let bd: Vec<String> = cart.lines.iter().zip(&lines).map(|(l, (_, _, nudge))| {
            let t = l.gross.times(rate).unwrap().cents().unwrap() + nudge - 1;
            let t = t.max(0);
            total += t;
            format!(r#"{{"id":"{}","taxable_amount":"{}","tax_collectable":"{}","combined_tax_rate":"{}"}}"#, l.id, l.gross, cents(t), rate)
        }).collect();
        let ship_tax = if freight { cents(shipping as i64).times(rate).unwrap().cents().unwrap() } else { 0 };
        let atc = (total + ship_tax + off).max(0);
        let breakdown = if with_breakdown {
            format!(r#","breakdown":{{"line_items":[{}]{}}}"#, bd.join(","),
                if freight { format!(r#","shipping":{{"taxable_amount":"{}","tax_collectable":"{}","combined_tax_rate":"{}"}}"#, cents(shipping as i64), cents(ship_tax), rate) } else { String::new() })
        } else { String::new() };
        let response: TaxResponse = serde_json::from_str(&format!(
            r#"{{"tax":{{"amount_to_collect":"{}","rate":"{}","has_nexus":true,"freight_taxable":{freight},"taxable_amount":1{breakdown}}}}}"#, cents(atc), rate)).unwrap();
        let e = apply_tax(&cart, &response);
        let parts: Money = e.line_items.iter().map(|l| l.tax_collectable).sum::<Money>() + e.shipping.tax_collectable;
        prop_assert_eq!(parts, cents(atc));
        prop_assert!(e.line_items.iter().all(|l| !l.tax_collectable.is_negative()));
        if !freight { prop_assert!(e.shipping.tax_collectable.is_zero()); }
    }

    #[test]
    fn cart_key_ignores_order_and_spelling(prices in prop::collection::vec((100u32..100_000, 1u32..9), 1..10), seed in any::<u64>()) {
        let spell = |c: u32, long: bool| if long { format!("\"{}\"", Money::from_cents(c as i64)) } else { Money::from_cents(c as i64).value().normalize().to_string() };
        let mut a: Vec<String> = Vec::new();
        let mut b: Vec<String> = Vec::new();
        for (i, (p, q)) in prices.iter().enumerate() {
            a.push(format!(r#"{{"id":"{i}","unit_price":{},"quantity":{q}}}"#, spell(*p, false)));
            b.push(format!(r#"{{"quantity":"{q}.0","unit_price":{},"id":"{i}","description":"d{seed}"}}"#, spell(*p, true)));
        }
        let n = b.len();
        for i in 0..n { b.swap(i, (seed as usize).wrapping_add(i * 31) % n); }
        let ka = cart_key(&ValidCart::new(&Cart::from_json(&format!(r#"{{"to_zip":"90002","to_state":"CA","order_discount":1,"line_items":[{}]}}"#, a.join(","))).unwrap()).unwrap());
        let kb = cart_key(&ValidCart::new(&Cart::from_json(&format!(r#"{{"order_discount":"1.00","to_state":"ca","to_zip":"90002","line_items":[{}]}}"#, b.join(","))).unwrap()).unwrap());
        prop_assert_eq!(ka, kb);
    }
}

/// A named change to a cart's JSON.
type Mutation<'a> = (&'static str, Box<dyn Fn(&mut Value) + 'a>);

proptest! {
    // Each case builds 25 carts.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn cart_key_changes_with_every_tax_relevant_field(
        lines in prop::collection::vec((1u32..50_000, 1u32..9, 0u32..100), 1..6),
        // Above zero: a shipping discount on free shipping rightly changes nothing.
        shipping in 1u32..5000, seed in any::<u64>()
    ) {
        let items: Vec<Value> = lines.iter().enumerate().map(|(i, (p, q, d))| json!({
            "id": format!("l{i}"), "quantity": q, "unit_price": cents(*p as i64).to_string(),
            "discount": cents((*p as i64 * *q as i64 * *d as i64) / 100).to_string(),
            "description": format!("item {seed}")
        })).collect();
        let base = json!({
            "from_country": "US", "from_zip": "92093", "from_state": "CA", "from_city": "La Jolla", "from_street": "9500 Gilman Drive",
            "to_country": "US", "to_zip": "90002", "to_state": "CA", "to_city": "Los Angeles", "to_street": "1335 E 103rd St",
            "shipping": cents(shipping as i64).to_string(), "line_items": items,
        });
        let key = |v: &Value| cart_key(&ValidCart::new(&Cart::from_json(&v.to_string()).unwrap()).unwrap());
        let k0 = key(&base);
        // Reformatting (indentation, line breaks) and number spelling change nothing.
        let pretty = serde_json::to_string_pretty(&base).unwrap();
        prop_assert_eq!(&cart_key(&ValidCart::new(&Cart::from_json(&pretty).unwrap()).unwrap()), &k0);
        let mut numbers = base.clone();
        numbers["shipping"] = serde_json::from_str(&cents(shipping as i64).value().normalize().to_string()).unwrap();
        prop_assert_eq!(&key(&numbers), &k0);
        // Every field TaxJar reads moves the key.
        let n = lines.len();
        let line = (seed as usize) % n;
        let bump = |v: &Value| -> Value { json!((Decimal::new(1, 2) + v.as_str().unwrap().parse::<Decimal>().unwrap()).to_string()) };
        let mutations: Vec<Mutation> = vec![
            ("from_zip", Box::new(|c| c["from_zip"] = json!("92101"))),
            ("from_state", Box::new(|c| { c["from_state"] = json!("NV"); c["from_zip"] = json!("89101"); })),
            ("from_city", Box::new(|c| c["from_city"] = json!("San Diego"))),
            ("from_street", Box::new(|c| c["from_street"] = json!("1 Main St"))),
            ("to_zip", Box::new(|c| c["to_zip"] = json!("90003"))),
            ("to_state", Box::new(|c| { c["to_state"] = json!("NY"); c["to_zip"] = json!("10541"); })),
            ("to_country", Box::new(|c| { c["to_country"] = json!("CA"); c["to_state"] = json!("BC"); c["to_zip"] = json!("V6G 3E2"); })),
            ("to_city", Box::new(|c| c["to_city"] = json!("Compton"))),
            ("to_street", Box::new(|c| c["to_street"] = json!("1 Main St"))),
            ("shipping", Box::new(|c| c["shipping"] = bump(&c["shipping"]))),
            ("shipping_discount", Box::new(|c| c["shipping_discount"] = json!("0.01"))),
            ("handling_fee", Box::new(|c| c["handling_fee"] = json!("0.01"))),
            ("order_discount", Box::new(|c| c["order_discount"] = json!("0.01"))),
            ("customer_id", Box::new(|c| c["customer_id"] = json!("c1"))),
            ("exemption_type", Box::new(|c| c["exemption_type"] = json!("wholesale"))),
            ("nexus_addresses", Box::new(|c| c["nexus_addresses"] = json!([{"country": "US", "state": "CA", "zip": "92093"}]))),
            ("line id", Box::new(move |c| c["line_items"][line]["id"] = json!("other"))),
            ("quantity", Box::new(move |c| { let q = c["line_items"][line]["quantity"].as_u64().unwrap(); c["line_items"][line]["quantity"] = json!(q + 1); })),
            ("unit_price", Box::new(move |c| c["line_items"][line]["unit_price"] = bump(&c["line_items"][line]["unit_price"]))),
            ("discount", Box::new(move |c| c["line_items"][line]["discount"] = bump(&c["line_items"][line]["discount"]))),
            ("product_tax_code", Box::new(move |c| c["line_items"][line]["product_tax_code"] = json!("20010"))),
            ("a line more", Box::new(move |c| c["line_items"].as_array_mut().unwrap().push(json!({"id": "new", "unit_price": "1"})))),
        ];
        // (Mutations may equal each other: an order discount on one line
        // is that line's discount in the request TaxJar sees.)
        for (name, mutate) in &mutations {
            let mut cart = base.clone();
            mutate(&mut cart);
            prop_assert_ne!(&key(&cart), &k0, "{} did not change the key", name);
        }
    }
}
