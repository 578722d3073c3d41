//! The answers of the console's calls ([`super::Call`]) that the Worker
//! completes: it reads the body and KV, sends what these functions build,
//! and answers what they decide.

use crate::error::Error;
use crate::proxy::config::Config;
use crate::proxy::route::match_route;
use crate::proxy::upstream::{self, Outcome, UpstreamRequest};
use crate::proxy::{Matched, Reply};

use super::live::{env_var, Env, Live};
use super::settings::{self, Stored};
use super::Status;
use super::{nexus, vault};

/// The call that checks a token: TaxJar's product categories, which every
/// valid token may read and which is not a billed calculation.
pub(crate) const CHECK_PATH: &str = "/v2/categories";

/// The settings in use, or the 503 naming what is wrong with them.
pub fn config(live: &Live) -> Result<&Config, Reply> {
    live.config
        .as_ref()
        .map_err(|problem| Reply::error(503, &format!("configuration error: {problem}")))
}

/// `GET /console/api/status`: the token secret and TaxJar URL of `env`,
/// and the token pasted in the console.
pub fn status(env: &Env, live: &Live) -> Reply {
    let status = Status::from_vars(
        env_var(env, "TAXJAR_API_TOKEN").as_deref(),
        env_var(env, "TAXJAR_API_URL").as_deref(),
    );
    Reply::json(200, status.with_pasted(live.pasted_last4()).json())
}

/// `GET /console/api/settings`.
pub fn read_settings(env: &Env, stored: &Stored) -> Reply {
    Reply::json(200, settings::view(&|name| env_var(env, name), stored))
}

/// A body the Worker read: `None` when it was longer than
/// [`settings::BODY_LIMIT`] or not UTF-8.
fn text(body: Option<&[u8]>) -> Result<&str, Reply> {
    let body = body.ok_or_else(|| Reply::error(413, "the body is too long"))?;
    std::str::from_utf8(body).map_err(|_| Reply::error(400, "the body is not UTF-8"))
}

/// `PUT /console/api/settings` over what KV holds (`stored`): what to
/// save, or the 400 naming the field.
pub fn save_settings(env: &Env, stored: &Stored, body: Option<&[u8]>) -> Result<Stored, Reply> {
    let body = text(body)?;
    settings::update(&|name| env_var(env, name), stored, body)
        .map_err(|error: Error| Reply::invalid(&error))
}

/// `PUT /console/api/token`: the pasted token, and the request that checks
/// it against TaxJar (with the Worker's TaxJar URL and store settings).
pub fn token_check(
    live: &Live,
    body: Option<&[u8]>,
) -> Result<(String, Matched, UpstreamRequest), Reply> {
    let token = vault::pasted(text(body)?).map_err(|detail| Reply::error(400, &detail))?;
    let config = config(live)?;
    let (matched, request) = check_request(config, &token);
    Ok((token, matched, request))
}

fn check_request(config: &Config, token: &str) -> (Matched, UpstreamRequest) {
    let matched = match_route("GET", CHECK_PATH).expect("a known route");
    let request = upstream::build(config, token, &matched, None);
    (matched, request)
}

/// The answer of `PUT /console/api/token` once TaxJar answered the check:
/// on 200 the token is kept (the answer shows its last 4), else nothing
/// is kept and the answer says why.
pub fn token_checked(token: &str, outcome: &Outcome) -> Result<Reply, Reply> {
    match vault::checked(outcome) {
        Ok(()) => {
            let body = format!(
                r#"{{"saved":true,"last4":{}}}"#,
                crate::json::write::string_text(&vault::last4(token))
            );
            Ok(Reply::json(200, body))
        }
        Err((status, detail)) => Err(Reply::error(status, &detail)),
    }
}

/// `POST /console/api/test`: the request that tests the token in use, or
/// 409 when there is none.
pub fn test_request(live: &Live) -> Result<(Matched, UpstreamRequest), Reply> {
    let config = config(live)?;
    let token = config
        .token
        .as_deref()
        .ok_or_else(|| Reply::error(409, "no API token is configured: paste one first"))?;
    Ok(check_request(config, token))
}

/// The answer of `POST /console/api/test`: always 200, saying whether
/// TaxJar accepted the token, with its status and the time taken.
pub fn tested(outcome: &Outcome, ms: f64) -> Reply {
    let status = match outcome {
        Outcome::Answered { status, .. } | Outcome::TooLarge { status, .. } => status.to_string(),
        _ => "null".to_owned(),
    };
    let (ok, detail) = match vault::checked(outcome) {
        Ok(()) => (true, "Connected: TaxJar accepted the API token".to_owned()),
        Err((_, detail)) => (false, detail),
    };
    let body = format!(
        r#"{{"ok":{ok},"status":{status},"ms":{},"detail":{}}}"#,
        ms.round() as u64,
        crate::json::write::string_text(&detail)
    );
    Reply::json(200, body)
}

/// `GET /console/api/nexus`.
pub fn read_nexus(live: &Live) -> Reply {
    match &live.config {
        Ok(config) => {
            let synced_at = live.stored.nexus.as_ref().map(|n| n.synced_at);
            Reply::json(200, nexus::view(config, synced_at))
        }
        Err(problem) => Reply::error(503, &format!("configuration error: {problem}")),
    }
}

/// `PUT /console/api/nexus/addresses` over what KV holds: what to save,
/// or the 400 naming the address's field.
pub fn save_addresses(stored: &Stored, body: Option<&[u8]>) -> Result<Stored, Reply> {
    let list = nexus::addresses(text(body)?).map_err(|error| Reply::invalid(&error))?;
    let mut next = stored.clone();
    next.nexus_addresses = list;
    Ok(next)
}

/// `POST /console/api/nexus/sync` (and the cron): the request to TaxJar,
/// or 409 without a token.
pub fn nexus_request(live: &Live) -> Result<(Matched, UpstreamRequest), Reply> {
    let config = config(live)?;
    nexus::sync_request(config)
        .ok_or_else(|| Reply::error(409, "no API token is configured: paste one first"))
}

/// What KV holds with the synced regions, or the 502 saying why TaxJar's
/// answer was not kept (the regions kept before stay).
pub fn nexus_synced(stored: &Stored, outcome: &Outcome, now: u64) -> Result<Stored, Reply> {
    let synced = nexus::synced(outcome, now).map_err(|detail| Reply::error(502, &detail))?;
    let mut next = stored.clone();
    next.nexus = Some(synced);
    Ok(next)
}
