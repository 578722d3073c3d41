//! The order the decisions apply in, from request head to answer.
//!
//! 1. [`front`]: configuration error → 503; route → 404 / 405 (legacy
//!    routes only with `LEGACY_ROUTES`); preflight → 204 / 403; caller →
//!    403; browser on a server route → 403; no token → 503 (or, for a tax
//!    request that may get one, a backup estimate later); calculations off
//!    → 503; legacy query length → 414; content type → 415; declared
//!    length → 413. What passes is [`Admitted`].
//! 2. The Worker applies the rate limit ([`rate_limit`] or the binding).
//! 3. [`prepare`]: body length → 413; body (see [`super::json`]), customer
//!    fields and context (see [`super::context`]) or legacy query → 400; the upstream request and the cache key. `/sync/*`
//!    bodies get `check_sync_body` instead.
//! 4. Without a token, the Worker answers with `offline_answer`. Else it
//!    looks in the cache (`from_cache` on a hit), else asks TaxJar,
//!    retrying as `super::upstream::policy` says.
//! 5. [`answer`]: the caller's answer and what to store; or, when
//!    `falls_back`, `offline_answer` (never stored).
//! 6. [`complete`]: CORS and `x-edgetax-cache` on whatever is sent.

use crate::offline::{Date, OfflineOptions};
use crate::validate::ValidCart;

use super::body;
use super::cache;
use super::caller::{self, Caller};
use super::config::{Config, ConfigError};
use super::context::Gate;
use super::legacy;
use super::log::{CacheStatus, LogEntry};
use super::offline;
use super::ratelimit::{self, TokenBuckets};
use super::reply::Reply;
use super::route::{match_route_in, Kind, Matched, RouteError};
use super::upstream::{self, Outcome, UpstreamRequest};

/// The request head, as the Worker read it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Head<'a> {
    /// The method.
    pub method: &'a str,
    /// The full request URL.
    pub url: &'a str,
    /// The `Origin` header.
    pub origin: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The `Content-Length` header.
    pub content_length: Option<&'a str>,
    /// The `CF-Connecting-IP` header (only ever hashed).
    pub client_ip: Option<&'a str>,
}

/// A request that passed every check that needs no body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    /// Its route.
    pub matched: Matched,
    /// Who called.
    pub caller: Caller,
    /// The rate-limit key ([`Caller::rate_key`]).
    pub rate_key: String,
    /// The most body bytes to read; `None` when the route takes no body.
    pub body_limit: Option<usize>,
    /// No token is set: the request is answered with a backup estimate,
    /// without the cache or TaxJar.
    pub offline_only: bool,
}

/// What [`front`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Front {
    /// Answer now with this (already [`complete`]d).
    Done(Reply),
    /// Go on: rate limit, body, cache, upstream.
    Admitted(Admitted),
}

/// Everything needed to serve an admitted request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// The request for TaxJar.
    pub upstream: UpstreamRequest,
    /// The cache URL, for cached routes.
    pub cache_url: Option<String>,
    /// A short label of the cache key, for the log.
    pub key_hash: Option<String>,
    /// The validated cart of a tax request, for a backup estimate.
    pub cart: Option<ValidCart>,
}

/// An answer for the caller and, when it may be kept, what to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// The caller's answer (not yet [`complete`]d).
    pub reply: Reply,
    /// `(ttl seconds, TaxJar's status, body)` to put in the cache.
    pub store: Option<(u32, u16, String)>,
}

