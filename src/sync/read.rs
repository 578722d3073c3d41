//! Hand-written JSON readers for the sync inputs: a value of the wrong kind
//! or a bad amount is reported at once with its exact path
//! (`line_items[2].sales_tax`), in the style of `cart::read`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::error::{Code, Error, Result};
use crate::money::{decimal_from_f64, parse_decimal, Money, MAX_DECIMALS};

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// Money above this is refused, as in cart validation (10^13).
pub(crate) const MAX_MONEY: i64 = 10_000_000_000_000;

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `prefix.key`, or `key` at the top.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn wrong(path: &str, expected: &str, got: &Value) -> Error {
    Error::field(
        Code::InvalidType,
        path,
        format!("{path} must be {expected}, not {}", kind(got)),
    )
}

/// The value as an object; `what` names it (`"the order"`) in errors.
pub(crate) fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Object> {
    match value {
        Value::Object(o) => Ok(o),
        other => Err(Error::new(
            Code::InvalidType,
            format!("{what} must be an object, not {}", kind(other)),
        )),
    }
}

/// A string field, trimmed; null, absent and blank are `None`.
pub(crate) fn text(o: &Object, key: &str, prefix: &str) -> Result<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
        Some(other) => Err(wrong(&join(prefix, key), "a string", other)),
    }
}

/// An id: a string, or an integer read as its digits.
pub(crate) fn id(o: &Object, key: &str, prefix: &str) -> Result<Option<String>> {
    match o.get(key) {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        _ => text(o, key, prefix),
    }
}

/// A boolean field.
pub(crate) fn boolean(o: &Object, key: &str, prefix: &str) -> Result<Option<bool>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(&join(prefix, key), "true or false", other)),
    }
}

/// A decimal from a number or a decimal string (at most 6 places).
fn decimal(o: &Object, key: &str, path: &str) -> Result<Option<Decimal>> {
    let bad = |why: String| Error::field(Code::InvalidAmount, path, format!("{path} {why}"));
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_decimal(s.trim(), MAX_DECIMALS).map(Some).map_err(bad),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Ok(Some(i.into())),
            (_, Some(u), _) => Ok(Some(u.into())),
            (_, _, Some(f)) => decimal_from_f64(f, MAX_DECIMALS).map(Some).map_err(bad),
            _ => Err(bad("is not a number".into())),
        },
        Some(_) => Err(bad("must be a number or a decimal string".into())),
    }
}

/// Money at least zero. `note` is added to the message of a negative
/// amount (refunds say they are given positive).
pub(crate) fn money(o: &Object, key: &str, prefix: &str, note: &str) -> Result<Option<Money>> {
    let path = join(prefix, key);
    let Some(value) = decimal(o, key, &path)? else {
        return Ok(None);
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Error::field(
            Code::InvalidAmount,
            &path,
            format!("{path} is negative ({value}){note}"),
        ));
    }
    if value > Decimal::from(MAX_MONEY) {
        return Err(Error::field(
            Code::InvalidAmount,
            &path,
            format!("{path} is above the largest accepted amount (10^13)"),
        ));
    }
    Ok(Some(Money::new(value)))
}

/// A quantity above zero.
pub(crate) fn quantity(o: &Object, key: &str, prefix: &str) -> Result<Option<Decimal>> {
    let path = join(prefix, key);
    let value = decimal(o, key, &path).map_err(|e| Error {
        code: Code::InvalidQuantity,
        ..e
    })?;
    match value {
        Some(q) if q.is_sign_negative() || q.is_zero() => Err(Error::field(
            Code::InvalidQuantity,
            &path,
            format!("{path} {q} must be above zero"),
        )),
        Some(q) if q > Decimal::from(MAX_MONEY) => Err(Error::field(
            Code::InvalidQuantity,
            &path,
            format!("{path} {q} is above the largest accepted quantity (10^13)"),
        )),
        other => Ok(other),
    }
}

/// A list field; each item must be an object, read with its own path.
pub(crate) fn list<T>(
    o: &Object,
    key: &str,
    prefix: &str,
    item: impl Fn(&Object, &str) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    let path = join(prefix, key);
    let items = match o.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong(&path, "a list", other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, value) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match value {
            Value::Object(obj) => out.push(item(obj, &at)?),
            other => return Err(wrong(&at, "an object", other)),
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &str) -> Object {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_with_paths() {
        let o = obj(r#"{"a":" x ","n":7,"m":"1.50","q":0,"neg":-1,"l":[{"v":true},3]}"#);
        assert_eq!(text(&o, "a", "").unwrap().as_deref(), Some("x"));
        assert_eq!(id(&o, "n", "").unwrap().as_deref(), Some("7"));
        assert_eq!(money(&o, "m", "", "").unwrap().unwrap().to_string(), "1.50");
        let err = money(&o, "neg", "r", "; give it positive").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("r.neg"));
        assert!(err.message.ends_with("give it positive"));
        let err = quantity(&o, "q", "").unwrap_err();
        assert_eq!(err.code, Code::InvalidQuantity);
        assert_eq!(err.message, "q 0 must be above zero");
        let huge = obj(r#"{"q":10000000000001}"#);
        let err = quantity(&huge, "q", "l").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidQuantity, Some("l.q"))
        );
        assert_eq!(
            err.message,
            "l.q 10000000000001 is above the largest accepted quantity (10^13)"
        );
        let err = list(&o, "l", "", |i, p| boolean(i, "v", p)).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("l[1]"));
        assert_eq!(
            text(&o, "n", "x").unwrap_err().field.as_deref(),
            Some("x.n")
        );
    }
}
