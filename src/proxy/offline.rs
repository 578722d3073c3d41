//! Backup answers for `POST /v2/taxes`: a TaxJar-shaped body built from
//! [`crate::offline::offline_estimate`] when TaxJar cannot answer.
//!
//! | situation | browser | server (proxy key) |
//! | --- | --- | --- |
//! | no `TAXJAR_API_TOKEN` | backup estimate | 503, unless `OFFLINE_FOR_SERVERS` |
//! | TaxJar failed after its retry: timeout, network failure, 5xx, 429 | backup estimate | the mapped error, unless `OFFLINE_FOR_SERVERS` |
//! | `OFFLINE_FALLBACK=false` | the 503 or the error | the 503 or the error |
//!
//! Servers get the error by default because they may record the tax they
//! charged (Transaction Sync), and an estimate must never be recorded as
//! TaxJar's figure; transactions are never estimated. A backup answer is
//! flagged three ways: `tax.estimated: true`, `tax.source: "offline"` and
//! the header `x-edgetax-source: offline`. It is never put in the cache
//! (`x-edgetax-cache: miss`), so TaxJar is asked again on the next request.
//!
//! The body has TaxJar's fields, numbers as JSON numbers, and a per-line
//! `breakdown` whose taxes add up to `amount_to_collect`, so any TaxJar
//! client reads it, and `applyTax` on it gives the estimate's line taxes
//! back to the cent.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::estimate::Estimate;
use crate::money::{json_number, Money};
use crate::offline::{offline_estimate, Date, OfflineOptions};
use crate::validate::ValidCart;

use super::caller::Caller;
use super::config::Config;
use super::reply::Reply;
use super::route::Kind;
use super::upstream::Outcome;

/// The header that marks a backup answer.
pub(crate) const SOURCE_HEADER: &str = "x-edgetax-source";

/// Whether a request of `kind` from `caller` may get a backup estimate.
pub(crate) fn eligible(config: &Config, caller: &Caller, kind: Kind) -> bool {
    let caller_ok = match caller {
        Caller::Browser { .. } => true,
        Caller::Server { .. } => config.offline_for_servers,
    };
    kind == Kind::Taxes && config.offline_fallback && caller_ok
}

/// Whether TaxJar's last `outcome` (after the retry) is a failure a backup
/// estimate may stand in for: no answer, a network failure, a 5xx, a
/// 429, a redirect (never followed) or an answer over its size bound. A
/// 4xx is about the request, and a 401 about the Worker's token:
/// those stay errors.
pub(crate) fn upstream_failed(outcome: &Outcome) -> bool {
    match outcome {
        // A redirect is never followed, so it is a failure like a 5xx.
        Outcome::Answered { status, .. } => {
            *status >= 500 || *status == 429 || (300..=399).contains(status)
        }
        Outcome::TooLarge { .. } | Outcome::TimedOut | Outcome::Failed => true,
    }
}

/// The backup answer for `cart` (200, flagged), with `options` (summary
/// rates, when kept) on the UTC day `today`.
pub fn reply(cart: &ValidCart, today: Date, options: &OfflineOptions) -> Reply {
    let estimate = offline_estimate(cart, today, options);
    Reply::json(200, tax_body(&estimate, "offline")).with_header(SOURCE_HEADER, "offline")
}

fn money<S: Serializer>(value: &Money, serializer: S) -> Result<S::Ok, S::Error> {
    json_number(value.value()).serialize(serializer)
}

fn number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    json_number(*value).serialize(serializer)
}

#[derive(Serialize)]
struct Body<'a> {
    tax: Tax<'a>,
}

/// TaxJar's `tax` object, plus the backup flags.
#[derive(Serialize)]
struct Tax<'a> {
    #[serde(serialize_with = "money")]
    order_total_amount: Money,
    #[serde(serialize_with = "money")]
    shipping: Money,
    #[serde(serialize_with = "money")]
    taxable_amount: Money,
    #[serde(serialize_with = "money")]
    amount_to_collect: Money,
    #[serde(serialize_with = "number")]
    rate: Decimal,
    has_nexus: bool,
    freight_taxable: bool,
    tax_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption_type: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    estimated: bool,
    source: &'static str,
    rates_as_of: Option<&'a str>,
    warnings: &'a [String],
    breakdown: Breakdown<'a>,
}

#[derive(Serialize)]
struct Breakdown<'a> {
    #[serde(serialize_with = "money")]
    taxable_amount: Money,
    #[serde(serialize_with = "money")]
    tax_collectable: Money,
    #[serde(serialize_with = "number")]
    combined_tax_rate: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping: Option<Part>,
    line_items: Vec<Line<'a>>,
}

