#![cfg(not(target_arch = "wasm32"))]
//! Signed customer contexts (issue #16): signing, verifying, applying to a
//! cart, keys, and what reaches TaxJar.

use edgetax::context::{self, CustomerContext, ExemptRegion};
use edgetax::estimate::Source;
use edgetax::estimator::{plan, Plan};
use edgetax::key::cart_key;
use edgetax::request::{estimator_body, tax_request, RequestOptions};
use edgetax::validate::ExemptionType;
use edgetax::{Cart, Code};
use proptest::prelude::*;
use serde_json::{json, Value};

const SECRET: &str = "context-secret-0123456789abcdef-xyz";
const NOW: u64 = 1_800_000_000;

fn sign(fields: Value, ttl: f64) -> String {
    context::create(&fields, Some(SECRET), Some(ttl), NOW).unwrap()
}

fn wholesale() -> String {
    sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale"}),
        600.0,
    )
}

fn code_field(e: edgetax::Error) -> (Code, String) {
    (e.code, e.field.unwrap_or_default())
}

#[test]
fn sign_then_verify_round_trips() {
    let token = sign(
        json!({"customer_id": 42, "exemption_type": "government",
               "exempt_regions": [{"country": "us", "state": " ca "}, {"country": "FR"}],
               "nexus_addresses": [{"country": "US", "state": "ny", "zip": "10001"}]}),
        3600.0,
    );
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], "cc1");
    assert_eq!(parts[2].len(), 43, "32 bytes in base64url without padding");
    let got = context::verify(&token, SECRET, NOW + 3600).unwrap();
    let want = CustomerContext {
        customer_id: "42".into(),
        exemption_type: ExemptionType::Government,
        exempt_regions: vec![
            ExemptRegion {
                country: "US".into(),
                state: Some("CA".into()),
            },
            ExemptRegion {
                country: "FR".into(),
                state: None,
            },
        ],
        nexus_addresses: vec![edgetax::cart::NexusAddress {
            country: Some("US".into()),
            state: Some("NY".into()),
            zip: Some("10001".into()),
            ..Default::default()
        }],
        exp: NOW + 3600,
    };
    assert_eq!(got, want);
    assert_eq!(
        got.payload_json(),
        r#"{"customer_id":"42","exemption_type":"government","exempt_regions":[{"country":"US","state":"CA"},{"country":"FR"}],"nexus_addresses":[{"country":"US","state":"NY","zip":"10001"}],"exp":1800003600}"#
    );
    assert_eq!(context::decode(&token).unwrap(), want);
}

#[test]
fn the_payload_is_plain_base64url_json() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let token = wholesale();
    let payload = token.split('.').nth(1).unwrap();
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        text,
        r#"{"customer_id":"c-1","exemption_type":"wholesale","exp":1800000600}"#
    );
}

#[test]
fn expired_tokens_are_refused() {
    let token = wholesale();
    assert!(context::verify(&token, SECRET, NOW + 600).is_ok(), "at exp");
    let err = context::verify(&token, SECRET, NOW + 601).unwrap_err();
    assert_eq!(
        code_field(err.clone()),
        (Code::InvalidValue, "customer_context".into())
    );
    assert!(err.message.contains("expired"), "{}", err.message);
}

