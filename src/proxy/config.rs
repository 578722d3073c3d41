//! The Worker's settings, read once per isolate from its env vars.
//!
//! Every var is optional; the defaults are those of `worker/wrangler.toml`.
//! A malformed number or flag is a configuration error (the Worker then
//! answers 503 naming the var), never a silent fallback. An error names
//! the var and what is wrong with it, never its value: a secret pasted
//! into the wrong var would otherwise be shown to anyone who asks
//! (issue #16). The log line ([`ConfigError::log_line`]) adds only the
//! value's length.

use sha2::{Digest, Sha256};

use crate::redact::Redactor;

/// `TAXJAR_API_URL` when unset.
pub(crate) const DEFAULT_API_URL: &str = "https://api.taxjar.com";
/// `PLUGIN` when unset: the partner tag sent in every tax request.
pub(crate) const DEFAULT_PLUGIN: &str = "edgetax";
/// `CACHE_TTL_SECONDS` when unset.
pub(crate) const DEFAULT_CACHE_TTL_SECONDS: u32 = 900;
/// `UPSTREAM_TIMEOUT_MS` when unset.
pub(crate) const DEFAULT_UPSTREAM_TIMEOUT_MS: u32 = 5000;
/// `LOG_RETENTION_DAYS` when unset: how long the D1 logs keep a request.
pub(crate) const DEFAULT_LOG_RETENTION_DAYS: u32 = 7;
/// `RATE_LIMIT` (requests per minute per caller) when unset.
pub(crate) const DEFAULT_RATE_LIMIT: u32 = 120;

/// The names of every var the Worker reads, in the order they are checked.
pub(crate) const VARS: [&str; 19] = [
    "TAXJAR_API_URL",
    "TAXJAR_API_TOKEN",
    "PROXY_KEYS",
    "ALLOWED_ORIGINS",
    "PLUGIN",
    "STORE_URL",
    "CACHE_TTL_SECONDS",
    "UPSTREAM_TIMEOUT_MS",
    "RATE_LIMIT",
    "CALCULATIONS_ENABLED",
    "OFFLINE_FALLBACK",
    "OFFLINE_FOR_SERVERS",
    "LEGACY_ROUTES",
    "REPORTING_ENABLED",
    "LOGGING_ENABLED",
    "LOG_RETENTION_DAYS",
    "CUSTOMER_CONTEXT_SECRET",
    "CONSOLE_KEY",
    "CONSOLE_SECRET",
];

/// A setting that could not be read: which var, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The var's name.
    pub var: &'static str,
    /// What the value must be (never the value itself).
    pub problem: String,
    /// How many characters the value has, for the log.
    pub value_chars: usize,
}

impl ConfigError {
    fn new(var: &'static str, problem: impl Into<String>, value: &str) -> ConfigError {
        ConfigError {
            var,
            problem: problem.into(),
            value_chars: value.chars().count(),
        }
    }

    /// The log line for the merchant: still no value, only its length.
    pub fn log_line(&self) -> String {
        serde_json::json!({
            "level": "error",
            "event": "config_error",
            "var": self.var,
            "problem": self.problem,
            "value_chars": self.value_chars,
        })
        .to_string()
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.var, self.problem)
    }
}

/// A proxy key as the Worker keeps it: only its SHA-256, so a key is never
/// held, compared or logged in clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyKey {
    digest: [u8; 32],
}

impl ProxyKey {
    /// Keeps the digest of `key`.
    pub fn new(key: &str) -> ProxyKey {
        ProxyKey {
            digest: Sha256::digest(key.as_bytes()).into(),
        }
    }

    /// Whether `presented` is this key (compares digests in constant time).
    pub fn matches(&self, presented: &str) -> bool {
        let other: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut diff = 0u8;
        for (a, b) in self.digest.iter().zip(other.iter()) {
            diff |= a ^ b;
        }
        diff == 0
    }

