//! The legacy dialects against TaxJar's original Smart Sales Tax API
//! reference (`shared/seeds/002_1277ce3ca4ef773f.txt`): every curl example
//! is a query that must decode to the same parameters, every JSON response
//! must parse and apply, with exact values. Examples are quoted verbatim.
#![cfg(not(target_arch = "wasm32"))]

use edgetax::cart::Cart;
use edgetax::estimate::{Estimate, LineEstimate};
use edgetax::legacy::{
    apply_legacy_body, auth_header, legacy_query, location_request, parse_location, percent_decode,
    Dialect, LegacyRequest,
};
use edgetax::validate::ValidCart;
use edgetax::Money;

const STANDARD_ORDER_TOTAL: &str = r#"curl -X GET -H "Authorization: Token token="your_api_key_here"" "https://api.taxjar.com/sales_tax?amount=28.93&from_city=Ramsey&from_state=NJ&from_zip=07446&shipping=5.45&to_city=Ramsey&to_state=NJ&to_zip=07446""#;
const STANDARD_ACCOUNT: &str = r#"curl -X GET -H "Authorization: Token token="your_api_key_here"" "https://api.taxjar.com/sales_tax?amount=28.93&shipping=5.45&to_city=Ramsey&to_state=NJ&to_zip=07446""#;
const STANDARD_CANADA: &str = r#"curl -X GET -H "Authorization: Token token="your_api_key_here"" "https://api.taxjar.com/sales_tax?amount=28.93&from_city=AIYANSH&from_state=BC&from_zip=V0J1A0&from_country=CA&shipping=5.45&to_city=AIYANSH&to_state=BC&to_zip=V0J1A0&to_country=CA""#;
const ENHANCED_MIXED: &str = r#"curl --globoff -X GET -H "Authorization: Token token="your_api_key_here"" "https://api.taxjar.com/v1/sales_tax?amount=215.30&from_city=Delmar&from_state=NY&from_zip=12054&line_items[awesomepants][quantity]=1&line_items[awesomepants][unit_price]=150&line_items[awesomepants][product_tax_code]=20010&line_items[tshirt][quantity]=3&line_items[tshirt][unit_price]=19.95&line_items[tshirt][product_tax_code]=20010&shipping=5.45&to_city=Mahopac&to_state=NY&to_zip=10541""#;
const LOCATION: &str = r#"curl 'https://api.taxjar.com/locations/07446/ramsey' -H 'Authorization: Token token="your_api_key_here"'"#;

/// Every curl line of the reference, each tested below.
const CURLS: [&str; 5] = [
    STANDARD_ORDER_TOTAL,
    STANDARD_ACCOUNT,
    STANDARD_CANADA,
    ENHANCED_MIXED,
    LOCATION,
];

const STANDARD_RESPONSE: &str = r#"{ "taxable_amount": 28.92, "amount_to_collect": 0.83, "rate": 0.083,
  "has_nexus": true, "freight_taxable": false, "tax_source": "origin" }"#;
const STANDARD_RESPONSE_MSG: &str = r#"{ "taxable_amount": 28.92, "amount_to_collect": 0.83, "rate": 0.083,
  "has_nexus": true, "freight_taxable": false, "tax_source": "origin",
  "msg": "Order amount of 28.93 does not match item totals of 28.92" }"#;

const ENHANCED_RESPONSE: &str = r#"{
  "order_total_amount": 215.3, "amount_to_collect": 15.63, "has_nexus": true,
  "freight_taxable": true, "tax_source": "destination",
  "breakdown": {
    "shipping": {
      "state_amount": 0.22, "state_sales_tax_rate": 0.04, "county_amount": 0.22,
      "county_tax_rate": 0.04, "city_amount": 0, "city_tax_rate": 0,
      "special_district_amount": 0.02, "special_tax_rate": 0.00375 },
    "items": {
      "awesomepants": {
        "state_taxable_amount": 150, "state_sales_tax_rate": 0.04,
        "county_taxable_amount": 150, "county_tax_rate": 0.04,
        "city_taxable_amount": 0, "city_tax_rate": 0,
        "special_district_taxable_amount": 150, "special_tax_rate": 0.00375 },
      "tshirt": {
        "state_taxable_amount": 0, "state_sales_tax_rate": 0,
        "county_taxable_amount": 59.85, "county_tax_rate": 0.04,
        "city_taxable_amount": 0, "city_tax_rate": 0,
        "special_district_taxable_amount": 59.85, "special_tax_rate": 0.00375 }
    },
    "state_taxable_amount": 155.45, "state_tax_collectable": 6.22,
    "county_taxable_amount": 215.3, "county_tax_collectable": 8.61,
    "city_taxable_amount": 0, "city_tax_collectable": 0,
    "special_district_taxable_amount": 215.3, "special_district_tax_collectable": 0.8
  }
}"#;

