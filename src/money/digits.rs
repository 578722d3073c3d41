//! The shortest decimal digits of a float, found exactly with integer
//! arithmetic: what Rust's `Display` of a float and serde_json's writer
//! print, without core's float formatting (about 19 KB of the browser's
//! `.wasm`, kept alive by a single `to_string` of a float).

use std::cmp::Ordering;

/// The text of a finite float as Rust's `Display` writes it (`0.1`,
/// `1000000000000000000000`, `0.0000001`, `-0`).
pub(crate) fn float_text(float: f64) -> String {
    let (mantissa, exp10) = exact_digits(float.abs());
    let (digits, exp) = shortest(mantissa, exp10, float.abs(), true);
    let digits = if digits == 0 {
        String::new()
    } else {
        digits_of(digits)
    };
    plain(float.is_sign_negative(), &digits, exp)
}

/// The decimal digits of `n` (`0` for zero), written by hand: core's
/// `u128` formatting was 1.5 KB of the `.wasm`.
pub(crate) fn digits_of(mut n: u128) -> String {
    let mut out = Vec::with_capacity(40);
    loop {
        out.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().map(|&b| char::from(b)).collect()
}

/// Any float as Rust's `Display` writes it (`NaN`, `inf` and `-inf`
/// too): for messages, without core's float formatting.
pub(crate) fn display(float: f64) -> String {
    if float.is_nan() {
        "NaN".into()
    } else if float.is_infinite() {
        (if float < 0.0 { "-inf" } else { "inf" }).into()
    } else {
        float_text(float)
    }
}

/// The float's exact value to at least 28 significant digits (cut, not
/// rounded), as `mantissa × 10^exp10`: a decimal that rounds to it.
fn exact_digits(float: f64) -> (u128, i32) {
    let f = Interval::of(float);
    let mut n = Big::from(f.sig);
    let mut exp10 = 0;
    if f.exp >= 0 {
        n.shift_left(f.exp as u32);
    } else {
        // sig / 2^k = sig × 5^k / 10^k.
        let mut k = f.exp.unsigned_abs();
        while k > 0 {
            let step = k.min(13);
            n.times(5u32.pow(step));
            k -= step;
        }
        exp10 = f.exp;
    }
    while n.0.len() > 4 {
        n.divide(1_000_000_000);
        exp10 += 9;
    }
    let mantissa =
        n.0.iter()
            .rev()
            .fold(0u128, |acc, &limb| acc << 32 | u128::from(limb));
    (mantissa, exp10)
}

/// `digits × 10^exp` written out plainly, as Rust's `Display` of a float
/// writes it (`1000000000000000000000`, `0.0000001`).
pub(crate) fn plain(negative: bool, digits: &str, exp: i32) -> String {
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

/// The shortest digits (and power of ten) that read back as `float`,
/// the nearest of them to it when two are as short: what a shortest
/// float formatter prints. A tie goes up with `ties_up` (Rust's `Display`
/// of a float), else to even (serde_json's writer). `value` is a decimal that rounds to `float`;
/// every candidate is a rounding near it, checked exactly.
pub(crate) fn shortest(mantissa: u128, exp10: i32, float: f64, ties_up: bool) -> (u128, i32) {
    if mantissa == 0 {
        return (0, 0);
    }
    let (mut normal, mut normal_exp) = (mantissa, exp10);
    while normal % 10 == 0 {
        normal /= 10;
        normal_exp += 1;
    }
    // A decimal of at most 15 significant digits is the only one that
    // short reading back as its float: floats are 15.95 digits precise.
    if normal < 1_000_000_000_000_000 {
        return (normal, normal_exp);
    }
    let (mantissa, scale) = (normal, -normal_exp);
    let count = digits_of(mantissa).len() as u32;
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

    /// Divides by `divisor`, dropping the remainder.
    fn divide(&mut self, divisor: u32) {
        let mut rest = 0u64;
        for limb in self.0.iter_mut().rev() {
            let value = rest << 32 | u64::from(*limb);
            *limb = (value / u64::from(divisor)) as u32;
            rest = value % u64::from(divisor);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
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
