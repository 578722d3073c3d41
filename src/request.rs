//! The exact `POST /v2/taxes` body for a valid cart.

use crate::error::{Code, Error, Result};
use crate::model::{TaxLineItem, TaxRequest};
use crate::money::Money;
use crate::split::discounts;
use crate::validate::ValidCart;

/// Options for [`tax_request`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// The partner `plugin` tag TaxJar asks integrations to send.
    pub plugin: Option<String>,
}

/// The body of `POST /v2/taxes`: line discounts already split, shipping net
/// of its discount, the handling fee as a line, and `amount` the sum of the
/// lines after discounts. Money goes out as JSON numbers in cents; unit
/// prices keep the precision they were given (at most 6 places).
pub fn tax_request(cart: &ValidCart, options: &RequestOptions) -> TaxRequest {
    let line_items = (0..cart.lines.len()).map(|i| line_item(cart, i)).collect();
    body(cart, options, line_items)
}

/// The body the `Estimator` posts to its `apiUrl`: [`tax_request`] and, for
/// a cart with a customer context, its token as `customer_context`, for
/// the Worker to verify. (TaxJar ignores the field; the Worker never
/// forwards it.)
pub fn estimator_body(cart: &ValidCart, options: &RequestOptions) -> String {
    let mut json = tax_request(cart, options).to_json();
    if let Some(context) = &cart.context {
        // Appended to the object's text rather than through a second
        // (flattening) serializer of the whole request, which cost the wasm
        // kilobytes. The object always has `amount`, so it is never `{}`.
        if json.ends_with('}') && json.len() > 2 {
            json.pop();
            json.push_str(",\"customer_context\":");
            crate::json::write::string(&mut json, &context.token);
            json.push('}');
        }
    }
    json
}

/// [`tax_request`] with its lines in order of id: the canonical form the
/// cart key digests.
pub(crate) fn sorted_tax_request(cart: &ValidCart) -> TaxRequest {
    let line_items = cart
        .lines_by_id()
        .iter()
        .map(|&i| line_item(cart, i))
        .collect();
    body(cart, &RequestOptions::default(), line_items)
}

fn line_item(cart: &ValidCart, i: usize) -> TaxLineItem {
    let line = &cart.lines[i];
    TaxLineItem {
        id: Some(line.id.clone()),
        quantity: Some(line.quantity),
        product_tax_code: line.product_tax_code.clone(),
        unit_price: Some(line.unit_price),
        discount: Some(discounts(cart)[i].value()),
    }
}

fn body(cart: &ValidCart, options: &RequestOptions, line_items: Vec<TaxLineItem>) -> TaxRequest {
    let discounts = discounts(cart);
    let amount = match cart.amount {
        Some(amount) => amount,
        None => cart
            .lines
            .iter()
            .zip(discounts)
            .map(|(l, d)| l.gross - *d)
            .sum::<Money>(),
    };
    let nexus = &cart.nexus_addresses;
    TaxRequest {
        from_country: cart.from.country.clone(),
        from_zip: cart.from.zip.clone(),
        from_state: cart.from.state.clone(),
        from_city: cart.from.city.clone(),
        from_street: cart.from.street.clone(),
        to_country: cart.to.country.clone(),
        to_zip: cart.to.zip.clone(),
        to_state: cart.to.state.clone(),
        to_city: cart.to.city.clone(),
        to_street: cart.to.street.clone(),
        amount: Some(amount.value()),
        shipping: Some(cart.shipping.value()),
        customer_id: cart.customer_id.clone(),
        exemption_type: cart.exemption_type.map(|e| e.as_str().to_owned()),
        nexus_addresses: (!nexus.is_empty()).then(|| nexus.clone()),
        line_items: (!line_items.is_empty()).then_some(line_items),
        plugin: options.plugin.clone(),
    }
}

/// The `dialect` option of a build without the legacy API (the browser
/// build): `"v2"` or absent; any other is an `invalid_value` error on
/// `options.dialect` that says where the legacy dialects are.
pub fn v2_only(dialect: Option<&str>) -> Result<()> {
    match dialect {
        None | Some("v2") => Ok(()),
        Some(other) => Err(Error::field(
            Code::InvalidValue,
            "options.dialect",
            format!(
                "options.dialect \"{other}\" is not spoken by this build, which speaks \"v2\" only: \
                 the legacy dialects are in edgetax/server"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_v2_without_the_legacy_api() {
        assert!(v2_only(None).is_ok() && v2_only(Some("v2")).is_ok());
        let err = v2_only(Some("legacy-standard")).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidValue, Some("options.dialect"))
        );
        assert!(err.message.contains("edgetax/server"), "{}", err.message);
    }
    use crate::cart::Cart;

    fn body(json: &str) -> String {
        let cart = ValidCart::new(&Cart::from_json(json).unwrap()).unwrap();
        let options = RequestOptions {
            plugin: Some("edgetax".into()),
        };
        serde_json::to_string(&tax_request(&cart, &options)).unwrap()
    }

    #[test]
    fn money_goes_out_exact() {
        let json = body(
            r#"{"to_zip":"90002","to_state":"ca","shipping":1.5,
            "line_items":[{"id":"1","quantity":3,"unit_price":9.98}]}"#,
        );
        assert_eq!(
            json,
            r#"{"to_country":"US","to_zip":"90002","to_state":"CA","amount":29.94,"shipping":1.5,"line_items":[{"id":"1","quantity":3,"unit_price":9.98,"discount":0}],"plugin":"edgetax"}"#
        );
    }

    #[test]
    fn discounts_shipping_and_handling() {
        let json = body(
            r#"{"to_zip":"10541","to_state":"NY","shipping":"7.99","shipping_discount":2,
            "order_discount":10,"handling_fee":2.5,
            "line_items":[{"id":"a","quantity":2,"unit_price":5},{"id":"b","unit_price":10}]}"#,
        );
        assert_eq!(
            json,
            r#"{"to_country":"US","to_zip":"10541","to_state":"NY","amount":12.5,"shipping":5.99,"line_items":[{"id":"a","quantity":2,"unit_price":5,"discount":5},{"id":"b","quantity":1,"unit_price":10,"discount":5},{"id":"handling-fee","quantity":1,"unit_price":2.5,"discount":0}],"plugin":"edgetax"}"#
        );
    }

    #[test]
    fn shipping_discount_never_below_zero_and_amount_only_carts() {
        let json =
            body(r#"{"to_country":"FR","amount":"15","shipping":1.5,"shipping_discount":3}"#);
        assert_eq!(
            json,
            r#"{"to_country":"FR","amount":15,"shipping":0,"plugin":"edgetax"}"#
        );
    }
}
