//! The settings a merchant changes in the console, without a redeploy.
//!
//! The `wrangler.toml` vars stay the defaults; what the console saved
//! (in the `CONSOLE` KV namespace, under [`STORE_KEY`]) wins over them.
//! The Worker reads the saved values again at most every
//! [`RELOAD_SECONDS`], so within one isolate a change made elsewhere can
//! be that stale; the isolate that saved it uses it from its next request.
//!
//! Every value is checked as the Worker reads it, by
//! [`Config::from_vars`] on the merged vars: a saved value can never make
//! the Worker's settings invalid.

use crate::cart::NexusAddress;
use crate::error::{unknown_option, Code, Error};
use crate::json::{self, write::Object, Json};
use crate::proxy::config::{Config, ConfigError};

use super::nexus::{self, Synced};

/// The KV key of the saved settings (and the sealed API token).
pub const STORE_KEY: &str = "console:settings";

/// How long an isolate uses the saved settings before reading them again.
pub const RELOAD_SECONDS: u64 = 30;

/// The most bytes of a settings or token body read.
pub(crate) const BODY_LIMIT: usize = 16 * 1024;

/// How a setting is shown and edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// On or off.
    Flag,
    /// A whole number.
    Number,
    /// One line of text.
    Text,
    /// Several values (the allowed origins).
    List,
}

/// One setting: its name in the console's API and the var it overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The field name (snake_case).
    pub name: &'static str,
    /// The `wrangler.toml` var.
    pub var: &'static str,
    /// How it is edited.
    pub kind: Kind,
    /// The value when neither the console nor a var sets it.
    pub default: &'static str,
}

const fn setting(
    name: &'static str,
    var: &'static str,
    kind: Kind,
    default: &'static str,
) -> Setting {
    Setting {
        name,
        var,
        kind,
        default,
    }
}

/// The settings, in the console's order.
pub const SETTINGS: [Setting; 10] = [
    setting(
        "calculations_enabled",
        "CALCULATIONS_ENABLED",
        Kind::Flag,
        "true",
    ),
    setting("reporting_enabled", "REPORTING_ENABLED", Kind::Flag, "true"),
    setting("backup_estimates", "OFFLINE_FALLBACK", Kind::Flag, "true"),
    setting("logging_enabled", "LOGGING_ENABLED", Kind::Flag, "true"),
    setting(
        "log_retention_days",
        "LOG_RETENTION_DAYS",
        Kind::Number,
        "7",
    ),
    setting("allowed_origins", "ALLOWED_ORIGINS", Kind::List, ""),
    setting("plugin", "PLUGIN", Kind::Text, "edgetax"),
    setting("store_url", "STORE_URL", Kind::Text, ""),
    setting(
        "cache_ttl_seconds",
        "CACHE_TTL_SECONDS",
        Kind::Number,
        "900",
    ),
    setting("rate_limit", "RATE_LIMIT", Kind::Number, "120"),
];

/// What the console saved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Values by var, each one of [`SETTINGS`]; they win over the env.
    pub vars: Vec<(String, String)>,
    /// The pasted API token, sealed (see [`super::vault`]).
    pub sealed_token: Option<String>,
    /// The nexus regions last synced from TaxJar.
    pub nexus: Option<Synced>,
    /// The merchant's nexus addresses, checked.
    pub nexus_addresses: Vec<NexusAddress>,
}

impl Stored {
    /// Reads what KV holds. Anything it does not know (an older or garbled
    /// entry) is dropped, never trusted: the vars then decide.
    pub fn parse(text: Option<&str>) -> Stored {
        let Some(Ok(root)) = text.map(json::parse) else {
            return Stored::default();
        };
        let mut stored = Stored::default();
        if let Some(Json::Object(vars)) = root.get("vars") {
            for (var, value) in vars {
                if let (Some(_), Some(value)) = (by_var(var), value.as_str()) {
                    stored.set(var, Some(value.to_owned()));
                }
            }
        }
        stored.sealed_token = root.get("token").and_then(Json::as_str).map(str::to_owned);
        stored.nexus = root.get("nexus").and_then(Synced::read);
        if let Some(list @ Json::Array(_)) = root.get("nexus_addresses") {
            let body = format!(r#"{{"nexus_addresses":{}}}"#, list.to_text());
            stored.nexus_addresses = nexus::addresses(&body).unwrap_or_default();
        }
        stored
    }

    /// The text to put in KV.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut root = Object::new(&mut out);
        let vars = root.key("vars");
        let mut inner = Object::new(vars);
        for (var, value) in &self.vars {
            inner.str(var, value);
        }
        inner.end();
        root.opt_str("token", self.sealed_token.as_deref());
        if let Some(synced) = &self.nexus {
            synced.write(root.key("nexus"));
        }
        if !self.nexus_addresses.is_empty() {
            root.raw(
                "nexus_addresses",
                &nexus::addresses_json(&self.nexus_addresses),
            );
        }
        root.end();
        out
    }

