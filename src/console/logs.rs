//! Logs for support, in the `LOGS` D1 database: one row per request the
//! proxy answered once it knew the caller (a browser or a server), with
//! the time, route, method, status, time taken, cart key, where the
//! answer came from, and both bodies, redacted like everything leaving
//! the Worker and cut at [`BODY_LIMIT`]. The console filters and pages
//! them, and "Download for support" exports them; the cron deletes rows
//! older than the retention.
//!
//! Every value reaches SQL as a bound parameter, never inside the text.

use crate::error::{Code, Error};
use crate::json::write::{self, Object};
use crate::offline::date::Date;
use crate::proxy::log::{CacheStatus, Call, LogEntry};
use crate::proxy::Reply;
use crate::redact::Redactor;

/// Creates the table and its index (run once per isolate).
pub const SCHEMA: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS calls (at INTEGER NOT NULL, day TEXT NOT NULL, route TEXT NOT NULL, \
     method TEXT NOT NULL, status INTEGER NOT NULL, ms INTEGER, cart_key TEXT, source TEXT NOT NULL, \
     request TEXT, response TEXT)",
    "CREATE INDEX IF NOT EXISTS calls_at ON calls (at)",
];

/// Inserts one row ([`Row::params`]).
pub const INSERT: &str =
    "INSERT INTO calls (at, day, route, method, status, ms, cart_key, source, request, response) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// The most bytes of a body kept in a row.
pub const BODY_LIMIT: usize = 8 * 1024;
/// Rows per page in the console.
pub const PAGE_SIZE: u32 = 50;
/// The most rows "Download for support" exports.
pub const DOWNLOAD_LIMIT: u32 = 5000;

/// A bound SQL parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// TEXT.
    Text(String),
    /// INTEGER.
    Int(i64),
    /// NULL.
    Null,
}

/// One row to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Unix ms.
    pub at: u64,
    /// Its UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The route pattern.
    pub route: String,
    /// The method.
    pub method: String,
    /// The status answered.
    pub status: u16,
    /// TaxJar's time, when it was asked.
    pub ms: Option<u64>,
    /// The short label of the cart's cache key.
    pub cart_key: Option<String>,
    /// Where the answer came from (see [`source`]).
    pub source: &'static str,
    /// The request body, redacted and cut.
    pub request: Option<String>,
    /// The response body, redacted and cut.
    pub response: Option<String>,
}

impl Row {
    /// The parameters of [`INSERT`], in order.
    pub fn params(&self) -> Vec<Param> {
        let text = |v: &Option<String>| v.clone().map_or(Param::Null, Param::Text);
        vec![
            Param::Int(self.at as i64),
            Param::Text(self.day.clone()),
            Param::Text(self.route.clone()),
            Param::Text(self.method.clone()),
            Param::Int(i64::from(self.status)),
            self.ms.map_or(Param::Null, |ms| Param::Int(ms as i64)),
            text(&self.cart_key),
            Param::Text(self.source.to_owned()),
            text(&self.request),
            text(&self.response),
        ]
    }
}

/// Where an answer came from: the `x-edgetax-source` the Worker set
/// (`offline`, `no_nexus`, `exempt`, `synced`, ...), else the cache's
/// part (`cache`, `shared` for an answer shared with an identical request
/// in flight), else `taxjar` when TaxJar was asked, `queue` for
/// Transaction Sync, and `worker` for what the Worker answered itself
/// (a refused cart, a limit, a disabled route).
pub fn source(entry: &LogEntry, reply: &Reply) -> &'static str {
    const KNOWN: [&str; 6] = [
        "offline",
        "no_nexus",
        "exempt",
        "synced",
        "nexus_addresses",
        "taxjar",
    ];
    if let Some(header) = reply.header(crate::proxy::offline::SOURCE_HEADER) {
        return KNOWN
            .iter()
            .find(|k| **k == header)
            .copied()
            .unwrap_or("worker");
    }
    match entry.cache {
        CacheStatus::Hit => "cache",
        CacheStatus::Coalesced => "shared",
        _ if entry.path.starts_with("/sync/") && reply.status == 202 => "queue",
        _ if entry.attempts > 0 => "taxjar",
        _ => "worker",
    }
}