const LOCATION_RESPONSE: &str = r#"{ "location":{ "state":"NJ", "zip":"07446", "state_rate":"0.07",
  "city":"RAMSEY", "city_rate":"0.0", "county":"BERGEN", "county_rate":"0.0",
  "combined_district_rate":"0.0", "combined_rate":"0.07" } }"#;

/// The carts that the curl examples were made from, in edgetax's model.
const CART_ORDER_TOTAL: &str = r#"{"amount":28.93,"shipping":5.45,
    "from_city":"Ramsey","from_state":"NJ","from_zip":"07446",
    "to_city":"Ramsey","to_state":"NJ","to_zip":"07446"}"#;
const CART_ACCOUNT: &str =
    r#"{"amount":"28.93","shipping":"5.45","to_city":"Ramsey","to_state":"NJ","to_zip":"07446"}"#;
const CART_CANADA: &str = r#"{"amount":28.93,"shipping":5.45,
    "from_city":"AIYANSH","from_state":"BC","from_zip":"V0J1A0","from_country":"CA",
    "to_city":"AIYANSH","to_state":"BC","to_zip":"V0J1A0","to_country":"CA"}"#;
const CART_MIXED: &str = r#"{"shipping":5.45,
    "from_city":"Delmar","from_state":"NY","from_zip":"12054",
    "to_city":"Mahopac","to_state":"NY","to_zip":"10541",
    "line_items":[
      {"id":"awesomepants","quantity":1,"unit_price":150,"product_tax_code":"20010"},
      {"id":"tshirt","quantity":3,"unit_price":19.95,"product_tax_code":"20010"}]}"#;

fn query(cart: &str, dialect: Dialect) -> LegacyRequest {
    legacy_query(&Cart::from_json(cart).unwrap(), dialect).unwrap()
}

fn valid(cart: &str) -> ValidCart {
    ValidCart::new(&Cart::from_json(cart).unwrap()).unwrap()
}

/// The URL of a curl line, split into path and decoded `(key, value)`s.
fn curl_url(curl: &str) -> (String, Vec<(String, String)>) {
    let start = curl.find("https://api.taxjar.com").unwrap() + "https://api.taxjar.com".len();
    let rest = &curl[start..];
    let url = &rest[..rest.find(['"', '\'']).unwrap()];
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    (path.to_owned(), pairs(query))
}

/// Decodes an `a=1&b=2` query into pairs, in order.
fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Our request equals the curl example: path, and decoded query parameter
/// for parameter, in the same order.
fn assert_matches_curl(request: &LegacyRequest, curl: &str) {
    let (path, expected) = curl_url(curl);
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, path);
    assert_eq!(pairs(&request.encoded), expected);
    assert_eq!(request.query, expected);
    // Every example sends the reference's header form.
    let header = auth_header(Dialect::LegacyStandard, "your_api_key_here");
    assert!(curl.contains(&format!("Authorization: {header}")), "{curl}");
}

fn apply(cart: &str, dialect: Dialect, status: u16, body: &str, warning: Option<&str>) -> Estimate {
    apply_legacy_body(&valid(cart), dialect, status, body, warning).unwrap()
}

/// One field of every line of an estimate, as text.
fn column(e: &Estimate, field: fn(&LineEstimate) -> String) -> Vec<String> {
    e.line_items.iter().map(field).collect()
}

