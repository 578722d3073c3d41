//! [`Rates`], and the breakdowns that carry them beside fields of their
//! own, read by hand.
//!
//! TaxJar puts a breakdown's jurisdiction figures in the same object as
//! its `shipping`, `line_items` or `id`. serde's `flatten` reads that by
//! buffering every field and reading the buffer again: about 20 KB of the
//! wasm, and much of the time to read a long answer. Here each field is
//! read once, straight into its place.

use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::money::wire;

/// Amounts and rates per jurisdiction. US orders use the state/county/city/
/// special fields, Canada GST/PST/QST, other countries the country fields;
/// TaxJar leaves out what does not apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rates {
    /// Taxable amount.
    pub taxable_amount: Option<Decimal>,
    /// Tax collectable.
    pub tax_collectable: Option<Decimal>,
    /// Combined rate.
    pub combined_tax_rate: Option<Decimal>,
    /// State taxable amount.
    pub state_taxable_amount: Option<Decimal>,
    /// State rate (order and shipping level name).
    pub state_tax_rate: Option<Decimal>,
    /// State rate (line and shipping name).
    pub state_sales_tax_rate: Option<Decimal>,
    /// State tax (order level name).
    pub state_tax_collectable: Option<Decimal>,
    /// State tax (line and shipping name).
    pub state_amount: Option<Decimal>,
    /// County taxable amount.
    pub county_taxable_amount: Option<Decimal>,
    /// County rate.
    pub county_tax_rate: Option<Decimal>,
    /// County tax (order level).
    pub county_tax_collectable: Option<Decimal>,
    /// County tax (line level).
    pub county_amount: Option<Decimal>,
    /// City taxable amount.
    pub city_taxable_amount: Option<Decimal>,
    /// City rate.
    pub city_tax_rate: Option<Decimal>,
    /// City tax (order level).
    pub city_tax_collectable: Option<Decimal>,
    /// City tax (line level).
    pub city_amount: Option<Decimal>,
    /// Special district taxable amount (order and line name).
    pub special_district_taxable_amount: Option<Decimal>,
    /// Special district taxable amount (shipping name).
    pub special_taxable_amount: Option<Decimal>,
    /// Special district rate.
    pub special_tax_rate: Option<Decimal>,
    /// Special district tax (order level).
    pub special_district_tax_collectable: Option<Decimal>,
    /// Special district tax (line level).
    pub special_district_amount: Option<Decimal>,
    /// Country taxable amount (VAT and GST countries).
    pub country_taxable_amount: Option<Decimal>,
    /// Country rate.
    pub country_tax_rate: Option<Decimal>,
    /// Country tax.
    pub country_tax_collectable: Option<Decimal>,
    /// Canadian GST taxable amount.
    pub gst_taxable_amount: Option<Decimal>,
    /// GST rate.
    pub gst_tax_rate: Option<Decimal>,
    /// GST.
    pub gst: Option<Decimal>,
    /// Canadian PST taxable amount.
    pub pst_taxable_amount: Option<Decimal>,
    /// PST rate.
    pub pst_tax_rate: Option<Decimal>,
    /// PST.
    pub pst: Option<Decimal>,
    /// Quebec QST taxable amount.
    pub qst_taxable_amount: Option<Decimal>,
    /// QST rate.
    pub qst_tax_rate: Option<Decimal>,
    /// QST.
    pub qst: Option<Decimal>,
}

/// The order-level breakdown. Read by hand (below), not derived: its
/// rates sit beside its own fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakdown {
    /// Order-level amounts and rates.
    pub rates: Rates,
    /// Shipping detail; absent when freight is not taxable.
    pub shipping: Option<ShippingBreakdown>,
    /// Per-line detail.
    pub line_items: Vec<LineBreakdown>,
}

/// Shipping detail of a breakdown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShippingBreakdown {
    /// Amounts and rates.
    pub rates: Rates,
}

/// One line of a breakdown. `id` may come back as a number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineBreakdown {
    /// The line's id as sent.
    pub id: Option<String>,
    /// Amounts and rates.
    pub rates: Rates,
}

/// Every field of [`Rates`], as TaxJar names them.
pub(super) const RATE_FIELDS: [&str; 33] = [
    "taxable_amount",
    "tax_collectable",
    "combined_tax_rate",
    "state_taxable_amount",
    "state_tax_rate",
    "state_sales_tax_rate",
    "state_tax_collectable",
    "state_amount",
    "county_taxable_amount",
    "county_tax_rate",
    "county_tax_collectable",
    "county_amount",
    "city_taxable_amount",
    "city_tax_rate",
    "city_tax_collectable",
    "city_amount",
    "special_district_taxable_amount",
    "special_taxable_amount",
    "special_tax_rate",
    "special_district_tax_collectable",
    "special_district_amount",
    "country_taxable_amount",
    "country_tax_rate",
    "country_tax_collectable",
    "gst_taxable_amount",
    "gst_tax_rate",
    "gst",
    "pst_taxable_amount",
    "pst_tax_rate",
    "pst",
    "qst_taxable_amount",
    "qst_tax_rate",
    "qst",
];

