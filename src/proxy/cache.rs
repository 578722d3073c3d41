//! What is cached, under which key, for how long.
//!
//! | answer | kept |
//! | --- | --- |
//! | `/v2/taxes` 2xx | `CACHE_TTL_SECONDS` (default 900 s) |
//! | legacy `/sales_tax`, `/v1/sales_tax` 2xx | `CACHE_TTL_SECONDS` |
//! | lookup 2xx (rates, nexus regions, categories, summary rates, VAT; legacy categories and locations) | `LOOKUP_TTL_SECONDS` (6 h) |
//! | 4xx from TaxJar (a bad ZIP, say) | `ERROR_TTL_SECONDS` (60 s) |
//! | 401, 408, 429, 5xx, timeouts, unreadable answers, the proxy's own errors | never |
//!
//! `CACHE_TTL_SECONDS = 0` keeps nothing at all, and reads nothing back:
//! no tax answers, no 4xx, no lookups ([`enabled`]).
//!
//! Keys are URLs for the Workers Cache API, on the Worker's own host (the
//! cache is per zone): `<origin>/__edgetax/cache/<account>/...`. Tax
//! answers are keyed by the cart's [`crate::key::cart_key`], so identical
//! carts from different shoppers share one upstream call; lookups (and
//! legacy calculations) by their canonical path and query. `<account>` is a hash of the API URL and
//! token, so answers never outlive a switch to another TaxJar account.

use super::config::Config;
use super::route::{Kind, Matched};
use super::short_hash;

/// How long a TaxJar 4xx answer is kept, in seconds.
pub(crate) const ERROR_TTL_SECONDS: u32 = 60;
/// How long a lookup answer is kept, in seconds (6 hours).
pub(crate) const LOOKUP_TTL_SECONDS: u32 = 6 * 60 * 60;
/// The header of a stored answer that keeps TaxJar's status (the stored
/// response itself is always a 200, which every cache accepts).
pub(crate) const STATUS_HEADER: &str = "x-edgetax-status";

/// The account part of cache keys: 16 hex digits of a hash of the API URL
/// and the token (one-way, so the token is not recoverable from a key).
pub fn account(config: &Config) -> String {
    let token = config.token.as_deref().unwrap_or("");
    short_hash(&format!("{}\n{token}", config.api_url), 16)
}

/// The cache URL of a tax answer for the cart with key `cart_key`.
pub(crate) fn taxes_url(config: &Config, matched: &Matched, cart_key: &str) -> String {
    format!(
        "{}/__edgetax/cache/{}/v2/taxes/{cart_key}",
        base(matched),
        account(config)
    )
}

/// The cache URL of a lookup answer (its canonical path and query).
pub(crate) fn lookup_url(config: &Config, matched: &Matched) -> String {
    format!(
        "{}/__edgetax/cache/{}{}",
        base(matched),
        account(config),
        matched.path_and_query()
    )
}

fn base(matched: &Matched) -> &str {
    if matched.origin.is_empty() {
        "https://edgetax.invalid"
    } else {
        &matched.origin
    }
}

/// Whether the cache is used at all (`CACHE_TTL_SECONDS` is not 0).
pub fn enabled(config: &Config) -> bool {
    config.cache_ttl_seconds > 0
}

/// Whether answers of this route and method go through the cache.
pub(crate) fn cacheable(matched: &Matched) -> bool {
    match matched.route.kind {
        Kind::Taxes => matched.method == "POST",
        Kind::Lookup | Kind::LegacySalesTax | Kind::LegacyLookup => matched.method == "GET",
        _ => false,
    }
}

/// How long to keep TaxJar's answer with `status`, in seconds; `None`
/// means do not store it.
pub fn ttl(config: &Config, kind: Kind, status: u16) -> Option<u32> {
    if !enabled(config) {
        return None;
    }
    let seconds = match status {
        200..=299 => match kind {
            Kind::Taxes | Kind::LegacySalesTax => config.cache_ttl_seconds,
            Kind::Lookup | Kind::LegacyLookup => LOOKUP_TTL_SECONDS,
            _ => 0,
        },
        // Not the caller's fault or not lasting: never kept.
        401 | 408 | 429 => 0,
        400..=499 => match kind {
            Kind::Taxes | Kind::Lookup | Kind::LegacySalesTax | Kind::LegacyLookup => {
                ERROR_TTL_SECONDS
            }
            _ => 0,
        },
        _ => 0,
    };
    (seconds > 0).then_some(seconds)
}

/// A short label of a cache key for logs: the cart key's first 12
/// characters (`et1_` and 8 hex digits), or a hash of a lookup key (a
/// ZIP or VAT number is not logged).
pub fn log_label(kind: Kind, key: &str) -> String {
    match kind {
        Kind::Taxes => key.chars().take(12).collect(),
        _ => format!("lk_{}", short_hash(key, 8)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::cache;
    use crate::proxy::flow;
    use crate::proxy::testing::config;

    #[test]
    fn cache_keys_and_ttls() {
        let c = config();
        let account = cache::account(&c);
        assert_eq!(account, short_hash("http://127.0.0.1:9999\ntest-token", 16));
        let other = Config {
            token: Some("other".into()),
            ..c.clone()
        };
        assert_ne!(account, cache::account(&other));
        assert_eq!(cache::ttl(&c, Kind::Taxes, 200), Some(900));
        let off = Config {
            cache_ttl_seconds: 0,
            ..c.clone()
        };
        assert_eq!(cache::ttl(&off, Kind::Taxes, 200), None);
        // Off keeps nothing: no 4xx, no lookups either.
        for (kind, status) in [(Kind::Taxes, 400), (Kind::Lookup, 200), (Kind::Lookup, 404)] {
            assert_eq!(cache::ttl(&off, kind, status), None, "{kind:?} {status}");
        }
        assert!(cache::enabled(&c) && !cache::enabled(&off));
        assert_eq!(cache::ttl(&c, Kind::Lookup, 200), Some(LOOKUP_TTL_SECONDS));
        assert_eq!((LOOKUP_TTL_SECONDS, ERROR_TTL_SECONDS), (21_600, 60));
        for status in [400, 404, 422] {
            assert_eq!(cache::ttl(&c, Kind::Taxes, status), Some(60));
            assert_eq!(cache::ttl(&c, Kind::Lookup, status), Some(60));
        }
        for status in [401, 408, 429, 500, 502, 503, 504, 302] {
            assert_eq!(cache::ttl(&c, Kind::Taxes, status), None, "{status}");
        }
        assert_eq!(cache::ttl(&c, Kind::Transactions, 200), None);
        assert_eq!(cache::ttl(&c, Kind::LegacySalesTax, 200), Some(900));
        assert_eq!(cache::ttl(&off, Kind::LegacySalesTax, 203), None);
        assert_eq!(cache::ttl(&c, Kind::LegacyLookup, 200), Some(21_600));
        assert_eq!(cache::ttl(&c, Kind::LegacyLookup, 404), Some(60));
        let stored: Vec<String> = flow::stored_headers(60, 400)
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        let expected = [
            "Content-Type: application/json; charset=utf-8",
            "Cache-Control: max-age=60",
            "x-edgetax-status: 400",
        ];
        assert_eq!(stored, expected);
        let hit = flow::from_cache(Some("400"), "{}".into());
        assert_eq!((hit.status, hit.body.as_deref()), (400, Some("{}")));
        assert_eq!(flow::from_cache(None, "{}".into()).status, 200);
    }
}