#[test]
fn the_reference_has_no_curl_example_we_do_not_test() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/002_1277ce3ca4ef773f.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        return; // Only where ../shared is checked out next to the crate.
    };
    let found: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("curl "))
        .collect();
    assert_eq!(found, CURLS);
}

#[test]
fn standard_curl_examples() {
    let r = query(CART_ORDER_TOTAL, Dialect::LegacyStandard);
    assert_matches_curl(&r, STANDARD_ORDER_TOTAL);
    assert_eq!(
        r.encoded,
        "amount=28.93&from_city=Ramsey&from_state=NJ&from_zip=07446&shipping=5.45\
         &to_city=Ramsey&to_state=NJ&to_zip=07446"
    );
    for (cart, curl) in [
        (CART_ACCOUNT, STANDARD_ACCOUNT),
        (CART_CANADA, STANDARD_CANADA),
    ] {
        assert_matches_curl(&query(cart, Dialect::LegacyStandard), curl);
    }
}

#[test]
fn enhanced_curl_example_sends_amount_with_shipping() {
    let r = query(CART_MIXED, Dialect::LegacyEnhanced);
    assert_matches_curl(&r, ENHANCED_MIXED);
    assert!(r.encoded.starts_with(
        "amount=215.30&from_city=Delmar&from_state=NY&from_zip=12054\
         &line_items%5Bawesomepants%5D%5Bquantity%5D=1"
    ));
    assert_eq!(r.path_and_query(), format!("/v1/sales_tax?{}", r.encoded));
    // The same cart in Standard: no line items, amount without shipping.
    let r = query(CART_MIXED, Dialect::LegacyStandard);
    assert_eq!(r.query[0], ("amount".to_owned(), "209.85".to_owned()));
    assert_eq!(r.dropped, ["line_items[].product_tax_code"]);
}

#[test]
fn enhanced_example_query_parameters() {
    // The reference's "Example Query Parameters": 34.37 = (5 × 2.99 − 4.00
    // + 3 × 5.99) + 5.45, with discount, and three nexus addresses.
    let cart = r#"{"to_city":"City Name","to_zip":"07446","to_state":"NJ","to_country":"US",
        "from_zip":"07446","from_state":"NJ","from_country":"US","amount":34.37,"shipping":5.45,
        "line_items":[
          {"id":"clothing_item","unit_price":2.99,"quantity":5,"discount":4.00,"product_tax_code":20010},
          {"id":"1202","unit_price":5.99,"quantity":3}],
        "nexus_addresses":[
          {"id":"MyAddress","country":"US","state":"MO","city":"Lake Ozark","zip":"65049","street":"1123 Main"},
          {"id":"CA-1","country":"US","state":"CA","city":"The Hills","zip":"90210-1234","street":"1123 Main"},
          {"id":"NJ-1","country":"US","state":"NJ","city":"Ramsey","zip":"07446-1234","street":"1123 Main"}]}"#;
    let r = query(cart, Dialect::LegacyEnhanced);
    let mut got = pairs(&r.encoded);
    let mut expected = pairs(
        "to_city=City Name&to_zip=07446&to_state=NJ&to_country=US&from_zip=07446\
         &from_state=NJ&from_country=US&amount=34.37&shipping=5.45\
         &line_items[clothing_item][unit_price]=2.99&line_items[clothing_item][quantity]=5\
         &line_items[clothing_item][discount]=4.00&line_items[clothing_item][product_tax_code]=20010\
         &line_items[1202][unit_price]=5.99&line_items[1202][quantity]=3\
         &nexus_addresses[MyAddress][country]=US&nexus_addresses[MyAddress][state]=MO\
         &nexus_addresses[MyAddress][city]=Lake Ozark&nexus_addresses[MyAddress][zip]=65049\
         &nexus_addresses[MyAddress][street]=1123 Main\
         &nexus_addresses[CA-1][country]=US&nexus_addresses[CA-1][state]=CA\
         &nexus_addresses[CA-1][city]=The Hills&nexus_addresses[CA-1][zip]=90210-1234\
         &nexus_addresses[CA-1][street]=1123 Main\
         &nexus_addresses[NJ-1][country]=US&nexus_addresses[NJ-1][state]=NJ\
         &nexus_addresses[NJ-1][city]=Ramsey&nexus_addresses[NJ-1][zip]=07446-1234\
         &nexus_addresses[NJ-1][street]=1123 Main",
    );
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert!(r
        .encoded
        .contains("nexus_addresses%5BMyAddress%5D%5Bcity%5D=Lake%20Ozark"));
}

