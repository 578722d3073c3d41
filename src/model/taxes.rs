//! `POST /v2/taxes`: the request body and the `{tax: {...}}` answer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cart::NexusAddress;
use crate::json::write::{list, Object};
use crate::money::wire;

/// The body of `POST /v2/taxes`. Money goes out as JSON numbers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TaxRequest {
    /// Origin country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_country: Option<String>,
    /// Origin ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_zip: Option<String>,
    /// Origin state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_state: Option<String>,
    /// Origin city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_city: Option<String>,
    /// Origin street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_street: Option<String>,
    /// Destination country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_country: Option<String>,
    /// Destination ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_zip: Option<String>,
    /// Destination state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_state: Option<String>,
    /// Destination city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_city: Option<String>,
    /// Destination street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_street: Option<String>,
    /// Order amount excluding shipping.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Shipping charged (net of any shipping discount).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping: Option<Decimal>,
    /// TaxJar customer id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Order exemption type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_type: Option<String>,
    /// Nexus addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nexus_addresses: Option<Vec<NexusAddress>>,
    /// Line items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<TaxLineItem>>,
    /// Partner plugin tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
}

/// A line item of a tax request.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TaxLineItem {
    /// Line id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Quantity (may be fractional).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// Product tax code.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_tax_code: Option<String>,
    /// Price of one unit.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// Total discount of the line.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount: Option<Decimal>,
}

impl TaxRequest {
    /// The body as JSON text, byte for byte what serde_json wrote for it
    /// (absent fields left out, money through
    /// [`crate::json::shortest_text`]), without serde.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        let mut o = Object::new(&mut out);
        o.some_str("from_country", self.from_country.as_deref())
            .some_str("from_zip", self.from_zip.as_deref())
            .some_str("from_state", self.from_state.as_deref())
            .some_str("from_city", self.from_city.as_deref())
            .some_str("from_street", self.from_street.as_deref())
            .some_str("to_country", self.to_country.as_deref())
            .some_str("to_zip", self.to_zip.as_deref())
            .some_str("to_state", self.to_state.as_deref())
            .some_str("to_city", self.to_city.as_deref())
            .some_str("to_street", self.to_street.as_deref())
            .some_number("amount", self.amount)
            .some_number("shipping", self.shipping)
            .some_str("customer_id", self.customer_id.as_deref())
            .some_str("exemption_type", self.exemption_type.as_deref());
        if let Some(nexus) = &self.nexus_addresses {
            list(o.key("nexus_addresses"), nexus, |out, n| n.write_json(out));
        }
        if let Some(lines) = &self.line_items {
            list(o.key("line_items"), lines, |out, line| {
                Object::new(out)
                    .some_str("id", line.id.as_deref())
                    .some_number("quantity", line.quantity)
                    .some_str("product_tax_code", line.product_tax_code.as_deref())
                    .some_number("unit_price", line.unit_price)
                    .some_number("discount", line.discount)
                    .end()
            });
        }
        o.some_str("plugin", self.plugin.as_deref()).end();
        out
    }
}

/// The `{tax: {...}}` answer of `POST /v2/taxes`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct TaxResponse {
    /// The calculation.
    pub tax: Tax,
}

/// TaxJar's calculation. Absent money reads as zero.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Tax {
    /// Amount plus shipping; absent when there is no nexus.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub order_total_amount: Option<Decimal>,
    /// Shipping as TaxJar saw it.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub shipping: Option<Decimal>,
    /// Taxable amount of the order.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub taxable_amount: Option<Decimal>,
    /// Tax to collect for the whole order.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount_to_collect: Decimal,
    /// Overall rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub rate: Option<Decimal>,
    /// Whether the seller has nexus at the destination.
    #[serde(default)]
    pub has_nexus: bool,
    /// Whether shipping is taxable.
    #[serde(default)]
    pub freight_taxable: bool,
    /// `"destination"` or `"origin"`, or null.
    pub tax_source: Option<String>,
    /// The exemption TaxJar applied.
    pub exemption_type: Option<String>,
    /// Where the tax applies.
    pub jurisdictions: Option<Jurisdictions>,
    /// Per-jurisdiction and per-line detail; absent with no nexus or lines.
    pub breakdown: Option<Breakdown>,
    /// edgetax extension: true on a backup estimate from the Worker.
    pub estimated: Option<bool>,
    /// edgetax extension: `"offline"` on a backup estimate from the Worker.
    pub source: Option<String>,
    /// edgetax extension: the day a backup estimate's rates were current.
    pub rates_as_of: Option<String>,
    /// edgetax extension: what a backup estimate could not know.
    pub warnings: Option<Vec<String>>,
}

/// The jurisdictions of a calculation.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Jurisdictions {
    /// Country.
    pub country: Option<String>,
    /// State or province.
    pub state: Option<String>,
    /// County.
    pub county: Option<String>,
    /// City.
    pub city: Option<String>,
}

pub use super::rates::{Breakdown, LineBreakdown, Rates, ShippingBreakdown};
