//! The original Smart Sales Tax API routes, served with `LEGACY_ROUTES=true`
//! (404 otherwise) under the same rules as the v2 routes: callers, rate
//! limits, the cache and the token swap.
//!
//! | route | kind | cached |
//! | --- | --- | --- |
//! | `GET /sales_tax` (Standard), `GET /v1/sales_tax` (Enhanced) | [`Kind::LegacySalesTax`](super::route::Kind::LegacySalesTax) | `CACHE_TTL_SECONDS`, per canonical query |
//! | `GET /tax_categories`, `GET /locations/:zip[/:city]?country=` | [`Kind::LegacyLookup`](super::route::Kind::LegacyLookup) | 6 h |
//!
//! A calculation's query comes from the caller, so it is never forwarded
//! as written: it is decoded ([`super::route`]), kept only for the
//! parameters the reference defines, checked (`canonical`), sorted, and
//! re-encoded. The sorted query is also the cache key, so spelling and
//! parameter order do not split the cache. Upstream, the caller's proxy key
//! becomes the reference's `Authorization: Token token="<real token>"`
//! ([`crate::legacy::auth_header`]); callers may present their proxy key in
//! that form too, so a legacy client only changes its base URL.

use crate::error::{Code, Error};
use crate::legacy::{location_request, Endpoint};
use crate::money::parse_decimal;

use super::reply::Reply;
use super::route::Matched;

pub use super::route::LEGACY_ROUTES;

/// The longest query a legacy calculation may have, in bytes (as sent,
/// still encoded): about a hundred line items.
pub(crate) const MAX_QUERY_BYTES: usize = 8 * 1024;

/// The order-level parameters of both calculations.
const ORDER: &[&str] = &[
    "amount",
    "shipping",
    "from_country",
    "from_state",
    "from_city",
    "from_zip",
    "to_country",
    "to_state",
    "to_city",
    "to_zip",
];
/// The fields of `line_items[<key>][<field>]` (Enhanced only).
const LINE_FIELDS: &[&str] = &["quantity", "unit_price", "discount", "product_tax_code"];
/// The fields of `nexus_addresses[<key>][<field>]` (Enhanced only).
const NEXUS_FIELDS: &[&str] = &["country", "state", "city", "zip", "street"];
/// Parameters that must be plain non-negative decimals.
const NUMBERS: &[&str] = &["amount", "shipping", "quantity", "unit_price", "discount"];

/// 414 when the raw query of `url` is over [`MAX_QUERY_BYTES`].
pub(crate) fn check_query_length(url: &str) -> Result<(), Reply> {
    let url = url.split('#').next().unwrap_or("");
    let length = url.split_once('?').map_or(0, |(_, q)| q.len());
    if length > MAX_QUERY_BYTES {
        let detail = format!("the query is longer than {} KiB", MAX_QUERY_BYTES / 1024);
        return Err(Reply::error(414, &detail));
    }
    Ok(())
}

/// The request as it is forwarded and cached: for a calculation, the
/// known parameters, checked and sorted; for a location, the reference's
/// path and `country` ([`location_request`]). A 400 names the parameter.
pub(crate) fn canonical(matched: &Matched) -> Result<Matched, Reply> {
    let mut out = matched.clone();
    match matched.route.pattern {
        "/sales_tax" | "/v1/sales_tax" => {
            let enhanced = matched.route.pattern == "/v1/sales_tax";
            out.query = sales_tax_query(&matched.query, enhanced)?;
        }
        "/locations/:zip" | "/locations/:zip/:city" => {
            let zip = matched.params.first().map_or("", String::as_str);
            let city = matched.params.get(1).map(String::as_str);
            let country = matched
                .query
                .iter()
                .find(|(k, _)| k == "country")
                .map(|(_, v)| v.as_str());
            let request = location_request(zip, city, country).map_err(|e| Reply::invalid(&e))?;
            out.path = request.path;
            out.query = request.query;
        }
        _ => {}
    }
    Ok(out)
}

/// Whether `key` is a parameter of the calculation.
fn known(key: &str, enhanced: bool) -> bool {
    if ORDER.contains(&key) {
        return true;
    }
    enhanced
        && (nested(key, "line_items", LINE_FIELDS) || nested(key, "nexus_addresses", NEXUS_FIELDS))
}

