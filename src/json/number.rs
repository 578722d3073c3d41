//! JSON numbers ⇄ exact decimals, without floats' text.
//!
//! Reading gives what serde_json's float and [`decimal_from_f64`] gave
//! (the shortest digits of the nearest float); writing gives the text
//! serde_json wrote for [`crate::money::json_number`]. Both find the
//! shortest digits of a float exactly, from a decimal that rounds to it,
//! with integer arithmetic: no float formatting or parsing code.
//!
//! [`decimal_from_f64`]: crate::money::decimal_from_f64

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::money::float::{nearest_f64, short_decimal};
use crate::money::{normalize_zero, parse_decimal};

/// A JSON number's parts: sign, significant digits (no leading zeros;
/// empty for zero) and the power of ten they are scaled by.
fn parts(text: &str) -> (bool, String, i32) {
    let negative = text.starts_with('-');
    let body = text.trim_start_matches('-');
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().unwrap_or(i32::MAX)),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = int.chars().chain(frac.chars()).collect();
    let digits = digits.trim_start_matches('0').to_owned();
    let exp = exp.saturating_sub(frac.len() as i32);
    (negative, digits, exp)
}

/// True when the number is past the largest float (serde_json refused it
/// as `number out of range`).
pub(super) fn overflows_f64(text: &str) -> bool {
    let (_, digits, exp) = parts(text);
    let lead = (digits.len() as i64 - 1).saturating_add(exp as i64);
    !digits.is_empty() && (lead > 308 || (lead == 308 && digits.as_str() >= "17976931348623158"))
}

/// The number as an exact decimal, when it is one.
fn exact(negative: bool, digits: &str, exp: i32) -> Option<Decimal> {
    let trimmed = digits.trim_end_matches('0');
    let exp = exp.checked_add((digits.len() - trimmed.len()) as i32)?;
    if trimmed.len() > 28 {
        return None;
    }
    let mut mantissa: i128 = trimmed.parse().unwrap_or(0);
    let mut scale = 0u32;
    if exp >= 0 {
        mantissa = mantissa.checked_mul(10i128.checked_pow(exp as u32)?)?;
    } else {
        scale = exp.unsigned_abs();
    }
    if negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// `digits × 10^exp` written out plainly, as Rust's `Display` of a float
/// writes it (`1000000000000000000000`, `0.0000001`).
fn plain(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::from(if negative { "-" } else { "" });
    let len = digits.len() as i32;
    if digits.is_empty() {
        out.push('0');
    } else if exp >= 0 {
        out.push_str(digits);
        out.extend(std::iter::repeat('0').take(exp as usize));
    } else if -exp < len {
        let (int, frac) = digits.split_at((len + exp) as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat('0').take((-exp - len) as usize));
        out.push_str(digits);
    }
    out
}

/// A JSON number as a decimal of at most `max_decimals` places, read as
/// serde_json and [`crate::money::decimal_from_f64`] read it: integers
/// exactly, other numbers through the shortest digits of the nearest
/// float (so `0.1` is `0.1`, and float noise is refused by its places).
pub fn number_decimal(text: &str, max_decimals: u32) -> Result<Decimal, String> {
    if !text.contains(['.', 'e', 'E']) && text != "-0" {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(i.into());
        }
        if let Ok(u) = text.parse::<u64>() {
            return Ok(u.into());
        }
    }
    let (negative, digits, exp) = parts(text);
    // Zero, or too small for a float: zero.
    if digits.is_empty() || (digits.len() as i64 - 1).saturating_add(exp as i64) < -324 {
        return Ok(Decimal::ZERO);
    }
    let Some(decimal) = exact(negative, &digits, exp) else {
        return parse_decimal(&plain(negative, &digits, exp), max_decimals);
    };
    let float = nearest_f64(decimal);
    if let Some(short) = short_decimal(float) {
        if short.scale() <= max_decimals {
            return Ok(short);
        }
    }
    let (digits, exp) = shortest(decimal, float, true);
    parse_decimal(&plain(negative, &digits.to_string(), exp), max_decimals)
}

/// The JSON text of a decimal, as serde_json wrote
/// [`crate::money::json_number`]: whole numbers that fit `i64` as
/// integers, others as the shortest digits of the nearest float, in
/// serde_json's notation (`29.94`, `1e+20`, `1e-7`, `1e15` as
/// `1000000000000000.0`).
pub fn shortest_text(value: Decimal) -> String {
    let value = normalize_zero(value.normalize());
    if value.scale() == 0 {
        if let Ok(i) = i64::try_from(value.mantissa()) {
            return i.to_string();
        }
    }
    let float = nearest_f64(value);
    let (digits, exp) = shortest(value, float, false);
    let digits = digits.to_string();
    let len = digits.len() as i32;
    let lead = len - 1 + exp;
    let mut out = String::from(if float < 0.0 { "-" } else { "" });
    if (-5..=15).contains(&lead) {
        if exp >= 0 {
            out.push_str(&plain(false, &digits, exp));
            out.push_str(".0");
        } else {
            out.push_str(&plain(false, &digits, exp));
        }
    } else {
        out.push_str(&digits[..1]);
        if len > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(if lead < 0 { "e-" } else { "e+" });
        out.push_str(&lead.unsigned_abs().to_string());
    }
    out
}

