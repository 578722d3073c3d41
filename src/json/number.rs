//! JSON numbers ⇄ exact decimals, without floats' text.
//!
//! Reading gives what serde_json's float and [`decimal_from_f64`] gave
//! (the shortest digits of the nearest float); writing gives the text
//! serde_json wrote for [`crate::money::json_number`]. Both find the
//! shortest digits of a float exactly, from a decimal that rounds to it,
//! with integer arithmetic: no float formatting or parsing code.
//!
//! [`decimal_from_f64`]: crate::money::decimal_from_f64

use rust_decimal::Decimal;

use crate::money::digits::{digits_of, plain, shortest};
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
    let (digits, exp) = shortest(
        decimal.mantissa().unsigned_abs(),
        -(decimal.scale() as i32),
        float,
        true,
    );
    parse_decimal(&plain(negative, &digits_of(digits), exp), max_decimals)
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
    float_json(value)
}

/// The float nearest `value` as serde_json writes a float (`29.94`,
/// `100.0`, `1e+21`, `-0.0`).
fn float_json(value: Decimal) -> String {
    let float = nearest_f64(value);
    let (digits, exp) = shortest(
        value.mantissa().unsigned_abs(),
        -(value.scale() as i32),
        float,
        false,
    );
    let digits = digits_of(digits);
    let len = digits.len() as i32;
    let lead = len - 1 + exp;
    let mut out = String::from(if float.is_sign_negative() { "-" } else { "" });
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

/// A JSON number that is not an integer, as serde_json wrote it and
/// showed it in messages: the nearest float's text (`1.5`, `100.0`,
/// `1e+21`). A number past a decimal's range is shown as written.
pub(crate) fn float_shown(text: &str) -> String {
    let (negative, digits, exp) = parts(text);
    let decimal = match digits.is_empty() {
        true => exact(negative, "0", 0).map(|zero| if negative { -zero } else { zero }),
        false => exact(negative, &digits, exp),
    };
    decimal.map_or_else(|| text.to_owned(), float_json)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
