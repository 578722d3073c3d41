//! Read-only lookups: nexus regions, rates, summary rates, product
//! categories, address validation and VAT validation.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::wire;

/// The `{regions: [...]}` answer of `GET /v2/nexus/regions`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct NexusRegionsResponse {
    /// Where the seller has nexus.
    pub regions: Vec<NexusRegion>,
}

/// One region where the seller has nexus.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct NexusRegion {
    /// Country code, e.g. `"US"`.
    pub country_code: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// Region code, e.g. `"CA"`.
    pub region_code: Option<String>,
    /// Region name.
    pub region: Option<String>,
}

/// The query of `GET /v2/rates/{zip}`; all parts optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct RateParams {
    /// Country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

/// The `{rate: {...}}` answer of `GET /v2/rates/{zip}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct RateResponse {
    /// The rates.
    pub rate: Rate,
}

/// Rates of a location. US (and SST) locations use the zip/state/county/
/// city fields, Canada and Australia `combined_rate` (and `country_rate`),
/// EU countries the VAT fields; TaxJar leaves out what does not apply.
/// Rates arrive as decimal strings (`"0.065"`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Rate {
    /// ZIP or postal code.
    pub zip: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Country rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub country_rate: Option<Decimal>,
    /// State or province code.
    pub state: Option<String>,
    /// State rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub state_rate: Option<Decimal>,
    /// County.
    pub county: Option<String>,
    /// County rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub county_rate: Option<Decimal>,
    /// City.
    pub city: Option<String>,
    /// City rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub city_rate: Option<Decimal>,
    /// Special districts' combined rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub combined_district_rate: Option<Decimal>,
    /// Overall rate.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub combined_rate: Option<Decimal>,
    /// Whether shipping is taxable.
    pub freight_taxable: Option<bool>,
    /// Country name (EU).
    pub name: Option<String>,
    /// Standard VAT rate (EU).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub standard_rate: Option<Decimal>,
    /// Reduced VAT rate (EU).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub reduced_rate: Option<Decimal>,
    /// Super-reduced VAT rate (EU).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub super_reduced_rate: Option<Decimal>,
    /// Parking VAT rate (EU).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub parking_rate: Option<Decimal>,
    /// Distance-selling threshold (EU).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub distance_sale_threshold: Option<Decimal>,
}

/// The `{summary_rates: [...]}` answer of `GET /v2/summary_rates`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SummaryRatesResponse {
    /// One entry per region.
    pub summary_rates: Vec<SummaryRate>,
}

/// Minimum and average rates of one region.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SummaryRate {
    /// Country code.
    pub country_code: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// Region code; `null` for countries without regions.
    pub region_code: Option<String>,
    /// Region name; `null` for countries without regions.
    pub region: Option<String>,
    /// The lowest rate in the region.
    pub minimum_rate: LabeledRate,
    /// The average rate in the region.
    pub average_rate: LabeledRate,
}

/// A rate with a label such as `"State Tax"` or `"VAT"`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct LabeledRate {
    /// What the rate is.
    pub label: Option<String>,
    /// The rate.
    #[serde(deserialize_with = "wire::decimal")]
    pub rate: Decimal,
}

/// The `{categories: [...]}` answer of `GET /v2/categories`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct CategoriesResponse {
    /// Product categories.
    pub categories: Vec<Category>,
}

/// A product category and its tax code.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Category {
    /// Name, e.g. `"Clothing"`.
    pub name: String,
    /// The code to send as `product_tax_code`.
    #[serde(deserialize_with = "wire::id")]
    pub product_tax_code: String,
    /// What the category covers.
    pub description: Option<String>,
}

/// A US address, as sent to `POST /v2/addresses/validate` and as answered.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Address {
    /// Country (`"US"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ZIP, answered as ZIP+4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

/// The body of `POST /v2/addresses/validate`.
pub type AddressValidationRequest = Address;

/// The `{addresses: [...]}` answer of `POST /v2/addresses/validate`: the
/// matching addresses, best first.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct AddressesResponse {
    /// Matches.
    pub addresses: Vec<Address>,
}

/// The `{validation: {...}}` answer of `GET /v2/validation`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct ValidationResponse {
    /// The result.
    pub validation: Validation,
}

/// Whether a VAT number is valid.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Validation {
    /// Valid format.
    pub valid: Option<bool>,
    /// Registered.
    pub exists: Option<bool>,
    /// Whether the EU's VIES service answered.
    pub vies_available: Option<bool>,
    /// VIES's own answer.
    pub vies_response: Option<ViesResponse>,
}

/// The EU VIES service's answer about a VAT number.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct ViesResponse {
    /// Country code.
    pub country_code: Option<String>,
    /// The number without its country prefix.
    pub vat_number: Option<String>,
    /// Date of the check, e.g. `"2016-02-10"`.
    pub request_date: Option<String>,
    /// Valid in VIES.
    pub valid: Option<bool>,
    /// Registered name.
    pub name: Option<String>,
    /// Registered address (may span lines).
    pub address: Option<String>,
}
