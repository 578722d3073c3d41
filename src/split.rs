//! Splitting money to the cent: largest-remainder allocation, and the
//! order-discount split built on it.
//!
//! Arithmetic is in integers (cents and scaled weights, `i128`), so every
//! share is exact and the shares always sum to the total.

use rust_decimal::Decimal;

use crate::error::{Code, Error, Result};
use crate::money::Money;
use crate::validate::{DiscountSplit, ValidCart};

/// Splits `total` by `weights` so the shares sum exactly to `total`.
///
/// Each share gets the floor of its exact cents; the leftover cents go one
/// each to the largest fractional remainders, ties to the lower index. A
/// zero weight gets zero. A negative total is split as its absolute value
/// and the sign restored, so refunds split like sales.
///
/// Errors (`invalid_value`): no weights, a negative weight, all-zero
/// weights, a total that is not whole cents, or numbers too large.
pub fn allocate(total: Money, weights: &[Decimal]) -> Result<Vec<Money>> {
    Ok(allocate_cents(total, weights)?
        .into_iter()
        .map(Money::from_cents)
        .collect())
}

/// [`allocate`], with the shares in cents.
pub(crate) fn allocate_cents(total: Money, weights: &[Decimal]) -> Result<Vec<i64>> {
    let invalid = |msg: &str| Error::new(Code::InvalidValue, msg);
    if weights.is_empty() {
        return Err(invalid("allocate needs at least one weight"));
    }
    if let Some(i) = weights
        .iter()
        .position(|w| w.is_sign_negative() && !w.is_zero())
    {
        return Err(Error::field(
            Code::InvalidValue,
            format!("weights[{i}]"),
            format!("weight {} is negative", weights[i]),
        ));
    }
    if total.round_cents() != total {
        return Err(invalid("the total must be a whole number of cents"));
    }
    let cents = total
        .cents()
        .ok_or_else(|| invalid("the total is too large"))?;
    let ints = scaled(weights).ok_or_else(|| invalid("the weights are too large"))?;
    let shares = largest_remainder(cents.unsigned_abs() as i128, &ints)
        .ok_or_else(|| invalid("the total and weights are too large to split"))?
        .ok_or_else(|| invalid("all weights are zero"))?;
    let sign = if cents < 0 { -1 } else { 1 };
    Ok(shares.into_iter().map(|c| sign * c as i64).collect())
}

/// The weights as integers of one common scale.
fn scaled(weights: &[Decimal]) -> Option<Vec<i128>> {
    let normal: Vec<Decimal> = weights.iter().map(|w| w.normalize()).collect();
    let scale = normal.iter().map(|w| w.scale()).max()?;
    normal
        .iter()
        .map(|w| {
            let factor = 10i128.checked_pow(scale - w.scale())?;
            w.mantissa().checked_mul(factor)
        })
        .collect()
}

