//! Who is calling: a browser on an allowed origin, a server holding a proxy
//! key, or nobody the proxy serves (403). Also the CORS headers.
//!
//! A proxy key arrives as `Authorization: Bearer <key>`, which is what
//! TaxJar's own clients send, so a server points its TaxJar client at the
//! Worker with a proxy key as its "API key". A request that carries an
//! `Authorization` header is judged by it alone: a wrong key is refused
//! even from an allowed origin. Otherwise the `Origin` must equal one of
//! `ALLOWED_ORIGINS` exactly; `Origin: null` (sandboxed frames, `file:`
//! pages) is always refused.

use super::config::Config;
use super::reply::Reply;
use super::route::Route;
use super::short_hash;

/// The request headers CORS preflights may ask for.
pub(crate) const ALLOW_HEADERS: &str = "Authorization, Content-Type, x-api-version";
/// The response headers a page may read.
pub(crate) const EXPOSE_HEADERS: &str = "Retry-After, x-edgetax-cache, x-edgetax-source";
/// How long a browser may reuse a preflight answer, in seconds.
pub(crate) const PREFLIGHT_MAX_AGE: &str = "86400";

/// A caller the proxy serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A page on an allowed origin.
    Browser {
        /// The exact `Origin` header.
        origin: String,
    },
    /// A server that presented a proxy key.
    Server {
        /// The key's short label ([`super::config::ProxyKey::id`]).
        key_id: String,
    },
}

impl Caller {
    /// `"browser"` or `"server:<key id>"`, for logs.
    pub fn label(&self) -> String {
        match self {
            Caller::Browser { .. } => "browser".to_owned(),
            Caller::Server { key_id } => format!("server:{key_id}"),
        }
    }

    /// The rate-limit key: a hash of the client's `bucket_address` for
    /// browsers (`CF-Connecting-IP`; shoppers share an origin), the key
    /// label for servers. Never the address itself.
    pub fn rate_key(&self, client_ip: Option<&str>) -> String {
        match self {
            Caller::Browser { .. } => {
                format!("ip:{}", short_hash(&bucket_address(client_ip), 16))
            }
            Caller::Server { key_id } => format!("key:{key_id}"),
        }
    }

    /// The allowed origin, for browsers.
    pub fn origin(&self) -> Option<&str> {
        match self {
            Caller::Browser { origin } => Some(origin),
            Caller::Server { .. } => None,
        }
    }
}

/// What a browser's rate-limit bucket is keyed by:
/// - an IPv4 address in its canonical form (`::ffff:a.b.c.d` is
///   `a.b.c.d`);
/// - an IPv6 address's /64: one subscriber is usually handed a whole /64,
///   so rotating addresses inside it must not buy fresh buckets;
/// - `unknown` for anything else (no header, spaces, leading zeros, a zone
///   id): such callers are refused as addresses and share one bucket.
pub(crate) fn bucket_address(client_ip: Option<&str>) -> String {
    use std::net::IpAddr;
    match client_ip.map(str::parse::<IpAddr>) {
        Some(Ok(IpAddr::V4(v4))) => v4.to_string(),
        Some(Ok(IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        _ => "unknown".to_owned(),
    }
}

/// Classifies the caller from its `Origin` and `Authorization` headers
/// (the routes use [`classify_for`]).
#[cfg(test)]
pub(crate) fn classify(
    config: &Config,
    origin: Option<&str>,
    authorization: Option<&str>,
) -> Result<Caller, Reply> {
    classify_with(config, origin, authorization, false)
}

/// [`classify`] for a request to `route`: on the legacy routes a proxy key
/// may also come as the reference's `Token token="<key>"`, so a legacy
/// client only needs a new base URL.
pub(crate) fn classify_for(
    config: &Config,
    route: &Route,
    origin: Option<&str>,
    authorization: Option<&str>,
) -> Result<Caller, Reply> {
    classify_with(config, origin, authorization, route.kind.is_legacy())
}

fn classify_with(
    config: &Config,
    origin: Option<&str>,
    authorization: Option<&str>,
    legacy: bool,
) -> Result<Caller, Reply> {
    if let Some(header) = authorization {
        let key = bearer(header)
            .or_else(|| legacy.then(|| token(header)).flatten())
            .unwrap_or("");
        return match config.proxy_key(key) {
            Some(found) if !key.is_empty() => Ok(Caller::Server { key_id: found.id() }),
            _ => Err(Reply::error(403, "the proxy key is not recognized")),
        };
    }
    match origin {
        Some("null") => Err(Reply::error(
            403,
            "requests from Origin null are not allowed",
        )),
        Some(origin) if config.origin_allowed(origin) => Ok(Caller::Browser {
            origin: origin.to_owned(),
        }),
        Some(_) => Err(Reply::error(403, "this origin is not allowed")),
        None => Err(Reply::error(
            403,
            "requests need an allowed Origin or a proxy key",
        )),
    }
}

/// Whether `caller` may use `route` (browsers never get transaction or
/// customer routes: those carry the store's records).
pub(crate) fn permit(caller: &Caller, route: &Route) -> Result<(), Reply> {
    match caller {
        Caller::Browser { .. } if !route.browser => Err(Reply::error(
            403,
            "this route is only for servers with a proxy key",
        )),
        _ => Ok(()),
    }
}

/// The key of `Bearer <key>` (scheme case-insensitive).
fn bearer(header: &str) -> Option<&str> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|k| !k.is_empty())
}

