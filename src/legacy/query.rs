//! The GET query of `/sales_tax` (Standard) and `/v1/sales_tax` (Enhanced).
//!
//! Parameters go out in the order of the reference's curl examples:
//! `amount`, the `from_*` fields, line items, nexus addresses, `shipping`,
//! the `to_*` fields; each address as city, state, zip, country. So a
//! query, decoded, reads exactly like those examples.

use crate::cart::Cart;
use crate::error::{Code, Error, Result};
use crate::money::Money;
use crate::split::line_discounts;
use crate::validate::{Address, ValidCart};

use super::encode::{cents, plain};
use super::{Dialect, LegacyRequest};

/// The GET request for `cart` in a legacy `dialect`.
///
/// The cart is validated as for v2. Absent fields take the reference's
/// defaults by being left out: a country is sent only when the cart names
/// one (the default is `US`), and ZIPs are sent as written (the reference
/// accepts both `V0J1A0` and `V0J 1A0`), upper-cased. Fields the dialect
/// has no parameter for are listed in [`LegacyRequest::dropped`].
///
/// Errors: any validation error; `invalid_value` for [`Dialect::V2`]
/// (a POST body, see [`crate::request::tax_request`]); for Standard,
/// `missing_field` without `to_state` or `to_zip` and `invalid_country`
/// outside the US and Canada, as the reference requires.
pub fn legacy_query(cart: &Cart, dialect: Dialect) -> Result<LegacyRequest> {
    let valid = ValidCart::new(cart)?;
    match dialect {
        Dialect::V2 => Err(Error::field(
            Code::InvalidValue,
            "dialect",
            "v2 is not a GET query; build its body with request::tax_request",
        )),
        Dialect::LegacyStandard => standard(cart, &valid),
        Dialect::LegacyEnhanced => enhanced(cart, &valid),
    }
}

/// Parameters in sending order.
#[derive(Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn add(&mut self, key: impl Into<String>, value: Option<String>) {
        if let Some(value) = value {
            self.0.push((key.into(), value));
        }
    }

    /// `<side>_city`, `_state`, `_zip`, and `_country` when the cart names
    /// one.
    fn address(&mut self, side: &str, address: &Address, raw_zip: &Option<String>, named: bool) {
        self.add(format!("{side}_city"), address.city.clone());
        self.add(format!("{side}_state"), address.state.clone());
        self.add(format!("{side}_zip"), as_written(&address.zip, raw_zip));
        let country = address.country.clone().filter(|_| named);
        self.add(format!("{side}_country"), country);
    }
}

/// The validated ZIP, compact when it was written without a space.
fn as_written(zip: &Option<String>, raw: &Option<String>) -> Option<String> {
    let compact = raw.as_deref().is_some_and(|r| !r.trim().contains(' '));
    zip.as_ref().map(|z| {
        if compact {
            z.replace(' ', "")
        } else {
            z.clone()
        }
    })
}

fn given(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.trim().is_empty())
}

/// Items after every discount (line and order), or the cart's `amount`.
fn items_total(cart: &ValidCart) -> Money {
    match cart.amount {
        Some(amount) => amount,
        None => cart
            .lines
            .iter()
            .zip(line_discounts(cart))
            .map(|(line, discount)| line.gross - discount)
            .sum(),
    }
}

/// Cart fields that neither legacy dialect can send.
fn dropped_by_both(cart: &Cart, valid: &ValidCart) -> Vec<String> {
    let mut dropped = Vec::new();
    for (name, present) in [
        ("from_street", valid.from.street.is_some()),
        ("to_street", valid.to.street.is_some()),
        ("customer_id", valid.customer_id.is_some()),
        ("exemption_type", given(&cart.exemption_type)),
    ] {
        if present {
            dropped.push(name.to_owned());
        }
    }
    dropped
}