/// The row of a request the proxy answered, or `None` when it is not
/// logged: the console's requests, and those refused before the caller
/// was known (an unknown path, a refused origin).
pub fn row(entry: &LogEntry, reply: &Reply, at: u64, redactor: &Redactor) -> Option<Row> {
    if entry.caller == "-" || entry.caller == "console" || entry.path == "-" {
        return None;
    }
    let cut = |text: &str| cut(&redactor.owned(text));
    Some(Row {
        at,
        day: Date::from_unix_ms(at as f64).to_string(),
        route: entry.path.clone(),
        method: entry.method.clone(),
        status: reply.status,
        ms: entry.upstream_ms,
        cart_key: entry.key_hash.clone(),
        source: source(entry, reply),
        request: entry.request.as_deref().filter(|t| !t.is_empty()).map(cut),
        response: reply.body.as_deref().map(cut),
    })
}

/// The row of a call to TaxJar outside a proxied request (see
/// [`crate::proxy::log::Call`]): its path is the route, its source
/// `taxjar`.
pub fn call_row(call: &Call, at: u64, redactor: &Redactor) -> Row {
    let cut = |text: &String| cut(&redactor.owned(text));
    Row {
        at,
        day: Date::from_unix_ms(at as f64).to_string(),
        route: call.path.clone(),
        method: call.method.clone(),
        status: call.status,
        ms: Some(call.ms),
        cart_key: None,
        source: "taxjar",
        request: call.request.as_ref().map(cut),
        response: call.response.as_ref().map(cut),
    }
}

/// `text` cut at [`BODY_LIMIT`] bytes (on a character boundary), saying so.
fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_owned();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[cut at {BODY_LIMIT} bytes]", &text[..end])
}

/// The console's filter: days (UTC, inclusive), route, status (`200`, or
/// a class `2xx` / `4xx` / `5xx`), and page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The first day.
    pub from: Option<String>,
    /// The last day.
    pub to: Option<String>,
    /// A route pattern, such as `/v2/taxes`.
    pub route: Option<String>,
    /// The lowest and highest status.
    pub status: Option<(u16, u16)>,
    /// The page, from 1.
    pub page: u32,
}

/// Reads `from`, `to`, `route`, `status` and `page` from a URL's query;
/// the error names the parameter.
pub fn filter(url: &str) -> Result<Filter, Error> {
    let query = url
        .split_once('?')
        .map_or("", |(_, q)| q)
        .split('#')
        .next()
        .unwrap_or("");
    let mut filter = Filter {
        page: 1,
        ..Filter::default()
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        if value.is_empty() {
            continue;
        }
        let bad =
            |what: &str| Error::field(Code::InvalidValue, name, format!("{name} must be {what}"));
        match name {
            "from" | "to" => {
                let day = Date::parse(&value)
                    .map_err(|_| bad("a day such as 2026-12-07"))?
                    .to_string();
                if name == "from" {
                    filter.from = Some(day);
                } else {
                    filter.to = Some(day);
                }
            }
            "route" if value.starts_with('/') && value.len() <= 100 => filter.route = Some(value),
            "route" => return Err(bad("a route such as /v2/taxes")),
            "status" => {
                filter.status = Some(
                    status_range(&value)
                        .ok_or_else(|| bad("a status such as 200, or 2xx, 4xx or 5xx"))?,
                )
            }
            "page" => {
                filter.page = value
                    .parse()
                    .ok()
                    .filter(|p| (1..=10_000).contains(p))
                    .ok_or_else(|| bad("a page from 1"))?
            }
            _ => {
                return Err(crate::error::unknown_option(
                    name,
                    name,
                    &["from", "to", "route", "status", "page"],
                ))
            }
        }
    }
    Ok(filter)
}

