//! `GET /v2/nexus/regions`, answered by the Worker itself when it knows
//! the answer: the regions the console synced from TaxJar, else the
//! regions of the nexus addresses the merchant entered, else (with no
//! API token, and backup estimates on) every region the embedded table
//! estimates, which is what the backup estimates assume. Otherwise TaxJar
//! is asked, as for any lookup. The source is in `x-edgetax-source`.

use crate::cart::NexusAddress;
use crate::estimate::Source;
use crate::estimator::{plan, Plan, Region};
use crate::json::write::{self, Object};
use crate::json::{self, Json};
use crate::offline::table::{CA_RATES, US_RATES};
use crate::validate::ValidCart;

use super::offline::SOURCE_HEADER;
use super::{Config, Matched, Reply};

/// The route answered here.
pub(crate) const PATH: &str = "/v2/nexus/regions";

/// The country's name as TaxJar writes it in a region.
fn country_name(code: &str) -> Option<&'static str> {
    match code {
        "US" => Some("United States"),
        "CA" => Some("Canada"),
        _ => None,
    }
}

/// One region of TaxJar's answer (its name only when TaxJar gave it).
fn region(out: &mut String, country: &str, state: Option<&str>) {
    let mut o = Object::new(out);
    o.str("country_code", country);
    if let Some(name) = country_name(country) {
        o.str("country", name);
    }
    if let Some(state) = state {
        o.str("region_code", state);
    }
    o.end();
}

/// The regions of `addresses`, each once, in their order.
pub fn regions_of(addresses: &[NexusAddress]) -> String {
    let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
    for a in addresses {
        let key = (a.country.as_deref().unwrap_or("US"), a.state.as_deref());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    let mut out = String::new();
    write::list(&mut out, &seen, |out, (country, state)| {
        region(out, country, *state)
    });
    out
}

/// Every US state (and DC) and Canadian province of the embedded table.
pub fn embedded_regions() -> String {
    let all: Vec<(&str, &str)> = US_RATES
        .iter()
        .map(|r| ("US", r.code))
        .chain(CA_RATES.iter().map(|r| ("CA", r.code)))
        .collect();
    let mut out = String::new();
    write::list(&mut out, &all, |out, (country, state)| {
        region(out, country, Some(state))
    });
    out
}

/// The regions the Worker answers itself, and their source (`synced`,
/// `nexus_addresses` or `offline`); `None` when TaxJar is asked.
pub fn local_regions(config: &Config) -> Option<(String, &'static str)> {
    if let Some(synced) = &config.synced_regions {
        Some((synced.clone(), "synced"))
    } else if !config.nexus_addresses.is_empty() {
        Some((regions_of(&config.nexus_addresses), "nexus_addresses"))
    } else if config.token.is_none() && config.offline_fallback {
        Some((embedded_regions(), "offline"))
    } else {
        None
    }
}

/// The Worker's own answer to `GET /v2/nexus/regions`, if it has one.
pub(crate) fn local_answer(config: &Config, matched: &Matched) -> Option<Reply> {
    if matched.path != PATH || matched.method != "GET" {
        return None;
    }
    let (regions, source) = local_regions(config)?;
    let body = format!(r#"{{"regions":{regions}}}"#);
    Some(Reply::json(200, body).with_header(SOURCE_HEADER, source))
}

/// A tax request the Worker answers zero without calling TaxJar, as the
/// browser's `Estimator` does (`crate::estimator::plan`): an exempt order
/// (`wholesale`, `government`, `other`), or, when the nexus is known
/// here (synced regions, or nexus addresses on the cart), a destination
/// outside it. `x-edgetax-source` says `exempt` or `no_nexus`. With
/// neither known, TaxJar decides.
pub fn skip(config: &Config, cart: &ValidCart) -> Option<Reply> {
    // A cart's nexus addresses replace the account's regions at TaxJar.
    let regions: Option<Vec<Region>> = if !cart.nexus_addresses.is_empty() {
        Some(Vec::new())
    } else {
        config.synced_regions.as_deref().and_then(parse_regions)
    };
    let Plan::Skip(estimate) = plan(cart, regions.as_deref()) else {
        return None;
    };
    let source = match estimate.source {
        Source::Exempt => "exempt",
        _ => "no_nexus",
    };
    let body = super::offline::tax_body(&estimate, source);
    Some(Reply::json(200, body).with_header(SOURCE_HEADER, source))
}

/// Synced regions as the nexus gate reads them; `None` (TaxJar decides)
/// when one cannot be read.
fn parse_regions(text: &str) -> Option<Vec<Region>> {
    match json::parse(text).ok()? {
        Json::Array(items) => items.iter().map(|r| Region::from_json(r).ok()).collect(),
        _ => None,
    }
}
