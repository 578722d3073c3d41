//! `POST /v2/taxes`: the request body and the `{tax: {...}}` answer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cart::NexusAddress;
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

/// Amounts and rates per jurisdiction. US orders use the state/county/city/
/// special fields, Canada GST/PST/QST, other countries the country fields;
/// TaxJar leaves out what does not apply.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Rates {
    /// Taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub taxable_amount: Option<Decimal>,
    /// Tax collectable.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub tax_collectable: Option<Decimal>,
    /// Combined rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub combined_tax_rate: Option<Decimal>,
    /// State taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_taxable_amount: Option<Decimal>,
    /// State rate (order and shipping level name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_tax_rate: Option<Decimal>,
    /// State rate (line and shipping name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_sales_tax_rate: Option<Decimal>,
    /// State tax (order level name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_tax_collectable: Option<Decimal>,
    /// State tax (line and shipping name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_amount: Option<Decimal>,
    /// County taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub county_taxable_amount: Option<Decimal>,
    /// County rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub county_tax_rate: Option<Decimal>,
    /// County tax (order level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub county_tax_collectable: Option<Decimal>,
    /// County tax (line level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub county_amount: Option<Decimal>,
    /// City taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub city_taxable_amount: Option<Decimal>,
    /// City rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub city_tax_rate: Option<Decimal>,
    /// City tax (order level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub city_tax_collectable: Option<Decimal>,
    /// City tax (line level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub city_amount: Option<Decimal>,
    /// Special district taxable amount (order and line name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub special_district_taxable_amount: Option<Decimal>,
    /// Special district taxable amount (shipping name).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub special_taxable_amount: Option<Decimal>,
    /// Special district rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub special_tax_rate: Option<Decimal>,
    /// Special district tax (order level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub special_district_tax_collectable: Option<Decimal>,
    /// Special district tax (line level).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub special_district_amount: Option<Decimal>,
    /// Country taxable amount (VAT and GST countries).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub country_taxable_amount: Option<Decimal>,
    /// Country rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub country_tax_rate: Option<Decimal>,
    /// Country tax.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub country_tax_collectable: Option<Decimal>,
    /// Canadian GST taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub gst_taxable_amount: Option<Decimal>,
    /// GST rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub gst_tax_rate: Option<Decimal>,
    /// GST.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub gst: Option<Decimal>,
    /// Canadian PST taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub pst_taxable_amount: Option<Decimal>,
    /// PST rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub pst_tax_rate: Option<Decimal>,
    /// PST.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub pst: Option<Decimal>,
    /// Quebec QST taxable amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub qst_taxable_amount: Option<Decimal>,
    /// QST rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub qst_tax_rate: Option<Decimal>,
    /// QST.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub qst: Option<Decimal>,
}

/// The order-level breakdown.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Breakdown {
    /// Order-level amounts and rates.
    #[serde(flatten)]
    pub rates: Rates,
    /// Shipping detail; absent when freight is not taxable.
    pub shipping: Option<ShippingBreakdown>,
    /// Per-line detail.
    #[serde(default)]
    pub line_items: Vec<LineBreakdown>,
}

/// Shipping detail of a breakdown.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ShippingBreakdown {
    /// Amounts and rates.
    #[serde(flatten)]
    pub rates: Rates,
}

/// One line of a breakdown. `id` may come back as a number.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct LineBreakdown {
    /// The line's id as sent.
    #[serde(default, deserialize_with = "wire::opt_id")]
    pub id: Option<String>,
    /// Amounts and rates.
    #[serde(flatten)]
    pub rates: Rates,
}
