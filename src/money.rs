//! Exact decimal money on `rust_decimal`.
//!
//! Input comes as decimal strings or JSON/JS numbers. A number is read
//! through its shortest round-trip decimal form (Rust's `Display` for `f64`,
//! the same digits `String(n)` shows in JS), so `19.99` stays `19.99` and
//! `9.98 × 3` is exactly `29.94`. No arithmetic is ever done in `f64`.
//!
//! Rounding to cents is half away from zero (`0.125 → 0.13`,
//! `-0.125 → -0.13`): it is what TaxJar's own figures and most US state
//! guidance use, and it is symmetric for refunds, which are sent negative.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

pub(crate) mod digits;
pub(crate) mod float;
mod text;
pub mod wire;

#[cfg(feature = "js")]
pub(crate) use text::cents_bytes;

/// The most decimal places accepted in a price or amount.
pub const MAX_DECIMALS: u32 = 6;

/// Parses a plain decimal string: optional `-`, digits, optional `.` and
/// digits. Exponents (`"1e3"`), blanks, `NaN` and `Infinity` are refused,
/// as is anything with more than `max_decimals` places.
pub fn parse_decimal(text: &str, max_decimals: u32) -> Result<Decimal, String> {
    if text.is_empty() {
        return Err("is an empty string".into());
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || (digits.contains('.') && frac_part.is_empty())
    {
        let hint = if text.contains(['e', 'E']) && !text.eq_ignore_ascii_case("infinity") {
            " (exponent notation is not accepted; write the plain decimal)"
        } else {
            ""
        };
        return Err(format!("\"{text}\" is not a decimal number{hint}"));
    }
    if frac_part.len() as u32 > max_decimals {
        return Err(format!(
            "\"{text}\" has {} decimal places; at most {max_decimals} are allowed",
            frac_part.len()
        ));
    }
    let value =
        Decimal::from_str_exact(text).map_err(|_| format!("\"{text}\" is too large a number"))?;
    Ok(normalize_zero(value))
}

/// Converts a float to its shortest round-trip decimal (what its string
/// shows).
pub fn decimal_from_f64(value: f64, max_decimals: u32) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err(format!("{} is not a finite number", digits::display(value)));
    }
    // Prices and TaxJar's figures almost always take the exact fast path;
    // formatting and parsing was most of the cost of reading a number.
    if let Some(decimal) = float::short_decimal(value) {
        if decimal.scale() <= max_decimals {
            return Ok(decimal);
        }
    }
    // The shortest string that reads back as the same f64, as Rust's
    // `Display` prints it (never in exponent notation), found without
    // core's float formatting.
    parse_decimal(&digits::float_text(value), max_decimals)
}

/// `-0` reads as `0`, so keys and outputs never show a negative zero.
pub(crate) fn normalize_zero(mut value: Decimal) -> Decimal {
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

/// `a / b` rounded half away from zero to `dp` places, or `None` when `b`
/// is zero or the figures pass i128. By hand in integers: rust_decimal's
/// division is ~2.4 KB of gzipped wasm the browser build needs nowhere else.
pub fn ratio(a: Decimal, b: Decimal, dp: u32) -> Option<Decimal> {
    let (ma, mb) = (a.mantissa(), b.mantissa());
    if mb == 0 {
        return None;
    }
    // a / b = ma·10^(sb+dp) / (mb·10^sa), in units of 10^-dp.
    let num = ma.checked_mul(10i128.checked_pow(b.scale() + dp)?)?;
    let den = mb.checked_mul(10i128.checked_pow(a.scale())?)?;
    let (q, r) = (num / den, num % den);
    let away = if (num < 0) == (den < 0) { 1 } else { -1 };
    let q = if r.unsigned_abs() * 2 >= den.unsigned_abs() {
        q + away
    } else {
        q
    };
    Decimal::try_from_i128_with_scale(q, dp)
        .ok()
        .map(normalize_zero)
}

/// Rounds to `dp` places, half away from zero.
pub fn round_dp(value: Decimal, dp: u32) -> Decimal {
    normalize_zero(value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero))
}

/// A rate or other plain decimal, printed without trailing zeros
/// (`"0.0625"`, `"0"`).
pub fn format_rate(value: Decimal) -> String {
    normalize_zero(value.normalize()).to_string()
}

/// A decimal as a JSON number: an integer when it is whole, else the float
/// whose shortest form is exactly its digits (`29.94`, never
/// `29.939999999999998`).
pub fn json_number(value: Decimal) -> serde_json::Number {
    let value = normalize_zero(value.normalize());
    if value.scale() == 0 {
        if let Some(i) = value.to_i64() {
            return i.into();
        }
    }
    // The float parsing the digits gives, found without writing them out.
    serde_json::Number::from_f64(float::nearest_f64(value)).unwrap_or_else(|| 0.into())
}

