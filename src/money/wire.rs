//! Serde helpers for TaxJar's wire formats, where money and rates come as
//! numbers in some endpoints and as strings in others.

use super::*;

/// Reads a decimal from a number or string, with no limit on places
/// (rates such as `0.05218` and TaxJar's own figures).
pub fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number or a decimal string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_decimal(v.trim(), 28).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            decimal_from_f64(v, 28).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
    }
    deserializer.deserialize_any(V)
}

/// [`decimal`], for an optional field that may also be `null`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "decimal")] Decimal);
    Option::<W>::deserialize(deserializer).map(|o| o.map(|w| w.0))
}

/// Writes a decimal as a JSON number (see [`json_number`]).
pub fn number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    json_number(*value).serialize(serializer)
}

/// [`number`], for an optional field (skip it when `None`).
pub(crate) fn opt_number<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => number(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads an id that may be a number or a string, as a string.
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or an integer id")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(format!("{v}"))
            } else {
                Err(E::custom(format!("{v} is not an integer id")))
            }
        }
    }
    deserializer.deserialize_any(V)
}

/// [`id`], for an optional field that may also be `null`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "id")] String);
    Option::<W>::deserialize(deserializer).map(|o| o.map(|w| w.0))
}
