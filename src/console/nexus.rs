//! Nexus in the console: the regions synced from TaxJar's
//! `/v2/nexus/regions` (by the button, and by the daily cron), and the
//! nexus addresses the merchant enters, each checked as a cart's. What the
//! Worker then answers on `/v2/nexus/regions` is [`crate::proxy::nexus`]'s.

use crate::cart::{Cart, NexusAddress};
use crate::error::{Code, Error};
use crate::json::{self, write, Json};
use crate::proxy::config::Config;
use crate::proxy::nexus::{self as answer, PATH};
use crate::proxy::route::match_route;
use crate::proxy::upstream::{self, Outcome, UpstreamRequest};
use crate::proxy::Matched;
use crate::validate::check_nexus_addresses;

/// The most nexus addresses kept (TaxJar's own limit is not documented;
/// a seller with more registrations syncs regions instead).
pub(crate) const MAX_ADDRESSES: usize = 50;
/// The most regions a sync keeps (there are 64 US and Canadian ones).
pub(crate) const MAX_REGIONS: usize = 250;

/// Regions synced from TaxJar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Synced {
    /// TaxJar's `regions`, as a compact JSON list.
    pub regions: String,
    /// When (unix seconds).
    pub synced_at: u64,
}

impl Synced {
    /// Reads what [`Synced::write`] kept; `None` for anything else.
    pub(crate) fn read(value: &Json) -> Option<Synced> {
        let regions = value.get("regions")?;
        let Json::Array(items) = regions else {
            return None;
        };
        (items.len() <= MAX_REGIONS).then(|| Synced {
            regions: regions.to_text(),
            synced_at: value.get("synced_at").and_then(Json::as_u64).unwrap_or(0),
        })
    }

    /// Its JSON: `{"regions":[…],"synced_at":…}`.
    pub(crate) fn write(&self, out: &mut String) {
        write::Object::new(out)
            .raw("regions", &self.regions)
            .raw("synced_at", &self.synced_at.to_string())
            .end();
    }
}

/// The request that fetches the regions; `None` without a token.
pub fn sync_request(config: &Config) -> Option<(Matched, UpstreamRequest)> {
    let token = config.token.as_deref()?;
    let matched = match_route("GET", PATH).ok()?;
    let request = upstream::build(config, token, &matched, None);
    Some((matched, request))
}

/// TaxJar's answer to the sync as regions to keep, or why not (never
/// quoting the answer, which could echo the token).
pub fn synced(outcome: &Outcome, now: u64) -> Result<Synced, String> {
    let body = match outcome {
        Outcome::Answered {
            status: 200, body, ..
        } => body,
        Outcome::Answered { status: 401, .. } => {
            return Err("TaxJar refused the API token (401 Unauthorized)".to_owned())
        }
        Outcome::Answered { status, .. } | Outcome::TooLarge { status, .. } => {
            return Err(format!("TaxJar answered {status}"))
        }
        Outcome::TimedOut => return Err("TaxJar did not answer in time".to_owned()),
        Outcome::Failed => return Err("could not reach TaxJar".to_owned()),
    };
    let root = json::parse(body).map_err(|_| "TaxJar's answer is not JSON".to_owned())?;
    let fits = |item: &Json| item.get("country_code").and_then(Json::as_str).is_some();
    match root.get("regions") {
        Some(Json::Array(items)) if items.len() <= MAX_REGIONS && items.iter().all(fits) => {
            Ok(Synced {
                regions: Json::Array(items.clone()).to_text(),
                synced_at: now,
            })
        }
        _ => Err("TaxJar's answer has no list of regions".to_owned()),
    }
}

/// The nexus addresses of `{"nexus_addresses": […]}`, each checked as a
/// cart's (country; state for the US and Canada; a ZIP that fits): the
/// error names the field, e.g. `nexus_addresses[1].zip`.
pub fn addresses(body: &str) -> Result<Vec<NexusAddress>, Error> {
    let value = crate::proxy::json::parse(body)?;
    if !value.get("nexus_addresses").is_some_and(|v| v.is_array()) {
        return Err(Error::field(
            Code::InvalidType,
            "nexus_addresses",
            "the body must be {\"nexus_addresses\": [...]}",
        ));
    }
    let cart = Cart::from_value(&value)?;
    let given = cart.nexus_addresses.unwrap_or_default();
    if given.len() > MAX_ADDRESSES {
        return Err(Error::field(
            Code::InvalidValue,
            "nexus_addresses",
            format!("at most {MAX_ADDRESSES} nexus addresses are kept"),
        ));
    }
    check_nexus_addresses(&given)
}

/// `addresses` as a JSON list.
pub fn addresses_json(addresses: &[NexusAddress]) -> String {
    let mut out = String::new();
    write::list(&mut out, addresses, |out, a| a.write_json(out));
    out
}

/// `GET /console/api/nexus`: the regions the Worker answers and from
/// where (`synced`, `nexus_addresses`, `offline`, or `taxjar` when it
/// asks TaxJar each time), the last sync, and the addresses.
pub fn view(config: &Config, synced_at: Option<u64>) -> String {
    let (regions, source) =
        answer::local_regions(config).unwrap_or_else(|| ("null".to_owned(), "taxjar"));
    let mut out = String::new();
    write::Object::new(&mut out)
        .raw("regions", &regions)
        .str("source", source)
        .raw(
            "synced_at",
            &synced_at.map_or_else(|| "null".to_owned(), |t| t.to_string()),
        )
        .raw("nexus_addresses", &addresses_json(&config.nexus_addresses))
        .end();
    out
}
