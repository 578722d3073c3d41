//! TaxJar's `{tax: {...}}` answer read from a [`Json`] tree by hand, for
//! the paths the browser build reaches (the server build's other answers
//! keep their serde derives). Shapes and messages are the derives': a
//! field of the wrong kind is `invalid type: …, expected …`, a missing one
//! `missing field `…``, a repeated one `duplicate field `…``.

use rust_decimal::Decimal;

use super::rates::{field_index, Name, RATE_FIELDS};
use super::taxes::{Jurisdictions, Tax, TaxResponse};
use super::{Breakdown, LineBreakdown, ShippingBreakdown};
use crate::json::{number_decimal, Json};
use crate::model::rates::Rates;
use crate::money::parse_decimal;

/// A reading error's message.
pub(crate) type Result<T> = std::result::Result<T, String>;

/// Reads an object's members named in `names` in the order they come,
/// each by `field` (with its index in `names`), as serde's derive reads:
/// the first bad member is the error; a value that is not an object is
/// one naming `what`, a name given twice another.
pub(crate) fn visit(
    value: &Json,
    names: &[&str],
    what: &str,
    mut field: impl FnMut(usize, &Json) -> Result<()>,
) -> Result<()> {
    let Json::Object(all) = value else {
        return Err(value.invalid_type(what));
    };
    let mut seen = 0u64;
    for (key, value) in all {
        if let Some(i) = names.iter().position(|n| n == key) {
            if seen & (1 << i) != 0 {
                return Err(format!("duplicate field `{key}`"));
            }
            seen |= 1 << i;
            field(i, value)?;
        }
    }
    Ok(())
}

/// Absent or null.
fn absent(value: Option<&Json>) -> bool {
    matches!(value, None | Some(Json::Null))
}

/// A decimal from a number or a decimal string, with no limit on places
/// (what `money::wire::decimal` reads).
pub(crate) fn decimal(value: &Json) -> Result<Decimal> {
    match value {
        Json::Number(n) => number_decimal(n, 28),
        Json::String(s) => parse_decimal(s.trim(), 28),
        other => Err(other.invalid_type("a number or a decimal string")),
    }
}

/// [`decimal`], absent or null being `None`.
pub(crate) fn opt_decimal(value: Option<&Json>) -> Result<Option<Decimal>> {
    match value {
        v if absent(v) => Ok(None),
        Some(v) => decimal(v).map(Some),
        None => Ok(None),
    }
}

/// An id from a string or a whole number (what `money::wire::opt_id`
/// reads).
fn opt_id(value: Option<&Json>) -> Result<Option<String>> {
    let Some(value) = value.filter(|v| !absent(Some(v))) else {
        return Ok(None);
    };
    if let Some(id) = value.integer_text() {
        return Ok(Some(id));
    }
    match value {
        Json::String(s) => Ok(Some(s.clone())),
        Json::Number(n) => match number_decimal(n, 28) {
            Ok(d) if d.fract().is_zero() && d.abs() < Decimal::from(9_000_000_000_000_000i64) => {
                Ok(Some(d.trunc().normalize().to_string()))
            }
            _ => Err(format!("{n} is not an integer id")),
        },
        other => Err(other.invalid_type("a string or an integer id")),
    }
}

/// A string, absent or null being `None`.
pub(crate) fn opt_string(value: Option<&Json>) -> Result<Option<String>> {
    match value {
        v if absent(v) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(other.invalid_type("a string")),
        None => Ok(None),
    }
}

/// A boolean, absent being `None` (and null too, when `null_ok`).
fn opt_bool(value: Option<&Json>, null_ok: bool) -> Result<Option<bool>> {
    match value {
        None => Ok(None),
        Some(Json::Null) if null_ok => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(other.invalid_type("a boolean")),
    }
}

/// A list, each item read by `item`; absent or null is `None`.
pub(crate) fn opt_list<T>(
    value: Option<&Json>,
    item: impl Fn(&Json) -> Result<T>,
) -> Result<Option<Vec<T>>> {
    match value {
        v if absent(v) => Ok(None),
        Some(Json::Array(items)) => items.iter().map(item).collect::<Result<_>>().map(Some),
        Some(other) => Err(other.invalid_type("a sequence")),
        None => Ok(None),
    }
}

/// `{tax: {...}}`.
pub fn tax_response(value: &Json) -> Result<TaxResponse> {
    let mut tax = None;
    visit(value, &["tax"], "struct TaxResponse", |_, v| {
        tax = Some(self::tax(v)?);
        Ok(())
    })?;
    Ok(TaxResponse {
        tax: tax.ok_or("missing field `tax`")?,
    })
}