/// Whether `key` is `<name>[<id>][<field>]` with one of `fields`.
fn nested(key: &str, name: &str, fields: &[&str]) -> bool {
    let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('[')) else {
        return false;
    };
    let Some((id, field)) = rest.split_once("][") else {
        return false;
    };
    let Some(field) = field.strip_suffix(']') else {
        return false;
    };
    !id.is_empty() && !id.contains(['[', ']']) && fields.contains(&field)
}

/// The field a nested key ends with (`unit_price` of
/// `line_items[a][unit_price]`), or the key itself.
fn field_of(key: &str) -> &str {
    key.strip_suffix(']')
        .and_then(|k| k.rsplit_once('['))
        .map_or(key, |(_, field)| field)
}

fn bad(code: Code, field: &str, message: String) -> Reply {
    Reply::invalid(&Error::field(code, field, message))
}

/// The checked, sorted query of a calculation.
fn sales_tax_query(
    pairs: &[(String, String)],
    enhanced: bool,
) -> Result<Vec<(String, String)>, Reply> {
    let query: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| known(k, enhanced))
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let country = get("to_country").unwrap_or("US");
    let domestic = country.eq_ignore_ascii_case("US") || country.eq_ignore_ascii_case("CA");
    // Standard: "This is a required parameter" for both; Enhanced needs
    // them for the US and Canada only (VAT orders go by country).
    if !enhanced || domestic {
        for field in ["to_zip", "to_state"] {
            if get(field).is_none() {
                let message = format!("{field} is required by the legacy sales tax API");
                return Err(bad(Code::MissingField, field, message));
            }
        }
    }
    if !enhanced {
        // "Only valid values are US and CA."
        for field in ["from_country", "to_country"] {
            if let Some(c) =
                get(field).filter(|c| !matches!(c.to_ascii_uppercase().as_str(), "US" | "CA"))
            {
                let message = format!(
                    "\"{c}\" is not US or CA, the only countries of /sales_tax; use /v1/sales_tax"
                );
                return Err(bad(Code::InvalidCountry, field, message));
            }
        }
    }
    for (key, value) in &query {
        if NUMBERS.contains(&field_of(key)) && !value.is_empty() {
            match parse_decimal(value, 6) {
                Ok(n) if !n.is_sign_negative() || n.is_zero() => {}
                Ok(_) => {
                    return Err(bad(
                        Code::InvalidAmount,
                        key,
                        format!("\"{value}\" is negative"),
                    ))
                }
                Err(why) => return Err(bad(Code::InvalidAmount, key, why)),
            }
        }
    }
    let order = crate::order::sorted_indices(query.len(), &mut |a, b| query[a].cmp(&query[b]));
    Ok(crate::order::permuted(query, &order))
}

