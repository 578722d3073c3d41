//! A platform's order and refund, as Transaction Sync reads them. Field
//! names are TaxJar's where TaxJar has one; money is a number or a decimal
//! string, as everywhere in edgetax.
//!
//! The cart part of an order (addresses, shipping, discounts, handling fee,
//! exemption, line items) is read as a [`Cart`] and checked by the cart
//! rules, so orders and checkout carts can never disagree on them.

use rust_decimal::Decimal;
use serde_json::Value;

use super::read::{self, Object};
use crate::cart::Cart;
use crate::error::{Code, Error, Result};
use crate::money::{round_dp, DecimalInput, Money};

/// What the sync needs of a line beyond the cart's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineExtra {
    /// The sales tax collected on the line, if the platform knows it.
    pub sales_tax: Option<Money>,
    /// `false` keeps the line out of the tax split (default true).
    pub taxable: Option<bool>,
}

/// An order: `{ id, transaction_date | created_at, status, currency, ... }`
/// (see `docs/SYNC.md` for every field).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Order {
    /// The platform's order id (`transaction_id` keeps only `[A-Za-z0-9_-]`).
    pub id: String,
    /// `transaction_date`, else `created_at`: when the sale happened.
    pub date: Option<String>,
    /// When the order was created.
    pub created_at: Option<String>,
    /// When the order last changed (for backfills).
    pub updated_at: Option<String>,
    /// The platform's status (`completed`, `shipped`, `cancelled`...).
    pub status: Option<String>,
    /// ISO 4217 currency; USD when absent.
    pub currency: Option<String>,
    /// Where the sale was made (`amazon`, `pos`...); `api` when absent.
    pub provider: Option<String>,
    /// True for a sale made on a marketplace platform.
    pub marketplace: bool,
    /// The cart fields; its `amount` is never set (see [`Order::amount`]).
    pub cart: Cart,
    /// The platform's own transaction amount (items − discounts +
    /// shipping), checked against the computed one when given.
    pub amount: Option<Money>,
    /// Paid by gift card or store credit: never a discount, so unused.
    pub gift_card_amount: Option<Money>,
    /// Sales tax collected on the order (required to sync).
    pub sales_tax: Option<Money>,
    /// Per input line, in order: what the cart does not hold.
    pub lines: Vec<LineExtra>,
}

/// Folds each line's `unit_discount` (per unit, as some platforms keep
/// it) into its `discount`, which is the line's total: TaxJar takes
/// discounts per line, "factoring in the quantity, not per unit".
fn unit_discounts(o: &Object, cart: &mut Cart) -> Result<()> {
    let Some(Value::Array(raw)) = o.get("line_items") else {
        return Ok(());
    };
    let lines = cart.line_items.as_deref_mut().unwrap_or_default();
    for (i, (item, line)) in raw.iter().zip(lines).enumerate() {
        let Value::Object(item) = item else { continue };
        let Some(per_unit) = read::money(item, "unit_discount", &format!("line_items[{i}]"), "")?
        else {
            continue;
        };
        let quantity = match &line.quantity {
            None => Decimal::ONE,
            Some(DecimalInput(Ok(q))) => *q,
            Some(DecimalInput(Err(_))) => continue, // reported by validation
        };
        let own = match &line.discount {
            None => Decimal::ZERO,
            Some(DecimalInput(Ok(d))) => *d,
            Some(DecimalInput(Err(_))) => continue,
        };
        // Past Decimal's range the quantity is far above the accepted
        // maximum: validation reports it (and this discount), never a panic.
        let total = per_unit
            .value()
            .checked_mul(quantity)
            .and_then(|d| d.checked_add(own));
        line.discount = Some(match total {
            Some(total) => DecimalInput::ok(round_dp(total, 2)),
            None => DecimalInput(Err("(unit_discount × quantity) is too large".into())),
        });
    }
    Ok(())
}

/// The id of a required id field, or `missing_field`.
fn required_id(o: &Object, key: &str, prefix: &str) -> Result<String> {
    read::id(o, key, prefix)?.ok_or_else(|| {
        let path = read::join(prefix, key);
        Error::field(Code::MissingField, &path, format!("{path} is required"))
    })
}

/// `transaction_date`, else `created_at`.
fn date(o: &Object) -> Result<Option<String>> {
    Ok(read::text(o, "transaction_date", "")?.or(read::text(o, "created_at", "")?))
}

impl Order {
    /// Reads an order from JSON text.
    pub fn from_json(text: &str) -> Result<Order> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::new(
                Code::InvalidType,
                format!("the order is not valid JSON: {e}"),
            )
        })?;
        Order::from_value(&value)
    }

    /// Reads an order; the first value of the wrong kind is the error.
    /// Unknown fields are ignored.
    pub fn from_value(value: &Value) -> Result<Order> {
        let o = read::object(value, "the order")?;
        let mut cart = Cart::from_value(value)?;
        cart.amount = None;
        unit_discounts(o, &mut cart)?;
        let lines = read::list(o, "line_items", "", |line, path| {
            Ok(LineExtra {
                sales_tax: read::money(line, "sales_tax", path, "")?,
                taxable: read::boolean(line, "taxable", path)?,
            })
        })?
        .unwrap_or_default();
        Ok(Order {
            id: required_id(o, "id", "")?,
            date: date(o)?,
            created_at: read::text(o, "created_at", "")?,
            updated_at: read::text(o, "updated_at", "")?,
            status: read::text(o, "status", "")?,
            currency: read::text(o, "currency", "")?,
            provider: read::text(o, "provider", "")?,
            marketplace: read::boolean(o, "marketplace", "")?.unwrap_or(false),
            cart,
            amount: read::money(o, "amount", "", "")?,
            gift_card_amount: read::money(o, "gift_card_amount", "", "")?,
            sales_tax: read::money(o, "sales_tax", "", "")?,
            lines,
        })
    }
}

