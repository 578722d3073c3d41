//! The console's routes, who may use them, and the headers of every
//! answer. [`front`] decides everything but a sign-in, which needs the
//! body and the stored failures: [`sign_in`] decides that.

use crate::json;
use crate::proxy::flow::Head;
use crate::proxy::log::LogEntry;
use crate::proxy::Reply;

use super::limit;
use super::page;
use super::session::{self, Session};
use super::Console;

/// The console's `Content-Security-Policy`: its own files only, no inline
/// script, never in a frame.
pub const CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The most bytes of a sign-in body read.
pub(crate) const SIGN_IN_BODY_LIMIT: usize = 4096;

/// The console's routes: path, the methods it takes.
pub(crate) const ROUTES: [(&str, &str); 24] = [
    ("/console", "GET"),
    ("/console/", "GET"),
    ("/console/console.css", "GET"),
    ("/console/console.js", "GET"),
    ("/console/console-api.js", "GET"),
    ("/console/console-settings.js", "GET"),
    ("/console/console-nexus.js", "GET"),
    ("/console/console-logs.js", "GET"),
    ("/console/console-sync.js", "GET"),
    ("/console/api/session", "GET, POST, DELETE"),
    ("/console/api/status", "GET"),
    ("/console/api/settings", "GET, PUT"),
    ("/console/api/token", "PUT, DELETE"),
    ("/console/api/test", "POST"),
    ("/console/api/nexus", "GET"),
    ("/console/api/nexus/sync", "POST"),
    ("/console/api/nexus/addresses", "PUT"),
    ("/console/api/logs", "GET"),
    ("/console/api/logs/download", "GET"),
    ("/console/api/savings", "GET"),
    ("/console/api/sync", "GET"),
    ("/console/api/sync/retry", "POST"),
    ("/console/api/backfill", "GET, POST"),
    ("/console/api/backfill/csv", "POST"),
];

/// A console request's head, as the Worker read it: the proxy's [`Head`]
/// (of which the console reads the method, URL and content type only:
/// never `Origin` nor `Authorization`) and the two headers only the
/// console reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleHead<'a> {
    /// The method, URL and content type.
    pub head: Head<'a>,
    /// The `Cookie` header.
    pub cookie: Option<&'a str>,
    /// The `x-csrf-token` header.
    pub csrf: Option<&'a str>,
}

/// What [`front`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Not a console path: the proxy's request.
    Pass,
    /// Answer with this.
    Done(Reply),
    /// A sign-in: the Worker reads the body (up to `SIGN_IN_BODY_LIMIT`)
    /// and the stored failures of the caller, then asks [`sign_in`].
    SignIn,
    /// A signed-in call (its CSRF token checked) that needs the Worker's
    /// settings, KV or TaxJar: the Worker does it.
    Call(Call),
}

/// The console's calls that the Worker completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `GET /console/api/status`: [`super::Status`] with the pasted token.
    Status,
    /// `GET /console/api/settings`: [`super::settings::view`].
    ReadSettings,
    /// `PUT /console/api/settings`: [`super::settings::update`], saved.
    SaveSettings,
    /// `PUT /console/api/token`: checked against TaxJar, then sealed and saved.
    SaveToken,
    /// `DELETE /console/api/token`: the pasted token forgotten.
    ForgetToken,
    /// `POST /console/api/test`: TaxJar called with the token in use.
    TestConnection,
    /// `GET /console/api/nexus`: [`super::nexus::view`].
    ReadNexus,
    /// `POST /console/api/nexus/sync`: the regions fetched from TaxJar, kept.
    SyncNexus,
    /// `PUT /console/api/nexus/addresses`: [`super::nexus::addresses`], kept.
    SaveAddresses,
    /// `GET /console/api/logs?from&to&route&status&page`: a page of the D1 logs.
    ReadLogs,
    /// `GET /console/api/logs/download?…`: the filtered logs as a JSON file.
    DownloadLogs,
    /// `GET /console/api/savings`: [`super::savings::summary`].
    Savings,
    /// `GET /console/api/sync`: [`super::transactions::view`].
    ReadSync,
    /// `POST /console/api/sync/retry`: a failing or dead transaction queued again.
    RetrySync,
    /// `POST /console/api/backfill`: an upload queued ([`super::backfill`]).
    Backfill,
    /// `GET /console/api/backfill?batch=…`: [`super::transactions::progress`].
    BackfillProgress,
    /// `POST /console/api/backfill/csv`: the upload as TaxJar's CSV import file.
    BackfillCsv,
}