    /// An 8-hex-digit label of the key, for logs and rate-limit keys.
    pub fn id(&self) -> String {
        self.digest[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The Worker's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TaxJar's base URL, without a trailing `/`.
    pub api_url: String,
    /// The real TaxJar token; `None` when unset or blank.
    pub token: Option<String>,
    /// Keys that server callers present as `Authorization: Bearer <key>`.
    pub proxy_keys: Vec<ProxyKey>,
    /// Browser origins allowed, matched exactly (`https://shop.example`).
    pub allowed_origins: Vec<String>,
    /// The `plugin` tag of tax requests; `None` when set blank.
    pub plugin: Option<String>,
    /// Sent upstream as `Referer`; `None` when unset.
    pub store_url: Option<String>,
    /// How long a tax answer is cached; 0 caches nothing at all.
    pub cache_ttl_seconds: u32,
    /// How long one upstream attempt may take.
    pub upstream_timeout_ms: u32,
    /// Requests per minute per caller; 0 turns the limit off.
    pub rate_limit: u32,
    /// `false` answers every `/v2/taxes` with 503.
    pub calculations_enabled: bool,
    /// Whether `/v2/taxes` is answered with a backup estimate when there
    /// is no token or TaxJar fails (see [`super::offline`]).
    pub offline_fallback: bool,
    /// Whether server callers get backup estimates too (they get the error
    /// by default: a server may record the tax it charged).
    pub offline_for_servers: bool,
    /// Whether the original Smart Sales Tax API routes are served (see
    /// [`super::legacy`]).
    pub legacy_routes: bool,
    /// `false` answers the transaction, customer and `/sync/*` routes with
    /// 503 (the guide's reporting toggle).
    pub reporting_enabled: bool,
    /// The secret customer contexts are signed with (see
    /// [`crate::context`]); `None` when unset or blank, and then a cart
    /// with a `customer_context` is refused.
    pub customer_context_secret: Option<String>,
    /// Whether each proxied request is logged in the `LOGS` D1 database
    /// (see [`crate::console::logs`]).
    pub logging_enabled: bool,
    /// How many days the D1 logs keep a request (the cron deletes older).
    pub log_retention_days: u32,
    /// The merchant's nexus addresses, entered in the console: sent as
    /// `nexus_addresses` on every tax request that has none of its own.
    /// Not a var: [`crate::console::live`] sets them.
    pub nexus_addresses: Vec<crate::cart::NexusAddress>,
    /// The nexus regions synced from TaxJar in the console (the JSON list
    /// of TaxJar's answer), answered on `GET /v2/nexus/regions`.
    pub synced_regions: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_url: DEFAULT_API_URL.to_owned(),
            token: None,
            proxy_keys: Vec::new(),
            allowed_origins: Vec::new(),
            plugin: Some(DEFAULT_PLUGIN.to_owned()),
            store_url: None,
            cache_ttl_seconds: DEFAULT_CACHE_TTL_SECONDS,
            upstream_timeout_ms: DEFAULT_UPSTREAM_TIMEOUT_MS,
            rate_limit: DEFAULT_RATE_LIMIT,
            calculations_enabled: true,
            offline_fallback: true,
            offline_for_servers: false,
            legacy_routes: false,
            reporting_enabled: true,
            customer_context_secret: None,
            logging_enabled: true,
            log_retention_days: DEFAULT_LOG_RETENTION_DAYS,
            nexus_addresses: Vec::new(),
            synced_regions: None,
        }
    }
}