/// The fields of TaxJar's `tax` object, in the order of [`Tax`]'s.
pub const TAX_FIELDS: [&str; 15] = [
    "order_total_amount",
    "shipping",
    "taxable_amount",
    "amount_to_collect",
    "rate",
    "has_nexus",
    "freight_taxable",
    "tax_source",
    "exemption_type",
    "jurisdictions",
    "breakdown",
    "estimated",
    "source",
    "rates_as_of",
    "warnings",
];

fn tax(value: &Json) -> Result<Tax> {
    let mut tax = Tax::default();
    let mut to_collect = None;
    visit(value, &TAX_FIELDS, "struct Tax", |i, v| {
        let some = Some(v);
        match i {
            0 => tax.order_total_amount = opt_decimal(some)?,
            1 => tax.shipping = opt_decimal(some)?,
            2 => tax.taxable_amount = opt_decimal(some)?,
            3 => to_collect = Some(decimal(v)?),
            4 => tax.rate = opt_decimal(some)?,
            5 => tax.has_nexus = opt_bool(some, false)?.unwrap_or_default(),
            6 => tax.freight_taxable = opt_bool(some, false)?.unwrap_or_default(),
            7 => tax.tax_source = opt_string(some)?,
            8 => tax.exemption_type = opt_string(some)?,
            9 => tax.jurisdictions = optional(some, jurisdictions)?,
            10 => tax.breakdown = optional(some, breakdown)?,
            11 => tax.estimated = opt_bool(some, true)?,
            12 => tax.source = opt_string(some)?,
            13 => tax.rates_as_of = opt_string(some)?,
            _ => {
                tax.warnings = opt_list(some, |w| {
                    opt_string(Some(w))?.ok_or_else(|| w.invalid_type("a string"))
                })?
            }
        }
        Ok(())
    })?;
    tax.amount_to_collect = to_collect.ok_or("missing field `amount_to_collect`")?;
    Ok(tax)
}

/// `read` of a value, null being `None`.
fn optional<T>(value: Option<&Json>, read: impl FnOnce(&Json) -> Result<T>) -> Result<Option<T>> {
    match value {
        v if absent(v) => Ok(None),
        Some(v) => read(v).map(Some),
        None => Ok(None),
    }
}

fn jurisdictions(value: &Json) -> Result<Jurisdictions> {
    let mut j = Jurisdictions::default();
    let names = ["country", "state", "county", "city"];
    visit(value, &names, "struct Jurisdictions", |i, v| {
        let text = opt_string(Some(v))?;
        *match i {
            0 => &mut j.country,
            1 => &mut j.state,
            2 => &mut j.county,
            _ => &mut j.city,
        } = text;
        Ok(())
    })?;
    Ok(j)
}

/// The rates of an object, and its members named in `own` for `take`; a
/// member twice is an error, as the derive made it.
fn rates(
    value: &Json,
    what: &str,
    own: &[&str],
    mut take: impl FnMut(&'static str, &Json) -> Result<()>,
) -> Result<Rates> {
    let Json::Object(all) = value else {
        return Err(value.invalid_type(what));
    };
    let mut rates = Rates::default();
    let mut seen = 0u64;
    for (key, value) in all {
        let Some(index) = field_index(key) else {
            continue;
        };
        let name = Name::text(index);
        if seen & (1 << index) != 0 {
            return Err(format!("duplicate field `{name}`"));
        }
        seen |= 1 << index;
        if index >= RATE_FIELDS.len() && own.contains(&name) {
            take(name, value)?;
        } else if let Some(slot) = rates.slot(index) {
            *slot = opt_decimal(Some(value))?;
        }
    }
    Ok(rates)
}

fn breakdown(value: &Json) -> Result<Breakdown> {
    let (mut shipping, mut line_items) = (None, Vec::new());
    let rates = rates(
        value,
        "a breakdown",
        &["shipping", "line_items"],
        |name, v| {
            if name == "shipping" {
                shipping = match v {
                    Json::Null => None,
                    v => Some(ShippingBreakdown {
                        rates: self::rates(v, "a shipping breakdown", &[], |_, _| Ok(()))?,
                    }),
                };
            } else {
                line_items = match v {
                    Json::Array(items) => items.iter().map(line).collect::<Result<_>>()?,
                    other => return Err(other.invalid_type("a sequence")),
                };
            }
            Ok(())
        },
    )?;
    Ok(Breakdown {
        rates,
        shipping,
        line_items,
    })
}

fn line(value: &Json) -> Result<LineBreakdown> {
    let mut id = None;
    let rates = rates(value, "a line breakdown", &["id"], |_, v| {
        id = opt_id(Some(v))?;
        Ok(())
    })?;
    Ok(LineBreakdown { id, rates })
}