/// The fields some breakdown reads besides its rates.
const OWN_FIELDS: [&str; 4] = ["id", "shipping", "line_items", "items"];

// `read_rates` marks the fields seen in one u64.
const _: () = assert!(RATE_FIELDS.len() + OWN_FIELDS.len() <= 64);

impl Rates {
    /// The field at `index` of [`RATE_FIELDS`].
    pub(super) fn slot(&mut self, index: usize) -> Option<&mut Option<Decimal>> {
        Some(match index {
            0 => &mut self.taxable_amount,
            1 => &mut self.tax_collectable,
            2 => &mut self.combined_tax_rate,
            3 => &mut self.state_taxable_amount,
            4 => &mut self.state_tax_rate,
            5 => &mut self.state_sales_tax_rate,
            6 => &mut self.state_tax_collectable,
            7 => &mut self.state_amount,
            8 => &mut self.county_taxable_amount,
            9 => &mut self.county_tax_rate,
            10 => &mut self.county_tax_collectable,
            11 => &mut self.county_amount,
            12 => &mut self.city_taxable_amount,
            13 => &mut self.city_tax_rate,
            14 => &mut self.city_tax_collectable,
            15 => &mut self.city_amount,
            16 => &mut self.special_district_taxable_amount,
            17 => &mut self.special_taxable_amount,
            18 => &mut self.special_tax_rate,
            19 => &mut self.special_district_tax_collectable,
            20 => &mut self.special_district_amount,
            21 => &mut self.country_taxable_amount,
            22 => &mut self.country_tax_rate,
            23 => &mut self.country_tax_collectable,
            24 => &mut self.gst_taxable_amount,
            25 => &mut self.gst_tax_rate,
            26 => &mut self.gst,
            27 => &mut self.pst_taxable_amount,
            28 => &mut self.pst_tax_rate,
            29 => &mut self.pst,
            30 => &mut self.qst_taxable_amount,
            31 => &mut self.qst_tax_rate,
            32 => &mut self.qst,
            _ => return None,
        })
    }
}

/// The index of `name` in [`RATE_FIELDS`] then [`OWN_FIELDS`]. A `match`,
/// not a search of the lists: it is run for every field of an answer
/// (tests check it agrees with the lists).
pub(super) fn field_index(name: &str) -> Option<usize> {
    Some(match name {
        "taxable_amount" => 0,
        "tax_collectable" => 1,
        "combined_tax_rate" => 2,
        "state_taxable_amount" => 3,
        "state_tax_rate" => 4,
        "state_sales_tax_rate" => 5,
        "state_tax_collectable" => 6,
        "state_amount" => 7,
        "county_taxable_amount" => 8,
        "county_tax_rate" => 9,
        "county_tax_collectable" => 10,
        "county_amount" => 11,
        "city_taxable_amount" => 12,
        "city_tax_rate" => 13,
        "city_tax_collectable" => 14,
        "city_amount" => 15,
        "special_district_taxable_amount" => 16,
        "special_taxable_amount" => 17,
        "special_tax_rate" => 18,
        "special_district_tax_collectable" => 19,
        "special_district_amount" => 20,
        "country_taxable_amount" => 21,
        "country_tax_rate" => 22,
        "country_tax_collectable" => 23,
        "gst_taxable_amount" => 24,
        "gst_tax_rate" => 25,
        "gst" => 26,
        "pst_taxable_amount" => 27,
        "pst_tax_rate" => 28,
        "pst" => 29,
        "qst_taxable_amount" => 30,
        "qst_tax_rate" => 31,
        "qst" => 32,
        "id" => 33,
        "shipping" => 34,
        "line_items" => 35,
        "items" => 36,
        _ => return None,
    })
}

/// A field name, as its index in [`RATE_FIELDS`] then [`OWN_FIELDS`], or
/// `None` for one to skip.
pub(super) struct Name(Option<usize>);

impl Name {
    pub(super) fn text(index: usize) -> &'static str {
        RATE_FIELDS
            .get(index)
            .copied()
            .unwrap_or_else(|| OWN_FIELDS[index - RATE_FIELDS.len()])
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                Ok(Name(field_index(v)))
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// An amount or rate: a number, a decimal string, or null.
struct OptDecimal;

impl<'de> DeserializeSeed<'de> for OptDecimal {
    type Value = Option<Decimal>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Decimal>, D::Error> {
        wire::opt_decimal(d)
    }
}

/// A line id: a string, a number, or null.
struct OptId;

impl<'de> DeserializeSeed<'de> for OptId {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        wire::opt_id(d)
    }
}