#[test]
fn tampered_forged_and_malformed_tokens_are_refused() {
    let token = wholesale();
    let parts: Vec<&str> = token.split('.').collect();
    let exempt_payload = {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        URL_SAFE_NO_PAD
            .encode(r#"{"customer_id":"c-2","exemption_type":"wholesale","exp":1800000600}"#)
    };
    let other_secret = context::create(
        &json!({"customer_id": "c-1", "exemption_type": "wholesale"}),
        Some("another-secret-0123456789abcdef-xyz"),
        Some(600.0),
        NOW,
    )
    .unwrap();
    let mut flipped_signature = parts[2].to_owned();
    let last = if flipped_signature.ends_with('A') {
        "E"
    } else {
        "A"
    };
    flipped_signature.replace_range(42.., last);
    let cases = [
        (
            "another payload",
            format!("cc1.{exempt_payload}.{}", parts[2]),
        ),
        (
            "another signature",
            format!("cc1.{}.{flipped_signature}", parts[1]),
        ),
        ("wrong secret", other_secret),
        ("wrong prefix", format!("cc2.{}.{}", parts[1], parts[2])),
        ("no prefix", format!("{}.{}", parts[1], parts[2])),
        ("missing signature", format!("cc1.{}", parts[1])),
        ("empty signature", format!("cc1.{}.", parts[1])),
        ("extra part", format!("{token}.x")),
        (
            "bad base64",
            format!("cc1.{}.{}!", parts[1], &parts[2][1..]),
        ),
        ("padded", format!("{token}=")),
        ("empty", String::new()),
        ("garbage", "hello".into()),
    ];
    for (what, bad) in cases {
        assert_ne!(bad, token, "{what}");
        let err = context::verify(&bad, SECRET, NOW).unwrap_err();
        assert_eq!(
            code_field(err),
            (Code::InvalidValue, "customer_context".into()),
            "{what}"
        );
    }
    // A token signed over a payload that is not a context is refused too.
    let not_context = context::create(&json!({"customer_id": "x"}), Some(SECRET), None, NOW);
    assert_eq!(
        code_field(not_context.unwrap_err()),
        (Code::MissingField, "exemption_type".into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Any one character of a valid token, replaced by another token
    /// character, makes it fail.
    #[test]
    fn any_single_change_fails(index in 0usize..200, pick in 0usize..65) {
        let token = wholesale();
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        let i = index % token.len();
        let mut bytes = token.clone().into_bytes();
        let replacement = alphabet[pick];
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(context::verify(&changed, SECRET, NOW).is_err(), "{changed}");
    }
}

#[test]
fn create_checks_its_options_and_fields() {
    let fields = json!({"customer_id": "c-1", "exemption_type": "wholesale"});
    let err = |fields: &Value, secret: Option<&str>, ttl: Option<f64>| {
        code_field(context::create(fields, secret, ttl, NOW).unwrap_err())
    };
    let secret = (Code::InvalidValue, "options.secret".to_owned());
    assert_eq!(err(&fields, None, None), secret);
    assert_eq!(
        err(&fields, Some("31-characters-long-secret-xxxxx"), None),
        secret
    );
    assert!(context::create(&fields, Some("32-characters-long-secret-xxxxxx"), None, NOW).is_ok());
    let ttl = (Code::InvalidValue, "options.ttlSeconds".to_owned());
    for bad in [0.0, -1.0, 1.5, 604_801.0, f64::NAN] {
        assert_eq!(err(&fields, Some(SECRET), Some(bad)), ttl, "{bad}");
    }
    let week = context::create(&fields, Some(SECRET), Some(604_800.0), NOW).unwrap();
    assert_eq!(context::decode(&week).unwrap().exp, NOW + 604_800);
    let default = context::create(&fields, Some(SECRET), None, NOW).unwrap();
    assert_eq!(context::decode(&default).unwrap().exp, NOW + 3600);
    let with = |extra: Value| {
        let mut f = fields.clone();
        f.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        err(&f, Some(SECRET), None)
    };
    assert_eq!(
        with(json!({"customer_id": " "})),
        (Code::MissingField, "customer_id".into())
    );
    assert_eq!(
        with(json!({"exemption_type": "resale"})),
        (Code::InvalidExemptionType, "exemption_type".into())
    );
    assert_eq!(
        with(json!({"exemptionType": "wholesale"})),
        (Code::InvalidValue, "exemptionType".into())
    );
    assert_eq!(with(json!({"exp": 1})), (Code::InvalidValue, "exp".into()));
    assert_eq!(
        with(json!({"exempt_regions": [{"country": "US", "state": "ZZ"}]})),
        (Code::InvalidState, "exempt_regions[0].state".into())
    );
    assert_eq!(
        with(json!({"exempt_regions": [{"country": "US"}]})),
        (Code::MissingField, "exempt_regions[0].state".into())
    );
    assert_eq!(
        with(json!({"exempt_regions": [{"state": "CA"}]})),
        (Code::MissingField, "exempt_regions[0].country".into())
    );
    assert_eq!(
        with(json!({"exempt_regions": "CA"})),
        (Code::InvalidType, "exempt_regions".into())
    );
    assert_eq!(
        with(json!({"nexus_addresses": [{"country": "XX", "state": "CA"}]})),
        (Code::InvalidCountry, "nexus_addresses[0].country".into())
    );
}

fn cart(value: Value) -> Cart {
    Cart::from_value(&value).unwrap()
}

const CA_CART: &str =
    r#"{"to_country":"US","to_zip":"90002","to_state":"CA","amount":15,"shipping":1.5}"#;

fn ca_cart_with(token: &str) -> Cart {
    let mut value: Value = serde_json::from_str(CA_CART).unwrap();
    value["customer_context"] = json!(token);
    cart(value)
}

#[test]
fn exempt_regions_limit_where_the_exemption_applies() {
    let token = sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale",
               "exempt_regions": [{"country": "US", "state": "CA"}, {"country": "FR"}]}),
        600.0,
    );
    let c = context::verify(&token, SECRET, NOW).unwrap();
    assert!(c.exempt_at("US", Some("CA")));
    assert!(!c.exempt_at("US", Some("NY")));
    assert!(!c.exempt_at("US", None));
    assert!(c.exempt_at("FR", None) && c.exempt_at("FR", Some("IDF")));
    assert!(
        !c.exempt_at("CA", Some("CA")),
        "Canada is not the state of California"
    );
    let everywhere = context::verify(&wholesale(), SECRET, NOW).unwrap();
    assert!(everywhere.exempt_at("US", Some("NY")) && everywhere.exempt_at("DE", None));

    // Applied to carts: in region the exemption goes in, elsewhere only the id.
    let mut in_ca = cart(json!({"to_zip": "90002", "to_state": " ca ", "amount": 1}));
    c.apply(&mut in_ca, false).unwrap();
    assert_eq!(
        (
            in_ca.customer_id.as_deref(),
            in_ca.exemption_type.as_deref()
        ),
        (Some("c-1"), Some("wholesale"))
    );
    let mut in_ny = cart(json!({"to_zip": "10001", "to_state": "NY", "amount": 1}));
    c.apply(&mut in_ny, false).unwrap();
    assert_eq!(
        (
            in_ny.customer_id.as_deref(),
            in_ny.exemption_type.as_deref()
        ),
        (Some("c-1"), None)
    );
}

