//! Backup estimates: tax for a cart without calling TaxJar, from an
//! embedded table of statewide US and Canadian rates ([`table`]) or, when
//! given, TaxJar's `/v2/summary_rates` answer.
//!
//! The estimate is a TaxJar-shaped answer built from one rate and run
//! through [`apply_tax`], so it is reconciled to the cent like any other:
//! `amount_to_collect = round(taxable × rate)` (half away from zero), split
//! over the taxable lines and the shipping by their taxable amounts.
//!
//! What it does not know, it says in `warnings`:
//! - [`LOCAL_RATES`] where local taxes may come on top of a statewide rate
//!   (the estimate is then a floor, a few points under the real rate);
//! - [`PRODUCT_CATEGORIES`] when a line has a product tax code other than
//!   `99999` (exempt): no category rule (clothing, food) is applied;
//! - `no offline rate for <place>` where neither the table nor the summary
//!   rates have a rate; the tax is then zero.
//!
//! It assumes the seller has nexus at the destination (`has_nexus` is
//! true): deciding nexus is the caller's job (the `Estimator`'s nexus
//! gate), and a cart's `nexus_addresses` are not read. Orders exempt by
//! `exemption_type` (wholesale, government, other) get zero tax.

#[cfg(test)]
mod accuracy;
pub mod date;
#[cfg(feature = "proxy")]
mod read;
pub mod table;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::estimate::{apply_tax, Estimate, Source};
use crate::model::lookups::SummaryRate;
use crate::model::{Tax, TaxResponse};
use crate::money::Money;
use crate::split::line_discounts;
use crate::validate::ValidCart;

pub use date::Date;
pub use table::TABLE_AS_OF;

/// The warning of an estimate whose rate may miss local taxes.
pub const LOCAL_RATES: &str = "local rates may apply";

/// The warning of an estimate with product tax codes it did not apply.
pub const PRODUCT_CATEGORIES: &str = "product categories not applied";

/// TaxJar's code for an exempt product.
const EXEMPT_PRODUCT_CODE: &str = "99999";

/// What an offline estimate may use besides the embedded table. Every
/// field is optional, and TaxJar's raw `{summary_rates: [...]}` answer
/// reads as options with only `summary_rates` set.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct OfflineOptions {
    /// TaxJar's `/v2/summary_rates` entries. A region's (or, outside the US
    /// and Canada, a country's) `average_rate` replaces the embedded rate.
    pub summary_rates: Vec<SummaryRate>,
    /// When `summary_rates` were fetched; the estimate's `rates_as_of`
    /// when one was used (default: the estimate's date). Also read as
    /// `rates_as_of`.
    #[serde(alias = "rates_as_of")]
    pub fetched_at: Option<Date>,
    /// The day to estimate for, which picks scheduled rate changes
    /// (default: today).
    pub date: Option<Date>,
    /// Whether shipping is taxed, overriding the defaults
    /// (`table::default_shipping_taxable`). Keys (any case): a US state
    /// or Canadian province code (`"NY"`, `"ON"`) or, elsewhere, a country
    /// code (`"FR"`); an ISO 3166-2 key (`"US-NY"`) wins over a bare one.
    /// In JSON, an object: `{"NY": true}`. A list, not a map, to keep the
    /// `.wasm` free of map code.
    #[serde(deserialize_with = "pairs")]
    pub shipping_taxable: Vec<(String, bool)>,
}

/// Reads a JSON object of booleans as its (key, value) pairs.
fn pairs<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(String, bool)>, D::Error> {
    std::collections::BTreeMap::deserialize(deserializer).map(|m| m.into_iter().collect())
}

/// Where an offline rate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateSource {
    /// The embedded table, scheduled changes applied.
    Table,
    /// An `average_rate` of the summary rates.
    SummaryRates,
}