/// Reads the fields of an object: rates into the result, those named in
/// `own` handed to `take`, the rest skipped (as the derive skips unknown
/// fields).
pub(crate) fn read_rates<'de, A: MapAccess<'de>>(
    map: &mut A,
    own: &[&str],
    mut take: impl FnMut(&'static str, &mut A) -> Result<(), A::Error>,
) -> Result<Rates, A::Error> {
    let mut rates = Rates::default();
    // A field twice is refused, as the derive refuses it.
    let mut seen = 0u64;
    while let Some(Name(index)) = map.next_key()? {
        let Some(index) = index else {
            map.next_value::<IgnoredAny>()?;
            continue;
        };
        let name = Name::text(index);
        if seen & (1 << index) != 0 {
            return Err(serde::de::Error::duplicate_field(name));
        }
        seen |= 1 << index;
        // Most fields are rates: compare names only for the few others.
        if index >= RATE_FIELDS.len() && own.contains(&name) {
            take(name, map)?;
        } else if let Some(slot) = rates.slot(index) {
            *slot = map.next_value_seed(OptDecimal)?;
        } else {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(rates)
}

/// A type read from a JSON object by [`read_rates`].
pub(crate) trait FromObject: Sized {
    /// What it is, for errors: `"a breakdown"`.
    const WHAT: &'static str;
    /// Reads it from the object's fields.
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: FromObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::WHAT)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// Deserializes a [`FromObject`] type (its `Deserialize` impl).
pub(crate) fn object<'de, D: Deserializer<'de>, T: FromObject>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectVisitor(PhantomData))
}

impl FromObject for Rates {
    const WHAT: &'static str = "an object of amounts and rates";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        read_rates(&mut map, &[], |_, _| Ok(()))
    }
}

impl FromObject for ShippingBreakdown {
    const WHAT: &'static str = "a shipping breakdown";
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        Ok(ShippingBreakdown {
            rates: Rates::read(map)?,
        })
    }
}

impl FromObject for LineBreakdown {
    const WHAT: &'static str = "a line breakdown";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut id = None;
        let rates = read_rates(&mut map, &["id"], |_, map| {
            id = map.next_value_seed(OptId)?;
            Ok(())
        })?;
        Ok(LineBreakdown { id, rates })
    }
}

impl FromObject for Breakdown {
    const WHAT: &'static str = "a breakdown";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let (mut shipping, mut line_items) = (None, Vec::new());
        let rates = read_rates(&mut map, &["shipping", "line_items"], |name, map| {
            if name == "shipping" {
                shipping = map.next_value()?;
            } else {
                line_items = map.next_value()?;
            }
            Ok(())
        })?;
        Ok(Breakdown {
            rates,
            shipping,
            line_items,
        })
    }
}

/// `Deserialize` for [`FromObject`] types, through [`object`].
macro_rules! deserialize_object {
    ($($t:ty),*) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                $crate::model::rates::object(d)
            }
        }
    )*};
}
#[cfg(feature = "legacy")]
pub(crate) use deserialize_object;

deserialize_object!(Rates, ShippingBreakdown, LineBreakdown, Breakdown);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_index_and_slot() {
        for (i, name) in RATE_FIELDS.iter().chain(&OWN_FIELDS).enumerate() {
            assert_eq!(field_index(name), Some(i), "{name}");
            assert_eq!(Name::text(i), *name);
        }
        assert_eq!(field_index("tax"), None);
        let mut rates = Rates::default();
        for i in 0..RATE_FIELDS.len() {
            *rates.slot(i).expect("a slot") = Some(Decimal::from(i));
        }
        let mut seen: Vec<Decimal> = (0..RATE_FIELDS.len())
            .map(|i| rates.slot(i).unwrap().unwrap())
            .collect();
        seen.dedup();
        assert_eq!(seen.len(), RATE_FIELDS.len(), "two indices share a field");
        assert!(rates.slot(RATE_FIELDS.len()).is_none());
    }

    #[test]
    fn rates_sit_beside_own_fields() {
        let line: LineBreakdown = serde_json::from_str(
            r#"{"id":7,"tax_collectable":"1.35","combined_tax_rate":0.0925,"note":{"x":[1]},"gst":null}"#,
        )
        .unwrap();
        assert_eq!(line.id.as_deref(), Some("7"));
        assert_eq!(line.rates.tax_collectable, Some(Decimal::new(135, 2)));
        assert_eq!(line.rates.combined_tax_rate, Some(Decimal::new(925, 4)));
        assert_eq!(line.rates.gst, None);
        let b: Breakdown = serde_json::from_str(
            r#"{"state_tax_collectable":1,"shipping":{"tax_collectable":0.5,"id":"x"},"line_items":[{"id":"a"}]}"#,
        )
        .unwrap();
        assert_eq!(b.rates.state_tax_collectable, Some(Decimal::ONE));
        assert_eq!(
            b.shipping.unwrap().rates.tax_collectable,
            Some(Decimal::new(5, 1))
        );
        assert_eq!(b.line_items[0].id.as_deref(), Some("a"));
        let twice = r#"{"id":"a","taxable_amount":1,"taxable_amount":2}"#;
        let twice = serde_json::from_str::<LineBreakdown>(twice).unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("duplicate field `taxable_amount`"),
            "{twice}"
        );
        let bad = serde_json::from_str::<LineBreakdown>(r#"{"state_amount":{}}"#);
        assert!(bad.is_err());
        let bad = serde_json::from_str::<Breakdown>(r#"[1]"#).unwrap_err();
        assert!(bad.to_string().contains("a breakdown"), "{bad}");
    }
}
