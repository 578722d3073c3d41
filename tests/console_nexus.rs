//! Nexus in the console and on `GET /v2/nexus/regions`, natively: the
//! addresses checked as a cart's, kept and read back; the sync's answers;
//! which regions the Worker answers itself, from where; and the addresses
//! sent on every tax request (so in its cache key).

use edgetax::console::live::Env;
use edgetax::console::nexus::{self, Synced};
use edgetax::console::settings::Stored;
use edgetax::console::{calls, Live};
use edgetax::proxy::body;
use edgetax::proxy::context::Gate;
use edgetax::proxy::flow::{self, Front, Head};
use edgetax::proxy::log::LogEntry;
use edgetax::proxy::nexus::local_regions;
use edgetax::proxy::{Config, Outcome, Reply};

const TWO: &str = r#"{"nexus_addresses":[
    {"id":"hq","country":"us","state":"ca","zip":"94107","city":"San Francisco","street":"1 Main St"},
    {"country":"CA","state":"on","zip":"M5V 2T6"}]}"#;
const CART: &str = r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,"line_items":[{"id":"1","unit_price":15}]}"#;

fn env(token: bool) -> Env {
    let mut env = vec![
        ("TAXJAR_API_URL", "http://127.0.0.1:9999".to_owned()),
        ("ALLOWED_ORIGINS", "https://shop.example".to_owned()),
        ("PROXY_KEYS", "pk_test_1".to_owned()),
    ];
    if token {
        env.push(("TAXJAR_API_TOKEN", "test-token-1234".to_owned()));
    }
    env
}

fn live(token: bool, stored: Stored) -> Live {
    Live::build(&env(token), stored, None, Some(1))
}

fn config(token: bool, stored: Stored) -> Config {
    live(token, stored).config.unwrap()
}

fn with_addresses() -> Stored {
    Stored {
        nexus_addresses: nexus::addresses(TWO).unwrap(),
        ..Stored::default()
    }
}

fn regions_get(config: &Config, browser: bool) -> Reply {
    let url = "https://proxy.example/v2/nexus/regions";
    let head = Head {
        method: "GET",
        url,
        origin: browser.then_some("https://shop.example"),
        authorization: (!browser).then_some("Bearer pk_test_1"),
        ..Head::default()
    };
    match flow::front(Ok(config), &head, &mut LogEntry::new("GET")) {
        Front::Done(reply) => reply,
        Front::Admitted(_) => panic!("sent to TaxJar"),
    }
}

