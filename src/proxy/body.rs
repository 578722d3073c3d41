//! Request bodies: content type (415), size (413), and for `/v2/taxes` the
//! cart itself (400), rebuilt as the exact TaxJar request.
//!
//! A tax request is not forwarded as written: it is read as a [`Cart`],
//! validated, and rebuilt by [`tax_request`] with the `plugin` tag. So the
//! body TaxJar sees is exactly the one the cache key
//! ([`crate::key::cart_key`]) was
//! computed from, and a cached answer is only ever shared between carts
//! that would have sent TaxJar the same request.

use crate::cart::{Cart, NexusAddress};
use crate::error::{Code, Error};
use crate::key::request_key_with;
use crate::request::{tax_request, RequestOptions};
use crate::validate::{ValidCart, MAX_LINE_ITEMS};

use super::context::{resolve, Gate};
use super::reply::Reply;
use super::route::Kind;

/// The largest body of the routes browsers use, in bytes (64 KiB).
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// The largest body of the server-only routes (a synced order may carry
/// many lines), in bytes (1 MiB, as TaxJar's own limit).
pub(crate) const SERVER_BODY_LIMIT: usize = 1024 * 1024;

/// The body limit of a route kind.
pub fn limit(kind: Kind) -> usize {
    match kind {
        Kind::Transactions | Kind::Customers | Kind::Sync => SERVER_BODY_LIMIT,
        _ => BODY_LIMIT,
    }
}

/// 415 unless the content type is `application/json` (parameters such as
/// `charset` allowed).
pub(crate) fn check_content_type(content_type: Option<&str>) -> Result<(), Reply> {
    let essence = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(Reply::error(415, "the body must be application/json"))
    }
}

/// 413 when a declared `Content-Length` is over `limit`, before any byte is
/// read. A missing or unreadable length is checked after reading instead.
pub(crate) fn check_declared_length(
    content_length: Option<&str>,
    limit: usize,
) -> Result<(), Reply> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(n) if n > limit as u64 => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// 413 when the body read is over `limit` bytes.
pub(crate) fn check_length(length: usize, limit: usize) -> Result<(), Reply> {
    if length > limit {
        Err(too_large(limit))
    } else {
        Ok(())
    }
}

fn too_large(limit: usize) -> Reply {
    Reply::error(
        413,
        &format!("the body is larger than {} KiB", limit / 1024),
    )
}

/// A tax request ready to send: its JSON body and its cache key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxBody {
    /// The `POST /v2/taxes` body, with `plugin`.
    pub json: String,
    /// [`crate::key::cart_key`] of the cart (`et1_` and 32 hex digits).
    pub key: String,
    /// The validated cart, for a backup estimate.
    pub valid: ValidCart,
}

/// Reads, checks and rebuilds a tax request body; a 400 names the first
/// problem's `code` and `field`. `nexus`: the merchant's nexus addresses,
/// sent when the cart has none. `gate` judges its customer fields and
/// context ([`super::context`]); the context is never forwarded, and its
/// payload is part of the key.
pub fn taxes(
    bytes: &[u8],
    plugin: Option<&str>,
    nexus: &[NexusAddress],
    gate: &Gate,
) -> Result<TaxBody, Reply> {
    // One walk checks syntax, depth and keys and reads the value.
    let value = super::json::parse(utf8(bytes)?).map_err(|e| Reply::invalid(&e))?;
    let mut cart = Cart::from_value(&value).map_err(|e| Reply::invalid(&e))?;
    let lines = cart.line_items.as_ref().map_or(0, Vec::len);
    if lines > MAX_LINE_ITEMS {
        return Err(Reply::invalid(&Error::field(
            Code::TooManyLineItems,
            "line_items",
            format!("{lines} line items; at most {MAX_LINE_ITEMS} are accepted"),
        )));
    }
    let context = resolve(&mut cart, gate).map_err(|e| Reply::invalid(&e))?;
    // The merchant's nexus addresses (console), unless the cart or its
    // signed context brought its own: part of the request, so of its key.
    if cart.nexus_addresses.as_ref().map_or(true, Vec::is_empty) && !nexus.is_empty() {
        cart.nexus_addresses = Some(nexus.to_vec());
    }
    let mut valid = ValidCart::new(&cart).map_err(|e| Reply::invalid(&e))?;
    valid.context = context;
    let options = RequestOptions {
        plugin: plugin.map(str::to_owned),
    };
    let request = tax_request(&valid, &options);
    Ok(TaxBody {
        json: request.to_json(),
        // Equal to `cart_key(&valid)` (the key ignores `plugin`), without
        // building the request twice.
        key: request_key_with(
            &request,
            valid.context.as_ref().map(|c| c.canonical.as_str()),
        ),
        valid,
    })
}