/// The rate an offline estimate uses for a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfflineRate {
    /// The combined rate, as a fraction (`0.0725`).
    pub rate: Decimal,
    /// True when local taxes may come on top (a statewide US rate).
    pub local_varies: bool,
    /// Where it came from.
    pub source: RateSource,
}

fn is_us_or_ca(country: &str) -> bool {
    matches!(country, "US" | "CA")
}

/// TaxJar's data writes `UK` for the United Kingdom; carts may say `GB`.
fn same_country(a: &str, b: &str) -> bool {
    let uk = |c: &str| c.eq_ignore_ascii_case("UK") || c.eq_ignore_ascii_case("GB");
    a.eq_ignore_ascii_case(b) || (uk(a) && uk(b))
}

/// The summary rate of the destination: its region's, else (outside the
/// US and Canada) its country's entry without a region.
fn summary_rate<'a>(
    rates: &'a [SummaryRate],
    country: &str,
    region: Option<&str>,
) -> Option<&'a SummaryRate> {
    let in_country = |r: &&SummaryRate| {
        r.country_code
            .as_deref()
            .is_some_and(|c| same_country(c, country))
    };
    let of_region = rates.iter().filter(in_country).find(|r| {
        matches!((r.region_code.as_deref(), region), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
    });
    of_region.or_else(|| {
        if is_us_or_ca(country) {
            None
        } else {
            rates
                .iter()
                .filter(in_country)
                .find(|r| r.region_code.is_none())
        }
    })
}

/// The rate for `region` of `country` on `date`: a summary rate when
/// `options` has one for it, else the embedded rate (US states, DC and
/// Canadian provinces), else `None`.
pub(crate) fn offline_rate(
    country: &str,
    region: Option<&str>,
    date: Date,
    options: &OfflineOptions,
) -> Option<OfflineRate> {
    let embedded = region.and_then(|r| table::embedded(country, r, date));
    let local_varies = embedded.is_some_and(|r| r.local_varies);
    if let Some(summary) = summary_rate(&options.summary_rates, country, region) {
        return Some(OfflineRate {
            rate: summary.average_rate.rate,
            local_varies,
            source: RateSource::SummaryRates,
        });
    }
    embedded.map(|r| OfflineRate {
        rate: table::rate_of(r.milli_pct),
        local_varies,
        source: RateSource::Table,
    })
}

/// Whether shipping to the destination is taxed: the caller's override,
/// else the default.
fn shipping_taxable(country: &str, region: Option<&str>, options: &OfflineOptions) -> bool {
    let lookup = |key: &str| {
        options
            .shipping_taxable
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    };
    let bare = if is_us_or_ca(country) {
        region
    } else {
        Some(country)
    };
    region
        .and_then(|r| lookup(&format!("{country}-{r}")))
        .or_else(|| bare.and_then(lookup))
        .unwrap_or_else(|| table::default_shipping_taxable(country, region))
}

