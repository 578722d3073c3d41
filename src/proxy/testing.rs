//! Helpers shared by the proxy's unit tests.

use serde_json::{json, Value};

use super::config::{Config, ConfigError};
use super::reply::Reply;
use super::upstream::Outcome;

/// An allowed browser origin of [`config`].
pub const SHOP: &str = "https://shop.example";

/// Settings as the workerd tests use them (a fake TaxJar on 127.0.0.1).
pub fn config() -> Config {
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

/// Settings with one var set.
pub fn one(name: &'static str, value: &'static str) -> Result<Config, ConfigError> {
    Config::from_vars(move |n| (n == name).then(|| value.to_owned()))
}

/// A TaxJar-style error answer as `"<status> <error>: <detail>"`, after
/// checking that the body has exactly those three fields and the status
/// of the answer itself.
pub fn tj(reply: &Reply) -> String {
    let body: Value = serde_json::from_str(reply.body.as_deref().unwrap_or("null")).unwrap();
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

/// TaxJar's answer with `status`, `body` and maybe `Retry-After`.
pub fn answered(status: u16, body: &str, retry_after: Option<&str>) -> Outcome {
    let retry_after = retry_after.map(str::to_owned);
    Outcome::Answered {
        status,
        body: body.into(),
        retry_after,
    }
}
