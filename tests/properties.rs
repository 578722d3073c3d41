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
