//! `cartKey`: the canonical key of everything TaxJar uses from a cart.
//!
//! The key is a digest of the tax request itself (lines sorted by id,
//! nexus addresses sorted, numbers in canonical form, no `plugin`). So it
//! ignores what TaxJar ignores (line order, number spelling, the case of
//! codes, descriptions, SKUs) and changes with everything TaxJar reads.
//! SHA-256, not a fast hash: the Worker shares cached answers between
//! shoppers, and a forged collision must not serve one cart's tax for
//! another's.

use sha2::{Digest, Sha256};

use crate::model::{TaxLineItem, TaxRequest};
use crate::order::{permuted, sorted_indices};
use crate::request::sorted_tax_request;
use crate::validate::ValidCart;

/// Bumped whenever the canonical form changes, so old memo entries miss.
const KEY_VERSION: &str = "et1";

/// The memo key of a valid cart: `et1_` and 32 hex digits (128 bits).
/// Computed once per cart and kept on it (the estimate carries it too).
/// A cart with a customer context digests the context's payload as well
/// (not its signature or expiry), so two customers never share a key.
pub fn cart_key(cart: &ValidCart) -> String {
    cart.derived
        .key
        .get_or_init(|| digest_key(sorted_tax_request(cart), context_of(cart)))
        .clone()
}

/// The key of a cart's tax context: its addresses, nexus addresses,
/// customer and exemption (and customer context), without its lines,
/// amount or shipping. Two carts with the same context get the same rates
/// from TaxJar, which is what a provisional estimate relies on.
pub(crate) fn context_key(cart: &ValidCart) -> String {
    let mut request = sorted_tax_request(cart);
    request.line_items = None;
    request.amount = None;
    request.shipping = None;
    digest_key(request, context_of(cart))
}

/// The memo key of a built request (its `plugin` is ignored).
pub fn request_key(request: &TaxRequest) -> String {
    request_key_with(request, None)
}

/// [`request_key`] of a request made for a cart with the customer context
/// whose [`crate::context::Applied::canonical`] is `context`: equal to the
/// cart's [`cart_key`].
pub(crate) fn request_key_with(request: &TaxRequest, context: Option<&str>) -> String {
    let mut canonical = request.clone();
    if let Some(lines) = canonical.line_items.take() {
        canonical.line_items = Some(sorted_by_id(lines));
    }
    digest_key(canonical, context)
}

fn context_of(cart: &ValidCart) -> Option<&str> {
    cart.context.as_ref().map(|c| c.canonical.as_str())
}