impl Config {
    /// Reads the settings through `var` (name → value, `None` when unset).
    /// Blank values count as unset, except `PLUGIN`, where blank means "send
    /// no plugin tag". The error names the var and what it must be.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let defaults = Config::default();
        let api_url = match get("TAXJAR_API_URL") {
            Some(url) => api_url(&url)?,
            None => defaults.api_url,
        };
        let plugin = match var("PLUGIN") {
            Some(tag) => Some(tag.trim().to_owned()).filter(|t| !t.is_empty()),
            None => defaults.plugin,
        };
        let token = get("TAXJAR_API_TOKEN");
        if let Some(token) = &token {
            long_enough("TAXJAR_API_TOKEN", "must be", token)?;
        }
        let keys = list(get("PROXY_KEYS"));
        for key in &keys {
            long_enough("PROXY_KEYS", "keys must each be", key)?;
        }
        Ok(Config {
            api_url,
            token,
            proxy_keys: keys.iter().map(|k| ProxyKey::new(k)).collect(),
            allowed_origins: list(get("ALLOWED_ORIGINS"))
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                // "null" is what sandboxed frames and file pages send; it
                // names no site, so it can never be allowed.
                .filter(|o| o != "null" && !o.is_empty())
                .collect(),
            plugin,
            store_url: get("STORE_URL"),
            cache_ttl_seconds: number(
                get("CACHE_TTL_SECONDS"),
                "CACHE_TTL_SECONDS",
                defaults.cache_ttl_seconds,
                0..=31_536_000,
            )?,
            upstream_timeout_ms: number(
                get("UPSTREAM_TIMEOUT_MS"),
                "UPSTREAM_TIMEOUT_MS",
                defaults.upstream_timeout_ms,
                1..=120_000,
            )?,
            rate_limit: number(
                get("RATE_LIMIT"),
                "RATE_LIMIT",
                defaults.rate_limit,
                0..=1_000_000,
            )?,
            calculations_enabled: flag(get("CALCULATIONS_ENABLED"), "CALCULATIONS_ENABLED", true)?,
            offline_fallback: flag(get("OFFLINE_FALLBACK"), "OFFLINE_FALLBACK", true)?,
            offline_for_servers: flag(get("OFFLINE_FOR_SERVERS"), "OFFLINE_FOR_SERVERS", false)?,
            legacy_routes: flag(get("LEGACY_ROUTES"), "LEGACY_ROUTES", false)?,
            reporting_enabled: flag(get("REPORTING_ENABLED"), "REPORTING_ENABLED", true)?,
            logging_enabled: flag(get("LOGGING_ENABLED"), "LOGGING_ENABLED", true)?,
            log_retention_days: number(
                get("LOG_RETENTION_DAYS"),
                "LOG_RETENTION_DAYS",
                defaults.log_retention_days,
                1..=90,
            )?,
            customer_context_secret: context_secret(get("CUSTOMER_CONTEXT_SECRET"))?,
            ..defaults
        })
    }

    /// Whether `origin` is exactly one of the allowed origins.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        origin != "null" && self.allowed_origins.iter().any(|o| o == origin)
    }

    /// The proxy key `presented` matches, if any.
    pub fn proxy_key(&self, presented: &str) -> Option<&ProxyKey> {
        self.proxy_keys.iter().find(|k| k.matches(presented))
    }
}

/// The vars whose values are secrets: redacted from everything the
/// Worker sends or logs.
pub(crate) const SECRET_VARS: [&str; 5] = [
    "TAXJAR_API_TOKEN",
    "PROXY_KEYS",
    "CUSTOMER_CONTEXT_SECRET",
    "CONSOLE_KEY",
    "CONSOLE_SECRET",
];

/// The redactor of every secret in the env, read raw (each proxy key on
/// its own), so it works even when the settings are invalid, and of
/// `extra` (the API token pasted in the console).
pub(crate) fn redactor(var: impl Fn(&str) -> Option<String>, extra: Option<&str>) -> Redactor {
    let mut secrets: Vec<String> = extra.map(str::to_owned).into_iter().collect();
    for name in SECRET_VARS {
        let value = var(name).unwrap_or_default();
        if name == "PROXY_KEYS" {
            secrets.extend(list(Some(value)));
        } else {
            secrets.push(value.trim().to_owned());
        }
    }
    Redactor::new(secrets.iter().map(String::as_str))
}

/// `CUSTOMER_CONTEXT_SECRET`: at least as long as `customerContext`
/// demands, so a short (guessable) secret is a configuration error, not a
/// forgeable signature. The error never holds the value.
fn context_secret(value: Option<String>) -> Result<Option<String>, ConfigError> {
    let min = crate::context::MIN_SECRET_CHARS;
    match value {
        Some(s) if s.chars().count() < min => Err(ConfigError::new(
            "CUSTOMER_CONTEXT_SECRET",
            format!("must be at least {min} characters long"),
            &s,
        )),
        other => Ok(other),
    }
}

/// Items separated by commas or whitespace, blanks dropped.
fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The shortest token or proxy key accepted: a shorter one is guessable,
/// and too short to redact from answers without mangling them.
pub(crate) const MIN_SECRET_CHARS: usize = 8;

fn long_enough(var: &'static str, what: &str, secret: &str) -> Result<(), ConfigError> {
    if secret.chars().count() >= MIN_SECRET_CHARS {
        return Ok(());
    }
    let problem = format!("{what} at least {MIN_SECRET_CHARS} characters long");
    Err(ConfigError::new(var, problem, secret))
}

fn api_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', '@', ' ']) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::new(
            "TAXJAR_API_URL",
            "must be an http(s) URL without query or credentials",
            url,
        )),
    }
}

fn number(
    value: Option<String>,
    name: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::new(
            name,
            format!(
                "must be a whole number from {} to {}",
                range.start(),
                range.end()
            ),
            &text,
        )),
    }
}

fn flag(value: Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(name, "must be true or false", &text)),
    }
}

#[cfg(test)]
mod tests;
