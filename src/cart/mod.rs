//! The cart as it comes in from JS or JSON. Field names are TaxJar's.
//!
//! Money and quantities are read leniently ([`DecimalInput`]) so that
//! [`crate::validate`] can report every bad value with its field path; the
//! checked, normalized form is [`crate::validate::ValidCart`].

pub(crate) mod read;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::json::write::Object;
use crate::json::Json;
use crate::money::{wire, DecimalInput};

/// A shopping cart in TaxJar's vocabulary. Unknown fields are ignored, as
/// TaxJar ignores them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cart {
    /// Origin country (ISO alpha-2).
    pub from_country: Option<String>,
    /// Origin ZIP or postal code.
    pub from_zip: Option<String>,
    /// Origin state or province code.
    pub from_state: Option<String>,
    /// Origin city.
    pub from_city: Option<String>,
    /// Origin street.
    pub from_street: Option<String>,
    /// Destination country (ISO alpha-2); `"US"` when absent.
    pub to_country: Option<String>,
    /// Destination ZIP or postal code.
    pub to_zip: Option<String>,
    /// Destination state or province code.
    pub to_state: Option<String>,
    /// Destination city.
    pub to_city: Option<String>,
    /// Destination street.
    pub to_street: Option<String>,
    /// Order amount excluding shipping; only for carts without line items.
    pub amount: Option<DecimalInput>,
    /// Shipping charged, before `shipping_discount`; 0 when absent.
    pub shipping: Option<DecimalInput>,
    /// Deducted from shipping, never below zero.
    pub shipping_discount: Option<DecimalInput>,
    /// An order-level discount, split across discountable line items.
    pub order_discount: Option<DecimalInput>,
    /// How `order_discount` is split: `"proportional"` (default) or `"even"`.
    pub discount_split: Option<String>,
    /// A handling fee, sent as its own line item.
    pub handling_fee: Option<DecimalInput>,
    /// TaxJar customer id, for customer exemptions.
    pub customer_id: Option<String>,
    /// `wholesale`, `government`, `marketplace`, `other` or `non_exempt`.
    pub exemption_type: Option<String>,
    /// The seller's nexus addresses, if given per order.
    pub nexus_addresses: Option<Vec<NexusAddress>>,
    /// A signed customer context (`cc1.…`, see [`crate::context`]) made by
    /// the merchant's server. Never sent on to TaxJar.
    pub customer_context: Option<String>,
    /// The items.
    pub line_items: Option<Vec<LineItem>>,
}

/// One nexus address on a cart.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct NexusAddress {
    /// Optional id of the location.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Country (ISO alpha-2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State or province code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ZIP or postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

impl NexusAddress {
    /// Appends this address as JSON, as serde wrote it (absent fields
    /// left out).
    pub fn write_json(&self, out: &mut String) {
        Object::new(out)
            .some_str("id", self.id.as_deref())
            .some_str("country", self.country.as_deref())
            .some_str("state", self.state.as_deref())
            .some_str("zip", self.zip.as_deref())
            .some_str("city", self.city.as_deref())
            .some_str("street", self.street.as_deref())
            .end();
    }
}

/// One item of the cart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineItem {
    /// Unique within the cart. Numbers are read as their decimal string.
    pub id: Option<String>,
    /// Default 1; above zero; may be fractional.
    pub quantity: Option<DecimalInput>,
    /// Price of one unit, at least zero, up to 6 decimal places.
    pub unit_price: Option<DecimalInput>,
    /// The line's total discount (not per unit).
    pub discount: Option<DecimalInput>,
    /// TaxJar product tax code, e.g. `"20010"` for clothing.
    pub product_tax_code: Option<String>,
    /// Shown to people; never part of the tax request or key.
    pub description: Option<String>,
    /// SKU or similar; never part of the tax request or key.
    pub product_identifier: Option<String>,
    /// Whether the order discount may apply to this line (default true).
    pub discountable: Option<bool>,
}

impl Cart {
    /// Reads a cart from JSON text. A value of the wrong kind (a string
    /// where a list belongs) is an `invalid_type` error naming its path.
    pub fn from_json(text: &str) -> Result<Cart> {
        let value = crate::json::parse(text).map_err(|e| {
            Error::new(
                Code::InvalidType,
                format!("the cart is not valid JSON: {e}"),
            )
        })?;
        read::cart(&value)
    }

    /// Reads a cart from a parsed JSON value (see [`Cart::from_json`]).
    pub fn from_json_value(value: &Json) -> Result<Cart> {
        read::cart(value)
    }

    /// Reads a cart from serde_json's tree (see [`Cart::from_json`]).
    #[cfg(any(feature = "proxy", feature = "sync", feature = "legacy"))]
    pub fn from_value(value: &serde_json::Value) -> Result<Cart> {
        read::cart(&Json::from(value))
    }

    /// This cart with every absent field taken from `defaults` (the store's
    /// own `from_*` address, say). Present fields win; lists are not merged.
    pub fn merged_over(mut self, defaults: &Cart) -> Cart {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = defaults.$f.clone(); } )* };
        }
        fill!(
            from_country,
            from_zip,
            from_state,
            from_city,
            from_street,
            to_country,
            to_zip,
            to_state,
            to_city,
            to_street,
            amount,
            shipping,
            shipping_discount,
            order_discount,
            discount_split,
            handling_fee,
            customer_id,
            exemption_type,
            nexus_addresses,
            customer_context,
            line_items
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_and_strings() {
        let cart = Cart::from_json(
            r#"{"to_zip":"90002","line_items":[{"id":7,"unit_price":"19.99","quantity":2}]}"#,
        )
        .unwrap();
        let line = &cart.line_items.unwrap()[0];
        assert_eq!(line.id.as_deref(), Some("7"));
        assert_eq!(
            line.unit_price
                .as_ref()
                .unwrap()
                .0
                .as_ref()
                .unwrap()
                .to_string(),
            "19.99"
        );
    }

    #[test]
    fn structural_errors_name_the_path() {
        let err = Cart::from_json(r#"{"line_items":[{"id":"a"},{"id":"b","discountable":1}]}"#)
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidType);
        assert_eq!(err.field.as_deref(), Some("line_items[1].discountable"));
        let cart = Cart::from_json(r#"{"line_items":[{"unit_price":true}]}"#).unwrap();
        let price = cart.line_items.unwrap()[0].unit_price.clone().unwrap();
        assert!(price.0.unwrap_err().contains("number or a decimal string"));
        let err = Cart::from_json(r#"{"line_items":"many"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("line_items"));
        let err = Cart::from_json(r#"{"nexus_addresses":[{"state":["CA"]}]}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("nexus_addresses[0].state"));
        let err = Cart::from_json(r#"[1]"#).unwrap_err();
        assert_eq!((err.code, err.field), (Code::InvalidType, None));
    }

    #[test]
    fn defaults_fill_only_absent_fields() {
        let defaults = Cart::from_json(r#"{"from_zip":"92093","to_country":"CA"}"#).unwrap();
        let cart = Cart::from_json(r#"{"to_country":"US"}"#)
            .unwrap()
            .merged_over(&defaults);
        assert_eq!(cart.from_zip.as_deref(), Some("92093"));
        assert_eq!(cart.to_country.as_deref(), Some("US"));
    }
}
