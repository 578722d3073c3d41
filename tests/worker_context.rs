#![cfg(not(target_arch = "wasm32"))]
//! The Worker's customer-field rules (issue #16), natively: browsers set
//! `customer_id`, `exemption_type` and `nexus_addresses` only through a
//! signed `customer_context`; servers with a proxy key may send them.

use edgetax::context;
use edgetax::proxy::config::Config;
use edgetax::proxy::flow::{self, Admitted, Front, Head, Prepared};
use edgetax::proxy::log::LogEntry;
use edgetax::proxy::Reply;
use serde_json::{json, Value};

const SECRET: &str = "context-secret-0123456789abcdef-xyz";
const NOW: u64 = 1_800_000_000;
const CART: &str = r#"{"to_zip":"90002","to_state":"CA","shipping":1.5,"line_items":[{"id":"1","unit_price":15}]}"#;

fn config(secret: Option<&'static str>) -> Config {
    Config::from_vars(|name| {
        match name {
            "TAXJAR_API_URL" => Some("http://127.0.0.1:9999"),
            "TAXJAR_API_TOKEN" => Some("test-token"),
            "PROXY_KEYS" => Some("pk_test_1"),
            "ALLOWED_ORIGINS" => Some("https://shop.example"),
            "CUSTOMER_CONTEXT_SECRET" => secret,
            _ => None,
        }
        .map(str::to_owned)
    })
    .unwrap()
}

fn admitted(config: &Config, from_browser: bool) -> Admitted {
    let head = Head {
        method: "POST",
        url: "https://proxy.example/v2/taxes",
        content_type: Some("application/json"),
        origin: from_browser.then_some("https://shop.example"),
        authorization: (!from_browser).then_some("Bearer pk_test_1"),
        ..Head::default()
    };
    match flow::front(Ok(config), &head, &mut LogEntry::new("POST")) {
        Front::Admitted(a) => a,
        Front::Done(r) => panic!("refused: {r:?}"),
    }
}

/// The cart with `extra` fields.
fn cart(extra: Value) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(CART).unwrap();
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    value.to_string().into_bytes()
}

fn prepare(config: &Config, from_browser: bool, extra: Value) -> Result<Prepared, Reply> {
    flow::prepare(config, &admitted(config, from_browser), &cart(extra), NOW)
}

/// `(code, field, detail)` of a 400.
fn refused(result: Result<Prepared, Reply>) -> (String, String, String) {
    let reply = result.unwrap_err();
    assert_eq!(reply.status, 400);
    let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    (text("code"), text("field"), text("detail"))
}

fn sent(prepared: &Prepared) -> Value {
    serde_json::from_str(prepared.upstream.body.as_deref().unwrap()).unwrap()
}

fn sign(fields: Value, secret: &str, now: u64) -> String {
    context::create(&fields, Some(secret), Some(600.0), now).unwrap()
}

fn wholesale() -> String {
    sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale"}),
        SECRET,
        NOW,
    )
}

#[test]
fn browsers_need_a_context_for_customer_fields() {
    let c = config(Some(SECRET));
    for (extra, field) in [
        (json!({"exemption_type": "wholesale"}), "exemption_type"),
        (json!({"exemption_type": "marketplace"}), "exemption_type"),
        (json!({"customer_id": "c-1"}), "customer_id"),
        (json!({"customer_id": 7}), "customer_id"),
        (
            json!({"nexus_addresses": [{"country": "US", "state": "NY"}]}),
            "nexus_addresses",
        ),
    ] {
        let (code, got, detail) = refused(prepare(&c, true, extra.clone()));
        assert_eq!(
            (code.as_str(), got.as_str()),
            ("invalid_value", field),
            "{extra}"
        );
        assert!(detail.contains("customer_context"), "{detail}");
    }
    // Allowed without a context: non_exempt, blanks, an empty nexus list.
    for extra in [
        json!({"exemption_type": "non_exempt"}),
        json!({"customer_id": " ", "exemption_type": ""}),
        json!({"nexus_addresses": []}),
    ] {
        let p = prepare(&c, true, extra.clone()).unwrap();
        assert_eq!(sent(&p).get("customer_id"), None, "{extra}");
    }
    // An unknown type is still named by validation.
    let (code, field, _) = refused(prepare(&c, true, json!({"exemption_type": "resale"})));
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("invalid_exemption_type", "exemption_type")
    );
}

#[test]
fn servers_may_send_customer_fields_directly() {
    for c in [config(None), config(Some(SECRET))] {
        let p = prepare(
            &c,
            false,
            json!({"customer_id": "c-1", "exemption_type": "wholesale",
                   "nexus_addresses": [{"country": "US", "state": "NY"}]}),
        )
        .unwrap();
        let body = sent(&p);
        assert_eq!(body["customer_id"], json!("c-1"));
        assert_eq!(body["exemption_type"], json!("wholesale"));
        assert_eq!(
            body["nexus_addresses"],
            json!([{"country": "US", "state": "NY"}])
        );
    }
}

