//! The JS face of the legacy dialect (see [`crate::legacy`]): its types,
//! `authorizationHeader`, and the lookups `legacyCategoriesRequest`,
//! `parseLegacyCategories`, `legacyLocationRequest`, `parseLegacyLocation`.
//! `taxRequest` and `applyTax` take the `dialect` option in `exports`.

use wasm_bindgen::prelude::*;

use super::convert::{body_text, to_js};
use crate::error::Result;
use crate::legacy::{self, Dialect};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/**
 * Which TaxJar API a request speaks: "v2" (`POST /v2/taxes`, the default),
 * "legacy-standard" (`GET /sales_tax`) or "legacy-enhanced"
 * (`GET /v1/sales_tax`), of the original Smart Sales Tax API.
 */
export type Dialect = "v2" | "legacy-standard" | "legacy-enhanced";

/** Options of `taxRequest`: the v2 options, and the dialect. */
export interface TaxRequestDialectOptions extends TaxRequestOptions {
  /** Default "v2". A legacy dialect returns a `LegacyRequest`. */
  dialect?: Dialect;
}

/** A GET request of the original API, ready to send or forward. */
export interface LegacyRequest {
  method: "GET";
  /** E.g. "/sales_tax", "/v1/sales_tax", "/locations/07446/ramsey". */
  path: string;
  /** The parameters in sending order, not encoded, as [key, value]. */
  query: [string, string][];
  /** `query` percent-encoded as "k=v&k=v" ("" when there is none). */
  encoded: string;
  /** Cart fields this dialect has no parameter for, so not sent. */
  dropped: string[];
}

/** The original Standard answer (a bare object, no `tax` envelope). */
export interface LegacyStandardResponse {
  taxable_amount?: number | string;
  amount_to_collect: number | string;
  rate?: number | string;
  has_nexus: boolean;
  freight_taxable: boolean;
  tax_source: string | null;
  /** A debugging message, e.g. "Order amount of 28.93 does not match item totals of 28.92". */
  msg?: string;
}

/** Per-jurisdiction amounts and rates of an Enhanced breakdown. */
export type LegacyRates = Record<string, number | string | null>;

/** The original Enhanced answer (a bare object). */
export interface LegacyEnhancedResponse {
  order_total_amount?: number | string;
  amount_to_collect: number | string;
  has_nexus: boolean;
  freight_taxable: boolean;
  tax_source: string | null;
  msg?: string;
  breakdown?: {
    shipping?: LegacyRates;
    /** Keyed by the line id sent. */
    items?: Record<string, LegacyRates>;
    [jurisdictionTotal: string]: number | string | null | undefined | LegacyRates | Record<string, LegacyRates>;
  };
}

/** Options of `applyTax`. */
export interface ApplyTaxOptions {
  /** Default "v2". */
  dialect?: Dialect;
  /** The HTTP status of the answer (default 200); 203 adds a warning. */
  status?: number;
  /** The HTTP `Warning` header, if any; it becomes one of `warnings`. */
  warning?: string | null;
}

/** A product tax category of `GET /tax_categories`. */
export interface LegacyCategory {
  /** The code to send as `product_tax_code`, e.g. "20010". */
  product_tax_code: string;
  description: string | null;
  name: string | null;
}

/** The rates of a location, from `GET /locations/<zip>/<city>`. Rates are decimal strings. */
export interface LegacyLocation {
  state: string | null;
  zip: string | null;
  country?: string;
  state_rate: string | null;
  city: string | null;
  city_rate: string | null;
  county: string | null;
  county_rate: string | null;
  combined_district_rate: string | null;
  /** The rate to collect: state, county, city and districts. */
  combined_rate: string | null;
}

/** The `{ location: {...} }` answer of `GET /locations/...`, as received. */
export interface LegacyLocationResponse {
  location: Record<string, string | number | null>;
}
"#;

/// Reads the `dialect` option; absent is v2.
pub(crate) fn dialect_option(dialect: Option<&str>) -> Result<Dialect> {
    match dialect {
        None => Ok(Dialect::V2),
        Some(text) => Dialect::parse(text).map_err(|e| e.at("options.dialect")),
    }
}

/// The `Authorization` header value for `dialect` (default "v2"):
/// `Bearer <key>`, or `Token token="<key>"` for the legacy dialects.
#[wasm_bindgen(js_name = authorizationHeader)]
pub fn authorization_header(
    #[wasm_bindgen(js_name = apiKey)] api_key: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "Dialect")] dialect: Option<String>,
) -> std::result::Result<String, JsValue> {
    let dialect = dialect_option(dialect.as_deref())?;
    Ok(legacy::auth_header(dialect, api_key))
}

/// The request of the original `GET /tax_categories`.
#[wasm_bindgen(js_name = legacyCategoriesRequest, unchecked_return_type = "LegacyRequest")]
pub fn legacy_categories_request() -> JsValue {
    to_js(&legacy::categories_request())
}

/// The categories of a `GET /tax_categories` answer (its body as text or
/// object; `status` default 200).
#[wasm_bindgen(js_name = parseLegacyCategories, unchecked_return_type = "LegacyCategory[]")]
pub fn parse_legacy_categories(
    #[wasm_bindgen(unchecked_param_type = "string | object")] body: JsValue,
    status: Option<u16>,
) -> std::result::Result<JsValue, JsValue> {
    let text = body_text(&body, "body")?;
    Ok(to_js(&legacy::parse_categories(
        status.unwrap_or(200),
        &text,
    )?))
}

/// The request of the original `GET /locations/<zip>/<city>?country=`;
/// `city` and `country` optional (`country` required for Canada).
#[wasm_bindgen(js_name = legacyLocationRequest, unchecked_return_type = "LegacyRequest")]
pub fn legacy_location_request(
    zip: &str,
    city: Option<String>,
    country: Option<String>,
) -> std::result::Result<JsValue, JsValue> {
    let request = legacy::location_request(zip, city.as_deref(), country.as_deref())?;
    Ok(to_js(&request))
}

/// The location of a `GET /locations/...` answer (its body as text or
/// object; `status` default 200), rates as decimal strings.
#[wasm_bindgen(js_name = parseLegacyLocation, unchecked_return_type = "LegacyLocation")]
pub fn parse_legacy_location(
    #[wasm_bindgen(unchecked_param_type = "string | LegacyLocationResponse")] body: JsValue,
    status: Option<u16>,
) -> std::result::Result<JsValue, JsValue> {
    let text = body_text(&body, "body")?;
    Ok(to_js(&legacy::parse_location(
        status.unwrap_or(200),
        &text,
    )?))
}
