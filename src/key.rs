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
use crate::request::{tax_request, RequestOptions};
use crate::validate::ValidCart;

/// Bumped whenever the canonical form changes, so old memo entries miss.
const KEY_VERSION: &str = "et1";

/// The memo key of a valid cart: `et1_` and 32 hex digits (128 bits).
pub fn cart_key(cart: &ValidCart) -> String {
    canonical_key(tax_request(cart, &RequestOptions::default()))
}

/// The memo key of a built request (its `plugin` is ignored).
pub fn request_key(request: &TaxRequest) -> String {
    canonical_key(request.clone())
}

/// The key of a request we own: sorted in place, no copy of its lines.
fn canonical_key(mut canonical: TaxRequest) -> String {
    canonical.plugin = None;
    if let Some(lines) = canonical.line_items.take() {
        canonical.line_items = Some(sorted_by_id(lines));
    }
    if let Some(nexus) = canonical.nexus_addresses.as_mut() {
        nexus.sort_by_cached_key(|n| serde_json::to_string(n).unwrap_or_default());
    }
    let text = serde_json::to_vec(&canonical).unwrap_or_default();
    let digest = Sha256::digest(&text);
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
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| lines[a].id.cmp(&lines[b].id));
    let mut slots: Vec<Option<TaxLineItem>> = lines.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;

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
}
