//! Which TaxJar route a request is for, and path safety.
//!
//! Only the routes below are served. A path is refused (404) before any
//! matching when it could mean something else to another URL parser: `//`,
//! a `.` or `..` segment, an encoded `.`, `/` or `\` (`%2e`, `%2f`, `%5c`),
//! a raw `\`, a control or non-ASCII byte, or a malformed `%` escape.
//! A path parameter holding a URL delimiter (`;`, `?`, `#`, `&`, `=`) or
//! `%`, raw or encoded, is a 404 too. Matching is exact (no trailing `/`), and the path sent upstream is
//! rebuilt from the route, each id decoded and re-encoded, so nothing the
//! caller wrote can reach another host or endpoint. Query parameters are
//! kept only where TaxJar reads them, in a fixed order.

use crate::model::endpoints::{encode_query, percent_encode};

/// What a route does, which decides caching, retries and body handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `POST /v2/taxes`: a cart, validated and rebuilt; cached per cart.
    Taxes,
    /// Read-only lookups (rates, nexus regions, categories, ...): cached.
    Lookup,
    /// `POST /v2/addresses/validate`: read-only, not cached.
    AddressValidation,
    /// Orders and refunds (Transaction Sync): servers only.
    Transactions,
    /// Exempt customers: servers only.
    Customers,
    /// `POST /sync/orders` and `/sync/refunds`: platform orders and
    /// refunds queued for Transaction Sync (see [`super::sync`]); servers
    /// only, never sent upstream as such.
    Sync,
    /// The original `GET /sales_tax` and `/v1/sales_tax` (with
    /// `LEGACY_ROUTES`): a calculation, cached per canonical query.
    LegacySalesTax,
    /// The original `GET /tax_categories` and `/locations/...`: cached
    /// like lookups.
    LegacyLookup,
}

impl Kind {
    /// Whether this is a route of the original Smart Sales Tax API.
    pub fn is_legacy(self) -> bool {
        matches!(self, Kind::LegacySalesTax | Kind::LegacyLookup)
    }
}

/// One route of the proxy.
#[derive(Debug, PartialEq, Eq)]
pub struct Route {
    /// The path with `:id` for a path parameter; also the name in logs.
    pub pattern: &'static str,
    /// The methods it serves.
    pub methods: &'static [&'static str],
    /// Query parameters forwarded on `GET`, in this order.
    pub query: &'static [&'static str],
    /// Whether browsers (allowed origins) may call it.
    pub browser: bool,
    /// What it does.
    pub kind: Kind,
}

const LIST: &[&str] = &[
    "transaction_date",
    "from_transaction_date",
    "to_transaction_date",
    "provider",
];

/// Every route the proxy serves.
pub(crate) const ROUTES: &[Route] = &[
    route("/v2/taxes", &["POST"], &[], true, Kind::Taxes),
    route("/v2/nexus/regions", &["GET"], &[], true, Kind::Lookup),
    route("/v2/categories", &["GET"], &[], true, Kind::Lookup),
    route("/v2/summary_rates", &["GET"], &[], true, Kind::Lookup),
    route(
        "/v2/rates/:zip",
        &["GET"],
        &["country", "state", "city", "street"],
        true,
        Kind::Lookup,
    ),
    route("/v2/validation", &["GET"], &["vat"], true, Kind::Lookup),
    route(
        "/v2/addresses/validate",
        &["POST"],
        &[],
        true,
        Kind::AddressValidation,
    ),
    route(
        "/v2/transactions/orders",
        &["GET", "POST"],
        LIST,
        false,
        Kind::Transactions,
    ),
    route(
        "/v2/transactions/orders/:id",
        &["GET", "PUT", "DELETE"],
        &[],
        false,
        Kind::Transactions,
    ),
    route(
        "/v2/transactions/refunds",
        &["GET", "POST"],
        LIST,
        false,
        Kind::Transactions,
    ),
    route(
        "/v2/transactions/refunds/:id",
        &["GET", "PUT", "DELETE"],
        &[],
        false,
        Kind::Transactions,
    ),
    route(
        "/v2/customers",
        &["GET", "POST"],
        &[],
        false,
        Kind::Customers,
    ),
    route(
        "/v2/customers/:id",
        &["GET", "PUT", "DELETE"],
        &[],
        false,
        Kind::Customers,
    ),
    route("/sync/orders", &["POST"], &[], false, Kind::Sync),
    route("/sync/refunds", &["POST"], &[], false, Kind::Sync),
];

