//! Reconciling per-part taxes to the order total, to the cent.
//!
//! TaxJar rounds each jurisdiction of each line on its own, so its line
//! values often miss `amount_to_collect` by a cent or two. The order total
//! is what is charged, so the parts are moved to meet it: the missing (or
//! extra) cents go one at a time to the parts whose rounded value is
//! furthest below (or above) its unrounded `taxable_amount × rate`.

use rust_decimal::Decimal;

use crate::money::Money;

/// One part of an order's tax: a line or the shipping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// The tax so far, in cents.
    pub tax: Money,
    /// The unrounded tax it stands for (`taxable_amount × rate`).
    pub exact: Decimal,
}

/// Moves whole cents between `parts` until they sum to `target`.
///
/// With cents missing, the parts with the largest `exact − tax` gain one
/// each, round after round; only parts with a positive `exact` gain, unless
/// none has one. With cents too many, the parts with the largest
/// `tax − exact` lose one each, never going below zero. Ties go to the
/// lower index, so callers pass parts in a canonical order. Returns false
/// (parts unchanged) when there is no part to take a positive target, or
/// when an amount is past what whole cents can count (±9.2e16).
pub(crate) fn reconcile(parts: &mut [Part], target: Money) -> bool {
    let target = target.round_cents();
    let given: Option<i128> = parts.iter().map(|p| cents(p.tax)).sum();
    let Some(mut diff) = cents(target).zip(given).map(|(t, g)| t - g) else {
        return false;
    };
    if diff == 0 {
        return true;
    }
    if parts.is_empty() {
        return false;
    }
    let step: i128 = if diff > 0 { 1 } else { -1 };
    // How far each part is from its exact value, in the direction we move.
    // Computed once, not in the sort's comparisons: decimal arithmetic
    // there made the sort the largest cost of a big cart.
    let gaps: Vec<Decimal> = parts
        .iter()
        .map(|p| p.exact.saturating_sub(p.tax.value()) * Decimal::from(step))
        .collect();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    if step > 0 && parts.iter().any(|p| p.exact > Decimal::ZERO) {
        order.retain(|&i| parts[i].exact > Decimal::ZERO);
    }
    crate::order::sort_indices(&mut order, &mut |a, b| {
        gaps[b].cmp(&gaps[a]).then(a.cmp(&b))
    });
    while diff != 0 {
        let mut moved = false;
        for &i in &order {
            if diff == 0 {
                break;
            }
            if step < 0 && parts[i].tax.value() <= Decimal::ZERO {
                continue;
            }
            parts[i].tax += Money::from_cents(step as i64);
            diff -= step;
            moved = true;
        }
        if !moved {
            return false; // Only reachable with a negative target.
        }
    }
    true
}

fn cents(m: Money) -> Option<i128> {
    m.cents().map(i128::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(tax: &str, exact: &str) -> Part {
        Part {
            tax: Money::parse(tax).unwrap(),
            exact: Decimal::from_str_exact(exact).unwrap(),
        }
    }
    fn taxes(parts: &[Part]) -> Vec<String> {
        parts.iter().map(|p| p.tax.to_string()).collect()
    }

    #[test]
    fn adds_missing_cent_to_largest_gap() {
        // 0.87 + 0.44 = 1.31, but the total is 1.32.
        let mut p = [part("0.87", "0.8746"), part("0.44", "0.4453")];
        assert!(reconcile(&mut p, Money::parse("1.32").unwrap()));
        assert_eq!(taxes(&p), ["0.87", "0.45"]);
    }

    #[test]
    fn removes_extra_cent_from_most_overstated() {
        let mut p = [
            part("0.35", "0.3465"),
            part("0.35", "0.3465"),
            part("0.35", "0.3465"),
        ];
        assert!(reconcile(&mut p, Money::parse("1.04").unwrap()));
        assert_eq!(taxes(&p), ["0.34", "0.35", "0.35"]);
    }

    #[test]
    fn never_below_zero_and_only_taxed_parts_gain() {
        let mut p = [part("0.00", "0"), part("0.02", "0.01"), part("0.00", "0")];
        assert!(reconcile(&mut p, Money::parse("0.00").unwrap()));
        assert_eq!(taxes(&p), ["0.00", "0.00", "0.00"]);
        let mut p = [part("0.00", "0"), part("0.00", "0.5")];
        assert!(reconcile(&mut p, Money::parse("0.03").unwrap()));
        assert_eq!(taxes(&p), ["0.00", "0.03"]);
    }

    #[test]
    fn nothing_to_give_to() {
        assert!(!reconcile(&mut [], Money::parse("0.01").unwrap()));
        assert!(reconcile(&mut [], Money::ZERO));
    }
}
