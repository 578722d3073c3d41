//! TaxJar's `/v2/summary_rates`, kept for backup estimates.
//!
//! A cron trigger (`17 3 * * *`, daily) runs the Worker's scheduled
//! handler, which fetches the summary rates with the token and keeps them,
//! with the day they were fetched, in the KV namespace bound as `RATES`
//! or, without it, in the Cache API. Backup estimates read them back as
//! [`OfflineOptions`]: a region's `average_rate` then replaces the
//! embedded statewide rate, and `rates_as_of` is the fetch day.
//!
//! The stored document is `{"fetched_at":"YYYY-MM-DD","summary_rates":[...]}`
//! (TaxJar's list as received), kept `RATES_TTL_SECONDS` so rates a
//! broken cron left behind expire instead of aging silently. Its key
//! carries the account hash ([`super::cache::account`]), like cache keys.
//! Without a token nothing is fetched, and estimates use the embedded table.

use serde::Serialize;
use serde_json::Value;

use crate::model::parse_body;
use crate::offline::{Date, OfflineOptions};

use super::cache::account;
use super::config::Config;
use super::route::{match_route, Kind, Matched};
use super::upstream::{self, Outcome, UpstreamRequest};

/// How long stored summary rates are kept, in seconds (7 days: a week of
/// failed refreshes before estimates fall back to the embedded table).
pub(crate) const RATES_TTL_SECONDS: u32 = 7 * 24 * 60 * 60;

/// The KV key of the stored rates.
pub(crate) fn kv_key(config: &Config) -> String {
    format!("summary_rates:{}", account(config))
}

/// The Cache API key of the stored rates (no request origin in a
/// scheduled handler, so a fixed host).
pub fn cache_url(config: &Config) -> String {
    format!(
        "https://edgetax.invalid/__edgetax/rates/{}/v2/summary_rates",
        account(config)
    )
}

/// The route and request that fetch the summary rates; `None` without a
/// token.
pub(crate) fn refresh_request(config: &Config) -> Option<(Matched, UpstreamRequest)> {
    let token = config.token.as_deref()?;
    let matched = match_route("GET", "/v2/summary_rates").ok()?;
    let request = upstream::build(config, token, &matched, None);
    Some((matched, request))
}

/// Summary rates ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The JSON to store.
    pub text: String,
    /// How many regions it has.
    pub regions: usize,
}

/// The document to store for TaxJar's `outcome`, fetched on `day`, or why
/// there is none. An empty list is refused, so it never replaces rates
/// that are still good.
pub(crate) fn document(config: &Config, outcome: &Outcome, day: Date) -> Result<Document, String> {
    let (status, body) = match outcome {
        Outcome::Answered { status, body, .. } if (200..=299).contains(status) => (*status, body),
        _ => {
            let (reply, _) = upstream::map(config, Kind::Lookup, outcome);
            let text = reply.body.unwrap_or_default();
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["detail"].as_str().map(str::to_owned));
            return Err(detail.unwrap_or(text));
        }
    };
    let mut value: Value = parse_body(status, body).map_err(|e| e.message)?;
    let list = value
        .get_mut("summary_rates")
        .map(Value::take)
        .ok_or("TaxJar's answer has no summary_rates")?;
    let text =
        serde_json::json!({ "fetched_at": day.to_string(), "summary_rates": list }).to_string();
    // Checked by reading the stored text as `options` will: the same
    // reader, and no second copy of it for a `Value` source in the wasm.
    let stored =
        read_options(&text).map_err(|e| format!("TaxJar's summary_rates are not readable: {e}"))?;
    if stored.summary_rates.is_empty() {
        return Err("TaxJar's summary_rates are empty".to_owned());
    }
    Ok(Document {
        text,
        regions: stored.summary_rates.len(),
    })
}

/// The options of a backup estimate from the stored document, if any; a
/// missing or unreadable one gives the defaults (the embedded table).
pub fn options(stored: Option<&str>) -> OfflineOptions {
    stored
        .and_then(|text| read_options(text).ok())
        .map(|o| OfflineOptions {
            // Only what the refresh wrote is read back.
            summary_rates: o.summary_rates,
            fetched_at: o.fetched_at,
            ..OfflineOptions::default()
        })
        .unwrap_or_default()
}

/// The stored document read as options (by hand, as the derive read it).
fn read_options(text: &str) -> Result<OfflineOptions, String> {
    let value = crate::json::parse(text).map_err(|e| e.to_string())?;
    OfflineOptions::from_json(&value)
}

