#![cfg(not(target_arch = "wasm32"))]
//! The Worker proxy's decisions (`edgetax::proxy`), natively: every rule
//! with exact statuses, headers and bodies. The same rules run in workerd
//! in `worker/test/`.

use edgetax::key::cart_key;
use edgetax::proxy::cache;
use edgetax::proxy::config::Config;
use edgetax::proxy::context::Gate;
use edgetax::proxy::flow::{self, Admitted, Front, Head};
use edgetax::proxy::log::{CacheStatus, LogEntry};
use edgetax::proxy::ratelimit::TokenBuckets;
use edgetax::proxy::route::{match_route, safe_path, Kind, RouteError};
use edgetax::proxy::upstream::Outcome;
use edgetax::proxy::{body, short_hash, Reply};
use edgetax::validate::ValidCart;
use edgetax::Cart;
use serde_json::{json, Value};

const SHOP: &str = "https://shop.example";
const URL: &str = "https://proxy.example";
const KEY: Option<&str> = Some("Bearer pk_test_1");
const CART: &str = r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,
    "line_items":[{"id":"1","unit_price":15}]}"#;

fn config() -> Config {
    let vars = [
        ("TAXJAR_API_URL", "http://127.0.0.1:9999/"),
        ("TAXJAR_API_TOKEN", "test-token"),
        ("PROXY_KEYS", "pk_test_1, pk_test_2"),
        (
            "ALLOWED_ORIGINS",
            "https://shop.example/,null, https://other.example",
        ),
        ("STORE_URL", "https://shop.example"),
    ];
    let var = |n: &str| {
        vars.iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.to_string())
    };
    Config::from_vars(var).unwrap()
}

fn body_json(reply: &Reply) -> Value {
    serde_json::from_str(reply.body.as_deref().unwrap_or("null")).unwrap()
}

/// A TaxJar-style error answer as `"<status> <error>: <detail>"`, after
/// checking that the body has exactly those three fields and the status
/// of the answer itself.
fn tj(reply: &Reply) -> String {
    let body = body_json(reply);
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["detail", "error", "status"], "{body}");
    assert_eq!(body["status"], json!(reply.status));
    let error = body["error"].as_str().unwrap();
    format!(
        "{} {error}: {}",
        reply.status,
        body["detail"].as_str().unwrap()
    )
}

/// Runs `front` for a request; `set` adjusts the head.
fn front(config: &Config, method: &str, path: &str, set: impl Fn(&mut Head)) -> (Front, LogEntry) {
    let url = format!("{URL}{path}");
    let mut head = Head {
        method,
        url: &url,
        content_type: Some("application/json"),
        ..Head::default()
    };
    set(&mut head);
    let mut log = LogEntry::new(method);
    (flow::front(Ok(config), &head, &mut log), log)
}

fn done(front: (Front, LogEntry)) -> Reply {
    match front.0 {
        Front::Done(reply) => reply,
        Front::Admitted(a) => panic!("admitted: {a:?}"),
    }
}

fn admitted(front: (Front, LogEntry)) -> Admitted {
    match front.0 {
        Front::Admitted(a) => a,
        Front::Done(r) => panic!("refused: {r:?}"),
    }
}

fn browser(head: &mut Head) {
    head.origin = Some(SHOP);
}

fn server(head: &mut Head) {
    head.authorization = KEY;
}

fn answered(status: u16, body: &str, retry_after: Option<&str>) -> Outcome {
    let retry_after = retry_after.map(str::to_owned);
    Outcome::Answered {
        status,
        body: body.into(),
        retry_after,
    }
}

