//! The hand-written number text against serde_json's, over many values.

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::money::{decimal_from_f64, json_number};

fn serde_text(value: Decimal) -> String {
    serde_json::to_string(&json_number(value)).unwrap()
}

fn check_writes(value: Decimal) {
    assert_eq!(shortest_text(value), serde_text(value), "{value:?}");
}

/// What serde_json read from `text` as an integer, else what
/// `decimal_from_f64` reads from the nearest float. (serde_json's own
/// float parser is not correctly rounded past 15 or so digits unless its
/// `float_roundtrip` feature is on; the text's nearest float is the value
/// JS meant, and what this crate always documented.)
fn check_reads(text: &str, max: u32) {
    let old = match serde_json::from_str::<serde_json::Value>(text).unwrap() {
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Ok(Decimal::from(i)),
            (_, Some(u), _) => Ok(Decimal::from(u)),
            (_, _, Some(_)) => decimal_from_f64(text.parse::<f64>().unwrap(), max),
            _ => unreachable!(),
        },
        other => panic!("{other}"),
    };
    let new = number_decimal(text, max);
    let (negative, digits, exp) = parts(text);
    if !digits.is_empty() && exact(negative, &digits, exp).is_none() {
        // Past a decimal's range or digits (a text no JS number writes
        // below 1e-11): money refuses it or reads zero either way; the
        // message quotes the text's digits, not the float's.
        if max <= 6 {
            assert_eq!(new.is_ok(), old.is_ok(), "{text}: {new:?} {old:?}");
        }
        return;
    }
    assert_eq!(
        format!("{new:?}"),
        format!("{old:?}"),
        "{text} (max {max} places)"
    );
}

#[test]
fn writes_as_serde_json_wrote() {
    for text in [
        "0",
        "1",
        "-1",
        "29.94",
        "0.1",
        "15.00",
        "-16.5",
        "0.000001",
        "0.00001",
        "0.0001",
        "1e-7",
        "123456789012345.6",
        "1000000000000000",
        "10000000000000000",
        "99999999999999.99",
        "1234567890123.123456",
        "9007199254740993",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "7.9228162514264337593543950335",
        "0.1000000000000000055511151231",
        "9223372036854775807",
        "9223372036854775808",
        "0.30000000000000004",
        "123.456e10",
    ] {
        check_writes(
            Decimal::from_scientific(text)
                .or_else(|_| Decimal::from_str(text))
                .unwrap(),
        );
    }
}

#[test]
fn reads_as_serde_json_read() {
    for text in [
        "0.0",
        "-0.0",
        "1.0",
        "19.99",
        "0.1",
        "1e21",
        "1e+21",
        "1e-7",
        "1.5e-5",
        "0.30000000000000004",
        "19.990000000000000001",
        "1e300",
        "-1e-300",
        "1e-400",
        "18446744073709551616",
        "123456789.1234567",
        "9.999999999999999e22",
        "2.5e-324",
        "0.1e1",
        "1E2",
        "1234.5e-2",
    ] {
        for max in [6, 28] {
            check_reads(text, max);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn random_decimals_write_as_serde_json(mantissa in any::<i128>(), shift in 0u32..96, scale in 0u32..29) {
        let mantissa = (mantissa >> shift) % (1i128 << 96);
        check_writes(Decimal::from_i128_with_scale(mantissa, scale));
    }

    #[test]
    fn money_writes_as_serde_json(cents in -10_000_000_000_000_000i64..10_000_000_000_000_000, scale in 0u32..7) {
        check_writes(Decimal::new(cents, scale));
    }

    #[test]
    fn random_floats_read_as_serde_json(bits in any::<u64>(), max in prop::sample::select(vec![6u32, 28])) {
        let float = f64::from_bits(bits);
        prop_assume!(float.is_finite());
        // Rust's `{:e}` and `{}` texts, and serde_json's own.
        check_reads(&format!("{float:e}"), max);
        check_reads(&serde_json::to_string(&float).unwrap(), max);
    }

    #[test]
    fn decimal_texts_read_as_serde_json(mantissa in any::<i64>(), places in 0usize..20, exp in -30i32..30) {
        let digits = mantissa.unsigned_abs().to_string();
        let cut = digits.len().saturating_sub(places).max(1);
        let sign = if mantissa < 0 { "-" } else { "" };
        let text = if cut < digits.len() {
            format!("{sign}{}.{}", &digits[..cut], &digits[cut..])
        } else {
            format!("{sign}{digits}")
        };
        check_reads(&text, 6);
        check_reads(&format!("{text}e{exp}"), 28);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    /// The float text `decimal_from_f64` reads is Rust's `Display`.
    #[test]
    fn float_texts_are_rusts_display(bits in any::<u64>(), small in -1e6f64..1e6) {
        for float in [f64::from_bits(bits), small, small / 1e6] {
            if float.is_finite() {
                prop_assert_eq!(crate::money::digits::float_text(float), float.to_string());
            }
        }
    }
}
