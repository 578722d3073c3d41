//! `GET /console/api/status`: what the console shows of the Worker's TaxJar
//! settings. Never the token, nor its length: only whether one is set and
//! where it comes from, and which TaxJar the Worker talks to.

use crate::json::write::Object;

/// TaxJar's live API.
pub(crate) const LIVE_URL: &str = "https://api.taxjar.com";
/// TaxJar's sandbox API.
pub(crate) const SANDBOX_URL: &str = "https://api.sandbox.taxjar.com";

/// The status of one Worker's TaxJar settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The API token: whether it is set, and from where.
    pub api_token: TokenStatus,
    /// `live`, `sandbox` or `custom`.
    pub environment: &'static str,
    /// The host of `TAXJAR_API_URL` (without any user or password).
    pub api_host: String,
}

/// Whether an API token is set, and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStatus {
    /// Whether a token is set.
    pub configured: bool,
    /// `secret` (the `TAXJAR_API_TOKEN` secret), `console` (pasted in the
    /// console) or `none`.
    pub source: &'static str,
    /// The last 4 characters of a pasted token (never of the secret).
    pub last4: Option<String>,
    /// Whether a pasted token is kept but unused, because the secret wins.
    pub pasted_ignored: bool,
}

impl Status {
    /// The status of the raw vars `TAXJAR_API_TOKEN` and `TAXJAR_API_URL`
    /// (the live API when unset).
    pub fn from_vars(token: Option<&str>, api_url: Option<&str>) -> Status {
        let configured = token.is_some_and(|t| !t.trim().is_empty());
        let url = api_url
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(LIVE_URL)
            .trim_end_matches('/');
        let environment = match url {
            LIVE_URL => "live",
            SANDBOX_URL => "sandbox",
            _ => "custom",
        };
        Status {
            api_token: TokenStatus {
                configured,
                source: if configured { "secret" } else { "none" },
                last4: None,
                pasted_ignored: false,
            },
            environment,
            api_host: host_of(url).to_owned(),
        }
    }

    /// The status with the token pasted in the console (its last 4
    /// characters, when there is one): used unless the secret is set.
    pub fn with_pasted(&self, last4: Option<String>) -> Status {
        let mut status = self.clone();
        let token = &mut status.api_token;
        match last4 {
            Some(_) if token.source == "secret" => token.pasted_ignored = true,
            Some(last4) => {
                *token = TokenStatus {
                    configured: true,
                    source: "console",
                    last4: Some(last4),
                    pasted_ignored: false,
                }
            }
            None => {}
        }
        status
    }

    /// The JSON body of the answer, by hand: a serde serializer of its
    /// own was more .wasm.
    pub fn json(&self) -> String {
        let TokenStatus {
            configured,
            source,
            last4,
            pasted_ignored,
        } = &self.api_token;
        let mut out = String::new();
        let mut root = Object::new(&mut out);
        let mut token = Object::new(root.key("api_token"));
        token.bool("configured", *configured).str("source", source);
        if let Some(last4) = last4 {
            token.str("last4", last4);
        }
        if *pasted_ignored {
            token.bool("pasted_ignored", true);
        }
        token.end();
        root.str("environment", self.environment)
            .str("api_host", &self.api_host)
            .end();
        out
    }
}

/// The host (and port) of `url`, without scheme, user, password or path.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_the_environment_and_never_the_token() {
        let live = Status::from_vars(Some("secret-token-123"), None);
        assert_eq!(
            live.json(),
            r#"{"api_token":{"configured":true,"source":"secret"},"environment":"live","api_host":"api.taxjar.com"}"#
        );
        let sandbox = Status::from_vars(None, Some("https://api.sandbox.taxjar.com/"));
        assert_eq!(
            sandbox.json(),
            r#"{"api_token":{"configured":false,"source":"none"},"environment":"sandbox","api_host":"api.sandbox.taxjar.com"}"#
        );
        let custom = Status::from_vars(Some("  "), Some("http://user:pw@127.0.0.1:9999/base"));
        assert_eq!(
            custom.json(),
            r#"{"api_token":{"configured":false,"source":"none"},"environment":"custom","api_host":"127.0.0.1:9999"}"#
        );
        assert_eq!(Status::from_vars(None, Some("")).environment, "live");
        let pasted = sandbox.with_pasted(Some("e214".into()));
        assert_eq!(
            pasted.json(),
            r#"{"api_token":{"configured":true,"source":"console","last4":"e214"},"environment":"sandbox","api_host":"api.sandbox.taxjar.com"}"#
        );
        let ignored = live.with_pasted(Some("e214".into()));
        assert_eq!(
            ignored.json(),
            r#"{"api_token":{"configured":true,"source":"secret","pasted_ignored":true},"environment":"live","api_host":"api.taxjar.com"}"#
        );
    }
}