#[test]
fn routes_are_matched_exactly_and_rebuilt() {
    let m = match_route("post", "https://proxy.example/v2/taxes").unwrap();
    assert_eq!(
        (m.method.as_str(), m.path.as_str(), m.origin.as_str()),
        ("POST", "/v2/taxes", URL)
    );
    assert_eq!(m.route.kind, Kind::Taxes);
    let m = match_route(
        "GET",
        "/v2/rates/V5K%200A1?street=1+Main&junk=1&country=CA&country=US#f",
    );
    let m = m.unwrap();
    assert_eq!(
        m.path_and_query(),
        "/v2/rates/V5K%200A1?country=CA&street=1%20Main"
    );
    let m = match_route("DELETE", "/v2/transactions/orders/a@b:c?x=1").unwrap();
    assert_eq!(m.path_and_query(), "/v2/transactions/orders/a%40b%3Ac");
    assert!(!m.route.browser);
    let m = match_route(
        "GET",
        "/v2/transactions/refunds?from_transaction_date=2015/05/01&provider=api",
    );
    assert_eq!(
        m.unwrap().path_and_query(),
        "/v2/transactions/refunds?from_transaction_date=2015%2F05%2F01&provider=api"
    );
    assert!(match_route("OPTIONS", "/v2/customers")
        .unwrap()
        .is_preflight());
    let allow = |pattern, a: &str| {
        Err(RouteError::MethodNotAllowed {
            pattern,
            allow: a.into(),
        })
    };
    assert_eq!(
        match_route("GET", "/v2/taxes"),
        allow("/v2/taxes", "POST, OPTIONS")
    );
    assert_eq!(
        match_route("PATCH", "/v2/customers/c1"),
        allow("/v2/customers/:id", "GET, PUT, DELETE, OPTIONS")
    );
    let missing = "/v2/taxes/ /v2/Taxes /v1/taxes / v2/taxes ftp://x/v2/taxes https:///v2/taxes";
    for url in missing.split(' ').chain(["/v2/rates/"]) {
        assert_eq!(match_route("POST", url), Err(RouteError::NotFound), "{url}");
    }
}

#[test]
fn path_tricks_are_not_found() {
    let tricks = "//evil.example/v2/taxes /http://evil.example/v2/taxes /v2//taxes
        /v2/../v2/taxes /v2/./taxes /v2/rates/.. /v2/%2e%2e/v2/taxes /v2/%2E%2e/x
        /v2/rates/.%2e /v2/taxes%2f.. /v2/rates/a%2Fb /v2/rates/a%5cb /v2/rates/a\\b
        /v2\\taxes /v2/rates/9000%00 /v2/rates/%1f /v2/rates/é /v2/rates/%zz /v2/rates/%2";
    for path in tricks.split_whitespace().chain(["/v2/rates/90 02", ""]) {
        assert!(!safe_path(path), "{path}");
        let found = match_route("GET", &format!("{URL}{path}"));
        assert_eq!(found, Err(RouteError::NotFound), "{path}");
    }
    assert!(safe_path("/v2/rates/V5K%200A1") && safe_path("/v2/transactions/orders/1.5"));
}

#[test]
fn parameters_with_url_delimiters_are_not_found() {
    // Issue #16: these reached TaxJar re-encoded (`90002%3Bx%3D1`).
    let params = "90002;x=1 90002%3Fcountry=CA 90002%3fx 90002%3B 90002%23x 90002%26a 90002&a
        90002=1 90002%3D1 90002%253F 90002%25";
    for param in params.split_whitespace() {
        for path in [
            format!("/v2/rates/{param}"),
            format!("/v2/transactions/orders/{param}"),
        ] {
            let found = match_route("GET", &format!("{URL}{path}"));
            assert_eq!(found, Err(RouteError::NotFound), "{path}");
        }
    }
    // What a ZIP, city or id needs still matches.
    for path in [
        "/v2/rates/V5K%200A1",
        "/v2/rates/90002-1234",
        "/v2/customers/c_1.a~b@c:d",
    ] {
        assert!(
            match_route("GET", &format!("{URL}{path}")).is_ok(),
            "{path}"
        );
    }
}