    /// The saved value of `var`.
    pub fn var(&self, var: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(v, _)| v == var)
            .map(|(_, value)| value.as_str())
    }

    /// Saves (`Some`) or forgets (`None`) the value of `var`, keeping the
    /// order of [`SETTINGS`].
    fn set(&mut self, var: &str, value: Option<String>) {
        self.vars.retain(|(v, _)| v != var);
        let Some(value) = value else {
            return;
        };
        // An ordered insert, not a sort: the crate keeps one copy of
        // std's sort in the .wasm (`crate::order`).
        let order = |v: &str| SETTINGS.iter().position(|s| s.var == v);
        let at = self.vars.iter().position(|(v, _)| order(v) > order(var));
        self.vars
            .insert(at.unwrap_or(self.vars.len()), (var.to_owned(), value));
    }
}

fn by_var(var: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.var == var)
}

/// The vars as the Worker uses them: saved values over `env`, and the API
/// token from the `TAXJAR_API_TOKEN` secret, else the one pasted in the
/// console (`pasted`, already unsealed).
pub fn merged<'a>(
    env: &'a dyn Fn(&str) -> Option<String>,
    stored: &'a Stored,
    pasted: Option<&'a str>,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        if name == "TAXJAR_API_TOKEN" {
            let secret = env(name).filter(|t| !t.trim().is_empty());
            return secret.or_else(|| pasted.map(str::to_owned));
        }
        match stored.var(name) {
            Some(value) => Some(value.to_owned()),
            None => env(name),
        }
    }
}

/// The Worker's settings from the env, the saved values and the pasted
/// token.
pub fn config(
    env: &dyn Fn(&str) -> Option<String>,
    stored: &Stored,
    pasted: Option<&str>,
) -> Result<Config, ConfigError> {
    let mut config = Config::from_vars(merged(env, stored, pasted))?;
    config.nexus_addresses = stored.nexus_addresses.clone();
    config.synced_regions = stored.nexus.as_ref().map(|n| n.regions.clone());
    Ok(config)
}

/// A setting's value and where it comes from: the console's, else the
/// var's (blank counts as unset, except `PLUGIN`, as `Config` reads it),
/// else the default.
fn value_and_source(
    env: &dyn Fn(&str) -> Option<String>,
    stored: &Stored,
    s: &Setting,
) -> (String, &'static str) {
    if let Some(value) = stored.var(s.var) {
        return (value.to_owned(), "console");
    }
    match env(s.var).filter(|v| s.var == "PLUGIN" || !v.trim().is_empty()) {
        Some(value) => (value, "wrangler.toml"),
        None => (s.default.to_owned(), "default"),
    }
}

/// A setting's value as JSON: a flag as `true`/`false`, a number as a
/// number, a list as strings, text as a string (`""` when unset).
fn value_json(kind: Kind, raw: &str) -> String {
    let raw = raw.trim();
    match kind {
        Kind::Flag => (raw == "true").to_string(),
        Kind::Number => raw
            .parse::<u64>()
            .map_or_else(|_| "null".to_owned(), |n| n.to_string()),
        Kind::Text => json::write::string_text(raw),
        Kind::List => {
            let items: Vec<String> = raw
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            json::write::strings(&items)
        }
    }
}