/// Largest remainder over integer weights. `None` on overflow;
/// `Some(None)` when all weights are zero.
fn largest_remainder(total: i128, weights: &[i128]) -> Option<Option<Vec<i128>>> {
    let sum = weights.iter().try_fold(0i128, |a, w| a.checked_add(*w))?;
    if sum == 0 {
        return Some(None);
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = 0i128;
    for w in weights {
        let exact = total.checked_mul(*w)?;
        shares.push(exact / sum);
        remainders.push(exact % sum);
        given += exact / sum;
    }
    let leftover = (total - given) as usize; // < weights.len()
    if leftover > 0 {
        // The `leftover` largest remainders, ties to the lower index: all
        // above the leftover-th largest value, then as many equal to it as
        // are still due, in index order.
        let threshold = kth_largest(&mut remainders.clone(), leftover);
        let mut due = leftover - remainders.iter().filter(|&&r| r > threshold).count();
        for (share, &r) in shares.iter_mut().zip(&remainders) {
            if r > threshold || (r == threshold && due > 0) {
                due -= usize::from(r == threshold);
                *share += 1;
            }
        }
    }
    Some(Some(shares))
}

/// The `k`-th largest of `values` (`1 <= k <= len`), reordering them. A
/// quickselect by hand: std's selection is ~5 KB of wasm, a full sort
/// twice the time of a split over 1,000 weights. After 64 rounds (only an
/// input built against the median-of-three pivot gets there) the rest is
/// sorted, so no input makes it quadratic.
fn kth_largest(values: &mut [i128], k: usize) -> i128 {
    let target = k - 1; // its index in descending order
    let (mut lo, mut hi) = (0, values.len());
    for _ in 0..64 {
        if hi - lo <= 1 {
            return values[target];
        }
        let (a, b, c) = (values[lo], values[lo + (hi - lo) / 2], values[hi - 1]);
        let pivot = a.max(b).min(a.min(b).max(c)); // the median of the three
                                                   // Three ways, descending: above the pivot, equal, below.
        let (mut above, mut i, mut below) = (lo, lo, hi);
        while i < below {
            if values[i] > pivot {
                values.swap(above, i);
                above += 1;
                i += 1;
            } else if values[i] < pivot {
                below -= 1;
                values.swap(i, below);
            } else {
                i += 1;
            }
        }
        if target < above {
            hi = above;
        } else if target >= below {
            lo = below;
        } else {
            return pivot;
        }
    }
    let rest = &values[lo..hi];
    let order = crate::order::sorted_indices(rest.len(), &mut |a, b| rest[b].cmp(&rest[a]));
    rest[order[target - lo]]
}

/// Each line's total discount (its own plus its share of the order
/// discount), in cart order.
///
/// Lines are split in order of id, not of position, so the same cart in
/// another order gets the same cents per line (the memo key ignores order).
pub fn line_discounts(cart: &ValidCart) -> Vec<Money> {
    discounts(cart).to_vec()
}

/// [`line_discounts`], split once per cart and kept on it: the request,
/// the key and the estimate each need them.
pub(crate) fn discounts(cart: &ValidCart) -> &[Money] {
    cart.derived.discounts.get_or_init(|| split(cart))
}

fn split(cart: &ValidCart) -> Vec<Money> {
    let mut totals: Vec<Money> = cart.lines.iter().map(|l| l.discount).collect();
    if cart.order_discount.is_zero() {
        return totals;
    }
    let order: Vec<usize> = cart
        .lines_by_id()
        .iter()
        .copied()
        .filter(|&i| cart.lines[i].discountable)
        .collect();
    let room: Vec<Money> = order.iter().map(|&i| cart.lines[i].net()).collect();
    let shares = match cart.discount_split {
        DiscountSplit::Proportional => proportional(cart.order_discount, &room),
        DiscountSplit::Even => even(cart.order_discount, &room),
    };
    for (&i, share) in order.iter().zip(shares) {
        totals[i] += share;
    }
    totals
}

/// Shares by each line's room. Validation has made `discount <= Σ room`,
/// and a share can then never pass its line's room: its exact value is at
/// most the room, which is whole cents.
fn proportional(discount: Money, room: &[Money]) -> Vec<Money> {
    let weights: Vec<Decimal> = room.iter().map(|m| m.value()).collect();
    allocate(discount, &weights).unwrap_or_else(|_| vec![Money::ZERO; room.len()])
}

/// Equal shares, each capped at its line's room; what a capped line cannot
/// take is shared again among the others.
fn even(discount: Money, room: &[Money]) -> Vec<Money> {
    let mut shares = vec![Money::ZERO; room.len()];
    let mut open: Vec<usize> = (0..room.len()).filter(|&i| !room[i].is_zero()).collect();
    let mut left = discount;
    while !left.is_zero() && !open.is_empty() {
        let equal = vec![Decimal::ONE; open.len()];
        let Ok(round) = allocate(left, &equal) else {
            break;
        };
        let capped: Vec<bool> = (0..open.len()).map(|k| round[k] >= room[open[k]]).collect();
        if !capped.contains(&true) {
            for (k, &i) in open.iter().enumerate() {
                shares[i] += round[k];
            }
            break;
        }
        // Fill the capped lines completely and share the rest again.
        for (k, &i) in open.iter().enumerate() {
            if capped[k] {
                shares[i] = room[i];
                left -= room[i];
            }
        }
        open = open
            .iter()
            .zip(&capped)
            .filter(|(_, &c)| !c)
            .map(|(&i, _)| i)
            .collect();
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_largest_matches_a_sort() {
        let cases: [&[i128]; 5] = [
            &[5],
            &[3, 1, 2],
            &[2, 2, 2, 2],
            &[9, 1, 9, 3, 9, 0, 7],
            &[-4, 8, 8, -4, 0, 8],
        ];
        for values in cases {
            let mut sorted = values.to_vec();
            sorted.sort_by(|a, b| b.cmp(a));
            for k in 1..=values.len() {
                assert_eq!(
                    kth_largest(&mut values.to_vec(), k),
                    sorted[k - 1],
                    "{values:?} k={k}"
                );
            }
        }
        // Long runs of ties and sorted inputs, past the round bound too.
        let runs: Vec<i128> = (0..5_000).map(|i| (i / 7) % 13).collect();
        let mut sorted = runs.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        for k in [1, 2, 100, 2_500, 4_999, 5_000] {
            assert_eq!(kth_largest(&mut runs.clone(), k), sorted[k - 1]);
            let mut ascending: Vec<i128> = (0..5_000).collect();
            assert_eq!(kth_largest(&mut ascending, k), 5_000 - k as i128);
        }
    }
    use crate::cart::Cart;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn w(list: &[&str]) -> Vec<Decimal> {
        list.iter()
            .map(|s| Decimal::from_str_exact(s).unwrap())
            .collect()
    }
    fn strs(v: Vec<Money>) -> Vec<String> {
        v.into_iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn largest_remainder_with_ties_to_lower_index() {
        assert_eq!(
            strs(allocate(m("10"), &w(&["1", "1", "1"])).unwrap()),
            ["3.34", "3.33", "3.33"]
        );
        assert_eq!(
            strs(allocate(m("0.05"), &w(&["1", "1", "1", "1"])).unwrap()),
            ["0.02", "0.01", "0.01", "0.01"]
        );
        // Remainders 0.6, 0.2, 0.2 cents: the first gets the cent.
        assert_eq!(
            strs(allocate(m("0.01"), &w(&["3", "1", "1"])).unwrap()),
            ["0.01", "0.00", "0.00"]
        );
        // Larger remainder later in the list wins over index.
        assert_eq!(
            strs(allocate(m("0.02"), &w(&["1", "2", "2"])).unwrap()),
            ["0.00", "0.01", "0.01"]
        );
    }

    /// Largest remainder the slow, obvious way: every remainder sorted.
    fn reference(total: i64, weights: &[i64]) -> Vec<i64> {
        let sum: i64 = weights.iter().sum();
        let mut shares: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(total * weights[i] % sum), i));
        let left = total - shares.iter().sum::<i64>();
        for &i in &order[..left as usize] {
            shares[i] += 1;
        }
        shares
    }

    #[test]
    fn same_shares_as_a_full_sort() {
        // Small weights from a small range, so many remainders tie.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..2000 {
            let weights: Vec<i64> = (0..1 + next(60)).map(|_| next(12) as i64).collect();
            if weights.iter().all(|w| *w == 0) {
                continue;
            }
            let total = next(100_000) as i64;
            let decimals: Vec<Decimal> = weights.iter().map(|w| Decimal::from(*w)).collect();
            let got: Vec<i64> = allocate(Money::from_cents(total), &decimals)
                .unwrap()
                .into_iter()
                .map(|m| m.cents().unwrap())
                .collect();
            assert_eq!(got, reference(total, &weights), "{total} over {weights:?}");
        }
    }

    #[test]
    fn zero_weights_and_signs() {
        assert_eq!(
            strs(allocate(m("1"), &w(&["0", "1"])).unwrap()),
            ["0.00", "1.00"]
        );
        assert_eq!(
            strs(allocate(m("-10"), &w(&["1", "1", "1"])).unwrap()),
            ["-3.34", "-3.33", "-3.33"]
        );
        assert_eq!(
            strs(allocate(m("1.35"), &w(&["10", "5"])).unwrap()),
            ["0.90", "0.45"]
        );
        assert_eq!(
            strs(allocate(m("0"), &w(&["1", "2"])).unwrap()),
            ["0.00", "0.00"]
        );
    }

    #[test]
    fn refuses_bad_arguments() {
        for (total, weights) in [
            ("1", vec![]),
            ("1", w(&["0", "0"])),
            ("1", w(&["1", "-1"])),
            ("1.001", w(&["1"])),
        ] {
            assert_eq!(
                allocate(m(total), &weights).unwrap_err().code,
                Code::InvalidValue
            );
        }
        assert_eq!(
            allocate(m("1"), &w(&["1", "-1"]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("weights[1]")
        );
    }

    fn discounts(json: &str) -> Vec<String> {
        let cart = ValidCart::new(&Cart::from_json(json).unwrap()).unwrap();
        strs(line_discounts(&cart))
    }

    #[test]
    fn proportional_order_discount() {
        // The guide's example: 50% off 2×$5 and 1×$10 → 5 and 5.
        let d = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":10,
            "line_items":[{"id":"a","quantity":2,"unit_price":5},{"id":"b","unit_price":10}]}"#,
        );
        assert_eq!(d, ["5.00", "5.00"]);
        // $10 over 19.99 and 9.95, added to a line's own discount.
        let d = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":"10",
            "line_items":[{"id":"1","unit_price":19.99,"discount":1},{"id":"2","unit_price":9.95}]}"#,
        );
        // Room 18.99 and 9.95: exact shares 6.5618… and 3.4381…; the cent
        // goes to the larger remainder.
        assert_eq!(d, ["7.56", "3.44"]);
    }

    #[test]
    fn proportional_is_independent_of_line_order() {
        let a = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":0.01,
            "line_items":[{"id":"x","unit_price":5},{"id":"y","unit_price":5}]}"#,
        );
        let b = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":0.01,
            "line_items":[{"id":"y","unit_price":5},{"id":"x","unit_price":5}]}"#,
        );
        assert_eq!(a, ["0.01", "0.00"]);
        assert_eq!(b, ["0.00", "0.01"]);
    }

    #[test]
    fn even_split_moves_excess_on() {
        // 30 over lines with room 5, 20, 20: the first is capped at 5, the
        // rest share 25 → 12.50 each.
        let d = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":30,"discount_split":"even",
            "line_items":[{"id":"a","unit_price":5},{"id":"b","unit_price":20},{"id":"c","unit_price":20}]}"#,
        );
        assert_eq!(d, ["5.00", "12.50", "12.50"]);
        let d = discounts(
            r#"{"to_zip":"90002","to_state":"CA","order_discount":10,"discount_split":"even",
            "line_items":[{"id":"a","unit_price":5},{"id":"b","unit_price":20},{"id":"c","unit_price":20,"discountable":false}]}"#,
        );
        assert_eq!(d, ["5.00", "5.00", "0.00"]);
    }
}