fn standard(cart: &Cart, valid: &ValidCart) -> Result<LegacyRequest> {
    // "to_state ... This is a required parameter." Same for to_zip.
    for (field, value) in [("to_state", &valid.to.state), ("to_zip", &valid.to.zip)] {
        if value.is_none() {
            return Err(Error::field(
                Code::MissingField,
                field,
                format!("{field} is required by the legacy Standard API"),
            ));
        }
    }
    // "Only valid values are US and CA."
    for (field, country) in [
        ("from_country", &valid.from.country),
        ("to_country", &valid.to.country),
    ] {
        if let Some(c) = country.as_deref().filter(|c| !matches!(*c, "US" | "CA")) {
            return Err(Error::field(
                Code::InvalidCountry,
                field,
                format!("\"{c}\" is not US or CA, the only countries of the legacy Standard API; use legacy-enhanced"),
            ));
        }
    }
    let mut p = Params::default();
    // Example 4: "the item subtotal less discounts as the amount and then
    // the shipping fee separately".
    p.add("amount", Some(cents(items_total(valid))));
    p.address(
        "from",
        &valid.from,
        &cart.from_zip,
        given(&cart.from_country),
    );
    p.add("shipping", Some(cents(valid.shipping)));
    p.address("to", &valid.to, &cart.to_zip, given(&cart.to_country));
    let mut request = LegacyRequest::get("/sales_tax".to_owned(), p.0);
    request.dropped = dropped_by_both(cart, valid);
    if valid.lines.iter().any(|l| l.product_tax_code.is_some()) {
        request
            .dropped
            .push("line_items[].product_tax_code".to_owned());
    }
    if !valid.nexus_addresses.is_empty() {
        request.dropped.push("nexus_addresses".to_owned());
    }
    Ok(request)
}