pub(super) const fn route(
    pattern: &'static str,
    methods: &'static [&'static str],
    query: &'static [&'static str],
    browser: bool,
    kind: Kind,
) -> Route {
    Route {
        pattern,
        methods,
        query,
        browser,
        kind,
    }
}

impl Route {
    /// Whether a failed attempt may be sent again: reads only (a repeated
    /// order create or delete is not harmless).
    pub fn retry_safe(&self, method: &str) -> bool {
        method == "GET" || matches!(self.kind, Kind::Taxes | Kind::AddressValidation)
    }

    /// Whether `method` carries a JSON body on this route.
    pub fn takes_body(&self, method: &str) -> bool {
        method == "POST" || method == "PUT"
    }

    /// The `Allow` header value: its methods and `OPTIONS`.
    pub fn allow(&self) -> String {
        let mut methods = self.methods.to_vec();
        methods.push("OPTIONS");
        methods.join(", ")
    }
}

/// A request matched to a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    /// The route.
    pub route: &'static Route,
    /// The method, upper-case (`OPTIONS` for a preflight).
    pub method: String,
    /// The path to send upstream, ids re-encoded.
    pub path: String,
    /// The path parameters (`:zip`, `:id`, `:city`), decoded, in order.
    pub params: Vec<String>,
    /// The forwarded query parameters, decoded, in the route's order.
    pub query: Vec<(String, String)>,
    /// `scheme://host` of the request (empty for a bare path).
    pub origin: String,
}

impl Matched {
    /// The path and encoded query sent upstream; also the lookup cache key.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        format!("{}?{}", self.path, encode_query(&self.query))
    }

    /// Whether this is a CORS preflight.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
    }
}

/// The routes of the original API, served with `LEGACY_ROUTES=true`
/// (their queries are checked in `proxy::legacy`).
pub const LEGACY_ROUTES: &[Route] = &[
    route("/sales_tax", &["GET"], &[], true, Kind::LegacySalesTax),
    route("/v1/sales_tax", &["GET"], &[], true, Kind::LegacySalesTax),
    route("/tax_categories", &["GET"], &[], true, Kind::LegacyLookup),
    route(
        "/locations/:zip",
        &["GET"],
        &["country"],
        true,
        Kind::LegacyLookup,
    ),
    route(
        "/locations/:zip/:city",
        &["GET"],
        &["country"],
        true,
        Kind::LegacyLookup,
    ),
];

/// Why a request matched no route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// No such route, or an unsafe path: 404.
    NotFound,
    /// A route, but not for this method: 405.
    MethodNotAllowed {
        /// The route's pattern, for the log.
        pattern: &'static str,
        /// The `Allow` header value.
        allow: String,
    },
}

/// Matches `method` and `url` (absolute, or a bare `/path?query`) against
/// `ROUTES`.
pub fn match_route(method: &str, url: &str) -> Result<Matched, RouteError> {
    match_route_in(method, url, false)
}

/// [`match_route`], also against [`LEGACY_ROUTES`] when
/// `legacy` (the `LEGACY_ROUTES` setting) is on.
pub(crate) fn match_route_in(method: &str, url: &str, legacy: bool) -> Result<Matched, RouteError> {
    let (origin, path, query) = split_url(url).ok_or(RouteError::NotFound)?;
    if !safe_path(path) {
        return Err(RouteError::NotFound);
    }
    let method = method.to_ascii_uppercase();
    let segments: Vec<&str> = path[1..].split('/').collect();
    let extra: &[Route] = if legacy { LEGACY_ROUTES } else { &[] };
    for route in ROUTES.iter().chain(extra) {
        let Some(params) = match_pattern(route.pattern, &segments)? else {
            continue;
        };
        if method != "OPTIONS" && !route.methods.contains(&method.as_str()) {
            return Err(RouteError::MethodNotAllowed {
                pattern: route.pattern,
                allow: route.allow(),
            });
        }
        let query = match (method.as_str(), route.kind) {
            // The legacy calculation reads open-ended keys
            // (`line_items[<id>][...]`): all are kept here, and
            // the legacy module filters and checks them.
            ("GET", Kind::LegacySalesTax) => all_pairs(query.unwrap_or(""))?,
            ("GET", _) => pick_query(query.unwrap_or(""), route.query)?,
            _ => Vec::new(),
        };
        return Ok(Matched {
            route,
            method,
            path: build_path(route.pattern, &params),
            params,
            query,
            origin: origin.to_owned(),
        });
    }
    Err(RouteError::NotFound)
}