fn status_range(text: &str) -> Option<(u16, u16)> {
    if let Some(class) = text.strip_suffix("xx") {
        let c: u16 = class.parse().ok().filter(|c| (1..=5).contains(c))?;
        return Some((c * 100, c * 100 + 99));
    }
    let exact: u16 = text.parse().ok().filter(|s| (100..=599).contains(s))?;
    Some((exact, exact))
}

/// Percent-decoding of a query value (`+` is a space).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The WHERE clause of `filter` and its parameters (numbered from 1).
fn clause(filter: &Filter) -> (String, Vec<Param>) {
    let mut parts = Vec::new();
    let mut params = Vec::new();
    let mut add = |sql: &str, param: Param| {
        params.push(param);
        parts.push(sql.replace('?', &format!("?{}", params.len())));
    };
    if let Some(from) = &filter.from {
        add("day >= ?", Param::Text(from.clone()));
    }
    if let Some(to) = &filter.to {
        add("day <= ?", Param::Text(to.clone()));
    }
    if let Some(route) = &filter.route {
        // The route, or a TaxJar path under it (`/v2/transactions/orders/1001`).
        add(
            "(route = ? OR route LIKE ? || '/%')",
            Param::Text(route.clone()),
        );
    }
    if let Some((low, high)) = filter.status {
        add("status >= ?", Param::Int(i64::from(low)));
        add("status <= ?", Param::Int(i64::from(high)));
    }
    let sql = if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    };
    (sql, params)
}

/// The query of one page of `filter` (newest first), or of the download
/// (`download`: up to [`DOWNLOAD_LIMIT`] rows from the first).
pub fn select(filter: &Filter, download: bool) -> (String, Vec<Param>) {
    let (clause, mut params) = clause(filter);
    let (limit, offset) = if download {
        (DOWNLOAD_LIMIT, 0)
    } else {
        (PAGE_SIZE, (filter.page - 1) * PAGE_SIZE)
    };
    params.push(Param::Int(i64::from(limit)));
    params.push(Param::Int(i64::from(offset)));
    let n = params.len();
    let sql = format!(
        "SELECT at, route, method, status, ms, cart_key, source, request, response FROM calls{clause} \
         ORDER BY at DESC, rowid DESC LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    (sql, params)
}

/// The query counting the rows of `filter` (a column `n`).
pub fn count(filter: &Filter) -> (String, Vec<Param>) {
    let (clause, params) = clause(filter);
    (format!("SELECT COUNT(*) AS n FROM calls{clause}"), params)
}

/// The statement deleting rows older than `days` before `now` (unix ms).
pub fn purge(now: u64, days: u32) -> (String, Vec<Param>) {
    let before = now.saturating_sub(u64::from(days) * 86_400_000);
    (
        "DELETE FROM calls WHERE at < ?1".to_owned(),
        vec![Param::Int(before as i64)],
    )
}

/// The console's page: `{"entries":[…],"page":…,"pages":…,"total":…}`.
/// `rows` is D1's result list as JSON text.
pub fn page(rows: &str, total: u64, filter: &Filter) -> String {
    let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let mut out = String::new();
    Object::new(&mut out)
        .raw("entries", rows)
        .raw("page", &filter.page.to_string())
        .raw("pages", &pages.to_string())
        .raw("total", &total.to_string())
        .end();
    out
}

/// The download's body: the filter and the entries, for support.
pub fn download(rows: &str, filter: &Filter, now: u64) -> String {
    let mut out = String::new();
    let mut root = Object::new(&mut out);
    root.str("generated_at", &Date::from_unix_ms(now as f64).to_string());
    let mut f = Object::new(root.key("filter"));
    f.opt_str("from", filter.from.as_deref())
        .opt_str("to", filter.to.as_deref())
        .opt_str("route", filter.route.as_deref());
    match filter.status {
        Some((low, high)) => f.raw(
            "status",
            &write::strings(&[low.to_string(), high.to_string()]),
        ),
        None => f.raw("status", "null"),
    };
    f.end();
    root.raw("entries", rows).end();
    out
}
