//! `offlineEstimate(cart, rates?)`: a backup estimate without TaxJar (see
//! [`crate::offline`]).

use js_sys::{Array, Object, Reflect, JSON};
use rust_decimal::Decimal;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::clock::today;
use super::convert::{cart_from_js, parse_js};
use super::options::wrong_type;
use crate::error::{Code, Error};
use crate::model::lookups::SummaryRate;
use crate::money::{decimal_from_f64, parse_decimal};
use crate::offline::{offline_estimate, Date, OfflineOptions};
use crate::validate::ValidCart;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** One entry of TaxJar's `GET /v2/summary_rates` answer. */
export interface SummaryRate {
  country_code: string | null;
  country?: string | null;
  /** null for countries without regions. */
  region_code: string | null;
  region?: string | null;
  minimum_rate: { label?: string | null; rate: number | string };
  /** The rate an offline estimate uses. */
  average_rate: { label?: string | null; rate: number | string };
}

/** TaxJar's `GET /v2/summary_rates` answer, as received. */
export interface SummaryRatesResponse {
  summary_rates: SummaryRate[];
}

/**
 * A day: "YYYY-MM-DD" (of an ISO timestamp, the date as written), a `Date`,
 * or milliseconds since the epoch (both read as their UTC day).
 */
export type DateInput = string | number | Date;

/** Options of `offlineEstimate`. Every field is optional. */
export interface OfflineOptions {
  /** Their `average_rate` replaces the embedded rate of a region or country. */
  summary_rates?: SummaryRate[];
  /** When `summary_rates` were fetched: `rates_as_of` when one is used (default: `date`). */
  fetched_at?: DateInput;
  /** Same as `fetched_at`. */
  rates_as_of?: DateInput;
  /** The day to estimate for, which picks scheduled rate changes (default: today, UTC). */
  date?: DateInput;
  /**
   * Overrides whether shipping is taxed. Keys: a US state or Canadian
   * province code ("NY", "ON"), a country code elsewhere ("FR"), or an
   * ISO 3166-2 code ("US-NY"), which wins over a bare one.
   */
  shipping_taxable?: Record<string, boolean>;
}

/**
 * The second argument of `offlineEstimate`: TaxJar's raw summary-rates
 * answer (an object, or its body text), or options.
 */
export type OfflineRates = SummaryRatesResponse | OfflineOptions;
"#;

fn present(value: &JsValue) -> bool {
    !(value.is_undefined() || value.is_null())
}

/// `object[key]`; undefined when absent or when `object` is no object.
fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A rate: a number or a decimal string.
fn rate(value: &JsValue, field: String) -> Result<Decimal, Error> {
    let read = match (value.as_f64(), value.as_string()) {
        (Some(n), _) => decimal_from_f64(n, 28),
        (_, Some(s)) => parse_decimal(s.trim(), 28),
        _ => return Err(wrong_type(&field, "a number or a decimal string")),
    };
    read.map_err(|why| Error::field(Code::InvalidValue, field, why))
}

/// A day: a `Date`, a "YYYY-MM-DD" (or ISO timestamp) string, or
/// milliseconds since the epoch; `None` when absent.
fn day(value: &JsValue, field: &str) -> Result<Option<Date>, Error> {
    if !present(value) {
        return Ok(None);
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return Ok(Some(Date::from_unix_ms(date.get_time())));
    }
    match (value.as_string(), value.as_f64()) {
        (Some(text), _) => Date::parse(text.trim())
            .map(Some)
            .map_err(|why| Error::field(Code::InvalidValue, field, why)),
        (_, Some(ms)) if ms.is_finite() => Ok(Some(Date::from_unix_ms(ms))),
        _ => Err(wrong_type(field, "a date")),
    }
}

/// Reads the second argument: nothing, an object, or body text (parsed
/// first). Fields are read one by one rather than through serde, which
/// would add several KB to the `.wasm` for a handful of fields.
fn options_from_js(rates: JsValue) -> Result<OfflineOptions, Error> {
    let rates = match rates.as_string() {
        Some(text) => JSON::parse(&text).map_err(|_| {
            Error::field(Code::UpstreamUnparseable, "rates", "rates text is not JSON")
        })?,
        None => rates,
    };
    let mut options = OfflineOptions::default();
    if !present(&rates) {
        return Ok(options);
    }
    if !rates.is_object() {
        return Err(wrong_type("rates", "an object or JSON text"));
    }
    let list = get(&rates, "summary_rates");
    if present(&list) {
        let list = list
            .dyn_into::<Array>()
            .map_err(|_| wrong_type("rates.summary_rates", "an array"))?;
        for (i, entry) in list.iter().enumerate() {
            let average = get(&get(&entry, "average_rate"), "rate");
            let mut summary = SummaryRate {
                country_code: get(&entry, "country_code").as_string(),
                region_code: get(&entry, "region_code").as_string(),
                ..SummaryRate::default()
            };
            summary.average_rate.rate = rate(
                &average,
                format!("rates.summary_rates[{i}].average_rate.rate"),
            )?;
            options.summary_rates.push(summary);
        }
    }
    options.date = day(&get(&rates, "date"), "rates.date")?;
    options.fetched_at = match day(&get(&rates, "fetched_at"), "rates.fetched_at")? {
        None => day(&get(&rates, "rates_as_of"), "rates.rates_as_of")?,
        found => found,
    };
    let overrides = get(&rates, "shipping_taxable");
    if present(&overrides) {
        let overrides = overrides
            .dyn_into::<Object>()
            .map_err(|_| wrong_type("rates.shipping_taxable", "an object"))?;
        for pair in Object::entries(&overrides).iter() {
            let key = get(&pair, "0").as_string().unwrap_or_default();
            let taxable = get(&pair, "1").as_bool().ok_or_else(|| {
                wrong_type(&format!("rates.shipping_taxable.{key}"), "true or false")
            })?;
            options.shipping_taxable.push((key, taxable));
        }
    }
    Ok(options)
}

/// A backup estimate of `cart` from the embedded table or TaxJar's summary
/// rates: `source: "offline"`, `estimated: true`, with `rates_as_of` and
/// `warnings`, reconciled to the cent.
#[wasm_bindgen(js_name = offlineEstimate, unchecked_return_type = "Estimate")]
pub fn offline_estimate_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OfflineRates | string")] rates: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let cart = ValidCart::new(&cart_from_js(cart)?)?;
    let options = options_from_js(rates.unwrap_or(JsValue::UNDEFINED))?;
    Ok(parse_js(
        &offline_estimate(&cart, today(), &options).to_json(),
    ))
}