/// A JSON object body, forwarded as written (server routes and address
/// validation); 400 when it is not a JSON object.
pub(crate) fn json_object(bytes: &[u8]) -> Result<String, Reply> {
    let text = checked(bytes)?;
    // Valid JSON, so a leading `{` makes it an object.
    if text.trim_start().starts_with('{') {
        Ok(text.to_owned())
    } else {
        Err(Reply::invalid(&Error::new(
            Code::InvalidType,
            "the body must be a JSON object",
        )))
    }
}

/// A body as UTF-8 text that passed [`super::json::check`] (syntax, depth,
/// repeated keys); else the 400 naming where it failed.
pub fn checked(bytes: &[u8]) -> Result<&str, Reply> {
    let text = utf8(bytes)?;
    super::json::check(text).map_err(|e| Reply::invalid(&e))?;
    Ok(text)
}

/// A body as UTF-8 text, else a 400.
fn utf8(bytes: &[u8]) -> Result<&str, Reply> {
    std::str::from_utf8(bytes)
        .map_err(|_| Reply::invalid(&Error::new(Code::InvalidType, "the body is not UTF-8 text")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// `(code, field, detail)` of a 400.
    fn refused(reply: Reply) -> (Value, Value, Value) {
        assert_eq!(reply.status, 400);
        let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
        (
            body["code"].clone(),
            body["field"].clone(),
            body["detail"].clone(),
        )
    }

    #[test]
    fn bodies_are_refused_where_they_fail() {
        let line = |price: &str| {
            let cart = r#"{"to_zip":"90002","to_state":"CA","line_items":[{"id":"1","unit_price":"#;
            format!("{cart}{price}}}]}}")
        };
        let field = "line_items[0].unit_price";
        let nan = refused(taxes(line("NaN").as_bytes(), None, &[], &Gate::server()).unwrap_err());
        let detail =
            format!("{field}: the body is not valid JSON: expected value at line 1 column 72");
        assert_eq!(nan, (json!("invalid_type"), json!(field), json!(detail)));
        let exponent =
            refused(taxes(line(r#""1e3""#).as_bytes(), None, &[], &Gate::server()).unwrap_err());
        assert_eq!(
            (exponent.0, exponent.1),
            (json!("invalid_amount"), json!(field))
        );
        // A negative zero, as a number or a string, is refused, naming the field.
        for text in ["-0", "-0.0", r#""-0""#, r#""-0.00""#] {
            let zero =
                refused(taxes(line(text).as_bytes(), None, &[], &Gate::server()).unwrap_err());
            assert_eq!(
                (zero.0, zero.1),
                (json!("invalid_amount"), json!(field)),
                "{text}"
            );
        }
        assert!(taxes(line("0").as_bytes(), None, &[], &Gate::server()).is_ok());
        let twice = refused(json_object(br#"{"a":1,"a":1}"#).unwrap_err());
        assert_eq!(
            twice,
            (
                json!("invalid_value"),
                json!("a"),
                json!("a: the key appears twice")
            )
        );
        assert_eq!(json_object(b"[]").unwrap_err().status, 400);
        assert_eq!(json_object(b" {}").unwrap(), " {}");
    }
}