/// An exact amount of money. Cart values keep the precision they were given
/// (up to [`MAX_DECIMALS`] places); computed amounts are in whole cents.
/// It prints, and serializes, as a two-place decimal string (`"1.35"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps an exact decimal.
    pub fn new(value: Decimal) -> Money {
        Money(normalize_zero(value))
    }

    /// A whole number of cents.
    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2))
    }

    /// Parses a decimal string (see [`parse_decimal`]).
    pub fn parse(text: &str) -> Result<Money, String> {
        parse_decimal(text, MAX_DECIMALS).map(Money)
    }

    /// The exact value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// Rounded to cents, half away from zero.
    pub fn round_cents(self) -> Money {
        Money(round_dp(self.0, 2))
    }

    /// Whole cents, rounding half away from zero first. `None` only past
    /// ±9.2e16 dollars.
    pub fn cents(self) -> Option<i64> {
        self.round_cents()
            .0
            .checked_mul(Decimal::ONE_HUNDRED)?
            .to_i64()
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// True when exactly zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `self × factor`, rounded to cents; `None` on overflow.
    pub fn times(self, factor: Decimal) -> Option<Money> {
        self.0.checked_mul(factor).map(|v| Money(round_dp(v, 2)))
    }

    /// This amount as a JSON number (see [`json_number`]).
    pub fn to_json(self) -> serde_json::Value {
        serde_json::Value::Number(json_number(self.0))
    }

    /// The larger of the two.
    pub fn max(self, other: Money) -> Money {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// The smaller of the two.
    pub fn min(self, other: Money) -> Money {
        if self <= other {
            self
        } else {
            other
        }
    }
}

impl fmt::Display for Money {
    /// Two places, e.g. `1.35`, `0.00`, `-16.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rounded = round_dp(self.0, 2);
        rounded.rescale(2);
        // The mantissa is now the cents. Written by hand into one buffer:
        // `Decimal`'s formatting, or `write!` of integers, cost about 4% of
        // applying TaxJar's answer (an estimate prints four amounts a line).
        let cents = rounded.mantissa();
        match u64::try_from(cents.unsigned_abs()) {
            Ok(digits) if rounded.scale() == 2 => {
                let mut buf = [0u8; 24];
                f.write_str(text::cents_text(&mut buf, cents < 0, digits))
            }
            _ => write!(f, "{rounded}"),
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(normalize_zero(self.0 - rhs.0))
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 = normalize_zero(self.0 - rhs.0);
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(normalize_zero(-self.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A decimal read leniently from a string or number. Reading never fails for
/// strings and numbers, so validation can report every bad value with its
/// field path; the reason a value was refused is kept in `Err`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecimalInput(pub Result<Decimal, String>);

impl DecimalInput {
    /// An accepted value.
    pub fn ok(value: Decimal) -> Self {
        DecimalInput(Ok(value))
    }

    /// A cart's decimal string. A negative zero (`"-0.00"`) is refused:
    /// no amount of a cart is negative, and a sign on zero is more likely
    /// a bug upstream than a value.
    pub fn read_str(text: &str) -> Self {
        let value = parse_decimal(text, MAX_DECIMALS);
        if matches!(value, Ok(v) if v.is_zero()) && text.starts_with('-') {
            return DecimalInput(Err(format!("\"{text}\" is a negative zero; send 0")));
        }
        DecimalInput(value)
    }

    /// A cart's JSON number (a JSON `-0` arrives as `-0.0`), refused when
    /// it is a negative zero, like [`DecimalInput::read_str`].
    pub fn read_f64(value: f64) -> Self {
        if value == 0.0 && value.is_sign_negative() {
            return DecimalInput(Err("-0 is a negative zero; send 0".into()));
        }
        DecimalInput(decimal_from_f64(value, MAX_DECIMALS))
    }
}

impl<'de> Deserialize<'de> for DecimalInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DecimalInput;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalInput, E> {
                Ok(DecimalInput::read_str(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DecimalInput, E> {
                Ok(DecimalInput::read_f64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DecimalInput, E> {
                Ok(DecimalInput::ok(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DecimalInput, E> {
                Ok(DecimalInput::ok(Decimal::from(v)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

// Native only: proptest is not a wasm dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod ratio_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The integer division agrees with rust_decimal's, rounded.
        #[test]
        fn ratio_is_decimal_division_rounded(a in -10_000_000_000i64..10_000_000_000, sa in 0u32..9,
                                            b in -10_000_000i64..10_000_000, sb in 0u32..6, dp in 0u32..8) {
            let (a, b) = (Decimal::new(a, sa), Decimal::new(b, sb));
            let expected = (!b.is_zero()).then(|| round_dp(a / b, dp));
            prop_assert_eq!(ratio(a, b, dp), expected);
        }
    }

    #[test]
    fn ratio_rounds_half_away_from_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(ratio(d("1"), d("8"), 2), Some(d("0.13")));
        assert_eq!(ratio(d("-1"), d("8"), 2), Some(d("-0.13")));
        assert_eq!(ratio(d("4.6125"), d("50.00"), 5), Some(d("0.09225")));
        assert_eq!(ratio(d("1"), d("0"), 2), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn numbers_read_through_shortest_form() {
        assert_eq!(decimal_from_f64(19.99, 6).unwrap(), d("19.99"));
        let price = decimal_from_f64(9.98, 6).unwrap();
        assert_eq!(
            Money::new(price)
                .times(Decimal::from(3))
                .unwrap()
                .to_string(),
            "29.94"
        );
        assert_eq!(
            decimal_from_f64(1e21, 6).unwrap(),
            d("1000000000000000000000")
        );
    }

    #[test]
    fn refuses_bad_inputs_with_reasons() {
        assert!(parse_decimal("", 6).unwrap_err().contains("empty"));
        assert!(parse_decimal("1e3", 6).unwrap_err().contains("exponent"));
        assert!(parse_decimal("NaN", 6)
            .unwrap_err()
            .contains("not a decimal"));
        assert!(parse_decimal("Infinity", 6)
            .unwrap_err()
            .contains("not a decimal"));
        assert!(parse_decimal("1.1234567", 6)
            .unwrap_err()
            .contains("7 decimal places"));
        assert!(parse_decimal("1.", 6).is_err());
        assert!(parse_decimal(" 1", 6).is_err());
        assert!(parse_decimal("+1", 6).is_err());
        assert!(decimal_from_f64(f64::NAN, 6)
            .unwrap_err()
            .contains("finite"));
        assert!(decimal_from_f64(f64::INFINITY, 6).is_err());
        // 0.1 + 0.2 is float noise, not a price.
        assert!(decimal_from_f64(0.1 + 0.2, 6)
            .unwrap_err()
            .contains("17 decimal places"));
    }

    #[test]
    fn accepts_plain_forms() {
        assert_eq!(parse_decimal("10", 6).unwrap(), d("10"));
        assert_eq!(parse_decimal("10.00", 6).unwrap(), d("10"));
        assert_eq!(parse_decimal(".5", 6).unwrap(), d("0.5"));
        assert_eq!(parse_decimal("-0", 6).unwrap().to_string(), "0");
        assert_eq!(parse_decimal("1.123456", 6).unwrap(), d("1.123456"));
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Money::new(d("0.125")).round_cents().to_string(), "0.13");
        assert_eq!(Money::new(d("-0.125")).round_cents().to_string(), "-0.13");
        assert_eq!(Money::new(d("0.124999")).round_cents().to_string(), "0.12");
        assert_eq!(Money::new(d("2.5")).to_string(), "2.50");
        assert_eq!(Money::new(d("-0.001")).to_string(), "0.00");
        assert_eq!(Money::new(d("0.015")).cents(), Some(2));
    }

    #[test]
    fn json_numbers_are_exact_digits() {
        assert_eq!(json_number(d("29.94")).to_string(), "29.94");
        assert_eq!(json_number(d("15.00")).to_string(), "15");
        assert_eq!(json_number(d("0.1")).to_string(), "0.1");
        assert_eq!(json_number(d("-16.5")).to_string(), "-16.5");
    }

    #[test]
    fn formats_rates_without_trailing_zeros() {
        assert_eq!(format_rate(d("0.0625")), "0.0625");
        assert_eq!(format_rate(d("0.090")), "0.09");
        assert_eq!(format_rate(d("0.0")), "0");
    }

    #[test]
    fn lenient_input_keeps_reason() {
        let ok: DecimalInput = serde_json::from_str("19.99").unwrap();
        assert_eq!(ok.0.unwrap(), d("19.99"));
        let bad: DecimalInput = serde_json::from_str("\"1e3\"").unwrap();
        assert!(bad.0.unwrap_err().contains("exponent"));
        assert!(serde_json::from_str::<DecimalInput>("true").is_err());
    }
}