/// `GET /console/api/settings`: each setting's value, where it comes from
/// (`console`, `wrangler.toml` or `default`), its var and its default.
pub fn view(env: &dyn Fn(&str) -> Option<String>, stored: &Stored) -> String {
    let mut out = String::from(r#"{"settings":["#);
    for (i, s) in SETTINGS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (raw, source) = value_and_source(env, stored, s);
        let kind = match s.kind {
            Kind::Flag => "flag",
            Kind::Number => "number",
            Kind::Text => "text",
            Kind::List => "list",
        };
        Object::new(&mut out)
            .str("name", s.name)
            .str("var", s.var)
            .str("kind", kind)
            .raw("value", &value_json(s.kind, &raw))
            .str("source", source)
            .raw("default", &value_json(s.kind, s.default))
            .end();
    }
    out.push_str(&format!(r#"],"reload_seconds":{RELOAD_SECONDS}}}"#));
    out
}

/// Applies a `PUT /console/api/settings` body, `{"rate_limit": 60,
/// "plugin": null, ...}`: each named setting is saved, `null` forgets the
/// console's value (the var or default applies again). Refused, naming
/// the field, when a name is unknown, a value has the wrong type, or the
/// merged settings would not be valid.
pub fn update(
    env: &dyn Fn(&str) -> Option<String>,
    stored: &Stored,
    body: &str,
) -> Result<Stored, Error> {
    let root =
        json::parse(body).map_err(|_| Error::new(Code::InvalidType, "the body is not JSON"))?;
    let Json::Object(members) = root else {
        return Err(Error::new(
            Code::InvalidType,
            "the body must be a JSON object of settings",
        ));
    };
    let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
    let mut next = stored.clone();
    for (name, value) in &members {
        let Some(s) = SETTINGS.iter().find(|s| s.name == name) else {
            return Err(unknown_option(name, name, &names));
        };
        next.set(s.var, raw_value(s, value)?);
    }
    if let Err(problem) = config(env, &next, None) {
        let field = SETTINGS
            .iter()
            .find(|s| s.var == problem.var)
            .map_or(problem.var, |s| s.name);
        return Err(Error::field(
            Code::InvalidValue,
            field,
            format!("{field} {}", problem.problem),
        ));
    }
    Ok(next)
}

/// A setting's JSON value as the var's text (`None` for `null`).
fn raw_value(s: &Setting, value: &Json) -> Result<Option<String>, Error> {
    let wrong = |what: &str| {
        Error::field(
            Code::InvalidType,
            s.name,
            format!("{} must be {what}", s.name),
        )
    };
    let text = match (s.kind, value) {
        (_, Json::Null) => return Ok(None),
        (Kind::Flag, Json::Bool(b)) => b.to_string(),
        (Kind::Flag, _) => return Err(wrong("true or false")),
        (Kind::Number, v) => v
            .as_u64()
            .ok_or_else(|| wrong("a whole number"))?
            .to_string(),
        (Kind::Text, Json::String(text)) => one_line(s, text)?,
        (Kind::Text, _) => return Err(wrong("a string")),
        (Kind::List, Json::Array(items)) => {
            let mut texts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let text = item.as_str().ok_or_else(|| wrong("a list of strings"))?;
                let text = text.trim().trim_end_matches('/');
                if !is_origin(text) {
                    let message = format!(
                        "{}[{i}] must be an origin such as https://shop.example (scheme, host and port only)",
                        s.name
                    );
                    return Err(Error::field(
                        Code::InvalidValue,
                        format!("{}[{i}]", s.name),
                        message,
                    ));
                }
                texts.push(text.to_owned());
            }
            texts.join(",")
        }
        (Kind::List, _) => return Err(wrong("a list of strings")),
    };
    Ok(Some(text))
}

fn one_line(s: &Setting, text: &str) -> Result<String, Error> {
    if text.chars().count() > 500 || text.contains(char::is_control) {
        let message = format!("{} must be one line of at most 500 characters", s.name);
        return Err(Error::field(Code::InvalidValue, s.name, message));
    }
    if s.var == "STORE_URL"
        && !text.trim().is_empty()
        && !text.trim().starts_with("https://")
        && !text.trim().starts_with("http://")
    {
        let message = format!("{} must be a URL such as https://shop.example", s.name);
        return Err(Error::field(Code::InvalidValue, s.name, message));
    }
    Ok(text.trim().to_owned())
}

/// `https://host` or `http://host:port`: what a browser sends as `Origin`
/// (no path, user or query; IPv6 literals are not taken).
pub(crate) fn is_origin(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = port.map_or(true, |p| {
        (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    });
    host_ok && port_ok
}