#[test]
fn a_valid_context_applies_and_is_never_forwarded() {
    let c = config(Some(SECRET));
    let token = wholesale();
    for from_browser in [true, false] {
        let p = prepare(&c, from_browser, json!({"customer_context": token})).unwrap();
        let body = sent(&p);
        assert_eq!(body["customer_id"], json!("c-1"));
        assert_eq!(body["exemption_type"], json!("wholesale"));
        assert_eq!(body.get("customer_context"), None);
        assert!(!p.upstream.body.as_deref().unwrap().contains("cc1."));
    }
    // The cart may repeat the signed values, not change them.
    let same =
        json!({"customer_context": token, "customer_id": "c-1", "exemption_type": "wholesale"});
    assert!(prepare(&c, true, same).is_ok());
    for (extra, field) in [
        (json!({"customer_id": "c-2"}), "customer_id"),
        (json!({"exemption_type": "non_exempt"}), "exemption_type"),
    ] {
        let mut extra = extra;
        extra["customer_context"] = json!(token);
        let (code, got, detail) = refused(prepare(&c, true, extra));
        assert_eq!((code.as_str(), got.as_str()), ("invalid_value", field));
        assert!(
            detail.contains("differs from the signed customer_context"),
            "{detail}"
        );
    }
}

#[test]
fn nexus_addresses_from_browsers_only_when_signed() {
    let c = config(Some(SECRET));
    let ny = json!([{"country": "US", "state": "NY"}]);
    // A valid context that does not carry them is not enough.
    let (code, field, _) = refused(prepare(
        &c,
        true,
        json!({"customer_context": wholesale(), "nexus_addresses": ny}),
    ));
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("invalid_value", "nexus_addresses")
    );
    // Servers may add their own to a context without any.
    let p = prepare(
        &c,
        false,
        json!({"customer_context": wholesale(), "nexus_addresses": ny}),
    )
    .unwrap();
    assert_eq!(sent(&p)["nexus_addresses"], ny);
    // Signed ones apply, from the context alone.
    let signed = sign(
        json!({"customer_id": "c-1", "exemption_type": "non_exempt", "nexus_addresses": ny}),
        SECRET,
        NOW,
    );
    let p = prepare(&c, true, json!({"customer_context": signed})).unwrap();
    assert_eq!(sent(&p)["nexus_addresses"], ny);
    assert_eq!(sent(&p)["exemption_type"], json!("non_exempt"));
}

#[test]
fn expired_forged_and_unconfigured_contexts_are_refused() {
    let c = config(Some(SECRET));
    let old = sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale"}),
        SECRET,
        NOW - 601,
    );
    let forged = sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale"}),
        "someone-elses-secret-0123456789abcdef",
        NOW,
    );
    for (what, token) in [
        ("expired", old),
        ("forged", forged),
        ("junk", "cc1.x.y".into()),
    ] {
        for from_browser in [true, false] {
            let (code, field, detail) = refused(prepare(
                &c,
                from_browser,
                json!({"customer_context": token}),
            ));
            assert_eq!(
                (code.as_str(), field.as_str()),
                ("invalid_value", "customer_context"),
                "{what}"
            );
            assert!(!detail.contains(SECRET));
        }
    }
    let off = config(None);
    let (code, field, detail) = refused(prepare(
        &off,
        true,
        json!({"customer_context": wholesale()}),
    ));
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("invalid_value", "customer_context")
    );
    assert_eq!(
        detail,
        "customer_context: customer contexts are not enabled on this Worker \
         (CUSTOMER_CONTEXT_SECRET is not set); remove customer_context from the cart"
    );
}

#[test]
fn the_cache_key_holds_the_verified_payload() {
    let c = config(Some(SECRET));
    let url = |extra: Value| prepare(&c, true, extra).unwrap().cache_url.unwrap();
    let plain = url(json!({}));
    let market = |id: &str, ttl_from: u64| {
        sign(
            json!({"customer_id": id, "exemption_type": "marketplace"}),
            SECRET,
            ttl_from,
        )
    };
    let a = url(json!({"customer_context": market("c-1", NOW)}));
    let a_resigned = url(json!({"customer_context": market("c-1", NOW - 100)}));
    let b = url(json!({"customer_context": market("c-2", NOW)}));
    assert_eq!(a, a_resigned, "same payload, other expiry and signature");
    assert_ne!(a, b);
    assert_ne!(a, plain);
    // The same request to TaxJar under two payloads: two keys.
    let regions = |state: &str| {
        sign(
            json!({"customer_id": "c-1", "exemption_type": "wholesale",
                   "exempt_regions": [{"country": "US", "state": state}]}),
            SECRET,
            NOW,
        )
    };
    let ny = prepare(&c, true, json!({"customer_context": regions("NY")})).unwrap();
    let tx = prepare(&c, true, json!({"customer_context": regions("TX")})).unwrap();
    assert_eq!(ny.upstream.body, tx.upstream.body);
    assert_eq!(
        sent(&ny).get("exemption_type"),
        None,
        "a CA cart is outside NY"
    );
    assert_ne!(ny.cache_url, tx.cache_url);
}