/// The route's pattern with each `:name` replaced by its parameter,
/// percent-encoded.
fn build_path(pattern: &str, params: &[String]) -> String {
    let mut params = params.iter();
    let mut out = String::new();
    for part in pattern[1..].split('/') {
        out.push('/');
        if part.starts_with(':') {
            out.push_str(&percent_encode(params.next().map_or("", String::as_str)));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Characters a path parameter may not hold, raw or encoded: URL
/// delimiters (`;x=1` parameters, an encoded `?` that would start a query)
/// and `%` (a second level of encoding). A ZIP, id or city never needs
/// them, and re-encoding them would send TaxJar a path the caller did not
/// mean.
const PARAM_DELIMITERS: [char; 6] = ['?', '#', ';', '&', '=', '%'];

/// The decoded parameters when `segments` match `pattern`, `None` when
/// they do not; an empty or malformed parameter is a 404.
fn match_pattern(pattern: &str, segments: &[&str]) -> Result<Option<Vec<String>>, RouteError> {
    let parts: Vec<&str> = pattern[1..].split('/').collect();
    if parts.len() != segments.len() {
        return Ok(None);
    }
    // Literal parts first, so a parameter of another route is not judged.
    if parts
        .iter()
        .zip(segments)
        .any(|(part, segment)| !part.starts_with(':') && part != segment)
    {
        return Ok(None);
    }
    let mut params = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        if part.starts_with(':') {
            let value = decode(segment, false).ok_or(RouteError::NotFound)?;
            if value.is_empty() || value.contains(PARAM_DELIMITERS) {
                return Err(RouteError::NotFound);
            }
            params.push(value);
        }
    }
    Ok(Some(params))
}

/// `(origin, path, query)` of an absolute URL or a bare path.
fn split_url(url: &str) -> Option<(&str, &str, Option<&str>)> {
    let url = url.split('#').next().unwrap_or("");
    let (origin, rest) = if url.starts_with('/') {
        ("", url)
    } else {
        let after = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let host_len = after.find(['/', '?']).unwrap_or(after.len());
        if host_len == 0 {
            return None;
        }
        let cut = url.len() - after.len() + host_len;
        (&url[..cut], &url[cut..])
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    Some((origin, if path.is_empty() { "/" } else { path }, query))
}

/// Whether `path` means the same thing to every URL parser (see the module
/// documentation for what is refused).
pub fn safe_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') || path.contains("//") {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b <= b' ' || b >= 0x7f || b == b'\\' {
            return false;
        }
        if b == b'%' {
            let Some(decoded) = hex_pair(bytes.get(i + 1..i + 3)) else {
                return false;
            };
            if matches!(decoded, b'.' | b'/' | b'\\') || decoded < b' ' || decoded == 0x7f {
                return false;
            }
            i += 3;
            continue;
        }
        i += 1;
    }
    path.split('/').all(|s| s != "." && s != "..")
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = pair?;
    let hi = (pair[0] as char).to_digit(16)?;
    let lo = (pair[1] as char).to_digit(16)?;
    Some((hi * 16 + lo) as u8)
}

/// Percent-decodes `text` (and `+` as space in queries); `None` when an
/// escape is malformed or the result is not UTF-8.
fn decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(hex_pair(bytes.get(i + 1..i + 3))?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Every parameter of `query`, decoded, first occurrence of each name, in
/// the caller's order; a malformed escape refuses the whole request.
fn all_pairs(query: &str) -> Result<Vec<(String, String)>, RouteError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key, true).ok_or(RouteError::NotFound)?;
        let value = decode(value, true).ok_or(RouteError::NotFound)?;
        if !pairs.iter().any(|(k, _)| *k == key) {
            pairs.push((key, value));
        }
    }
    Ok(pairs)
}

/// The allowed parameters of `query`, first occurrence each, in `allowed`
/// order; a malformed escape refuses the whole request.
fn pick_query(query: &str, allowed: &[&str]) -> Result<Vec<(String, String)>, RouteError> {
    let pairs = all_pairs(query)?;
    Ok(allowed
        .iter()
        .filter_map(|name| pairs.iter().find(|(k, _)| k == name).cloned())
        .collect())
}
