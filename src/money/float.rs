//! Exact conversions between floats and decimals that skip the text a
//! general conversion writes and parses (that was most of the cost of
//! reading TaxJar's answers and of building cart keys). Each answers only
//! when it can be sure; the callers fall back to the text path otherwise.

use rust_decimal::Decimal;

use super::MAX_DECIMALS;

/// The powers of ten that are exact floats (10^22 is the last).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The decimal a float stands for, its shortest round-trip digits (what
/// [`super::decimal_from_f64`] finds by formatting it), when those have at most
/// [`MAX_DECIMALS`] places and the float times 10^places is below 10^15;
/// else `None`.
///
/// Why it is exact: places are tried from 0 up, with the one candidate
/// `m = round(v × 10^s)`. Below 10^15 (< 2^50), every decimal that reads
/// back as `v` lies within 1/8 of `v × 10^s`, which the float product
/// misses by at most 1/16, so the candidate is the only one there can be.
/// `m` and `10^s` are exact floats and division rounds correctly, so
/// `m / 10^s == v` says exactly that `m × 10^-s` reads back as `v`.
pub(super) fn short_decimal(v: f64) -> Option<Decimal> {
    for (places, &scale) in POW10[..=MAX_DECIMALS as usize].iter().enumerate() {
        let scaled = v * scale;
        if scaled.abs() >= 1e15 {
            return None;
        }
        let m = scaled.round();
        if m / scale == v {
            return Some(Decimal::new(m as i64, places as u32));
        }
    }
    None
}

/// The float nearest `value` (what parsing its digits gives), when its
/// mantissa is at most 2^53 and its scale at most 22; else `None`.
///
/// Why it is exact: such a mantissa and such a power of ten are both exact
/// floats, and division rounds correctly, so the quotient is the float
/// nearest the exact value.
pub(super) fn exact_f64(value: Decimal) -> Option<f64> {
    let mantissa = value.mantissa().unsigned_abs();
    if mantissa > 1 << 53 {
        return None;
    }
    let magnitude = mantissa as f64 / POW10.get(value.scale() as usize)?;
    Some(if value.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::money::parse_decimal;

    /// A small deterministic generator (no test dependency needed).
    fn numbers(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed
        }
    }

    /// What formatting and parsing reads, with the scale (`Debug` shows
    /// `1.50`).
    fn check_short(v: f64) {
        if let Some(d) = short_decimal(v) {
            let general = parse_decimal(&v.to_string(), MAX_DECIMALS);
            assert_eq!(
                format!("{:?}", Ok::<_, String>(d)),
                format!("{general:?}"),
                "{v:e}"
            );
        }
    }

    #[test]
    fn short_decimals_are_the_floats_shortest_digits() {
        for v in [
            0.0,
            -0.0,
            1.0,
            0.1,
            0.3,
            1.5,
            19.99,
            29.94,
            1e-6,
            999999999.999999,
            1e14,
        ] {
            assert!(short_decimal(v).is_some(), "{v}");
            check_short(v);
            check_short(-v);
        }
        assert_eq!(short_decimal(0.1 + 0.2), None); // 0.30000000000000004
        assert_eq!(short_decimal(1e-7), None);
        assert_eq!(short_decimal(1e15), None);
        let mut next = numbers(3);
        for _ in 0..300_000 {
            let r = next();
            // Decimals of 0–8 places (as prices and weights are), then
            // arbitrary floats from random bits.
            let places = (r >> 60) as i32 % 9;
            check_short(((r >> 12) % 100_000_000_000_000) as f64 / 10f64.powi(places));
            check_short(f64::from_bits(next()));
            check_short(f64::from_bits(next() >> 2 | 0x3f00_0000_0000_0000));
        }
    }

    fn check_exact(d: Decimal) {
        if let Some(f) = exact_f64(d) {
            let parsed = f64::from_str(&d.to_string()).unwrap();
            assert_eq!(f.to_bits(), parsed.to_bits(), "{d}");
        }
    }

    #[test]
    fn exact_floats_are_the_parsed_digits() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(exact_f64(d("29.94")), Some(29.94));
        assert_eq!(exact_f64(d("-16.5")), Some(-16.5));
        assert_eq!(exact_f64(d("0.0625")), Some(0.0625));
        assert_eq!(exact_f64(d("9007199254740993")), None); // 2^53 + 1
        assert_eq!(exact_f64(d("0.00000000000000000000001")), None); // scale 23
        let mut next = numbers(7);
        for _ in 0..300_000 {
            let r = next();
            let scale = (r >> 59) as u32 % 29;
            // Mantissas of every size up to 2^54, so both sides of the limit.
            let mantissa = (next() >> (r % 64).max(10)) as i64;
            let sign = if r & 1 == 0 { 1 } else { -1 };
            check_exact(Decimal::new(sign * mantissa, scale));
        }
    }
}