/// What a refresh did, logged as one JSON line (never the token).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Always `"refresh_rates"`.
    pub event: &'static str,
    /// `"stored"`, `"skipped"` (no token, or a configuration error) or
    /// `"failed"`.
    pub status: &'static str,
    /// `"kv"` or `"cache"` when stored.
    pub store: Option<&'static str>,
    /// Regions stored.
    pub regions: Option<usize>,
    /// The fetch day, when stored.
    pub fetched_at: Option<String>,
    /// Upstream attempts made.
    pub attempts: u32,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
}

impl Report {
    /// A report with `status` and nothing else yet.
    pub fn new(status: &'static str) -> Report {
        Report {
            event: "refresh_rates",
            status,
            ..Report::default()
        }
    }

    /// The line: one JSON object, no newline.
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::short_hash;
    use crate::proxy::testing::{answered, config};

    const DAY: Date = Date::ymd(2026, 7, 20);
    const FIXTURE: &str = r#"{"summary_rates":[{"country_code":"US","country":"United States",
        "region_code":"CA","region":"California","minimum_rate":{"label":"State Tax","rate":0.065},
        "average_rate":{"label":"Tax","rate":0.0827}},{"country_code":"UK","country":"United Kingdom",
        "region_code":null,"region":null,"minimum_rate":{"label":"VAT","rate":0.2},
        "average_rate":{"label":"VAT","rate":0.2}}]}"#;

    #[test]
    fn the_refresh_asks_for_summary_rates_with_the_token() {
        let c = config();
        let (matched, request) = refresh_request(&c).unwrap();
        assert_eq!(matched.route.pattern, "/v2/summary_rates");
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            ("GET", "http://127.0.0.1:9999/v2/summary_rates")
        );
        assert_eq!(
            request.headers[0],
            ("Authorization".to_owned(), "Bearer test-token".to_owned())
        );
        assert_eq!(
            refresh_request(&Config {
                token: None,
                ..c.clone()
            }),
            None
        );
        let account = short_hash("http://127.0.0.1:9999\ntest-token", 16);
        assert_eq!(kv_key(&c), format!("summary_rates:{account}"));
        assert_eq!(
            cache_url(&c),
            format!("https://edgetax.invalid/__edgetax/rates/{account}/v2/summary_rates")
        );
    }

    #[test]
    fn documents_keep_the_list_and_the_day() {
        let c = config();
        let doc = document(&c, &answered(200, FIXTURE, None), DAY).unwrap();
        assert_eq!(doc.regions, 2);
        assert!(doc
            .text
            .starts_with(r#"{"fetched_at":"2026-07-20","summary_rates":[{"#));
        let options = options(Some(&doc.text));
        assert_eq!(options.fetched_at, Some(DAY));
        assert_eq!(options.summary_rates.len(), 2);
        assert_eq!(
            options.summary_rates[0].average_rate.rate.to_string(),
            "0.0827"
        );
        assert_eq!(self::options(None), OfflineOptions::default());
        assert_eq!(self::options(Some("{not json")), OfflineOptions::default());
        // Only what a refresh writes is read back.
        let odd = r#"{"summary_rates":[],"date":"2030-01-01","shipping_taxable":{"NJ":false}}"#;
        assert_eq!(self::options(Some(odd)), OfflineOptions::default());
        let failed = |outcome: Outcome| document(&c, &outcome, DAY).unwrap_err();
        let boom = r#"{"error":"Internal Server Error","detail":"boom","status":500}"#;
        assert_eq!(
            failed(answered(500, boom, None)),
            "TaxJar answered 500 Internal Server Error: boom"
        );
        assert_eq!(
            failed(Outcome::TimedOut),
            "TaxJar did not answer within 5000 ms"
        );
        assert_eq!(
            failed(answered(200, r#"{"summary_rates":[]}"#, None)),
            "TaxJar's summary_rates are empty"
        );
        assert_eq!(
            failed(answered(200, r#"{"rates":[]}"#, None)),
            "TaxJar's answer has no summary_rates"
        );
        let unreadable = failed(answered(
            200,
            r#"{"summary_rates":[{"average_rate":1}]}"#,
            None,
        ));
        assert!(unreadable.starts_with("TaxJar's summary_rates are not readable: "));
        assert!(failed(answered(200, "<html>", None)).contains("not JSON"));
    }

    #[test]
    fn reports_are_one_json_line() {
        let mut report = Report::new("stored");
        report.store = Some("kv");
        report.regions = Some(3);
        report.fetched_at = Some("2026-07-20".into());
        report.attempts = 1;
        let line = concat!(
            r#"{"event":"refresh_rates","status":"stored","store":"kv","regions":3,"#,
            r#""fetched_at":"2026-07-20","attempts":1,"detail":null}"#
        );
        assert_eq!(report.line(), line);
    }
}