#[test]
fn applying_checks_the_carts_own_fields() {
    let token = sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale",
               "nexus_addresses": [{"country": "US", "state": "CA"}]}),
        600.0,
    );
    let c = context::verify(&token, SECRET, NOW).unwrap();
    let apply = |extra: Value, server: bool| {
        let mut value: Value = serde_json::from_str(CA_CART).unwrap();
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let mut cart = cart(value);
        c.apply(&mut cart, server)
            .map(|()| cart)
            .map_err(code_field)
    };
    let same = apply(
        json!({"customer_id": " c-1 ", "exemption_type": "wholesale",
               "nexus_addresses": [{"country": "us", "state": "ca"}]}),
        false,
    )
    .unwrap();
    assert_eq!(
        same.nexus_addresses.unwrap()[0].state.as_deref(),
        Some("CA")
    );
    let invalid = |field: &str| Err((Code::InvalidValue, field.to_owned()));
    assert_eq!(
        apply(json!({"customer_id": "c-2"}), true).map(|_| ()),
        invalid("customer_id")
    );
    assert_eq!(
        apply(json!({"exemption_type": "non_exempt"}), true).map(|_| ()),
        invalid("exemption_type")
    );
    assert_eq!(
        apply(
            json!({"nexus_addresses": [{"country": "US", "state": "NY"}]}),
            true
        )
        .map(|_| ()),
        invalid("nexus_addresses")
    );
    // A context without nexus addresses: only servers may add their own.
    let plain = context::verify(&wholesale(), SECRET, NOW).unwrap();
    let nexus = json!({"nexus_addresses": [{"country": "US", "state": "NY"}]});
    let mut browser = cart(nexus.clone());
    assert_eq!(
        plain.apply(&mut browser, false).map_err(code_field),
        invalid("nexus_addresses")
    );
    let mut server = cart(nexus);
    plain.apply(&mut server, true).unwrap();
    assert_eq!(server.nexus_addresses.unwrap().len(), 1);
}