/// The key of a request whose lines are in order of id, and of the
/// context's canonical payload, if any.
fn digest_key(mut canonical: TaxRequest, context: Option<&str>) -> String {
    canonical.plugin = None;
    if let Some(nexus) = canonical.nexus_addresses.as_mut() {
        let keys: Vec<String> = nexus
            .iter()
            .map(|n| {
                let mut text = String::new();
                n.write_json(&mut text);
                text
            })
            .collect();
        let order = sorted_indices(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
        *nexus = permuted(std::mem::take(nexus), &order);
    }
    let text = canonical.to_json();
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    if let Some(context) = context {
        // After the request's JSON, which never holds a newline.
        hasher.update(b"\ncc1:");
        hasher.update(context.as_bytes());
    }
    let digest = hasher.finalize();
    let mut key = String::with_capacity(KEY_VERSION.len() + 33);
    key.push_str(KEY_VERSION);
    key.push('_');
    for byte in &digest[..16] {
        key.push(char::from_digit((byte >> 4) as u32, 16).unwrap_or('0'));
        key.push(char::from_digit((byte & 15) as u32, 16).unwrap_or('0'));
    }
    key
}

/// The lines in a stable order of ids. The ids are sorted by index and the
/// lines moved once: sorting the lines themselves moved each large line
/// about log n times (a sixth of a key).
fn sorted_by_id(lines: Vec<TaxLineItem>) -> Vec<TaxLineItem> {
    let order = sorted_indices(lines.len(), &mut |a, b| lines[a].id.cmp(&lines[b].id));
    permuted(lines, &order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;
    use crate::request::RequestOptions;

    fn key(json: &str) -> String {
        cart_key(&ValidCart::new(&Cart::from_json(json).unwrap()).unwrap())
    }

    const BASE: &str = r#"{"to_country":"US","to_zip":"90002","to_state":"CA","to_street":"1335 E 103rd St",
        "shipping":1.5,"line_items":[{"id":"1","quantity":1,"unit_price":15,"product_tax_code":"20010"},
        {"id":"2","quantity":2,"unit_price":"10.00","description":"Mug"}]}"#;

    #[test]
    fn stable_under_spelling_order_and_case() {
        let k = key(BASE);
        assert!(k.starts_with("et1_") && k.len() == 36, "{k}");
        let same = r#"{"line_items":[{"quantity":"2","unit_price":10,"id":"2","product_identifier":"MUG-1"},
            {"product_tax_code":"20010","unit_price":"15.000","id":"1"}],
            "shipping":"1.50","to_state":" ca ","to_zip":"90002","to_street":"1335 E 103rd St","to_country":"us"}"#;
        assert_eq!(key(same), k);
    }

    #[test]
    fn changes_with_every_tax_field() {
        let k = key(BASE);
        for (from, to) in [
            ("1335 E 103rd St", "1336 E 103rd St"),
            ("\"shipping\":1.5", "\"shipping\":1.51"),
            ("\"unit_price\":15", "\"unit_price\":15.01"),
            ("\"quantity\":2", "\"quantity\":3"),
            ("\"20010\"", "\"20011\""),
            ("\"to_zip\":\"90002\"", "\"to_zip\":\"90003\""),
            (
                "\"shipping\":1.5",
                "\"shipping\":1.5,\"customer_id\":\"c1\"",
            ),
            (
                "\"shipping\":1.5",
                "\"shipping\":1.5,\"exemption_type\":\"wholesale\"",
            ),
            ("\"shipping\":1.5", "\"shipping\":1.5,\"order_discount\":1"),
            (
                "\"shipping\":1.5",
                "\"shipping\":1.5,\"from_zip\":\"92093\"",
            ),
            (
                "\"shipping\":1.5",
                "\"shipping\":1.5,\"nexus_addresses\":[{\"country\":\"US\",\"state\":\"CA\"}]",
            ),
            ("\"description\":\"Mug\"", "\"discount\":1"),
        ] {
            let changed = BASE.replacen(from, to, 1);
            assert_ne!(changed, BASE, "{from}");
            assert_ne!(key(&changed), k, "{from} → {to}");
        }
    }

    /// Lines out of id order, an order discount, two nexus addresses.
    const SHUFFLED: &str = r#"{"to_country":"US","to_zip":"90002","to_state":"CA",
        "shipping":2,"order_discount":"3.01","nexus_addresses":[{"country":"US","state":"NY"},
        {"country":"US","state":"CA","zip":"90002"}],"line_items":[
        {"id":"b","quantity":1,"unit_price":"9.99"},{"id":"a","quantity":3,"unit_price":"1.25"},
        {"id":"c10","quantity":2,"unit_price":4},{"id":"c9","quantity":1,"unit_price":"0.5"}]}"#;

    #[test]
    fn keys_did_not_change() {
        // Computed before the key was streamed into the digest and kept on
        // the cart: cached answers (Worker, memo) must stay reachable.
        assert_eq!(key(SHUFFLED), "et1_d8edb84ef932288970ddb26573c5e49b");
        assert_eq!(key(BASE), "et1_c0217b333f948d9f12a6a0ffcd93bf62");
    }

    #[test]
    fn cart_key_equals_the_key_of_its_request() {
        // The Worker keys raw request bodies with `request_key`; it must
        // land on the same entry as the cart's own key.
        for json in [BASE, SHUFFLED] {
            let cart = ValidCart::new(&Cart::from_json(json).unwrap()).unwrap();
            let body = crate::request::tax_request(&cart, &RequestOptions::default());
            assert_eq!(request_key(&body), cart_key(&cart), "{json}");
        }
    }

    #[test]
    fn a_kept_key_is_not_part_of_the_cart() {
        let cart = ValidCart::new(&Cart::from_json(SHUFFLED).unwrap()).unwrap();
        let fresh = cart.clone();
        let k = cart_key(&cart);
        assert_eq!(cart, fresh, "equality ignores what was derived");
        assert_eq!(cart_key(&cart), k, "asked again");
        assert_eq!(cart_key(&fresh), k, "derived afresh");
        assert_eq!(cart.lines_by_id(), [1, 0, 2, 3]);
    }
}