/// Step 1: every check on the request head. `config` is the isolate's
/// settings or the configuration error. Fills `log.path` and `log.caller`.
pub fn front(config: Result<&Config, &ConfigError>, head: &Head, log: &mut LogEntry) -> Front {
    let config = match config {
        Ok(config) => config,
        Err(problem) => {
            // Names the var, never its value (the log has the details).
            let detail = format!("configuration error: {problem}");
            return Front::Done(Reply::error(503, &detail));
        }
    };
    // Errors before the caller is known still carry CORS headers for an
    // allowed origin, so the page can read why it was refused.
    let cors = head.origin.filter(|o| config.origin_allowed(o));
    let done = |reply: Reply| Front::Done(decorate(reply, cors, CacheStatus::None));
    let matched = match match_route_in(head.method, head.url, config.legacy_routes) {
        Ok(matched) => matched,
        Err(RouteError::NotFound) => return done(Reply::error(404, "No such route")),
        Err(RouteError::MethodNotAllowed { pattern, allow }) => {
            log.path = pattern.to_owned();
            let reply = Reply::error(405, "this route does not accept that method");
            return done(reply.with_header("Allow", allow));
        }
    };
    log.path = matched.route.pattern.to_owned();
    if matched.is_preflight() {
        return Front::Done(caller::preflight(config, matched.route, head.origin));
    }
    let caller = match caller::classify_for(config, matched.route, head.origin, head.authorization)
    {
        Ok(caller) => caller,
        Err(reply) => {
            // Any page may read its refusal, which names no setting: the
            // widget can then say this page is not allowed.
            let refused = head.origin.and_then(caller::serialized_origin);
            return Front::Done(decorate(reply, refused, CacheStatus::None));
        }
    };
    log.caller = caller.label();
    let cors = caller.origin();
    let done = |reply: Reply| Front::Done(decorate(reply, cors, CacheStatus::None));
    if let Err(reply) = caller::permit(&caller, matched.route) {
        return done(reply);
    }
    if let Some(reply) = super::nexus::local_answer(config, &matched) {
        return done(reply);
    }
    let offline_only = config.token.is_none();
    if offline_only && !offline::eligible(config, &caller, matched.route.kind) {
        return done(Reply::error(503, "TAXJAR_API_TOKEN is not set"));
    }
    if matched.route.kind == Kind::Taxes && !config.calculations_enabled {
        return done(Reply::error(503, "calculations disabled"));
    }
    let reporting = matches!(
        matched.route.kind,
        Kind::Transactions | Kind::Customers | Kind::Sync
    );
    if reporting && !config.reporting_enabled {
        return done(Reply::error(503, "reporting disabled"));
    }
    if matched.route.kind == Kind::LegacySalesTax {
        if let Err(reply) = legacy::check_query_length(head.url) {
            return done(reply);
        }
    }
    let body_limit = if matched.route.takes_body(&matched.method) {
        if let Err(reply) = body::check_content_type(head.content_type) {
            return done(reply);
        }
        let limit = body::limit(matched.route.kind);
        if let Err(reply) = body::check_declared_length(head.content_length, limit) {
            return done(reply);
        }
        Some(limit)
    } else {
        None
    };
    Front::Admitted(Admitted {
        rate_key: caller.rate_key(head.client_ip),
        matched,
        caller,
        body_limit,
        offline_only,
    })
}

/// Step 2 without a binding: takes a token from the caller's bucket.
pub fn rate_limit(
    buckets: &mut TokenBuckets,
    admitted: &Admitted,
    now_ms: f64,
) -> Result<(), Reply> {
    buckets
        .take(&admitted.rate_key, now_ms)
        .map_err(ratelimit::limited)
}

/// Step 2 with a binding: the answer when it refused.
pub(crate) fn binding_refused() -> Reply {
    ratelimit::limited(ratelimit::BINDING_RETRY_AFTER_SECONDS)
}

/// Step 3: checks the body (empty for routes without one) or the legacy
/// query, and builds the upstream request and cache key (none when the
/// request is answered offline). `now` (unix seconds) judges the expiry of
/// a customer context.
pub fn prepare(
    config: &Config,
    admitted: &Admitted,
    bytes: &[u8],
    now: u64,
) -> Result<Prepared, Reply> {
    let matched = if admitted.matched.route.kind.is_legacy() {
        legacy::canonical(&admitted.matched)?
    } else {
        admitted.matched.clone()
    };
    if let Some(limit) = admitted.body_limit {
        body::check_length(bytes.len(), limit)?;
    }
    let mut key = None;
    let mut cart = None;
    let payload = if matched.route.kind == Kind::Taxes {
        let gate = Gate {
            from_browser: matches!(admitted.caller, Caller::Browser { .. }),
            secret: config.customer_context_secret.as_deref(),
            now,
        };
        let tax = body::taxes(
            bytes,
            config.plugin.as_deref(),
            &config.nexus_addresses,
            &gate,
        )?;
        key = Some(tax.key);
        cart = Some(tax.valid);
        Some(tax.json)
    } else if admitted.body_limit.is_some() {
        Some(body::json_object(bytes)?)
    } else {
        None
    };
    let cache_url =
        if admitted.offline_only || !cache::enabled(config) || !cache::cacheable(&matched) {
            None
        } else {
            match &key {
                Some(cart_key) => Some(cache::taxes_url(config, &matched, cart_key)),
                None => Some(cache::lookup_url(config, &matched)),
            }
        };
    let key_hash = match &key {
        Some(cart_key) => Some(cache::log_label(Kind::Taxes, cart_key)),
        None => cache_url
            .as_ref()
            .map(|_| cache::log_label(matched.route.kind, &matched.path_and_query())),
    };
    let token = config.token.as_deref().unwrap_or("");
    Ok(Prepared {
        upstream: upstream::build(config, token, &matched, payload),
        cache_url,
        key_hash,
        cart,
    })
}