#[test]
fn the_estimator_plans_from_the_payload() {
    // Exempt everywhere: zero, no call.
    let valid = context::valid_unverified(ca_cart_with(&wholesale())).unwrap();
    match plan(&valid, None) {
        Plan::Skip(e) => {
            assert_eq!(e.source, Source::Exempt);
            assert!(e.amount_to_collect.is_zero());
            assert_eq!(e.order_total_amount.to_string(), "16.50");
        }
        Plan::Lookup => panic!("an exempt context is answered without a call"),
    }
    // Exempt only in NY: a CA cart is looked up, with the customer id.
    let ny_only = sign(
        json!({"customer_id": "c-1", "exemption_type": "wholesale",
               "exempt_regions": [{"country": "US", "state": "NY"}]}),
        600.0,
    );
    let valid = context::valid_unverified(ca_cart_with(&ny_only)).unwrap();
    assert!(matches!(plan(&valid, None), Plan::Lookup));
    assert_eq!(valid.customer_id.as_deref(), Some("c-1"));
    assert_eq!(valid.exemption_type, None);
    // Not verified here: another secret still plans (the Worker refuses it).
    let bad = context::valid_unverified(ca_cart_with("cc1.e30.AAAA")).unwrap_err();
    assert_eq!(
        code_field(bad),
        (Code::InvalidValue, "customer_context".into())
    );
}

#[test]
fn keys_differ_per_payload_not_per_signature_or_expiry() {
    let key = |token: &str| cart_key(&context::valid_unverified(ca_cart_with(token)).unwrap());
    let plain =
        cart_key(&context::valid_unverified(cart(serde_json::from_str(CA_CART).unwrap())).unwrap());
    let a = sign(
        json!({"customer_id": "c-1", "exemption_type": "marketplace"}),
        600.0,
    );
    let a_later = sign(
        json!({"customer_id": "c-1", "exemption_type": "marketplace"}),
        900.0,
    );
    assert_ne!(a, a_later);
    assert_eq!(key(&a), key(&a_later), "same payload, other expiry");
    let b = sign(
        json!({"customer_id": "c-2", "exemption_type": "marketplace"}),
        600.0,
    );
    assert_ne!(key(&a), key(&b));
    // Same request to TaxJar (outside both regions), other payloads.
    let in_ny = sign(
        json!({"customer_id": "c-1", "exemption_type": "marketplace",
               "exempt_regions": [{"country": "US", "state": "NY"}]}),
        600.0,
    );
    let in_tx = sign(
        json!({"customer_id": "c-1", "exemption_type": "marketplace",
               "exempt_regions": [{"country": "US", "state": "TX"}]}),
        600.0,
    );
    assert_ne!(key(&in_ny), key(&in_tx));
    for k in [key(&a), key(&b), key(&in_ny)] {
        assert_ne!(k, plain);
        assert!(k.starts_with("et1_") && k.len() == 36, "{k}");
    }
    // A cart with no context keeps the key it always had.
    assert_eq!(
        plain,
        cart_key(
            &edgetax::validate::ValidCart::new(&cart(serde_json::from_str(CA_CART).unwrap()))
                .unwrap()
        )
    );
}

#[test]
fn the_context_never_reaches_taxjar_but_reaches_the_worker() {
    let token = sign(
        json!({"customer_id": "c-9", "exemption_type": "marketplace"}),
        600.0,
    );
    let valid = context::valid_unverified(ca_cart_with(&token)).unwrap();
    let options = RequestOptions {
        plugin: Some("edgetax".into()),
    };
    let taxjar = serde_json::to_string(&tax_request(&valid, &options)).unwrap();
    assert_eq!(
        taxjar,
        r#"{"to_country":"US","to_zip":"90002","to_state":"CA","amount":15,"shipping":1.5,"customer_id":"c-9","exemption_type":"marketplace","plugin":"edgetax"}"#
    );
    let worker = estimator_body(&valid, &options);
    assert_eq!(
        worker,
        format!(
            r#"{{"to_country":"US","to_zip":"90002","to_state":"CA","amount":15,"shipping":1.5,"customer_id":"c-9","exemption_type":"marketplace","plugin":"edgetax","customer_context":"{token}"}}"#
        )
    );
    // Without a context the Worker gets exactly TaxJar's body.
    let plain = context::valid_unverified(cart(serde_json::from_str(CA_CART).unwrap())).unwrap();
    assert_eq!(
        estimator_body(&plain, &options),
        serde_json::to_string(&tax_request(&plain, &options)).unwrap()
    );
}