#[test]
fn front_checks_in_order() {
    let c = config();
    let mut log = LogEntry::new("GET");
    let problem = Config::from_vars(|n| (n == "RATE_LIMIT").then(|| "lots".to_owned()));
    let problem = problem.unwrap_err();
    let broken = flow::front(Err(&problem), &Head::default(), &mut log);
    let reply = done((broken, log));
    let detail = "503 Service Unavailable: configuration error: RATE_LIMIT must be a whole number from 0 to 1000000";
    assert_eq!(tj(&reply), detail);
    // 404 and 405 come before the caller check, with CORS for allowed origins.
    let (f, log) = front(&c, "POST", "/v2/nope", browser);
    let r = done((f, log.clone()));
    assert_eq!(tj(&r), "404 Not Found: No such route");
    assert_eq!(
        (r.header("access-control-allow-origin"), log.path.as_str()),
        (Some(SHOP), "-")
    );
    let r = done(front(&c, "GET", "/v2/taxes", |_| {}));
    assert_eq!(
        tj(&r),
        "405 Method Not Allowed: this route does not accept that method"
    );
    assert_eq!(
        (r.header("Allow"), r.header("access-control-allow-origin")),
        (Some("POST, OPTIONS"), None)
    );
    let r = done(front(&c, "POST", "/v2/taxes", |_| {}));
    assert_eq!(
        tj(&r),
        "403 Forbidden: requests need an allowed Origin or a proxy key"
    );
    let (f, log) = front(&c, "GET", "/v2/customers", browser);
    let r = done((f, log.clone()));
    assert_eq!(
        tj(&r),
        "403 Forbidden: this route is only for servers with a proxy key"
    );
    assert_eq!(
        (log.caller.as_str(), log.path.as_str()),
        ("browser", "/v2/customers")
    );
    let no_token = Config {
        token: None,
        ..c.clone()
    };
    // Browsers get a backup estimate without a token (see src/proxy/offline.rs).
    let r = done(front(&no_token, "POST", "/v2/taxes", server));
    assert_eq!(
        tj(&r),
        "503 Service Unavailable: TAXJAR_API_TOKEN is not set"
    );
    assert!(admitted(front(&no_token, "POST", "/v2/taxes", browser)).offline_only);
    let off = Config {
        calculations_enabled: false,
        ..c.clone()
    };
    let r = done(front(&off, "POST", "/v2/taxes", browser));
    assert_eq!(tj(&r), "503 Service Unavailable: calculations disabled");
    assert_eq!(r.header("access-control-allow-origin"), Some(SHOP));
    admitted(front(&off, "GET", "/v2/categories", browser));
    let r = done(front(&c, "POST", "/v2/taxes", |h| {
        browser(h);
        h.content_type = Some("text/plain");
    }));
    assert_eq!(
        tj(&r),
        "415 Unsupported Media Type: the body must be application/json"
    );
    let r = done(front(&c, "POST", "/v2/taxes", |h| {
        browser(h);
        h.content_length = Some("65537");
    }));
    assert_eq!(
        tj(&r),
        "413 Payload Too Large: the body is larger than 64 KiB"
    );
    let a = admitted(front(&c, "POST", "/v2/taxes", |h| {
        browser(h);
        h.content_type = Some("Application/JSON; charset=utf-8");
        h.content_length = Some("65536");
        h.client_ip = Some("203.0.113.7");
    }));
    assert_eq!(a.body_limit, Some(65536));
    assert_eq!(a.rate_key, format!("ip:{}", short_hash("203.0.113.7", 16)));
    let orders = admitted(front(&c, "POST", "/v2/transactions/orders", server));
    assert_eq!(orders.body_limit, Some(1024 * 1024));
    assert_eq!(
        admitted(front(&c, "GET", "/v2/categories", server)).body_limit,
        None
    );
}

