//! The settings' tests: defaults, each var's checks, errors that never
//! hold a value.

use super::*;
use crate::proxy::short_hash;
use crate::proxy::testing::{config, one, SHOP};

#[test]
fn config_defaults_and_parsing() {
    let d = Config::from_vars(|_| None).unwrap();
    assert_eq!(d, Config::default());
    assert_eq!(
        (d.api_url.as_str(), d.plugin.as_deref()),
        ("https://api.taxjar.com", Some("edgetax"))
    );
    assert_eq!(
        (d.cache_ttl_seconds, d.upstream_timeout_ms, d.rate_limit),
        (900, 5000, 120)
    );
    assert!(d.calculations_enabled && d.token.is_none() && d.store_url.is_none());
    let c = config();
    assert_eq!(c.api_url, "http://127.0.0.1:9999");
    assert_eq!(
        c.allowed_origins,
        ["https://shop.example", "https://other.example"]
    );
    assert_eq!(
        c.proxy_keys,
        [ProxyKey::new("pk_test_1"), ProxyKey::new("pk_test_2")]
    );
    assert!(c.proxy_key("pk_test_2").is_some() && c.proxy_key("pk_test_3").is_none());
    assert_eq!(ProxyKey::new("pk_test_1").id(), short_hash("pk_test_1", 8));
    assert!(c.origin_allowed(SHOP) && !c.origin_allowed("null"));
    assert!(!c.origin_allowed("https://shop.example/"));
    assert_eq!(one("PLUGIN", " ").unwrap().plugin, None);
    assert!(
        !one("CALCULATIONS_ENABLED", "FALSE")
            .unwrap()
            .calculations_enabled
    );
    assert_eq!(one("RATE_LIMIT", "0").unwrap().rate_limit, 0);
    assert!(d.offline_fallback && !d.offline_for_servers && !d.legacy_routes);
    assert!(!one("OFFLINE_FALLBACK", "false").unwrap().offline_fallback);
    assert!(
        one("OFFLINE_FOR_SERVERS", "true")
            .unwrap()
            .offline_for_servers
    );
    assert!(one("LEGACY_ROUTES", "on").unwrap().legacy_routes);
    let err = one("LEGACY_ROUTES", "y").unwrap_err();
    assert_eq!(err.to_string(), "LEGACY_ROUTES must be true or false");
    assert_eq!((err.var, err.value_chars), ("LEGACY_ROUTES", 1));
    assert_eq!(one("TAXJAR_API_TOKEN", "  ").unwrap().token, None);
    let err = one("UPSTREAM_TIMEOUT_MS", "0").unwrap_err();
    assert_eq!(
        err.to_string(),
        "UPSTREAM_TIMEOUT_MS must be a whole number from 1 to 120000"
    );
    let err = one("CALCULATIONS_ENABLED", "maybe").unwrap_err();
    assert_eq!(
        err.to_string(),
        "CALCULATIONS_ENABLED must be true or false"
    );
    let err = one("TAXJAR_API_URL", "ftp://x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "TAXJAR_API_URL must be an http(s) URL without query or credentials"
    );
    assert!(one("TAXJAR_API_URL", "https://u:p@x").is_err());
    assert_eq!(d.customer_context_secret, None);
    let secret = "context-secret-0123456789abcdef-xyz";
    let set = one("CUSTOMER_CONTEXT_SECRET", secret).unwrap();
    assert_eq!(set.customer_context_secret.as_deref(), Some(secret));
    let err = one("CUSTOMER_CONTEXT_SECRET", "short-secret").unwrap_err();
    assert_eq!(
        err.to_string(),
        "CUSTOMER_CONTEXT_SECRET must be at least 32 characters long"
    );
    assert!(!err.log_line().contains("short-secret"));
}

#[test]
fn errors_never_carry_the_value() {
    // A token pasted into the wrong var, a URL with a password, a
    // mistyped number: the message and the log line name the var only.
    let cases = [
        ("TAXJAR_API_URL", "tj_0123456789abcdef0123456789abcdef"),
        ("TAXJAR_API_URL", "https://user:s3cr3t-pass@api.taxjar.com"),
        ("CACHE_TTL_SECONDS", "s3cr3t-pass"),
        ("RATE_LIMIT", "s3cr3t-pass"),
        ("OFFLINE_FALLBACK", "s3cr3t-pass"),
        ("TAXJAR_API_TOKEN", "s3cr3t"),
        ("PROXY_KEYS", "pk_long_enough, s3cr3t"),
    ];
    for (var, value) in cases {
        let err = one(var, value).unwrap_err();
        assert_eq!(err.var, var);
        for text in [err.to_string(), err.log_line()] {
            assert!(
                !text.contains("s3cr3t") && !text.contains("0123456789ab"),
                "{text}"
            );
        }
    }
    let err = one("TAXJAR_API_TOKEN", "short").unwrap_err();
    assert_eq!(
        err.to_string(),
        "TAXJAR_API_TOKEN must be at least 8 characters long"
    );
    assert_eq!(
        err.log_line(),
        r#"{"event":"config_error","level":"error","problem":"must be at least 8 characters long","value_chars":5,"var":"TAXJAR_API_TOKEN"}"#
    );
    let err = one("PROXY_KEYS", "pk_long_enough,pk_1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "PROXY_KEYS keys must each be at least 8 characters long"
    );
    assert!(one("PROXY_KEYS", "pk_test_1").is_ok());
}