impl Call {
    /// Whether the call reads a JSON body.
    pub fn takes_body(self) -> bool {
        matches!(
            self,
            Call::SaveSettings
                | Call::SaveToken
                | Call::SaveAddresses
                | Call::RetrySync
                | Call::Backfill
                | Call::BackfillCsv
        )
    }
}

/// What a sign-in answered, and what to keep of the caller's failures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    /// The answer.
    pub reply: Reply,
    /// `None`: leave the stored failures; `Some(None)`: delete them;
    /// `Some(Some(v))`: store `v` for `limit::WINDOW_SECONDS`.
    pub store: Option<Option<String>>,
}

/// The path and host of `url`.
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    (path, authority.rsplit('@').next().unwrap_or(""))
}

/// Whether `path` is the console's: `/console` or under `/console/`.
pub(crate) fn is_console_path(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// Every console answer's headers (`api`: also `Cache-Control: no-store`).
pub(crate) fn secure(reply: Reply, api: bool) -> Reply {
    let reply = reply
        .with_header("Content-Security-Policy", CSP)
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "no-referrer");
    if api {
        reply.with_header("Cache-Control", "no-store")
    } else {
        reply
    }
}

/// The signed-in session of the request's cookie, if valid at `now`.
fn session_of(keys: &super::Keys, head: &ConsoleHead, now: u64) -> Option<Session> {
    let token = session::from_cookie_header(head.cookie)?;
    session::verify(token, &keys.secret, now)
}

/// The session answer: signed in, with the CSRF token and the expiry.
fn session_body(keys: &super::Keys, session: &Session) -> Reply {
    // By hand, not serde: the token is base64url, the expiry a number.
    let csrf = session::csrf(&session.id, &keys.secret);
    let body = format!(
        r#"{{"signed_in":true,"csrf_token":"{csrf}","expires_at":{}}}"#,
        session.exp
    );
    Reply::json(200, body)
}

