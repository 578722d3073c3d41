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
pub(crate) fn short_decimal(v: f64) -> Option<Decimal> {
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

/// The float nearest `value`, ties to even: what parsing its digits gives
/// (`f64::from_str`), without the text and without core's float parser,
/// whose tables were about 10 KB of the browser's `.wasm`.
///
/// Why it is exact: the quotient `mantissa / 10^scale` (both below 2^96)
/// is found by binary long division to 54 bits, its leading bit and 53
/// more, and every bit after them is folded into a sticky bit; rounding
/// those to the 53 bits of an f64, half to even, is what a correctly
/// rounded parse does. Decimals never reach the subnormal or infinite
/// ranges (their magnitudes lie between 10^-28 and 2^96).
pub(crate) fn nearest_f64(value: Decimal) -> f64 {
    if let Some(float) = exact_f64(value) {
        return float;
    }
    let divisor = 10u128.pow(value.scale());
    let mut quotient = value.mantissa().unsigned_abs() / divisor;
    let mut rest = value.mantissa().unsigned_abs() % divisor;
    if quotient == 0 && rest == 0 {
        return 0.0;
    }
    // value = (quotient + rest / divisor) × 2^exponent throughout.
    let mut exponent: i32 = 0;
    while quotient < 1 << 53 {
        // rest < divisor < 2^94, so doubling it cannot overflow.
        rest <<= 1;
        quotient <<= 1;
        exponent -= 1;
        if rest >= divisor {
            rest -= divisor;
            quotient |= 1;
        }
    }
    let mut sticky = rest != 0;
    while quotient >= 1 << 54 {
        sticky |= quotient & 1 != 0;
        quotient >>= 1;
        exponent += 1;
    }
    // 54 bits: 53 for the float, then the rounding bit.
    let mut significand = (quotient >> 1) as u64;
    exponent += 1;
    if quotient & 1 != 0 && (sticky || significand & 1 != 0) {
        significand += 1;
        if significand == 1 << 53 {
            significand >>= 1;
            exponent += 1;
        }
    }
    // significand × 2^exponent with 2^52 <= significand < 2^53.
    let biased = (exponent + 52 + 1023) as u64;
    let magnitude = f64::from_bits(biased << 52 | (significand & ((1 << 52) - 1)));
    if value.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
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
    fn nearest_floats_are_the_parsed_digits() {
        let check = |d: Decimal| {
            let parsed = f64::from_str(&d.to_string()).unwrap();
            assert_eq!(nearest_f64(d).to_bits(), parsed.to_bits(), "{d}");
        };
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        for text in [
            "0",
            "-0.5",
            "9007199254740993",
            "9007199254740995",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
            "7.9228162514264337593543950335",
            "0.1000000000000000055511151231",
            "9999999999999.999999",
            "123456789012.123456",
        ] {
            check(d(text));
        }
        let mut next = numbers(11);
        for _ in 0..300_000 {
            let r = next();
            let scale = (r >> 59) as u32 % 29;
            let high = (next() >> (r % 64).max(32)) as u128;
            let mantissa = (high << 64 | next() as u128) >> ((r >> 8) % 96);
            let mantissa = mantissa.min((1 << 96) - 1) as i128;
            let sign = if r & 1 == 0 { 1 } else { -1 };
            check(Decimal::from_i128_with_scale(sign * mantissa, scale));
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