/// Step 3, last: a tax request answered zero without a call (exempt, or
/// no nexus where the nexus is known; see [`super::nexus::skip`]).
pub fn skip(config: &Config, prepared: &Prepared) -> Option<Reply> {
    super::nexus::skip(config, prepared.cart.as_ref()?)
}

/// Step 3 for `/sync/*`, whose items [`super::sync::jobs`] checks: the
/// body's length (413) and its JSON (400 naming the field).
pub(crate) fn check_sync_body(admitted: &Admitted, bytes: &[u8]) -> Result<(), Reply> {
    if let Some(limit) = admitted.body_limit {
        body::check_length(bytes.len(), limit)?;
    }
    body::checked(bytes).map(|_| ())
}

/// Step 4 on a hit: the stored answer (status from [`cache::STATUS_HEADER`]).
pub(crate) fn from_cache(status: Option<&str>, body: String) -> Reply {
    let status = status.and_then(|s| s.parse::<u16>().ok()).unwrap_or(200);
    Reply::json(status, body)
}

/// The headers of the response put in the cache for `(ttl, status)`.
pub(crate) fn stored_headers(ttl: u32, status: u16) -> Vec<(String, String)> {
    vec![
        (
            "Content-Type".to_owned(),
            crate::proxy::reply::JSON_TYPE.to_owned(),
        ),
        ("Cache-Control".to_owned(), format!("max-age={ttl}")),
        (cache::STATUS_HEADER.to_owned(), status.to_string()),
    ]
}

/// Step 5: the caller's answer for TaxJar's `outcome`, and what to store.
pub fn answer(config: &Config, admitted: &Admitted, outcome: &Outcome) -> Finished {
    let kind = admitted.matched.route.kind;
    let (reply, own) = upstream::map_for(config, &admitted.matched, outcome);
    // What the caller got is what is kept (a TaxJar error body, rebuilt
    // clean, is kept as rebuilt).
    let store = match (outcome, &reply.body) {
        (Outcome::Answered { status, .. }, Some(body))
            if own && cache::cacheable(&admitted.matched) =>
        {
            cache::ttl(config, kind, *status).map(|ttl| (ttl, *status, body.clone()))
        }
        _ => None,
    };
    Finished { reply, store }
}

/// Step 5 when TaxJar failed: whether this request gets a backup estimate
/// instead of `finished`, the error ([`offline::eligible`] and
/// [`offline::upstream_failed`], or a 2xx answer that could not be read).
pub(crate) fn falls_back(
    config: &Config,
    admitted: &Admitted,
    outcome: &Outcome,
    finished: &Finished,
) -> bool {
    let unreadable = matches!(
        outcome,
        Outcome::Answered {
            status: 200..=299,
            ..
        }
    ) && finished.reply.status == 502;
    offline::eligible(config, &admitted.caller, admitted.matched.route.kind)
        && (offline::upstream_failed(outcome) || unreadable)
}

/// Steps 4 and 5 offline: the backup estimate of a prepared tax request
/// (`None` for other routes), on the UTC day `today`, with the kept
/// summary rates in `options`. [`complete`] it with [`CacheStatus::Miss`]:
/// it is never stored.
pub(crate) fn offline_answer(
    prepared: &Prepared,
    today: Date,
    options: &OfflineOptions,
) -> Option<Reply> {
    let cart = prepared.cart.as_ref()?;
    Some(offline::reply(cart, today, options))
}

/// Step 6: CORS for browsers and `x-edgetax-cache` on cached routes.
pub fn complete(admitted: &Admitted, reply: Reply, cache: CacheStatus) -> Reply {
    decorate(reply, admitted.caller.origin(), cache)
}

fn decorate(reply: Reply, cors: Option<&str>, cache: CacheStatus) -> Reply {
    let reply = match cache.header() {
        Some(value) => reply.with_header("x-edgetax-cache", value),
        None => reply,
    };
    match cors {
        Some(origin) => caller::with_cors(reply, origin),
        None => reply,
    }
}