/// Whether the request's body is declared JSON.
fn is_json(head: &ConsoleHead) -> bool {
    head.head
        .content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Decides a request: not the console's ([`Step::Pass`]), an answer, or a
/// sign-in to finish with [`sign_in`]. Without both keys, every console
/// path is 404, as any unknown path. Fills `log.path` and `log.caller`.
pub fn front(console: &Console, head: &ConsoleHead, now: u64, log: &mut LogEntry) -> Step {
    let (path, host) = split_url(head.head.url);
    if !is_console_path(path) {
        return Step::Pass;
    }
    let Some(keys) = &console.keys else {
        return Step::Done(Reply::error(404, "No such route"));
    };
    log.caller = "console".to_owned();
    let api = path.starts_with("/console/api/");
    let done = |reply: Reply| Step::Done(secure(reply, api));
    let Some(&(pattern, allow)) = ROUTES.iter().find(|(p, _)| *p == path) else {
        return done(Reply::error(404, "No such route"));
    };
    log.path = pattern.to_owned();
    if !allow.split(", ").any(|m| m == head.head.method) {
        let reply = Reply::error(405, "this route does not accept that method");
        return done(reply.with_header("Allow", allow));
    }
    if !api {
        return done(page::asset(path));
    }
    if pattern == "/console/api/session" && head.head.method == "POST" {
        if !is_json(head) {
            return done(Reply::error(415, "Content-Type must be application/json"));
        }
        return Step::SignIn;
    }
    let Some(session) = session_of(keys, head, now) else {
        return done(Reply::error(401, "not signed in"));
    };
    if head.head.method != "GET" && !session::csrf_ok(head.csrf, &session.id, &keys.secret) {
        return done(Reply::error(403, "missing or wrong x-csrf-token"));
    }
    let call = match (pattern, head.head.method) {
        ("/console/api/status", _) => Call::Status,
        ("/console/api/settings", "GET") => Call::ReadSettings,
        ("/console/api/settings", _) => Call::SaveSettings,
        ("/console/api/token", "PUT") => Call::SaveToken,
        ("/console/api/token", _) => Call::ForgetToken,
        ("/console/api/test", _) => Call::TestConnection,
        ("/console/api/nexus", _) => Call::ReadNexus,
        ("/console/api/nexus/sync", _) => Call::SyncNexus,
        ("/console/api/nexus/addresses", _) => Call::SaveAddresses,
        ("/console/api/logs", _) => Call::ReadLogs,
        ("/console/api/logs/download", _) => Call::DownloadLogs,
        ("/console/api/savings", _) => Call::Savings,
        ("/console/api/sync", _) => Call::ReadSync,
        ("/console/api/sync/retry", _) => Call::RetrySync,
        ("/console/api/backfill", "GET") => Call::BackfillProgress,
        ("/console/api/backfill", _) => Call::Backfill,
        ("/console/api/backfill/csv", _) => Call::BackfillCsv,
        ("/console/api/session", "DELETE") => {
            let cookie = session::clear_cookie(!session::local_host(host));
            return done(
                Reply::json(200, r#"{"signed_in":false}"#).with_header("Set-Cookie", cookie),
            );
        }
        _ => return done(session_body(keys, &session)),
    };
    if call.takes_body() && !is_json(head) {
        return done(Reply::error(415, "Content-Type must be application/json"));
    }
    Step::Call(call)
}

/// Finishes a sign-in: refused with 429 (and `Retry-After`) after too
/// many failures in `stored`; else the body's `passphrase` is checked.
/// Right: a new session `id` (32 hex digits from the Worker's random
/// source) in a cookie, and its CSRF token. Wrong: 401, one more failure.
/// `body` is `None` when it was longer than `SIGN_IN_BODY_LIMIT`.
pub fn sign_in(
    console: &Console,
    head: &ConsoleHead,
    body: Option<&[u8]>,
    stored: Option<&str>,
    now: u64,
    id: &str,
) -> SignedIn {
    let answer = |reply: Reply, store| SignedIn {
        reply: secure(reply, true),
        store,
    };
    let Some(keys) = &console.keys else {
        return answer(Reply::error(404, "No such route"), None);
    };
    if let Err(retry_after) = limit::check(stored, now) {
        let reply = Reply::error(429, "too many failed sign-in attempts; try again later");
        return answer(
            reply.with_header("Retry-After", retry_after.to_string()),
            None,
        );
    }
    let Some(body) = body else {
        return answer(Reply::error(413, "the body is too long"), None);
    };
    // The crate's own JSON reader (a second instance of serde_json's
    // parser, for bytes, was several KB of the .wasm).
    let passphrase = std::str::from_utf8(body)
        .ok()
        .and_then(|text| json::parse(text).ok())
        .and_then(|v| v.get("passphrase")?.as_str().map(str::to_owned));
    let Some(passphrase) = passphrase else {
        return answer(
            Reply::error(400, "the body must be {\"passphrase\": \"...\"}"),
            None,
        );
    };
    if !session::valid_id(id) {
        return answer(Reply::error(503, "no session id could be made"), None);
    }
    if !session::passphrase_matches(&passphrase, &keys.key, &keys.secret) {
        let reply = Reply::error(401, "wrong passphrase");
        return answer(reply, Some(Some(limit::after_failure(stored, now))));
    }
    let session = Session {
        id: id.to_owned(),
        exp: now + session::TTL_SECONDS,
    };
    let token = session::sign(&session.id, session.exp, &keys.secret);
    let (_, host) = split_url(head.head.url);
    let cookie = session::set_cookie(&token, !session::local_host(host));
    let reply = session_body(keys, &session).with_header("Set-Cookie", cookie);
    answer(reply, Some(limit::after_success()))
}

/// A sign-in's answer when the `CONSOLE` KV namespace, which keeps the
/// failures, is not bound or cannot be read: without it the limit would
/// not hold, so nobody signs in.
pub(crate) fn store_missing() -> Reply {
    secure(
        Reply::error(503, "the CONSOLE KV namespace is not bound or not readable"),
        true,
    )
}