#[test]
fn tax_bodies_are_validated_and_rebuilt() {
    let c = config();
    let a = admitted(front(&c, "POST", "/v2/taxes", browser));
    let p = flow::prepare(&c, &a, CART.as_bytes(), 0).unwrap();
    let up = &p.upstream;
    assert_eq!(
        (up.method.as_str(), up.url.as_str()),
        ("POST", "http://127.0.0.1:9999/v2/taxes")
    );
    let headers: Vec<String> = up
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    let expected = [
        "Authorization: Bearer test-token",
        "x-api-version: 2020-08-07",
        "Content-Type: application/json",
        "Referer: https://shop.example",
    ];
    assert_eq!(headers, expected);
    let sent = concat!(
        r#"{"to_country":"US","to_zip":"90002","to_state":"CA","amount":15,"shipping":1.5,"#,
        r#""line_items":[{"id":"1","quantity":1,"unit_price":15,"discount":0}],"plugin":"edgetax"}"#
    );
    assert_eq!(up.body.as_deref(), Some(sent));
    let key = body::taxes(CART.as_bytes(), None, &[], &Gate::server())
        .unwrap()
        .key;
    let valid = ValidCart::new(&Cart::from_json(CART).unwrap()).unwrap();
    assert_eq!(key, cart_key(&valid), "the cache key is the cart's cartKey");
    let url = format!(
        "{URL}/__edgetax/cache/{}/v2/taxes/{key}",
        cache::account(&c)
    );
    assert_eq!(p.cache_url, Some(url));
    assert_eq!(p.key_hash.as_deref(), Some(&key[..12]));
    let respelled = r#"{"line_items":[{"unit_price":"15.00","id":"1","description":"x"}],
        "to_state":"ca","shipping":"1.50","to_zip":"90002"}"#;
    assert_eq!(
        flow::prepare(&c, &a, respelled.as_bytes(), 0)
            .unwrap()
            .cache_url,
        p.cache_url
    );
    let refused = |bytes: &[u8]| body_json(&flow::prepare(&c, &a, bytes, 0).unwrap_err());
    let bad = refused(br#"{"to_zip":"9000","to_state":"CA","amount":1}"#);
    assert_eq!(bad["status"], 400);
    assert_eq!(
        (bad["code"].as_str(), bad["field"].as_str()),
        (Some("invalid_zip"), Some("to_zip"))
    );
    assert!(bad["detail"].as_str().unwrap().starts_with("to_zip: "));
    let b = refused(b"{oops");
    assert_eq!(
        [&b["code"], &b["field"]],
        [&json!("invalid_type"), &Value::Null]
    );
    assert!(b["detail"]
        .as_str()
        .unwrap()
        .starts_with("the body is not valid JSON: "));
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"id": i.to_string(), "unit_price": 1}))
        .collect();
    let big = json!({"to_zip": "90002", "to_state": "CA", "line_items": many}).to_string();
    let expected = json!({
        "error": "Bad Request", "detail": "line_items: 1001 line items; at most 1000 are accepted",
        "status": 400, "code": "too_many_line_items", "field": "line_items"});
    assert_eq!(refused(big.as_bytes()), expected);
    let huge = vec![b' '; 65537];
    let too_large = flow::prepare(&c, &a, &huge, 0).unwrap_err();
    assert_eq!(
        tj(&too_large),
        "413 Payload Too Large: the body is larger than 64 KiB"
    );
    assert_eq!(
        refused(&[0xff, 0xfe])["detail"],
        "the body is not UTF-8 text"
    );
}

#[test]
fn documented_requests_go_out_as_documented() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/taxjar-docs/taxes"
    );
    for name in ["united-states", "canada", "australia", "european-union"] {
        let text = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let scenario: Value = serde_json::from_str(&text).unwrap();
        let request = scenario["request"].to_string();
        let built = body::taxes(request.as_bytes(), Some("edgetax"), &[], &Gate::server()).unwrap();
        let sent: Value = serde_json::from_str(&built.json).unwrap();
        let mut expected = scenario["request"].clone();
        expected["plugin"] = json!("edgetax");
        assert_eq!(sent, expected, "{name}");
    }
}