#[test]
fn addresses_are_checked_as_a_carts_and_normalized() {
    let list = nexus::addresses(TWO).unwrap();
    assert_eq!(
        nexus::addresses_json(&list),
        r#"[{"id":"hq","country":"US","state":"CA","zip":"94107","city":"San Francisco","street":"1 Main St"},{"country":"CA","state":"ON","zip":"M5V 2T6"}]"#
    );
    let bad = nexus::addresses(r#"{"nexus_addresses":[{"country":"US","state":"CA"},{"country":"US","state":"CA","zip":"9410"}]}"#)
        .unwrap_err();
    assert_eq!(
        (bad.code.as_str(), bad.field.as_deref()),
        ("invalid_zip", Some("nexus_addresses[1].zip"))
    );
    let no_state = nexus::addresses(r#"{"nexus_addresses":[{"country":"US"}]}"#).unwrap_err();
    assert_eq!(no_state.field.as_deref(), Some("nexus_addresses[0].state"));
    let shape = nexus::addresses(r#"{"nexus_addresses":{}}"#).unwrap_err();
    assert_eq!(shape.field.as_deref(), Some("nexus_addresses"));
    let many = format!(
        r#"{{"nexus_addresses":[{}]}}"#,
        vec![r#"{"country":"US","state":"NY"}"#; 51].join(",")
    );
    assert_eq!(
        nexus::addresses(&many).unwrap_err().message,
        "at most 50 nexus addresses are kept"
    );
    assert_eq!(
        nexus::addresses(r#"{"nexus_addresses":[]}"#).unwrap(),
        vec![]
    );
}

#[test]
fn addresses_and_synced_regions_are_kept_and_read_back() {
    let mut stored = with_addresses();
    stored.nexus = Some(Synced {
        regions: r#"[{"country_code":"US","country":"United States","region_code":"CA","region":"California"}]"#.into(),
        synced_at: 1_800_000_000,
    });
    let text = stored.to_json();
    assert!(text.ends_with(r#","nexus":{"regions":[{"country_code":"US","country":"United States","region_code":"CA","region":"California"}],"synced_at":1800000000},"nexus_addresses":[{"id":"hq","country":"US","state":"CA","zip":"94107","city":"San Francisco","street":"1 Main St"},{"country":"CA","state":"ON","zip":"M5V 2T6"}]}"#), "{text}");
    assert_eq!(Stored::parse(Some(&text)), stored);
    // A stored address that no longer passes the checks drops the list.
    let garbled = text.replace("94107", "9410");
    assert_eq!(Stored::parse(Some(&garbled)).nexus_addresses, vec![]);
}

#[test]
fn the_worker_answers_regions_from_the_sync_then_the_addresses_then_the_table() {
    // With a token and nothing kept, TaxJar is asked.
    assert_eq!(local_regions(&config(true, Stored::default())), None);
    // Addresses: their regions, each once.
    let reply = regions_get(&config(true, with_addresses()), true);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-edgetax-source"), Some("nexus_addresses"));
    assert_eq!(
        reply.body.as_deref(),
        Some(
            r#"{"regions":[{"country_code":"US","country":"United States","region_code":"CA"},{"country_code":"CA","country":"Canada","region_code":"ON"}]}"#
        )
    );
    // Synced regions win over addresses.
    let mut stored = with_addresses();
    stored.nexus = Some(Synced {
        regions: r#"[{"country_code":"US","region_code":"NY"}]"#.into(),
        synced_at: 5,
    });
    let reply = regions_get(&config(true, stored), false);
    assert_eq!(reply.header("x-edgetax-source"), Some("synced"));
    assert_eq!(
        reply.body.as_deref(),
        Some(r#"{"regions":[{"country_code":"US","region_code":"NY"}]}"#)
    );
    // No token, nothing kept: every region the backup estimates cover, a
    // clean 200 (the demo's widget fetches it).
    let reply = regions_get(&config(false, Stored::default()), true);
    assert_eq!(
        (reply.status, reply.header("x-edgetax-source")),
        (200, Some("offline"))
    );
    let body: serde_json::Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
    let regions = body["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 64);
    assert_eq!(
        regions[0],
        serde_json::json!({"country_code":"US","country":"United States","region_code":"AL"})
    );
    assert_eq!(
        regions.iter().filter(|r| r["country_code"] == "CA").count(),
        13
    );
}

#[test]
fn the_addresses_go_on_every_tax_request_and_into_its_key() {
    let config = config(true, with_addresses());
    let plain = body::taxes(CART.as_bytes(), None, &[], &Gate::server()).unwrap();
    let sent = body::taxes(
        CART.as_bytes(),
        None,
        &config.nexus_addresses,
        &Gate::server(),
    )
    .unwrap();
    assert!(!plain.json.contains("nexus_addresses"));
    assert!(sent.json.contains(r#""nexus_addresses":[{"id":"hq","country":"US","state":"CA","zip":"94107","city":"San Francisco","street":"1 Main St"},{"country":"CA","state":"ON","zip":"M5V 2T6"}]"#), "{}", sent.json);
    assert_ne!(plain.key, sent.key);
    // A server's own addresses are kept.
    let own = CART.replace(
        r#""shipping""#,
        r#""nexus_addresses":[{"country":"US","state":"NV"}],"shipping""#,
    );
    let kept = body::taxes(
        own.as_bytes(),
        None,
        &config.nexus_addresses,
        &Gate::server(),
    )
    .unwrap();
    assert!(
        kept.json
            .contains(r#""nexus_addresses":[{"country":"US","state":"NV"}]"#),
        "{}",
        kept.json
    );
}

#[test]
fn a_sync_keeps_taxjar_s_regions_or_says_why_not() {
    let answered = |status, body: &str| Outcome::Answered {
        status,
        body: body.into(),
        retry_after: None,
    };
    let ok = answered(
        200,
        r#"{"regions":[{"country_code":"US","country":"United States","region_code":"CA","region":"California"}]}"#,
    );
    let synced = nexus::synced(&ok, 77).unwrap();
    assert_eq!(synced.synced_at, 77);
    assert_eq!(
        synced.regions,
        r#"[{"country_code":"US","country":"United States","region_code":"CA","region":"California"}]"#
    );
    assert_eq!(
        nexus::synced(&answered(401, "{}"), 1).unwrap_err(),
        "TaxJar refused the API token (401 Unauthorized)"
    );
    assert_eq!(
        nexus::synced(&answered(200, r#"{"regions":[{"region_code":"CA"}]}"#), 1).unwrap_err(),
        "TaxJar's answer has no list of regions"
    );
    assert_eq!(
        nexus::synced(&answered(200, "<html>"), 1).unwrap_err(),
        "TaxJar's answer is not JSON"
    );
    assert_eq!(
        nexus::synced(&Outcome::TimedOut, 1).unwrap_err(),
        "TaxJar did not answer in time"
    );
    // Through the console's call: the regions kept before stay on failure.
    let before = Stored {
        nexus: Some(synced.clone()),
        ..Stored::default()
    };
    assert_eq!(
        calls::nexus_synced(&before, &answered(500, "{}"), 9)
            .unwrap_err()
            .status,
        502
    );
    assert_eq!(
        calls::nexus_request(&live(false, Stored::default()))
            .unwrap_err()
            .status,
        409
    );
    let (_, request) = calls::nexus_request(&live(true, Stored::default())).unwrap();
    assert_eq!(request.url, "http://127.0.0.1:9999/v2/nexus/regions");
}

#[test]
fn the_console_view_names_the_source_and_the_last_sync() {
    let view = nexus::view(&config(true, Stored::default()), None);
    assert_eq!(
        view,
        r#"{"regions":null,"source":"taxjar","synced_at":null,"nexus_addresses":[]}"#
    );
    let reply = calls::read_nexus(&live(true, with_addresses()));
    assert!(reply.body.as_deref().unwrap().starts_with(
        r#"{"regions":[{"country_code":"US","country":"United States","region_code":"CA"},"#
    ));
    assert!(reply
        .body
        .as_deref()
        .unwrap()
        .contains(r#""source":"nexus_addresses","synced_at":null,"nexus_addresses":[{"id":"hq""#));
    let saved = calls::save_addresses(
        &Stored::default(),
        Some(br#"{"nexus_addresses":[{"country":"US","state":"WA"}]}"#),
    )
    .unwrap();
    assert_eq!(
        nexus::addresses_json(&saved.nexus_addresses),
        r#"[{"country":"US","state":"WA"}]"#
    );
    let refused = calls::save_addresses(
        &Stored::default(),
        Some(br#"{"nexus_addresses":[{"country":"XX"}]}"#),
    )
    .unwrap_err();
    assert_eq!(refused.status, 400);
}

/// The Worker's skip for `cart` with `stored`, after the body is prepared.
fn skip(stored: Stored, cart: &str) -> Option<Reply> {
    let config = config(true, stored);
    let taxed = body::taxes(
        cart.as_bytes(),
        None,
        &config.nexus_addresses,
        &Gate::server(),
    )
    .unwrap();
    edgetax::proxy::nexus::skip(&config, &taxed.valid)
}

#[test]
fn carts_without_nexus_or_exempt_are_answered_zero_without_a_call() {
    let synced = Stored {
        nexus: Some(Synced {
            regions: r#"[{"country_code":"US","region_code":"CA"}]"#.into(),
            synced_at: 5,
        }),
        ..Stored::default()
    };
    // Nothing known: TaxJar decides.
    assert_eq!(
        skip(
            Stored::default(),
            &CART.replace("90002", "10001").replace("\"CA\"", "\"NY\"")
        ),
        None
    );
    assert_eq!(skip(synced.clone(), CART), None);
    let ny = CART.replace("90002", "10001").replace("\"CA\"", "\"NY\"");
    let reply = skip(synced.clone(), &ny).unwrap();
    assert_eq!(
        (reply.status, reply.header("x-edgetax-source")),
        (200, Some("no_nexus"))
    );
    assert_eq!(
        reply.body.as_deref(),
        Some(concat!(
            r#"{"tax":{"order_total_amount":16.5,"shipping":1.5,"taxable_amount":0,"amount_to_collect":0,"rate":0,"#,
            r#""has_nexus":false,"freight_taxable":false,"tax_source":null,"source":"no_nexus","rates_as_of":null,"warnings":[],"#,
            r#""breakdown":{"taxable_amount":0,"tax_collectable":0,"combined_tax_rate":0,"line_items":[{"id":"1","taxable_amount":0,"tax_collectable":0,"combined_tax_rate":0}]}}}"#
        ))
    );
    // An exempt order, wherever it goes.
    let wholesale = CART.replace(
        r#""shipping""#,
        r#""exemption_type":"wholesale","shipping""#,
    );
    let reply = skip(Stored::default(), &wholesale).unwrap();
    assert_eq!(reply.header("x-edgetax-source"), Some("exempt"));
    assert!(reply.body.unwrap().contains(r#""has_nexus":true,"#));
    // Nexus addresses decide when there are any (theirs or the merchant's).
    assert_eq!(skip(with_addresses(), CART), None);
    assert_eq!(
        skip(with_addresses(), &ny)
            .unwrap()
            .header("x-edgetax-source"),
        Some("no_nexus")
    );
    let own_nv = CART.replace(
        r#""shipping""#,
        r#""nexus_addresses":[{"country":"US","state":"NV"}],"shipping""#,
    );
    assert_eq!(
        skip(synced, &own_nv).unwrap().header("x-edgetax-source"),
        Some("no_nexus")
    );
}