/// The offline estimate of `cart`: source `offline`, `estimated`, with
/// `rates_as_of` and `warnings`, reconciled to the cent.
///
/// `today` is the day to use when `options.date` is not given; the JS
/// binding passes the current UTC day, Rust callers pass it explicitly so
/// results are reproducible.
pub fn offline_estimate(cart: &ValidCart, today: Date, options: &OfflineOptions) -> Estimate {
    let date = options.date.unwrap_or(today);
    let country = cart.to.country.as_deref().unwrap_or("US");
    let region = cart.to.state.as_deref();
    let exempt = cart.exemption_type.is_some_and(|e| e.is_exempt());
    let found = offline_rate(country, region, date, options);

    // An exempt order's tax is zero whatever the rate: nothing to warn of.
    let mut warnings = Vec::new();
    match found {
        _ if exempt => {}
        Some(f) if f.local_varies => warnings.push(LOCAL_RATES.to_owned()),
        Some(_) => {}
        None => warnings.push(match region.filter(|_| is_us_or_ca(country)) {
            Some(r) => format!("no offline rate for {country}-{r}"),
            None => format!("no offline rate for {country}"),
        }),
    }
    let coded = |code: &Option<String>| code.as_deref().is_some_and(|c| c != EXEMPT_PRODUCT_CODE);
    if !exempt && cart.lines.iter().any(|l| coded(&l.product_tax_code)) {
        warnings.push(PRODUCT_CATEGORIES.to_owned());
    }

    let rate = found.map_or(Decimal::ZERO, |f| f.rate);
    let freight_taxable = found.is_some() && shipping_taxable(country, region, options);
    // The same taxable amounts `apply_tax` gives lines without a breakdown.
    let items: Money = if cart.lines.is_empty() {
        cart.amount.unwrap_or_default()
    } else {
        cart.lines
            .iter()
            .zip(line_discounts(cart))
            .filter(|(line, _)| line.product_tax_code.as_deref() != Some(EXEMPT_PRODUCT_CODE))
            .map(|(line, discount)| line.gross - discount)
            .sum()
    };
    let taxable = if freight_taxable {
        items + cart.shipping
    } else {
        items
    };
    let response = TaxResponse {
        tax: Tax {
            taxable_amount: Some(taxable.value()),
            amount_to_collect: taxable.times(rate).unwrap_or_default().value(),
            rate: Some(rate),
            has_nexus: true,
            freight_taxable,
            tax_source: Some("destination".to_owned()),
            ..Tax::default()
        },
    };
    let mut estimate = apply_tax(cart, &response);
    estimate.source = Source::Offline;
    estimate.estimated = true;
    let as_of = match found.map(|f| f.source) {
        Some(RateSource::SummaryRates) => options.fetched_at.unwrap_or(date),
        _ => TABLE_AS_OF,
    };
    estimate.rates_as_of = Some(as_of.to_string());
    estimate.warnings = warnings;
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;

    fn cart(json: &str) -> ValidCart {
        ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
    }

    const TODAY: Date = Date::ymd(2026, 7, 20);

    #[test]
    fn options_read_the_raw_summary_rates_body() {
        let options: OfflineOptions = serde_json::from_str(
            r#"{"summary_rates":[{"country_code":"UK","country":"United Kingdom","region_code":null,
            "region":null,"minimum_rate":{"label":"VAT","rate":0.2},"average_rate":{"label":"VAT","rate":"0.2"}}]}"#,
        )
        .unwrap();
        assert_eq!(options.summary_rates.len(), 1);
        assert_eq!(options.fetched_at, None);
        let gb = offline_rate("GB", None, TODAY, &options).unwrap();
        assert_eq!(
            (gb.rate.to_string(), gb.source),
            ("0.2".into(), RateSource::SummaryRates)
        );
        let options: OfflineOptions = serde_json::from_str(
            r#"{"rates_as_of":"2026-07-19T10:00:00Z","date":"2026-10-01","shipping_taxable":{"ca":true}}"#,
        )
        .unwrap();
        assert_eq!(options.fetched_at, Some(Date::ymd(2026, 7, 19)));
        assert_eq!(options.date, Some(Date::ymd(2026, 10, 1)));
        assert!(shipping_taxable("US", Some("CA"), &options));
    }

    #[test]
    fn iso_keys_win_over_bare_ones() {
        let options = OfflineOptions {
            shipping_taxable: vec![("DE".to_owned(), true), ("US-DE".to_owned(), false)],
            ..OfflineOptions::default()
        };
        assert!(!shipping_taxable("US", Some("DE"), &options));
        assert!(shipping_taxable("DE", None, &options));
    }

    #[test]
    fn places_without_a_rate_are_named() {
        let e = offline_estimate(
            &cart(r#"{"to_country":"US","to_state":"PR","to_zip":"00901","amount":10}"#),
            TODAY,
            &OfflineOptions::default(),
        );
        assert_eq!(e.warnings, ["no offline rate for US-PR"]);
        assert_eq!(e.amount_to_collect, Money::ZERO);
        assert!(!e.freight_taxable);
    }
}