/// The shortest digits (and power of ten) that read back as `float`,
/// the nearest of them to it when two are as short: what a shortest
/// float formatter prints. A tie goes up with `ties_up` (Rust's `Display`
/// of a float), else to even (serde_json's writer). `value` is a decimal that rounds to `float`;
/// every candidate is a rounding near it, checked exactly.
fn shortest(value: Decimal, float: f64, ties_up: bool) -> (u128, i32) {
    let mantissa = value.mantissa().unsigned_abs();
    let scale = value.scale() as i32;
    if mantissa == 0 {
        return (0, 0);
    }
    let count = mantissa.to_string().len() as u32;
    // A decimal of at most 15 significant digits is the only one that
    // short reading back as its float: floats are 15.95 digits precise.
    let normal = value.normalize();
    if normal.mantissa().unsigned_abs().to_string().len() <= 15 {
        return (normal.mantissa().unsigned_abs(), -(normal.scale() as i32));
    }
    let f = Interval::of(float.abs());
    let mut best = (mantissa, -scale);
    for n in 1..=count.min(17) {
        let drop = count - n;
        let unit = 10u128.pow(drop);
        let k = drop as i32 - scale;
        let low = mantissa / unit;
        // The roundings that read back as the float lie in one run within
        // an ulp of `value`: at 17 digits up to 22 steps, at 15 or fewer
        // at most one. The one nearest the float wins, ties to even.
        let window = if n >= 16 { 23 } else { 2 };
        let mut pick = None;
        for c in low.saturating_sub(window)..=low + window + 1 {
            if !f.contains(c, k) {
                continue;
            }
            // `c` is the next after the pick so far: it wins when the
            // float lies past their midpoint; after it the rest are farther.
            if let Some(p) = pick {
                match compare(2 * p + 1, k, 8 * f.sig, f.exp - 2) {
                    Ordering::Less => {}
                    Ordering::Equal if ties_up || c % 2 == 0 => {}
                    _ => break,
                }
            }
            pick = Some(c);
        }
        let Some(pick) = pick else { continue };
        best = (pick, k);
        break;
    }
    let (mut digits, mut exp) = best;
    while digits % 10 == 0 {
        digits /= 10;
        exp += 1;
    }
    (digits, exp)
}

/// A positive float as `sig × 2^exp`, and the bounds of the decimals that
/// read back as it, in units of `2^(exp - 2)`.
struct Interval {
    sig: u128,
    exp: i32,
    low: u128,
    high: u128,
    /// Ties round to even: an even significand keeps its bounds.
    inclusive: bool,
}

impl Interval {
    fn of(float: f64) -> Interval {
        let bits = float.to_bits();
        let (biased, fraction) = ((bits >> 52) as i32, (bits & ((1 << 52) - 1)) as u128);
        let (sig, exp) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | 1 << 52, biased - 1075)
        };
        // Below a power of two the next float down is half as far.
        let low = if fraction == 0 && biased > 1 {
            4 * sig - 1
        } else {
            4 * sig - 2
        };
        Interval {
            sig,
            exp,
            low,
            high: 4 * sig + 2,
            inclusive: sig % 2 == 0,
        }
    }

    /// Whether `digits × 10^k` reads back as the float.
    fn contains(&self, digits: u128, k: i32) -> bool {
        let above = compare(digits, k, self.low, self.exp - 2);
        let below = compare(digits, k, self.high, self.exp - 2);
        let inside = |o: Ordering, want: Ordering| o == want || (self.inclusive && o.is_eq());
        inside(above, Ordering::Greater) && inside(below, Ordering::Less)
    }
}

/// `a × 10^k` against `b × 2^e`, exactly.
fn compare(a: u128, k: i32, b: u128, e: i32) -> Ordering {
    let (mut left, mut right) = (Big::from(a), Big::from(b));
    if k >= 0 {
        left.times_pow10(k as u32);
    } else {
        right.times_pow10(k.unsigned_abs());
    }
    if e >= 0 {
        right.shift_left(e as u32);
    } else {
        left.shift_left(e.unsigned_abs());
    }
    left.cmp(&right)
}

/// An unsigned big integer, little-endian 32-bit limbs, no leading zero
/// limbs: only what [`compare`] needs.
#[derive(PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from(mut value: u128) -> Big {
        let mut limbs = Vec::new();
        while value != 0 {
            limbs.push(value as u32);
            value >>= 32;
        }
        Big(limbs)
    }

    fn times(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn times_pow10(&mut self, mut power: u32) {
        while power >= 9 {
            self.times(1_000_000_000);
            power -= 9;
        }
        self.times(10u32.pow(power));
    }

    fn shift_left(&mut self, bits: u32) {
        if self.0.is_empty() {
            return;
        }
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits != 0 {
            self.times(1 << bits);
        }
        self.0.splice(0..0, std::iter::repeat(0).take(limbs));
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