#[derive(Serialize)]
struct Part {
    #[serde(serialize_with = "money")]
    taxable_amount: Money,
    #[serde(serialize_with = "money")]
    tax_collectable: Money,
    #[serde(serialize_with = "number")]
    combined_tax_rate: Decimal,
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    #[serde(serialize_with = "money")]
    taxable_amount: Money,
    #[serde(serialize_with = "money")]
    tax_collectable: Money,
    #[serde(serialize_with = "number")]
    combined_tax_rate: Decimal,
}

/// The `{tax: {...}}` body of an (offline) estimate. Every line and the
/// taxed shipping are in the breakdown with the estimate's own taxes, so
/// they already add up to `amount_to_collect` and a reader keeps them.
///
/// `source` is `offline` for a backup estimate (flagged `estimated`), or
/// `no_nexus` / `exempt` for a zero the Worker answers without a call
/// (exact, so not flagged).
pub(crate) fn tax_body(estimate: &Estimate, source: &'static str) -> String {
    let ship = &estimate.shipping;
    let shipping = (estimate.freight_taxable && !ship.amount.is_zero()).then_some(Part {
        taxable_amount: ship.taxable_amount,
        tax_collectable: ship.tax_collectable,
        combined_tax_rate: estimate.rate,
    });
    let line_items = estimate
        .line_items
        .iter()
        .map(|line| Line {
            id: &line.id,
            taxable_amount: line.taxable_amount,
            tax_collectable: line.tax_collectable,
            combined_tax_rate: line.combined_tax_rate,
        })
        .collect();
    let body = Body {
        tax: Tax {
            order_total_amount: estimate.order_total_amount,
            shipping: ship.amount,
            taxable_amount: estimate.taxable_amount,
            amount_to_collect: estimate.amount_to_collect,
            rate: estimate.rate,
            has_nexus: estimate.has_nexus,
            freight_taxable: estimate.freight_taxable,
            tax_source: estimate.tax_source.as_deref(),
            exemption_type: estimate.exemption_type.as_deref(),
            estimated: source == "offline",
            source,
            rates_as_of: estimate.rates_as_of.as_deref(),
            warnings: &estimate.warnings,
            breakdown: Breakdown {
                taxable_amount: estimate.taxable_amount,
                tax_collectable: estimate.amount_to_collect,
                combined_tax_rate: estimate.rate,
                shipping,
                line_items,
            },
        },
    };
    // Strings, numbers and booleans only: serializing cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;
    use crate::estimate::apply_tax;
    use crate::model::{parse_body, TaxResponse};
    use crate::proxy::flow::{self, Front, Head};
    use crate::proxy::log::LogEntry;
    use crate::proxy::testing::{answered, config, tj, SHOP};

    const TODAY: Date = Date::ymd(2026, 7, 20);
    const NJ: &str = r#"{"to_country":"US","to_zip":"07446","to_state":"NJ","shipping":5,
        "line_items":[{"id":"a","quantity":2,"unit_price":10},{"id":"b","unit_price":"5.50","discount":0.5}]}"#;

    fn cart(json: &str) -> ValidCart {
        ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
    }

    fn summary() -> OfflineOptions {
        let rates = r#"{"summary_rates":[{"country_code":"US","country":"United States",
            "region_code":"CA","region":"California","minimum_rate":{"label":"State Tax","rate":0.065},
            "average_rate":{"label":"Tax","rate":0.0827}}],"fetched_at":"2026-07-19"}"#;
        serde_json::from_str(rates).unwrap()
    }

    #[test]
    fn the_body_is_taxjar_shaped_with_exact_cents() {
        let r = reply(&cart(NJ), TODAY, &OfflineOptions::default());
        assert_eq!(
            (r.status, r.header("x-edgetax-source")),
            (200, Some("offline"))
        );
        let body = concat!(
            r#"{"tax":{"order_total_amount":30,"shipping":5,"taxable_amount":30,"amount_to_collect":1.99,"#,
            r#""rate":0.06625,"has_nexus":true,"freight_taxable":true,"tax_source":"destination","#,
            r#""estimated":true,"source":"offline","rates_as_of":"2026-07-01","warnings":[],"#,
            r#""breakdown":{"taxable_amount":30,"tax_collectable":1.99,"combined_tax_rate":0.06625,"#,
            r#""shipping":{"taxable_amount":5,"tax_collectable":0.33,"combined_tax_rate":0.06625},"#,
            r#""line_items":[{"id":"a","taxable_amount":20,"tax_collectable":1.33,"combined_tax_rate":0.06625},"#,
            r#"{"id":"b","taxable_amount":5,"tax_collectable":0.33,"combined_tax_rate":0.06625}]}}}"#
        );
        assert_eq!(r.body.as_deref(), Some(body));
        let ca = r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,"line_items":[{"id":"1","unit_price":15,"product_tax_code":"20010"}]}"#;
        let r = reply(&cart(ca), TODAY, &summary());
        let tax: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        let tax = &tax["tax"];
        assert_eq!(
            (tax["rate"].as_f64(), tax["amount_to_collect"].as_f64()),
            (Some(0.0827), Some(1.24))
        );
        assert_eq!(
            (
                tax["rates_as_of"].as_str(),
                tax["freight_taxable"].as_bool()
            ),
            (Some("2026-07-19"), Some(false))
        );
        let warnings = ["local rates may apply", "product categories not applied"];
        assert_eq!(tax["warnings"], serde_json::json!(warnings));
        assert_eq!(tax["breakdown"].get("shipping"), None);
    }

    #[test]
    fn apply_tax_on_the_body_gives_the_estimate_back_to_the_cent() {
        let carts = [
            NJ,
            r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,"line_items":[{"id":"1","unit_price":15}]}"#,
            r#"{"to_zip":"10541","to_state":"NY","shipping":"7.77","order_discount":"3.33",
              "line_items":[{"id":"z","quantity":3,"unit_price":"19.99"},{"id":"y","unit_price":"1.005"},
              {"id":"x","unit_price":4,"product_tax_code":"99999"},{"id":"w","unit_price":"0.01"}]}"#,
            r#"{"to_country":"CA","to_zip":"M5V 2T6","to_state":"ON","shipping":"2.5","amount":"14.99"}"#,
            r#"{"to_zip":"07446","to_state":"NJ","shipping":3,"amount":10,"exemption_type":"wholesale"}"#,
            r#"{"to_country":"FR","to_zip":"13281","shipping":1,"amount":10}"#,
            r#"{"to_zip":"77058","to_state":"TX","handling_fee":"2.49","line_items":[{"id":"1","unit_price":"33.33","quantity":"1.5"}]}"#,
        ];
        for json in carts {
            for options in [OfflineOptions::default(), summary()] {
                let valid = cart(json);
                let estimate = offline_estimate(&valid, TODAY, &options);
                let body = tax_body(&estimate, "offline");
                let parsed: TaxResponse = parse_body(200, &body).unwrap();
                let again = apply_tax(&valid, &parsed);
                let taxes = |e: &Estimate| {
                    let lines: Vec<_> = e
                        .line_items
                        .iter()
                        .map(|l| {
                            (
                                l.id.clone(),
                                l.tax_collectable,
                                l.taxable_amount.round_cents(),
                            )
                        })
                        .collect();
                    (
                        lines,
                        e.shipping.tax_collectable,
                        e.shipping.taxable_amount,
                        e.amount_to_collect,
                        e.rate,
                        e.taxable_amount,
                        e.freight_taxable,
                    )
                };
                assert_eq!(taxes(&again), taxes(&estimate), "{json}\n{body}");
                let total: Money = again
                    .line_items
                    .iter()
                    .map(|l| l.tax_collectable)
                    .sum::<Money>()
                    + again.shipping.tax_collectable;
                assert_eq!(total, estimate.amount_to_collect, "{json}");
            }
        }
    }

    #[test]
    fn who_gets_a_backup_estimate() {
        let c = config();
        let browser = Caller::Browser {
            origin: SHOP.into(),
        };
        let server = Caller::Server { key_id: "k".into() };
        assert!(eligible(&c, &browser, Kind::Taxes));
        assert!(!eligible(&c, &server, Kind::Taxes));
        assert!(
            !eligible(&c, &browser, Kind::Lookup) && !eligible(&c, &browser, Kind::Transactions)
        );
        let servers = Config {
            offline_for_servers: true,
            ..c.clone()
        };
        assert!(
            eligible(&servers, &server, Kind::Taxes)
                && !eligible(&servers, &server, Kind::Transactions)
        );
        let off = Config {
            offline_fallback: false,
            offline_for_servers: true,
            ..c.clone()
        };
        assert!(!eligible(&off, &browser, Kind::Taxes) && !eligible(&off, &server, Kind::Taxes));
        for (outcome, failed) in [
            (Outcome::TimedOut, true),
            (Outcome::Failed, true),
            (answered(500, "", None), true),
            (answered(503, "<html>", None), true),
            (answered(429, "{}", Some("7")), true),
            // Never followed: a failure like a 5xx (issue #16).
            (answered(307, "", None), true),
            (answered(302, "{}", None), true),
            (
                Outcome::TooLarge {
                    status: 200,
                    limit: 1024,
                },
                true,
            ),
            (answered(200, "{}", None), false),
            (answered(400, "{}", None), false),
            (answered(401, "{}", None), false),
            (answered(404, "", None), false),
        ] {
            assert_eq!(upstream_failed(&outcome), failed, "{outcome:?}");
        }
    }

    fn front(config: &Config, head: Head) -> Front {
        flow::front(Ok(config), &head, &mut LogEntry::new(head.method))
    }

    #[test]
    fn without_a_token_browsers_are_answered_offline() {
        let no_token = Config {
            token: None,
            ..config()
        };
        let browser = Head {
            method: "POST",
            url: "/v2/taxes",
            origin: Some(SHOP),
            content_type: Some("application/json"),
            ..Head::default()
        };
        let server = Head {
            origin: None,
            authorization: Some("Bearer pk_test_1"),
            ..browser
        };
        let Front::Admitted(admitted) = front(&no_token, browser) else {
            panic!("refused")
        };
        assert!(admitted.offline_only);
        let prepared = flow::prepare(&no_token, &admitted, NJ.as_bytes(), 0).unwrap();
        assert_eq!(
            (
                prepared.cache_url.as_deref(),
                prepared.key_hash.as_ref().map(|k| &k[..4])
            ),
            (None, Some("et1_"))
        );
        let reply = flow::offline_answer(&prepared, TODAY, &OfflineOptions::default()).unwrap();
        let done = flow::complete(&admitted, reply, crate::proxy::log::CacheStatus::Miss);
        assert_eq!(done.header("x-edgetax-cache"), Some("miss"));
        assert_eq!(
            done.header("access-control-expose-headers"),
            Some("Retry-After, x-edgetax-cache, x-edgetax-source")
        );
        let bad = flow::prepare(
            &no_token,
            &admitted,
            br#"{"to_zip":"1","to_state":"NJ","amount":1}"#,
            0,
        )
        .unwrap_err();
        assert_eq!(bad.status, 400);
        let token_unset = "503 Service Unavailable: TAXJAR_API_TOKEN is not set";
        let Front::Done(refused) = front(&no_token, server) else {
            panic!("admitted")
        };
        assert_eq!(tj(&refused), token_unset);
        let categories = Head {
            method: "GET",
            url: "/v2/categories",
            ..browser
        };
        let Front::Done(refused) = front(&no_token, categories) else {
            panic!("admitted")
        };
        assert_eq!(tj(&refused), token_unset);
        let for_servers = Config {
            offline_for_servers: true,
            ..no_token.clone()
        };
        assert!(matches!(front(&for_servers, server), Front::Admitted(a) if a.offline_only));
        let off = Config {
            offline_fallback: false,
            ..no_token.clone()
        };
        let Front::Done(refused) = front(&off, browser) else {
            panic!("admitted")
        };
        assert_eq!(tj(&refused), token_unset);
        let disabled = Config {
            calculations_enabled: false,
            ..no_token
        };
        let Front::Done(refused) = front(&disabled, browser) else {
            panic!("admitted")
        };
        assert_eq!(
            tj(&refused),
            "503 Service Unavailable: calculations disabled"
        );
        // With a token: the browser falls back on a failure, the server not.
        let c = config();
        let Front::Admitted(b) = front(&c, browser) else {
            panic!("refused")
        };
        let Front::Admitted(s) = front(&c, server) else {
            panic!("refused")
        };
        assert!(
            !b.offline_only
                && flow::prepare(&c, &b, NJ.as_bytes(), 0)
                    .unwrap()
                    .cache_url
                    .is_some()
        );
        let falls = |admitted: &flow::Admitted, outcome: Outcome| {
            let finished = flow::answer(&c, admitted, &outcome);
            flow::falls_back(&c, admitted, &outcome, &finished)
        };
        assert!(falls(&b, Outcome::TimedOut) && !falls(&s, Outcome::TimedOut));
        assert!(!falls(&b, answered(400, "{}", None)));
        // A 2xx that cannot be read is a failure too; a readable one is not.
        assert!(falls(&b, answered(200, "<html>", None)) && !falls(&s, answered(200, "", None)));
        let tax = r#"{"tax":{"amount_to_collect":1,"freight_taxable":false,"has_nexus":true,
            "order_total_amount":16.5,"rate":0.09,"shipping":1.5,"taxable_amount":15}}"#;
        assert!(!falls(&b, answered(200, tax, None)));
    }
}