#[test]
fn location_curl_example_and_response() {
    let r = location_request("07446", Some("ramsey"), None).unwrap();
    assert_matches_curl(&r, LOCATION);
    assert_eq!(r.path_and_query(), "/locations/07446/ramsey");
    // String rates ("0.07", "0.0") read exactly and go out as decimal strings.
    let location = parse_location(200, LOCATION_RESPONSE).unwrap();
    assert_eq!(location.combined_rate.unwrap().to_string(), "0.07");
    assert_eq!(
        serde_json::to_string(&location).unwrap(),
        r#"{"state":"NJ","zip":"07446","state_rate":"0.07","city":"RAMSEY","city_rate":"0","county":"BERGEN","county_rate":"0","combined_district_rate":"0","combined_rate":"0.07"}"#
    );
}

#[test]
fn standard_responses_apply() {
    let e = apply(
        CART_ORDER_TOTAL,
        Dialect::LegacyStandard,
        200,
        STANDARD_RESPONSE,
        None,
    );
    assert_eq!(e.amount_to_collect.to_string(), "0.83");
    assert_eq!(e.taxable_amount.to_string(), "28.92");
    assert_eq!(e.rate.to_string(), "0.083");
    assert_eq!((e.has_nexus, e.freight_taxable), (true, false));
    assert_eq!(e.tax_source.as_deref(), Some("origin"));
    assert_eq!(column(&e, |l| l.id.clone()), ["amount"]);
    assert_eq!(column(&e, |l| l.tax_collectable.to_string()), ["0.83"]);
    assert_eq!(e.shipping.tax_collectable, Money::ZERO);
    assert_eq!(e.order_total_amount.to_string(), "34.38");
    assert!(e.warnings.is_empty());
    // The message version, as a 200 and as a 203 with the same Warning.
    let msg = "Order amount of 28.93 does not match item totals of 28.92";
    let e = apply(
        CART_ORDER_TOTAL,
        Dialect::LegacyStandard,
        200,
        STANDARD_RESPONSE_MSG,
        None,
    );
    assert_eq!(e.warnings, [msg]);
    assert_eq!(e.amount_to_collect.to_string(), "0.83");
    let header = format!("299 - \"{msg}\"");
    let e = apply(
        CART_ORDER_TOTAL,
        Dialect::LegacyStandard,
        203,
        STANDARD_RESPONSE_MSG,
        Some(&header),
    );
    assert_eq!(e.warnings, [msg]);
}

#[test]
fn enhanced_response_line_taxes_sum_to_15_63() {
    let e = apply(
        CART_MIXED,
        Dialect::LegacyEnhanced,
        200,
        ENHANCED_RESPONSE,
        None,
    );
    // awesomepants: 6.00 + 6.00 + 0 + 0.56 (150 × 0.00375 = 0.5625);
    // tshirt: 0 + 2.39 + 0 + 0.22 (59.85 × 0.04 = 2.394, × 0.00375 = 0.2244);
    // shipping: 0.22 + 0.22 + 0 + 0.02.
    assert_eq!(column(&e, |l| l.id.clone()), ["awesomepants", "tshirt"]);
    assert_eq!(
        column(&e, |l| l.tax_collectable.to_string()),
        ["12.56", "2.61"]
    );
    assert_eq!(e.shipping.tax_collectable.to_string(), "0.46");
    let lines: Money = e.line_items.iter().map(|l| l.tax_collectable).sum();
    assert_eq!((lines + e.shipping.tax_collectable).to_string(), "15.63");
    assert_eq!(e.amount_to_collect.to_string(), "15.63");
    assert_eq!(e.order_total_amount.to_string(), "215.30");
    assert_eq!(e.taxable_amount.to_string(), "215.30");
    assert_eq!(e.rate.to_string(), "0.08375");
    assert_eq!(
        column(&e, |l| l.combined_tax_rate.to_string()),
        ["0.08375", "0.04375"]
    );
    assert_eq!(
        column(&e, |l| l.taxable_amount.to_string()),
        ["150.00", "59.85"]
    );
    assert_eq!(e.shipping.taxable_amount.to_string(), "5.45");
    assert_eq!(e.tax_source.as_deref(), Some("destination"));
    assert!(e.freight_taxable && e.warnings.is_empty());
}