#[test]
fn other_bodies_and_lookups() {
    let c = Config {
        store_url: None,
        ..config()
    };
    let a = admitted(front(&c, "PUT", "/v2/customers/c%201", server));
    let p = flow::prepare(&c, &a, br#"{"customer_id":"c 1"}"#, 0).unwrap();
    assert_eq!(p.upstream.url, "http://127.0.0.1:9999/v2/customers/c%201");
    assert_eq!(p.upstream.body.as_deref(), Some(r#"{"customer_id":"c 1"}"#));
    assert_eq!(
        (p.cache_url, p.upstream.headers.len()),
        (None, 3),
        "no Referer without STORE_URL"
    );
    let not_object = flow::prepare(&c, &a, b"[1]", 0).unwrap_err();
    assert_eq!(
        body_json(&not_object)["detail"],
        "the body must be a JSON object"
    );
    let a = admitted(front(
        &c,
        "GET",
        "/v2/validation?vat=FR40303265045&x=1",
        server,
    ));
    let p = flow::prepare(&c, &a, b"", 0).unwrap();
    let query = "/v2/validation?vat=FR40303265045";
    assert_eq!(p.upstream.url, format!("http://127.0.0.1:9999{query}"));
    let names: Vec<&str> = p.upstream.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        (names, p.upstream.body),
        (vec!["Authorization", "x-api-version"], None)
    );
    let url = format!("{URL}/__edgetax/cache/{}{query}", cache::account(&c));
    assert_eq!(p.cache_url, Some(url));
    assert_eq!(p.key_hash, Some(format!("lk_{}", short_hash(query, 8))));
}

#[test]
fn answers_are_completed_and_logged_without_secrets() {
    let c = config();
    let a = admitted(front(&c, "POST", "/v2/taxes", browser));
    let r = flow::complete(&a, Reply::json(200, "{}"), CacheStatus::Coalesced);
    let headers: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    let expected = [
        "Content-Type: application/json; charset=utf-8",
        "x-edgetax-cache: hit",
        "Access-Control-Allow-Origin: https://shop.example",
        "Vary: Origin",
        "Access-Control-Expose-Headers: Retry-After, x-edgetax-cache, x-edgetax-source",
    ];
    assert_eq!(headers, expected);
    let s = admitted(front(&c, "GET", "/v2/customers", server));
    let plain = flow::complete(&s, Reply::json(200, "{}"), CacheStatus::None);
    assert_eq!(plain.headers.len(), 1);
    // A TaxJar 4xx is kept 60 s, as the caller got it (rebuilt clean).
    let bad = answered(400, r#"{"detail":["a","b"]}"#, None);
    let kept = r#"{"error":"Bad Request","detail":"a; b","status":400}"#;
    assert_eq!(
        flow::answer(&c, &a, &bad).store,
        Some((60, 400, kept.to_owned()))
    );
    assert_eq!(flow::answer(&c, &a, &Outcome::TimedOut).store, None);
    assert_eq!(flow::answer(&c, &s, &answered(200, "{}", None)).store, None);
    let (f, mut log) = front(&c, "POST", "/v2/rates/90002", |h| {
        server(h);
        h.client_ip = Some("203.0.113.7");
    });
    assert_eq!(done((f, log.clone())).status, 405);
    log.status = 405;
    let line = concat!(
        r#"{"method":"POST","path":"/v2/rates/:zip","status":405,"cache":"none","#,
        r#""upstream_ms":null,"attempts":0,"key_hash":null,"caller":"-"}"#
    );
    assert_eq!(log.line(), line);
    assert_eq!(LogEntry::new("GET\nX").method, "OTHER");
    assert_eq!(
        cache::log_label(Kind::Taxes, "et1_0123456789abcdef"),
        "et1_01234567"
    );
    assert_eq!(short_hash("abc", 8), "ba7816bf");
}

#[test]
fn rate_limits_apply_per_caller_key() {
    let c = Config {
        rate_limit: 2,
        ..config()
    };
    let mut buckets = TokenBuckets::new(c.rate_limit);
    let from = |ip: &'static str| {
        admitted(front(&c, "GET", "/v2/categories", move |h| {
            browser(h);
            h.client_ip = Some(ip);
        }))
    };
    let shopper = from("203.0.113.7");
    assert!(flow::rate_limit(&mut buckets, &shopper, 0.0).is_ok());
    assert!(flow::rate_limit(&mut buckets, &shopper, 1.0).is_ok());
    let limited = flow::rate_limit(&mut buckets, &shopper, 2.0).unwrap_err();
    assert_eq!(
        tj(&limited),
        "429 Too Many Requests: rate limit reached; retry after 30 s"
    );
    assert_eq!(limited.header("Retry-After"), Some("30"));
    let completed = flow::complete(&shopper, limited, CacheStatus::None);
    assert_eq!(completed.header("access-control-allow-origin"), Some(SHOP));
    assert!(flow::rate_limit(&mut buckets, &from("198.51.100.9"), 3.0).is_ok());
    let key_holder = admitted(front(&c, "GET", "/v2/categories", server));
    assert!(flow::rate_limit(&mut buckets, &key_holder, 4.0).is_ok());
    assert_eq!(buckets.len(), 3);
}
