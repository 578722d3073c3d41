//! The merchant console's decisions (issue #19), as plain Rust with no I/O:
//! the Worker serves the console at `/console` (`bindings::worker` reads
//! the request, the `CONSOLE` KV namespace and the random source, and
//! writes what these modules answer). The console is off, every path 404,
//! unless both `CONSOLE_KEY` (the admin passphrase) and `CONSOLE_SECRET`
//! (which signs sessions) are set.
//!
//! | part | module | decides |
//! | --- | --- | --- |
//! | routes | [`route`] | paths and methods, session and CSRF gates, headers |
//! | session | [`session`] | passphrase check, signed cookie, CSRF token, `Set-Cookie` |
//! | limit | [`limit`] | failed sign-ins per address in 10 minutes → 429 |
//! | status | [`status`] | whether a TaxJar API token is set, and which TaxJar |
//! | settings | [`settings`] | what the merchant may change, checked, and where each value comes from |
//! | logs | [`logs`] | the D1 logs: each row, the filter and paging, the download, retention |
//! | savings | [`savings`] | the chart's daily counts, and the month so far |
//! | nexus | [`nexus`] | regions synced from TaxJar, and the merchant's nexus addresses |
//! | vault | [`vault`] | the pasted API token: checked, sealed (AES-GCM) and shown as its last 4 |
//! | live | [`live`] | the env, the saved settings and the token merged, and when to read KV again |
//! | calls | [`calls`] | the answers of the calls the Worker completes with KV or TaxJar |
//! | Transaction Sync | [`transactions`] | each order and refund received, what its delivery came to, retries |
//! | backfill | [`backfill`] | Backfill Transactions: an upload checked, decided by its dates, or exported as CSV |
//! | page | [`page`] | the page, its script and its style |
//!
//! The console shares nothing with the proxy's callers: no CORS on its
//! routes, proxy keys mean nothing there, and the proxy never reads cookies.

pub mod backfill;
pub mod calls;
pub mod limit;
pub mod live;
pub mod logs;
pub mod nexus;
pub mod page;
pub mod route;
pub mod savings;
pub mod session;
pub mod settings;
pub mod status;
pub mod transactions;
pub mod vault;

pub use live::Live;
pub use route::{front, sign_in, Call, ConsoleHead, SignedIn, Step};
pub use status::Status;

/// The shortest `CONSOLE_KEY` accepted.
pub(crate) const MIN_KEY_CHARS: usize = 8;
/// The shortest `CONSOLE_SECRET` accepted.
pub const MIN_SECRET_CHARS: usize = 32;

/// The console's two secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// `CONSOLE_KEY`: the admin passphrase.
    pub key: String,
    /// `CONSOLE_SECRET`: signs sessions and CSRF tokens.
    pub secret: String,
}

/// The console of one Worker isolate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Console {
    /// The secrets; `None` turns the console off.
    pub keys: Option<Keys>,
    /// Why the console is off although a key is set (for the log; it
    /// names the var, never its value).
    pub problem: Option<String>,
}

impl Console {
    /// Reads `CONSOLE_KEY` and `CONSOLE_SECRET`. A key shorter than `MIN_KEY_CHARS` or a secret
    /// shorter than [`MIN_SECRET_CHARS`] leaves the console off.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Console {
        let read = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let (key, secret) = (read("CONSOLE_KEY"), read("CONSOLE_SECRET"));
        let short = |value: &Option<String>, min: usize| {
            value.as_ref().is_some_and(|v| v.chars().count() < min)
        };
        let problem = if short(&key, MIN_KEY_CHARS) {
            Some(format!(
                "CONSOLE_KEY must be at least {MIN_KEY_CHARS} characters long; the console is off"
            ))
        } else if short(&secret, MIN_SECRET_CHARS) {
            Some(format!("CONSOLE_SECRET must be at least {MIN_SECRET_CHARS} characters long; the console is off"))
        } else {
            None
        };
        let keys = match (key, secret, &problem) {
            (Some(key), Some(secret), None) => Some(Keys { key, secret }),
            _ => None,
        };
        Console { keys, problem }
    }
}