#[test]
fn enhanced_jurisdiction_totals_match_per_jurisdiction_rounding() {
    // Line taxes round each jurisdiction of each item, as TaxJar does: the
    // answer's own totals (6.22, 8.61, 0, 0.80) come out exactly.
    let json: serde_json::Value = serde_json::from_str(ENHANCED_RESPONSE).unwrap();
    let b = &json["breakdown"];
    let dec = |v: &serde_json::Value| Money::parse(&v.to_string()).unwrap().value();
    let jurisdictions = [
        ("state", "state_sales_tax_rate", "6.22"),
        ("county", "county_tax_rate", "8.61"),
        ("city", "city_tax_rate", "0.00"),
        ("special_district", "special_tax_rate", "0.80"),
    ];
    for (name, rate, expected) in jurisdictions {
        let taxable = format!("{name}_taxable_amount");
        let items: Money = ["awesomepants", "tshirt"]
            .iter()
            .map(|id| {
                Money::new(dec(&b["items"][id][&taxable]) * dec(&b["items"][id][rate]))
                    .round_cents()
            })
            .sum();
        let sum = items + Money::new(dec(&b["shipping"][&format!("{name}_amount")]));
        assert_eq!(
            sum,
            Money::new(dec(&b[&format!("{name}_tax_collectable")])),
            "{name}"
        );
        assert_eq!(sum.to_string(), expected);
    }
}

#[test]
fn enhanced_203_carries_the_warning() {
    let warning = "Order amount of 215.31 does not match item totals of 215.30";
    let e = apply(
        CART_MIXED,
        Dialect::LegacyEnhanced,
        203,
        ENHANCED_RESPONSE,
        Some(warning),
    );
    assert_eq!(e.warnings, [warning]);
    assert_eq!(e.amount_to_collect.to_string(), "15.63");
    // A bare 203 still says what the reference says it means.
    let e = apply(
        CART_MIXED,
        Dialect::LegacyEnhanced,
        203,
        ENHANCED_RESPONSE,
        None,
    );
    assert_eq!(
        e.warnings,
        ["TaxJar answered 203: the order amount does not match the shipping plus item totals"]
    );
}

#[test]
fn one_cart_in_every_dialect() {
    let cart = valid(CART_MIXED);
    let body =
        serde_json::to_value(edgetax::request::tax_request(&cart, &Default::default())).unwrap();
    assert_eq!(body["amount"], serde_json::json!(209.85));
    let standard = query(CART_MIXED, Dialect::LegacyStandard);
    let enhanced = query(CART_MIXED, Dialect::LegacyEnhanced);
    assert_eq!(
        (standard.path.as_str(), enhanced.path.as_str()),
        ("/sales_tax", "/v1/sales_tax")
    );
    assert_eq!(auth_header(Dialect::V2, "k"), "Bearer k");
    assert_eq!(
        auth_header(Dialect::LegacyStandard, "k"),
        "Token token=\"k\""
    );
    // No nexus: zero tax everywhere, whatever the dialect.
    let none = r#"{"order_total_amount":215.3,"amount_to_collect":0,"has_nexus":false,
        "freight_taxable":false,"tax_source":null}"#;
    let e = apply(CART_MIXED, Dialect::LegacyEnhanced, 200, none, None);
    assert_eq!(e.amount_to_collect, Money::ZERO);
    assert!(e.line_items.iter().all(|l| l.tax_collectable.is_zero()));
}
