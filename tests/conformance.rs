//! Every file of `../shared/conformance` against the typed model: TaxJar's
//! documented requests round-trip exactly, every documented and fixture
//! response parses, and the endpoint builders produce the documented URLs.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use edgetax::model::customers::{CustomerListResponse, CustomerResponse};
use edgetax::model::endpoints::{self, ApiRequest};
use edgetax::model::lookups::{
    AddressesResponse, CategoriesResponse, NexusRegionsResponse, RateResponse,
    SummaryRatesResponse, ValidationResponse,
};
use edgetax::model::transactions::{
    ListParams, OrderListResponse, OrderResponse, RefundListResponse, RefundResponse, Transaction,
    TransactionRequest,
};
use edgetax::model::{parse_body, ErrorBody, TaxRequest, TaxResponse};
use edgetax::Code;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");

fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn p(text: &str) -> Option<Decimal> {
    Some(d(text))
}

/// `raw[key]`, a JSON number or decimal string, as an exact decimal.
fn money(raw: &Value, key: &str) -> Option<Decimal> {
    match &raw[key] {
        Value::Null => None,
        Value::String(s) => p(s),
        Value::Number(n) => p(&n.to_string()),
        other => panic!("{key} is not a decimal: {other}"),
    }
}

/// The files of one conformance folder, sorted, as (name, text).
fn files(dir: &str) -> Vec<(String, String)> {
    let read = fs::read_dir(Path::new(ROOT).join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut out: Vec<(String, String)> = read
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            (name, fs::read_to_string(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Parses as TaxJar's 200 answer, through the crate's own entry point.
fn parse<T: DeserializeOwned>(name: &str, text: &str) -> T {
    parse_body(200, text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_conformance_file_is_checked() {
    let mut present = BTreeSet::new();
    let mut stack = vec![Path::new(ROOT).to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(ROOT).unwrap().to_str().unwrap();
                present.insert(relative.replace('\\', "/"));
            }
        }
    }
    // The three folders the tests below read, each file by file.
    let mut covered = BTreeSet::new();
    for dir in ["taxjar-ruby-fixtures", "taxjar-docs/taxes"] {
        covered.extend(files(dir).into_iter().map(|f| format!("{dir}/{}", f.0)));
    }
    let dir = "taxjar-docs/transactions";
    covered.extend(files(dir).into_iter().map(|f| format!("{dir}/{}", f.0)));
    assert_eq!(present, covered, "a conformance folder that no test reads");
}

#[test]
fn ruby_fixtures_parse_into_their_types() {
    let mut handled = BTreeSet::new();
    for (name, text) in files("taxjar-ruby-fixtures") {
        check_ruby_fixture(&name, &text);
        handled.insert(name);
    }
    let expected = "addresses addresses_multiple categories customer customers nexus_regions \
        order orders rates rates_au rates_ca rates_eu rates_sst refund refunds summary_rates \
        taxes taxes_canada taxes_international validation";
    let expected = expected
        .split_whitespace()
        .map(|stem| format!("{stem}.json"));
    assert_eq!(handled, expected.collect());
}

fn check_ruby_fixture(name: &str, text: &str) {
    println!("checking {name}"); // shown if an assertion fails
    match name {
        "addresses.json" | "addresses_multiple.json" => {
            let r: AddressesResponse = parse(name, text);
            let zips: Vec<_> = r.addresses.into_iter().map(|a| a.zip.unwrap()).collect();
            match name {
                "addresses.json" => assert_eq!(zips, ["85297-2176"]),
                _ => assert_eq!(zips, ["85007-3646", "85006-2734"]),
            }
        }
        "categories.json" => {
            let r: CategoriesResponse = parse(name, text);
            assert_eq!(r.categories.len(), 7);
            assert_eq!(r.categories[1].name, "Clothing");
            assert_eq!(r.categories[1].product_tax_code, "20010");
        }
        "customer.json" => {
            let c = parse::<CustomerResponse>(name, text).customer;
            assert_eq!(c.customer_id, "123");
            let regions = c.exempt_regions.iter().flatten();
            let states: Vec<_> = regions.map(|x| x.state.as_deref().unwrap()).collect();
            assert_eq!(states, ["FL", "PA"]);
            // The answer has the request's shape, so it must round-trip too.
            let original: Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_value(&c).unwrap(), original["customer"]);
        }
        "customers.json" | "orders.json" | "refunds.json" => {
            let (ids, want) = match name {
                "customers.json" => (parse::<CustomerListResponse>(name, text).customers, "123"),
                "orders.json" => (parse::<OrderListResponse>(name, text).orders, "123"),
                _ => (parse::<RefundListResponse>(name, text).refunds, "321"),
            };
            let second = if want == "123" { "456" } else { "654" };
            assert_eq!(ids, [want, second]);
        }
        "nexus_regions.json" => {
            let r: NexusRegionsResponse = parse(name, text);
            let codes: Vec<_> = r
                .regions
                .into_iter()
                .map(|x| x.region_code.unwrap())
                .collect();
            assert_eq!(codes, ["CA", "NY", "WA"]);
        }
        "order.json" | "refund.json" => {
            let (t, reference) = match name {
                "order.json" => (parse::<OrderResponse>(name, text).order, None),
                _ => (parse::<RefundResponse>(name, text).refund, Some("123")),
            };
            assert_eq!(t.transaction_reference_id.as_deref(), reference);
            assert_eq!(t.user_id, Some(10649));
            assert_eq!([t.amount, t.shipping], [p("17.45"), p("1.5")]);
            assert_eq!(t.sales_tax, p("0.95"));
            assert_eq!(t.line_items[0].unit_price, p("15"));
            assert_eq!(t.line_items[0].product_tax_code.as_deref(), Some("20010"));
        }
        "rates.json" | "rates_au.json" | "rates_ca.json" | "rates_eu.json" | "rates_sst.json" => {
            let r = parse::<RateResponse>(name, text).rate;
            assert_eq!(r.freight_taxable, Some(name != "rates.json"));
            let (got, want) = match name {
                "rates.json" => ([r.combined_rate, r.state_rate], ["0.09", "0.065"]),
                "rates_au.json" => ([r.combined_rate, r.country_rate], ["0.1", "0.1"]),
                "rates_ca.json" => ([r.combined_rate, r.state_rate], ["0.12", ""]),
                "rates_eu.json" => ([r.standard_rate, r.reduced_rate], ["0.24", "0"]),
                _ => (
                    [r.combined_rate, r.combined_district_rate],
                    ["0.07", "0.01"],
                ),
            };
            assert_eq!(got, want.map(|s| (!s.is_empty()).then(|| d(s))));
        }
        "summary_rates.json" => {
            let r = parse::<SummaryRatesResponse>(name, text).summary_rates;
            assert_eq!(r.len(), 3);
            assert_eq!(r[0].average_rate.rate, d("0.0827"));
            assert_eq!(r[2].region_code, None);
            assert_eq!(r[2].minimum_rate.label.as_deref(), Some("VAT"));
        }
        "taxes.json" => {
            let t = parse::<TaxResponse>(name, text).tax;
            assert_eq!(t.amount_to_collect, d("1.16"));
            let b = t.breakdown.unwrap();
            assert_eq!(b.shipping.unwrap().rates.state_amount, p("0.11"));
            assert_eq!(b.line_items[0].id.as_deref(), Some("1"));
            assert_eq!(b.line_items[0].rates.tax_collectable, p("1.05"));
        }
        "taxes_canada.json" => {
            let t = parse::<TaxResponse>(name, text).tax;
            assert_eq!(t.amount_to_collect, d("3.5"));
            let b = t.breakdown.unwrap().rates;
            assert_eq!([b.gst, b.pst, b.qst], [p("1.35"), p("2.16"), p("0")]);
        }
        "taxes_international.json" => {
            let t = parse::<TaxResponse>(name, text).tax;
            assert_eq!(t.amount_to_collect, d("6.47"));
            let line = &t.breakdown.unwrap().line_items[0];
            assert_eq!(line.rates.country_tax_collectable, p("4.07"));
        }
        "validation.json" => {
            let v = parse::<ValidationResponse>(name, text).validation;
            assert_eq!([v.valid, v.exists, v.vies_available], [Some(true); 3]);
            let vies = v.vies_response.unwrap();
            assert_eq!(vies.name.unwrap(), "SA SODIMAS");
            assert_eq!(
                vies.address.unwrap(),
                "11 RUE AMPERE\n26600 PONT DE L ISERE"
            );
        }
        other => panic!("no typed response mapped for fixture {other}"),
    }
}

#[test]
fn documented_tax_scenarios_round_trip() {
    let expected = [
        ("australia.json", "1.65"),
        ("canada.json", "2.15"),
        ("clothing-exemptions.json", "1.98"),
        ("european-union.json", "3.3"),
        ("food-grocery-exemptions.json", "0"),
        ("no-nexus.json", "0"),
        ("origin-based-sourcing.json", "1.36"),
        ("shipping-exemptions.json", "0.94"),
        ("united-states.json", "1.35"),
    ];
    let present = files("taxjar-docs/taxes");
    let names: Vec<_> = present.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, expected.map(|(name, _)| name));
    for ((name, text), (_, amount)) in present.iter().zip(expected) {
        println!("checking {name}"); // shown if an assertion fails
        let doc: Value = serde_json::from_str(text).unwrap();
        let request: TaxRequest = serde_json::from_value(doc["request"].clone()).unwrap();
        let sent = serde_json::to_value(&request).unwrap();
        assert_eq!(sent, doc["request"], "request round trip");
        let call = endpoints::taxes(&request);
        assert_eq!((call.method, call.path.as_str()), ("POST", "/v2/taxes"));
        assert_eq!(call.body, Some(sent));

        let tax = parse::<TaxResponse>(name, &doc["response"].to_string()).tax;
        let raw = &doc["response"]["tax"];
        assert_eq!(tax.amount_to_collect, d(amount));
        assert_eq!(Some(tax.amount_to_collect), money(raw, "amount_to_collect"));
        assert_eq!(tax.has_nexus, raw["has_nexus"] == true);
        assert_eq!(tax.freight_taxable, raw["freight_taxable"] == true);
        assert_eq!(tax.tax_source.as_deref(), raw["tax_source"].as_str());
        let raw = &raw["breakdown"];
        assert_eq!(tax.breakdown.is_some(), raw.is_object());
        let Some(b) = tax.breakdown else { continue };
        assert_eq!(b.shipping.is_some(), raw["shipping"].is_object());
        assert_eq!(b.rates.tax_collectable, money(raw, "tax_collectable"));
        let raw_lines = raw["line_items"].as_array().unwrap();
        assert_eq!(b.line_items.len(), raw_lines.len());
        for (line, raw) in b.line_items.iter().zip(raw_lines) {
            assert_eq!(line.rates.tax_collectable, money(raw, "tax_collectable"));
        }
    }
}

#[test]
fn documented_transactions_round_trip() {
    let mut handled = BTreeSet::new();
    for (name, text) in files("taxjar-docs/transactions") {
        println!("checking {name}"); // shown if an assertion fails
        let doc: Value = serde_json::from_str(&text).unwrap();
        let (kind, refund) = (name.split('-').next().unwrap(), name.contains("refund"));
        let request: Option<TransactionRequest> = (!doc["request"].is_null())
            .then(|| serde_json::from_value(doc["request"].clone()).unwrap());
        if let Some(request) = &request {
            let sent = serde_json::to_value(request).unwrap();
            assert_eq!(sent, doc["request"], "request round trip");
            let negative = request.amount.unwrap().is_sign_negative();
            assert_eq!(negative, refund, "refunds are sent negative");
        }
        let response = doc["response"].to_string();
        let call = match (kind, refund) {
            ("list", false) => {
                let ids = parse::<OrderListResponse>(&name, &response).orders;
                assert_eq!(ids, ["123", "456"]);
                endpoints::list_orders(&ListParams::default())
            }
            ("list", true) => {
                let ids = parse::<RefundListResponse>(&name, &response).refunds;
                assert_eq!(ids, ["321", "654"]);
                endpoints::list_refunds(&ListParams::default())
            }
            _ => {
                let (t, key) = match refund {
                    true => (parse::<RefundResponse>(&name, &response).refund, "refund"),
                    false => (parse::<OrderResponse>(&name, &response).order, "order"),
                };
                check_transaction(&t, &doc["response"][key]);
                transaction_call(kind, refund, request.as_ref(), &t.transaction_id)
            }
        };
        assert_eq!(call.method, doc["method"]);
        let url = call.path_and_query();
        match doc["url"].as_str() {
            Some(documented) => assert_eq!(format!("https://api.taxjar.com{url}"), documented),
            // The docs give no URL for the lists.
            None if refund => assert_eq!(url, "/v2/transactions/refunds"),
            None => assert_eq!(url, "/v2/transactions/orders"),
        }
        let body = request.as_ref().map(|_| &doc["request"]);
        assert_eq!(call.body.as_ref(), body, "body");
        handled.insert(name);
    }
    assert_eq!(handled.len(), 10, "{handled:?}");
}

/// The builder call for a create, update, show or delete.
fn transaction_call(
    kind: &str,
    refund: bool,
    request: Option<&TransactionRequest>,
    id: &str,
) -> ApiRequest {
    let call = match (kind, refund, request) {
        ("create", false, Some(r)) => Ok(endpoints::create_order(r)),
        ("create", true, Some(r)) => Ok(endpoints::create_refund(r)),
        ("update", false, Some(r)) => endpoints::update_order(r),
        ("update", true, Some(r)) => endpoints::update_refund(r),
        ("show", false, None) => endpoints::show_order(id),
        ("show", true, None) => endpoints::show_refund(id),
        ("delete", false, None) => endpoints::delete_order(id),
        ("delete", true, None) => endpoints::delete_refund(id),
        _ => panic!("no endpoint mapped for {kind}"),
    };
    call.unwrap()
}

/// Every money field equals the documented value exactly, nulls included.
fn check_transaction(t: &Transaction, raw: &Value) {
    assert_eq!(raw["transaction_id"], t.transaction_id.as_str());
    assert_eq!(t.user_id, Some(10649));
    assert_eq!(t.amount, money(raw, "amount"));
    assert_eq!(t.shipping, money(raw, "shipping"));
    assert_eq!(t.sales_tax, money(raw, "sales_tax"));
    let raw_lines = raw["line_items"].as_array().unwrap();
    assert_eq!(t.line_items.len(), raw_lines.len());
    for (line, raw) in t.line_items.iter().zip(raw_lines) {
        assert_eq!(line.unit_price, money(raw, "unit_price"));
        assert_eq!(line.discount, money(raw, "discount"));
        assert_eq!(line.sales_tax, money(raw, "sales_tax"));
    }
}

/// Asserts every part of the error that `parse_body` makes of an answer.
fn assert_error(status: u16, body: &str, code: Code, detail: Option<&str>, message: &str) {
    let err = parse_body::<TaxResponse>(status, body).unwrap_err();
    assert_eq!(err.message, message);
    assert_eq!(
        (err.code, err.status, err.detail.as_deref()),
        (code, Some(status), detail)
    );
    assert_eq!(err.field, None);
}

#[test]
fn error_status_may_be_a_string() {
    let detail = "Not authorized for route 'POST /v2/taxes'";
    let body = format!(r#"{{"error":"Unauthorized","detail":"{detail}","status":"401"}}"#);
    assert_eq!(ErrorBody::parse(&body).unwrap().status, Some(401));
    let message = format!("TaxJar answered 401 Unauthorized: {detail}");
    assert_error(401, &body, Code::Unauthorized, Some(detail), &message);
}

#[test]
fn error_detail_may_be_an_array() {
    let body = r#"{"error":"Bad Request","detail":["to_zip is missing","amount is not a number"],
        "status":400}"#;
    let detail = "to_zip is missing; amount is not a number";
    let message = format!("TaxJar answered 400 Bad Request: {detail}");
    assert_error(400, body, Code::UpstreamError, Some(detail), &message);
}

#[test]
fn html_from_a_gateway_keeps_the_status() {
    let body = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>";
    let message = "TaxJar answered 502 Bad Gateway; body: \
        \"<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>\"";
    assert_error(502, body, Code::UpstreamError, None, message);
    // Longer pages are cut to 80 characters.
    let page = format!("<html>{}</html>", "x".repeat(100));
    let x71 = "x".repeat(71);
    let message = format!("TaxJar answered 503 Service Unavailable; body: \"<html>{x71}...\"");
    assert_error(503, &page, Code::UpstreamError, None, &message);
    // A 401 is unauthorized whatever its body.
    let message = "TaxJar answered 401 Unauthorized; body: \"<html></html>\"";
    assert_error(401, "<html></html>", Code::Unauthorized, None, message);
}

#[test]
fn empty_body_on_429_keeps_the_status() {
    let message = "TaxJar answered 429 Too Many Requests with an empty body";
    assert_error(429, "", Code::UpstreamError, None, message);
    let message = "TaxJar answered 500 Internal Server Error with an empty body";
    assert_error(500, " \n", Code::UpstreamError, None, message);
}

#[test]
fn success_that_is_not_json_is_unparseable() {
    let page = format!("<!DOCTYPE html>{}", "z".repeat(100));
    let z62 = "z".repeat(62); // 15 + 62 + "..." = 80 characters
    let message = format!("TaxJar's 200 answer is not JSON; body: \"<!DOCTYPE html>{z62}...\"");
    assert_error(200, &page, Code::UpstreamUnparseable, None, &message);
    let message = "TaxJar's 204 answer is not JSON; body: (empty)";
    assert_error(204, "", Code::UpstreamUnparseable, None, message);
}

#[test]
fn success_of_the_wrong_shape_is_unparseable() {
    let body = r#"{"tax":{"amount_to_collect":"lots"}}"#;
    let err = parse_body::<TaxResponse>(200, body).unwrap_err();
    assert_eq!(
        (err.code, err.status),
        (Code::UpstreamUnparseable, Some(200))
    );
    assert!(
        err.message
            .contains("\"lots\" is not a decimal number at line 1 column 34"),
        "{err}"
    );
    let err = parse_body::<OrderResponse>(201, r#"{"refund":{}}"#).unwrap_err();
    assert!(err.message.contains("missing field `order`"), "{err}");
}
