//! Reads a [`Cart`] from a JSON value by hand, so a value of the wrong kind
//! is reported with its exact path (`line_items[2].id`) and so the wasm
//! carries one small reader instead of serde's generic machinery.

use super::{Cart, LineItem, NexusAddress};
use crate::error::{Code, Error, Result};
use crate::json::{number_decimal, Json as Value};
use crate::money::{DecimalInput, MAX_DECIMALS};

/// An object's members (a [`Value::Object`]).
pub(crate) type Object = [(String, Value)];

/// The member `key` (the last of that name, as serde_json's map kept it).
pub(crate) fn member<'a>(obj: &'a Object, key: &str) -> Option<&'a Value> {
    obj.iter().rev().find(|(k, _)| k == key).map(|m| &m.1)
}

fn wrong(path: &str, expected: &str, got: &Value) -> Error {
    let kind = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    let message = format!("{path} must be {expected}, not {kind}");
    if path.is_empty() {
        Error::new(
            Code::InvalidType,
            format!("the cart must be {expected}, not {kind}"),
        )
    } else {
        Error::field(Code::InvalidType, path, message)
    }
}

/// Where an object sits: the cart itself, or `list[index]`. The path text
/// is written only for an error, not once per line of every cart.
#[derive(Clone, Copy)]
enum At<'a> {
    Cart,
    Item(&'a str, usize),
}

impl At<'_> {
    fn path(self) -> String {
        match self {
            At::Cart => String::new(),
            At::Item(list, i) => format!("{list}[{i}]"),
        }
    }
}

fn join(at: At, key: &str) -> String {
    match at {
        At::Cart => key.to_owned(),
        At::Item(..) => format!("{}.{key}", at.path()),
    }
}

/// A string field; null or absent is `None`.
fn text(obj: &Object, key: &str, at: At) -> Result<Option<String>> {
    match member(obj, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong(&join(at, key), "a string", other)),
    }
}

/// An id-like field: strings, and integers read as their digits.
fn id(obj: &Object, key: &str, at: At) -> Result<Option<String>> {
    match member(obj, key) {
        Some(n @ Value::Number(_)) if n.integer_text().is_some() => Ok(n.integer_text()),
        _ => text(obj, key, at),
    }
}

/// Money or a quantity. Never a structural error: a bad value is kept with
/// its reason, for validation to report as `invalid_amount`.
fn decimal(obj: &Object, key: &str) -> Option<DecimalInput> {
    let reason = |v| DecimalInput(Err(v));
    match member(obj, key)? {
        Value::Null => None,
        Value::String(s) => Some(DecimalInput::read_str(s)),
        Value::Number(n) => Some(number_input(n)),
        _ => Some(reason("must be a number or a decimal string".into())),
    }
}

/// A JSON number as money: a JSON `-0` (a float's negative zero to
/// serde_json) is refused, as [`DecimalInput::read_f64`] refuses it.
fn number_input(text: &str) -> DecimalInput {
    if text.starts_with('-') && number_decimal(text, 28) == Ok(0.into()) {
        return DecimalInput(Err("-0 is a negative zero; send 0".into()));
    }
    DecimalInput(number_decimal(text, MAX_DECIMALS))
}

/// A number or decimal string read leniently, as `DecimalInput`'s
/// `Deserialize` read it: anything else is serde's error.
#[cfg(feature = "js")]
pub(crate) fn decimal_input(value: &Value) -> std::result::Result<DecimalInput, String> {
    match value {
        Value::String(s) => Ok(DecimalInput::read_str(s)),
        Value::Number(n) => Ok(number_input(n)),
        other => Err(other.invalid_type("a number or a decimal string")),
    }
}

/// A list of [`decimal_input`]s.
#[cfg(feature = "js")]
pub(crate) fn decimal_inputs(value: &Value) -> std::result::Result<Vec<DecimalInput>, String> {
    match value {
        Value::Array(items) => items.iter().map(decimal_input).collect(),
        other => Err(other.invalid_type("a sequence")),
    }
}

fn boolean(obj: &Object, key: &str, at: At) -> Result<Option<bool>> {
    match member(obj, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(&join(at, key), "true or false", other)),
    }
}

/// A list of objects, each read by `item` with its own path.
fn list<T>(
    obj: &Object,
    key: &str,
    item: impl Fn(&Object, At) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    let items = match member(obj, key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong(key, "a list", other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, value) in items.iter().enumerate() {
        let at = At::Item(key, i);
        match value {
            Value::Object(o) => out.push(item(o, at)?),
            other => return Err(wrong(&at.path(), "an object", other)),
        }
    }
    Ok(Some(out))
}

/// Reads a cart; the first value of the wrong kind is the error.
pub(crate) fn cart(value: &Value) -> Result<Cart> {
    let Value::Object(o) = value else {
        return Err(wrong("", "an object", value));
    };
    Ok(Cart {
        from_country: text(o, "from_country", At::Cart)?,
        from_zip: text(o, "from_zip", At::Cart)?,
        from_state: text(o, "from_state", At::Cart)?,
        from_city: text(o, "from_city", At::Cart)?,
        from_street: text(o, "from_street", At::Cart)?,
        to_country: text(o, "to_country", At::Cart)?,
        to_zip: text(o, "to_zip", At::Cart)?,
        to_state: text(o, "to_state", At::Cart)?,
        to_city: text(o, "to_city", At::Cart)?,
        to_street: text(o, "to_street", At::Cart)?,
        amount: decimal(o, "amount"),
        shipping: decimal(o, "shipping"),
        shipping_discount: decimal(o, "shipping_discount"),
        order_discount: decimal(o, "order_discount"),
        discount_split: text(o, "discount_split", At::Cart)?,
        handling_fee: decimal(o, "handling_fee"),
        customer_id: id(o, "customer_id", At::Cart)?,
        exemption_type: text(o, "exemption_type", At::Cart)?,
        nexus_addresses: list(o, "nexus_addresses", nexus_address)?,
        customer_context: text(o, "customer_context", At::Cart)?,
        line_items: list(o, "line_items", line_item)?,
    })
}

/// The `nexus_addresses` list of any object (a signed customer context
/// carries one), read as a cart's.
pub(crate) fn nexus_addresses(o: &Object) -> Result<Option<Vec<NexusAddress>>> {
    list(o, "nexus_addresses", nexus_address)
}

/// A string field of any object, named `key` in errors.
pub(crate) fn text_field(o: &Object, key: &str) -> Result<Option<String>> {
    text(o, key, At::Cart)
}

/// An id-like field (a string, or an integer read as its digits).
pub(crate) fn id_field(o: &Object, key: &str) -> Result<Option<String>> {
    id(o, key, At::Cart)
}

fn nexus_address(o: &Object, at: At) -> Result<NexusAddress> {
    Ok(NexusAddress {
        id: id(o, "id", at)?,
        country: text(o, "country", at)?,
        state: text(o, "state", at)?,
        zip: text(o, "zip", at)?,
        city: text(o, "city", at)?,
        street: text(o, "street", at)?,
    })
}

fn line_item(o: &Object, at: At) -> Result<LineItem> {
    Ok(LineItem {
        id: id(o, "id", at)?,
        quantity: decimal(o, "quantity"),
        unit_price: decimal(o, "unit_price"),
        discount: decimal(o, "discount"),
        product_tax_code: id(o, "product_tax_code", at)?,
        description: text(o, "description", at)?,
        product_identifier: id(o, "product_identifier", at)?,
        discountable: boolean(o, "discountable", at)?,
    })
}
