//! What the fuzz targets share: how an input is cut into parts, and the
//! invariants every estimate must meet. A broken invariant panics, which
//! libFuzzer reports as a crash like any other panic.

use edgetax::cart::Cart;
use edgetax::error::{Code, Error};
use edgetax::estimate::{Estimate, AMOUNT_LINE_ID};
use edgetax::key::cart_key;
use edgetax::validate::ValidCart;
use edgetax::Money;

/// Splits `data` at its first NUL byte. JSON text never holds a raw NUL,
/// so it separates two documents: `(first, Some(second))`, else
/// `(data, None)`.
pub fn split_nul(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

/// The cart used when an input brings none: two lines, shipping, and an
/// order discount, to Los Angeles.
pub const DEFAULT_CART: &str = r#"{"to_country":"US","to_zip":"90002","to_state":"CA",
    "to_city":"Los Angeles","shipping":1.5,"order_discount":1,
    "line_items":[{"id":"1","quantity":1,"unit_price":15,"product_tax_code":"20010"},
    {"id":"2","quantity":2,"unit_price":"10.00"}]}"#;

/// The valid cart in `text` (or the default cart when `None`); `None` when
/// it is not one, as there is then nothing to apply an answer to.
pub fn valid_cart(text: Option<&[u8]>) -> Option<ValidCart> {
    let text = match text {
        Some(bytes) => std::str::from_utf8(bytes).ok()?,
        None => DEFAULT_CART,
    };
    ValidCart::new(&Cart::from_json(text).ok()?).ok()
}

/// Every error that reaches a caller has a code string and a message; an
/// error about the input names its field (never blank).
pub fn check_error(error: &Error) {
    assert!(!error.code.as_str().is_empty());
    assert!(!error.message.trim().is_empty(), "empty message: {error:?}");
    if let Some(field) = &error.field {
        assert!(!field.trim().is_empty(), "blank field: {error:?}");
    }
}

/// The invariants of an estimate for `cart`: one line per cart line (or
/// the single `amount` line), the cart's key, line taxes plus shipping tax
/// equal to `amount_to_collect` to the cent, and JSON output.
pub fn check_estimate(cart: &ValidCart, estimate: &Estimate) {
    let lines = estimate.line_items.len();
    if cart.lines.is_empty() {
        assert_eq!(lines, 1);
        assert_eq!(estimate.line_items[0].id, AMOUNT_LINE_ID);
    } else {
        assert_eq!(lines, cart.lines.len());
    }
    assert_eq!(estimate.key, cart_key(cart));
    let taxes: Money = estimate
        .line_items
        .iter()
        .map(|l| l.tax_collectable)
        .sum::<Money>()
        + estimate.shipping.tax_collectable;
    assert_eq!(
        taxes, estimate.amount_to_collect,
        "line taxes + shipping tax != amount_to_collect: {estimate:?}"
    );
    for line in &estimate.line_items {
        assert_eq!(line.tax_collectable, line.tax_collectable.round_cents());
    }
    serde_json::to_string(estimate).expect("an estimate serializes");
}

/// An error from reading an upstream answer: the status is kept, and the
/// code follows it (2xx unparseable, 401 unauthorized, else upstream).
pub fn check_upstream_error(error: &Error, status: u16) {
    check_error(error);
    assert_eq!(error.status, Some(status), "{error:?}");
    let expected = match status {
        200..=299 => Code::UpstreamUnparseable,
        401 => Code::Unauthorized,
        _ => Code::UpstreamError,
    };
    assert_eq!(error.code, expected, "{error:?}");
}