/// The reference's meaning of an error `status` of a legacy route, for
/// answers without a JSON body.
pub(crate) fn meaning(pattern: &str, status: u16) -> Option<&'static str> {
    let endpoint = match pattern {
        "/tax_categories" => Endpoint::Categories,
        "/locations/:zip" | "/locations/:zip/:city" => Endpoint::Location,
        _ => Endpoint::SalesTax,
    };
    endpoint.meaning(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::config::Config;
    use crate::proxy::route::{match_route, match_route_in, RouteError};
    use crate::proxy::testing::tj;
    use serde_json::Value;

    fn matched(url: &str) -> Matched {
        match_route_in("GET", url, true).unwrap()
    }

    fn refused(url: &str) -> Value {
        let reply = canonical(&matched(url)).unwrap_err();
        assert_eq!(reply.status, 400);
        serde_json::from_str(reply.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn legacy_routes_only_when_enabled() {
        for url in [
            "/sales_tax",
            "/v1/sales_tax",
            "/tax_categories",
            "/locations/07446",
        ] {
            assert_eq!(match_route("GET", url), Err(RouteError::NotFound), "{url}");
            assert_eq!(matched(url).route.pattern, url.replace("07446", ":zip"));
        }
        let m = matched("/locations/07446/Lake%20Ozark?country=us&x=1");
        assert_eq!(m.params, ["07446", "Lake Ozark"]);
        assert_eq!(
            m.path_and_query(),
            "/locations/07446/Lake%20Ozark?country=us"
        );
        let allow = RouteError::MethodNotAllowed {
            pattern: "/sales_tax",
            allow: "GET, OPTIONS".into(),
        };
        assert_eq!(match_route_in("POST", "/sales_tax", true), Err(allow));
        for bad in [
            "/locations/",
            "/locations/a/b/c",
            "/locations/..%2fx",
            "/sales_tax/",
        ] {
            assert_eq!(
                match_route_in("GET", bad, true),
                Err(RouteError::NotFound),
                "{bad}"
            );
        }
    }

    #[test]
    fn calculation_queries_are_filtered_checked_and_sorted() {
        let url = "/v1/sales_tax?to_zip=10541&to_state=NY&amount=215.30&junk=1&to_zip=99999\
            &line_items%5Bpants%5D%5Bquantity%5D=1&line_items[pants][unit_price]=150\
            &line_items[pants][color]=red&nexus_addresses[a][state]=MO&shipping=5.45&to_city=Mahopac";
        let c = canonical(&matched(url)).unwrap();
        assert_eq!(
            c.path_and_query(),
            "/v1/sales_tax?amount=215.30&line_items%5Bpants%5D%5Bquantity%5D=1\
             &line_items%5Bpants%5D%5Bunit_price%5D=150&nexus_addresses%5Ba%5D%5Bstate%5D=MO\
             &shipping=5.45&to_city=Mahopac&to_state=NY&to_zip=10541"
        );
        let respelled =
            "/v1/sales_tax?to_city=Mahopac&shipping=5.45&line_items[pants][unit_price]=150\
            &to_state=NY&line_items[pants][quantity]=1&nexus_addresses%5Ba%5D%5Bstate%5D=MO\
            &amount=215.30&to_zip=10541";
        assert_eq!(canonical(&matched(respelled)).unwrap(), c);
        // Standard has no line items; VAT orders need no to_state.
        let standard = canonical(&matched(
            "/sales_tax?to_zip=07446&to_state=NJ&line_items[a][quantity]=1",
        ));
        assert_eq!(
            standard.unwrap().path_and_query(),
            "/sales_tax?to_state=NJ&to_zip=07446"
        );
        let vat = canonical(&matched("/v1/sales_tax?to_country=FR&amount=10")).unwrap();
        assert_eq!(
            vat.path_and_query(),
            "/v1/sales_tax?amount=10&to_country=FR"
        );
    }

    #[test]
    fn calculation_queries_are_refused_with_the_field() {
        let e = refused("/sales_tax?to_zip=07446&amount=1");
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("missing_field"), Some("to_state"))
        );
        // The message already names the field: it is not said twice.
        assert_eq!(
            e["detail"],
            "to_state is required by the legacy sales tax API"
        );
        let e = refused("/sales_tax?to_state=NJ&to_zip=%20");
        assert_eq!(e["field"], "to_zip");
        let e = refused("/sales_tax?to_state=BE&to_zip=1000&to_country=FR");
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("invalid_country"), Some("to_country"))
        );
        let e = refused("/sales_tax?to_state=NJ&to_zip=07446&amount=-1");
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("invalid_amount"), Some("amount"))
        );
        let e = refused("/v1/sales_tax?to_state=NJ&to_zip=07446&line_items[a][unit_price]=1e3");
        assert_eq!(e["field"], "line_items[a][unit_price]");
        let e = refused("/locations/V0J1A0");
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("missing_field"), Some("country"))
        );
        let ok = canonical(&matched("/locations/%20V0J%201A0?country=ca")).unwrap();
        assert_eq!(ok.path_and_query(), "/locations/V0J%201A0?country=CA");
    }

    #[test]
    fn long_queries_are_refused() {
        let long = format!(
            "https://p.example/sales_tax?to_zip={}#x",
            "1".repeat(MAX_QUERY_BYTES)
        );
        assert_eq!(
            tj(&check_query_length(&long).unwrap_err()),
            "414 URI Too Long: the query is longer than 8 KiB"
        );
        let fits = format!("/sales_tax?{}", "a".repeat(MAX_QUERY_BYTES));
        assert!(check_query_length(&fits).is_ok());
        assert_eq!(
            meaning("/locations/:zip", 404),
            Some("Not found. Five digit zip not recognized.")
        );
        assert_eq!(meaning("/sales_tax", 418), None);
    }
    #[test]
    fn legacy_requests_swap_the_token_and_share_the_cache() {
        use crate::proxy::flow::{self, Front, Head};
        use crate::proxy::log::LogEntry;
        use crate::proxy::testing::{answered, config, SHOP};
        use crate::proxy::upstream::map_for;
        let c = Config {
            legacy_routes: true,
            ..config()
        };
        let admit = |url: &'static str, auth: Option<&'static str>| {
            let head = Head {
                method: "GET",
                url,
                origin: auth.is_none().then_some(SHOP),
                authorization: auth,
                ..Head::default()
            };
            match flow::front(Ok(&c), &head, &mut LogEntry::new("GET")) {
                Front::Admitted(a) => a,
                Front::Done(r) => panic!("refused: {r:?}"),
            }
        };
        let a = admit(
            "https://p.example/sales_tax?to_zip=07446&amount=28.93&to_state=NJ",
            Some("Token token=\"pk_test_1\""),
        );
        let p = flow::prepare(&c, &a, b"", 0).unwrap();
        let query = "/sales_tax?amount=28.93&to_state=NJ&to_zip=07446";
        assert_eq!(p.upstream.url, format!("http://127.0.0.1:9999{query}"));
        let headers: Vec<String> = p
            .upstream
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        let expected = [
            "Authorization: Token token=\"test-token\"",
            "Referer: https://shop.example",
        ];
        assert_eq!(headers, expected);
        let account = crate::proxy::cache::account(&c);
        let url = format!("https://p.example/__edgetax/cache/{account}{query}");
        assert_eq!(p.cache_url.as_deref(), Some(url.as_str()));
        let b = admit(
            "https://p.example/sales_tax?to_state=NJ&amount=28.930&to_zip=07446",
            None,
        );
        let other = flow::prepare(&c, &b, b"", 0).unwrap();
        assert_ne!(other.cache_url, p.cache_url, "28.930 is sent as written");
        let b = admit(
            "https://p.example/sales_tax?to_state=NJ&junk=1&amount=28.93&to_zip=07446",
            None,
        );
        assert_eq!(
            flow::prepare(&c, &b, b"", 0).unwrap().cache_url,
            p.cache_url
        );
        let off = Config {
            legacy_routes: false,
            ..c.clone()
        };
        let head = Head {
            method: "GET",
            url: "/sales_tax",
            origin: Some(SHOP),
            ..Head::default()
        };
        let Front::Done(r) = flow::front(Ok(&off), &head, &mut LogEntry::new("GET")) else {
            panic!("admitted")
        };
        assert_eq!(tj(&r), "404 Not Found: No such route");
        // Answers: bare objects pass; plain 4xx keep the reference's meaning.
        let map = |m: &Matched, status, body| map_for(&c, m, &answered(status, body, None));
        let standard = r#"{"taxable_amount":28.92,"amount_to_collect":0.83,"rate":0.083}"#;
        let (r, own) = map(&a.matched, 200, standard);
        assert_eq!(
            (r.status, r.body.as_deref(), own),
            (200, Some(standard), true)
        );
        assert_eq!(map(&a.matched, 203, standard).0.status, 203);
        assert_eq!(map(&a.matched, 200, "[1]").0.status, 502);
        let location = matched("/locations/00000");
        let (r, own) = map(&location, 404, "Not Found");
        assert_eq!(
            (tj(&r).as_str(), own),
            (
                "404 Not Found: Not found. Five digit zip not recognized.",
                false
            )
        );
        // A JSON error without a detail is rebuilt clean (and still TaxJar's own).
        let (r, own) = map(&location, 404, r#"{"error":"Not Found"}"#);
        let clean = "404 Not Found: TaxJar answered 404 Not Found";
        assert_eq!((tj(&r).as_str(), own), (clean, true));
        assert_eq!(map(&matched("/tax_categories"), 200, "[]").0.status, 200);
        let rejected =
            "502 Bad Gateway: proxy token rejected by TaxJar (401): check TAXJAR_API_TOKEN";
        assert_eq!(tj(&map(&location, 401, "").0), rejected);
    }
}