fn enhanced(cart: &Cart, valid: &ValidCart) -> Result<LegacyRequest> {
    let mut p = Params::default();
    // The reference's parameter table says `amount` excludes shipping, but
    // both of its Enhanced examples include it: 215.30 = 150 + 3 × 19.95
    // + 5.45, and 34.37 = (5 × 2.99 − 4.00 + 3 × 5.99) + 5.45; and its 203
    // status checks "the order amount provided and the shipping plus item
    // level totals". The examples are what the endpoint was run with, so
    // Enhanced sends items after discounts plus shipping.
    p.add("amount", Some(cents(items_total(valid) + valid.shipping)));
    p.address(
        "from",
        &valid.from,
        &cart.from_zip,
        given(&cart.from_country),
    );
    for (line, discount) in valid.lines.iter().zip(line_discounts(valid)) {
        let key = |field: &str| format!("line_items[{}][{field}]", line.id);
        p.add(key("quantity"), Some(plain(line.quantity)));
        p.add(key("unit_price"), Some(plain(line.unit_price)));
        // "If you choose to not submit a discount, we assume no discounts".
        p.add(
            key("discount"),
            (!discount.is_zero()).then(|| cents(discount)),
        );
        p.add(key("product_tax_code"), line.product_tax_code.clone());
    }
    let mut keys = std::collections::HashSet::new();
    for (i, nexus) in valid.nexus_addresses.iter().enumerate() {
        // Keyed by the address id, else by its position from 1 (as lines).
        let id = nexus.id.clone().unwrap_or_else(|| (i + 1).to_string());
        if !keys.insert(id.clone()) {
            return Err(Error::field(
                Code::InvalidValue,
                format!("nexus_addresses[{i}].id"),
                format!("nexus address key \"{id}\" is used twice"),
            ));
        }
        let key = |field: &str| format!("nexus_addresses[{id}][{field}]");
        p.add(key("country"), nexus.country.clone());
        p.add(key("state"), nexus.state.clone());
        p.add(key("city"), nexus.city.clone());
        p.add(key("zip"), nexus.zip.clone());
        p.add(key("street"), nexus.street.clone());
    }
    p.add("shipping", Some(cents(valid.shipping)));
    p.address("to", &valid.to, &cart.to_zip, given(&cart.to_country));
    let mut request = LegacyRequest::get("/v1/sales_tax".to_owned(), p.0);
    request.dropped = dropped_by_both(cart, valid);
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(json: &str, dialect: Dialect) -> Result<LegacyRequest> {
        legacy_query(&Cart::from_json(json).unwrap(), dialect)
    }

    fn decoded(r: &LegacyRequest) -> String {
        let pairs: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("&")
    }

    #[test]
    fn order_discount_is_netted_into_amount() {
        let cart = r#"{"to_zip":"07446","to_state":"NJ","shipping":"5","order_discount":3,
            "line_items":[{"id":"b","unit_price":10},{"id":"a","unit_price":"2.5","quantity":2}]}"#;
        let r = query(cart, Dialect::LegacyStandard).unwrap();
        assert_eq!(
            decoded(&r),
            "amount=12.00&shipping=5.00&to_state=NJ&to_zip=07446"
        );
        let r = query(cart, Dialect::LegacyEnhanced).unwrap();
        assert_eq!(
            decoded(&r),
            "amount=17.00&line_items[b][quantity]=1&line_items[b][unit_price]=10\
             &line_items[b][discount]=2.00&line_items[a][quantity]=2\
             &line_items[a][unit_price]=2.5&line_items[a][discount]=1.00\
             &shipping=5.00&to_state=NJ&to_zip=07446"
        );
    }

    #[test]
    fn standard_refusals() {
        let err = query(r#"{"to_country":"FR","amount":1}"#, Dialect::LegacyStandard).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("to_state"));
        let err = query(
            r#"{"to_country":"FR","to_state":"X","to_zip":"75001","amount":1}"#,
            Dialect::LegacyStandard,
        )
        .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidCountry, Some("to_country"))
        );
        let err = query(
            r#"{"to_zip":"07446","to_state":"NJ","amount":1}"#,
            Dialect::V2,
        )
        .unwrap_err();
        assert_eq!(err.code, Code::InvalidValue);
    }

    #[test]
    fn canadian_zip_as_written_and_dropped_fields() {
        let r = query(
            r#"{"to_country":"ca","to_state":"bc","to_zip":"v0j 1a0","to_street":"1 Main",
            "amount":1,"exemption_type":"wholesale"}"#,
            Dialect::LegacyStandard,
        )
        .unwrap();
        assert_eq!(
            decoded(&r),
            "amount=1.00&shipping=0.00&to_state=BC&to_zip=V0J 1A0&to_country=CA"
        );
        assert_eq!(r.dropped, ["to_street", "exemption_type"]);
        assert_eq!(
            r.encoded,
            "amount=1.00&shipping=0.00&to_state=BC&to_zip=V0J%201A0&to_country=CA"
        );
    }

    #[test]
    fn nexus_keys_must_be_unique() {
        let err = query(
            r#"{"to_country":"DE","amount":1,"nexus_addresses":[
                {"id":"x","country":"DE"},{"id":"x","country":"FR"}]}"#,
            Dialect::LegacyEnhanced,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("nexus_addresses[1].id"));
    }

    #[test]
    fn enhanced_international_and_fractional_quantities() {
        // "1, 1.0, and 4.5 are all valid values"; VAT countries in alpha-2.
        let r = query(
            r#"{"from_country":"DE","to_country":"fr","shipping":0,"line_items":[
            {"id":1,"quantity":4.5,"unit_price":"2.00"},{"id":2,"quantity":"1.0","unit_price":3}]}"#,
            Dialect::LegacyEnhanced,
        )
        .unwrap();
        assert_eq!(
            decoded(&r),
            "amount=12.00&from_country=DE&line_items[1][quantity]=4.5&line_items[1][unit_price]=2\
             &line_items[2][quantity]=1&line_items[2][unit_price]=3&shipping=0.00&to_country=FR"
        );
    }
}