/// The key of `Token token="<key>"` (quotes optional, scheme
/// case-insensitive), the legacy API's form.
fn token(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    let value = rest.trim().strip_prefix("token=")?;
    let value = match value.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => value,
    };
    scheme
        .eq_ignore_ascii_case("token")
        .then_some(value.trim())
        .filter(|k| !k.is_empty())
}

/// Adds the CORS headers for an allowed `origin` to an answer.
pub(crate) fn with_cors(reply: Reply, origin: &str) -> Reply {
    reply
        .with_header("Access-Control-Allow-Origin", origin)
        .with_header("Vary", "Origin")
        .with_header("Access-Control-Expose-Headers", EXPOSE_HEADERS)
}

/// `origin` when it is an origin as browsers send it (`scheme://host[:port]`,
/// http or https, no path or spaces, at most 253 bytes): the only Origin
/// values echoed to a caller that is refused.
pub(crate) fn serialized_origin(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (!rest.is_empty() && origin.len() <= 253 && rest.chars().all(plain)).then_some(origin)
}

/// The answer to a CORS preflight for `route`: 204 with the route's
/// methods and the headers TaxJar clients send, or 403 for Origin null and
/// for routes that are not for browsers.
///
/// A browser route passes the preflight of any other origin too: a
/// preflight that fails leaves the page only "failed to fetch", while the
/// request itself is then refused with a 403 the page can read (see
/// `flow::front`), before any work. So the widget can tell the shopper
/// that this page is not allowed, rather than to check their connection.
pub(crate) fn preflight(config: &Config, route: &Route, origin: Option<&str>) -> Reply {
    if origin == Some("null") {
        return Reply::error(403, "requests from Origin null are not allowed");
    }
    let Some(origin) = origin.and_then(serialized_origin) else {
        return Reply::error(403, "this origin is not allowed");
    };
    if !route.browser {
        let denied = Reply::error(403, "this route is only for servers with a proxy key");
        return match config.origin_allowed(origin) {
            true => with_cors(denied, origin),
            false => denied,
        };
    }
    Reply::empty(204)
        .with_header("Access-Control-Allow-Origin", origin)
        .with_header("Access-Control-Allow-Methods", route.allow())
        .with_header("Access-Control-Allow-Headers", ALLOW_HEADERS)
        .with_header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE)
        .with_header("Vary", "Origin")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::caller;
    use crate::proxy::route::{match_route, match_route_in};
    use crate::proxy::testing::{config, tj, SHOP};

    #[test]
    fn buckets_hold_against_address_rotation() {
        let bucket = |ip: &str| bucket_address(Some(ip));
        // Every address of one /64 is one bucket; the next /64 is another.
        for ip in [
            "2001:db8::1",
            "2001:db8::8",
            "2001:DB8:0:0:ffff:1:2:3",
            "2001:0db8::",
        ] {
            assert_eq!(bucket(ip), "2001:db8:0:0::/64", "{ip}");
        }
        assert_eq!(bucket("2001:db8:0:1::1"), "2001:db8:0:1::/64");
        // IPv4, however it is written, is the address itself.
        assert_eq!(bucket("203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket("::ffff:cb00:7107"), "203.0.113.7");
        // Forms that are not a canonical address all share one bucket.
        for ip in [
            " 203.0.113.7",
            "203.0.113.7 ",
            "203.000.113.7",
            "0203.0.113.7",
            "fe80::1%eth0",
            "x",
            "",
        ] {
            assert_eq!(bucket(ip), "unknown", "{ip:?}");
        }
        assert_eq!(bucket_address(None), "unknown");
        let browser = Caller::Browser {
            origin: SHOP.into(),
        };
        assert_eq!(
            browser.rate_key(Some("2001:db8::1")),
            browser.rate_key(Some("2001:db8::ffff"))
        );
        assert_ne!(
            browser.rate_key(Some("2001:db8::1")),
            browser.rate_key(Some("2001:db8:0:1::1"))
        );
        assert_eq!(
            browser.rate_key(Some("203.0.113.7 ")),
            browser.rate_key(Some("01.2.3.4"))
        );
    }

    #[test]
    fn callers_are_classified() {
        let c = config();
        let id = short_hash("pk_test_2", 8);
        let refused = |origin: Option<&str>, auth: Option<&str>| {
            tj(&caller::classify(&c, origin, auth).unwrap_err())
        };
        let browser = caller::classify(&c, Some(SHOP), None).unwrap();
        assert_eq!(
            browser,
            Caller::Browser {
                origin: SHOP.into()
            }
        );
        let ip_key = format!("ip:{}", short_hash("203.0.113.7", 16));
        assert_eq!(browser.rate_key(Some("203.0.113.7")), ip_key);
        assert_eq!(
            browser.rate_key(None),
            format!("ip:{}", short_hash("unknown", 16))
        );
        let server = caller::classify(&c, None, Some("bearer  pk_test_2 ")).unwrap();
        assert_eq!(server, Caller::Server { key_id: id.clone() });
        assert_eq!(server.label(), format!("server:{id}"));
        assert_eq!(server.rate_key(Some("203.0.113.7")), format!("key:{id}"));
        let none = "403 Forbidden: requests need an allowed Origin or a proxy key";
        assert_eq!(refused(None, None), none);
        let null = "403 Forbidden: requests from Origin null are not allowed";
        assert_eq!(refused(Some("null"), None), null);
        let origins =
            "https://evil.example https://shop.example.evil http://shop.example HTTPS://shop.example";
        for origin in origins.split(' ') {
            assert_eq!(
                refused(Some(origin), None),
                "403 Forbidden: this origin is not allowed"
            );
        }
        let auths = [
            "Bearer pk_nope",
            "Bearer ",
            "Basic pk_test_1",
            "pk_test_1",
            "Token token=pk_test_1",
        ];
        for auth in auths {
            let bad_key = "403 Forbidden: the proxy key is not recognized";
            assert_eq!(refused(Some(SHOP), Some(auth)), bad_key, "{auth}");
        }
        // The legacy form counts on legacy routes only.
        let legacy = match_route_in("GET", "/sales_tax", true).unwrap().route;
        let v2 = match_route("GET", "/v2/categories").unwrap().route;
        for auth in [
            "Token token=\"pk_test_2\"",
            "token token=pk_test_2",
            "Bearer pk_test_2",
        ] {
            let found = caller::classify_for(&c, legacy, None, Some(auth)).unwrap();
            assert_eq!(found, Caller::Server { key_id: id.clone() }, "{auth}");
        }
        for auth in [
            "Token token=\"pk_nope\"",
            "Token token=\"pk_test_2",
            "Token pk_test_2",
        ] {
            assert!(
                caller::classify_for(&c, legacy, None, Some(auth)).is_err(),
                "{auth}"
            );
        }
        assert!(caller::classify_for(&c, v2, None, Some("Token token=\"pk_test_2\"")).is_err());
    }

    #[test]
    fn preflights_and_cors() {
        let c = config();
        let taxes = match_route("OPTIONS", "/v2/taxes").unwrap().route;
        let ok = caller::preflight(&c, taxes, Some(SHOP));
        let expected = Reply::empty(204)
            .with_header("Access-Control-Allow-Origin", SHOP)
            .with_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            .with_header(
                "Access-Control-Allow-Headers",
                "Authorization, Content-Type, x-api-version",
            )
            .with_header("Access-Control-Max-Age", "86400")
            .with_header("Vary", "Origin");
        assert_eq!(ok, expected);
        let null = caller::preflight(&c, taxes, Some("null"));
        assert_eq!(
            tj(&null),
            "403 Forbidden: requests from Origin null are not allowed"
        );
        // Another origin passes the preflight, so it can read the 403 its
        // request then gets; a server route stays closed to it.
        let evil = caller::preflight(&c, taxes, Some("https://evil.example"));
        assert_eq!(
            (evil.status, evil.header("Access-Control-Allow-Origin")),
            (204, Some("https://evil.example"))
        );
        let orders_evil = caller::preflight(
            &c,
            match_route("OPTIONS", "/v2/transactions/orders")
                .unwrap()
                .route,
            Some("https://evil.example"),
        );
        assert_eq!(
            (
                orders_evil.status,
                orders_evil.header("Access-Control-Allow-Origin")
            ),
            (403, None)
        );
        for odd in [
            "https://a.example/",
            "https://a.example https://b.example",
            "ftp://a.example",
            "https://",
        ] {
            assert_eq!(caller::serialized_origin(odd), None, "{odd}");
            assert_eq!(caller::preflight(&c, taxes, Some(odd)).status, 403, "{odd}");
        }
        assert_eq!(
            caller::serialized_origin("http://[::1]:8080"),
            Some("http://[::1]:8080")
        );
        let orders = match_route("OPTIONS", "/v2/transactions/orders")
            .unwrap()
            .route;
        let denied = caller::preflight(&c, orders, Some(SHOP));
        assert_eq!(
            (denied.status, denied.header("access-control-allow-origin")),
            (403, Some(SHOP))
        );
    }
}