/// One refunded line. Absent fields come from the order's line of the same
/// `id`; `discount` and `sales_tax` then in proportion to the quantity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefundLine {
    /// The order line's id.
    pub id: Option<String>,
    /// Units refunded; default the order line's quantity.
    pub quantity: Option<Decimal>,
    /// Price of one unit (positive).
    pub unit_price: Option<Money>,
    /// The refunded line's total discount (positive).
    pub discount: Option<Money>,
    /// Sales tax refunded on the line (positive).
    pub sales_tax: Option<Money>,
    /// Product tax code.
    pub product_tax_code: Option<String>,
    /// SKU.
    pub product_identifier: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// A refund (credit memo) of an order. Amounts are given positive; they
/// are sent negative. Without `line_items` and `amount` it refunds the
/// whole order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refund {
    /// The platform's refund id (`transaction_id` is `{id}-refund`).
    pub id: String,
    /// `transaction_date`, else `created_at`: when the refund was made.
    pub date: Option<String>,
    /// When the refund last changed (for backfills).
    pub updated_at: Option<String>,
    /// The refund's amount (items − discounts + shipping): required for a
    /// refund without lines, checked when lines are given.
    pub amount: Option<Money>,
    /// Shipping refunded; a partial refund refunds none unless given.
    pub shipping: Option<Money>,
    /// Sales tax refunded.
    pub sales_tax: Option<Money>,
    /// A handling fee refunded, sent as a "Handling Fee" line.
    pub handling_fee: Option<Money>,
    /// The refunded lines; absent for a full or an amount-only refund.
    pub line_items: Option<Vec<RefundLine>>,
}

const POSITIVE: &str = "; give refund amounts as positive numbers: they are sent negative";

impl Refund {
    /// Reads a refund; the first value of the wrong kind is the error.
    pub fn from_value(value: &Value) -> Result<Refund> {
        let o = read::object(value, "the refund")?;
        Ok(Refund {
            id: required_id(o, "id", "")?,
            date: date(o)?,
            updated_at: read::text(o, "updated_at", "")?,
            amount: read::money(o, "amount", "", POSITIVE)?,
            shipping: read::money(o, "shipping", "", POSITIVE)?,
            sales_tax: read::money(o, "sales_tax", "", POSITIVE)?,
            handling_fee: read::money(o, "handling_fee", "", POSITIVE)?,
            line_items: read::list(o, "line_items", "", refund_line)?,
        })
    }

    /// Reads a refund from JSON text.
    pub fn from_json(text: &str) -> Result<Refund> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::new(
                Code::InvalidType,
                format!("the refund is not valid JSON: {e}"),
            )
        })?;
        Refund::from_value(&value)
    }
}

fn refund_line(o: &Object, path: &str) -> Result<RefundLine> {
    Ok(RefundLine {
        id: read::id(o, "id", path)?,
        quantity: read::quantity(o, "quantity", path)?,
        unit_price: read::money(o, "unit_price", path, POSITIVE)?,
        discount: read::money(o, "discount", path, POSITIVE)?,
        sales_tax: read::money(o, "sales_tax", path, POSITIVE)?,
        product_tax_code: read::id(o, "product_tax_code", path)?,
        product_identifier: read::id(o, "product_identifier", path)?,
        description: read::text(o, "description", path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_order_with_paths() {
        let order = Order::from_json(
            r#"{"id":1001,"created_at":"2015/05/14","sales_tax":"0.95","marketplace":true,
            "line_items":[{"unit_price":15,"sales_tax":0.95,"taxable":false}]}"#,
        )
        .unwrap();
        assert_eq!(order.id, "1001");
        assert_eq!(order.date.as_deref(), Some("2015/05/14"));
        assert!(order.marketplace);
        assert_eq!(order.lines[0].taxable, Some(false));
        let err = Order::from_json(r#"{"id":"1","line_items":[{"sales_tax":"x"}]}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("line_items[0].sales_tax"));
        let err = Order::from_json(r#"{"created_at":"2015/05/14"}"#).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::MissingField, Some("id"))
        );
        assert_eq!(Order::from_json("[]").unwrap_err().code, Code::InvalidType);
    }

    #[test]
    fn refund_amounts_are_positive() {
        let err = Refund::from_json(r#"{"id":"r1","sales_tax":-1}"#).unwrap_err();
        assert_eq!(err.code, Code::InvalidAmount);
        assert!(err.message.contains("sent negative"));
        let r = Refund::from_json(r#"{"id":"r1","line_items":[{"id":2,"quantity":"1"}]}"#).unwrap();
        assert_eq!(r.line_items.unwrap()[0].id.as_deref(), Some("2"));
    }
}
