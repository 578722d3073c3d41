//! The money of a refund, in positive amounts, from the refund and its
//! order: a full refund, a partial one (only the refunded lines), or an
//! amount without lines.

use rust_decimal::Decimal;

use super::lines::{Draft, DraftLine, Prepared, HANDLING_FEE_DESCRIPTION};
use super::order::{Refund, RefundLine};
use super::read::MAX_MONEY;
use crate::error::{Code, Error, Result};
use crate::money::{round_dp, Money};
use crate::validate::HANDLING_FEE_ID;

/// A refund's draft; `fixed_amount` is the `amount` of a refund without
/// lines, sent as given.
pub(crate) struct RefundDraft {
    /// Lines, shipping and tax, positive.
    pub draft: Draft,
    /// The amount of an amount-only refund.
    pub fixed_amount: Option<Money>,
}

fn required_tax(refund: &Refund) -> Result<Money> {
    refund.sales_tax.map(Money::round_cents).ok_or_else(|| {
        Error::field(
            Code::MissingField,
            "sales_tax",
            "a refund without line items needs its sales_tax",
        )
    })
}

/// Builds the refund's draft from the prepared order.
pub(crate) fn refund_draft(refund: &Refund, order: &Prepared) -> Result<RefundDraft> {
    let fee = refund.handling_fee.filter(|f| !f.is_zero());
    match (&refund.line_items, refund.amount, fee) {
        (None, None, None) => Ok(RefundDraft {
            draft: full(refund, order),
            fixed_amount: None,
        }),
        (None, Some(amount), None) => Ok(RefundDraft {
            draft: Draft {
                lines: Vec::new(),
                shipping: refund.shipping.unwrap_or_default().round_cents(),
                sales_tax: required_tax(refund)?,
            },
            fixed_amount: Some(amount.round_cents()),
        }),
        (lines, _, fee) => {
            let lines = lines.as_deref().unwrap_or_default();
            if lines.is_empty() && fee.is_none() {
                return Err(Error::field(
                    Code::MissingField,
                    "line_items",
                    "a partial refund needs at least one line item (leave line_items out to refund the whole order)",
                ));
            }
            Ok(RefundDraft {
                draft: partial(refund, lines, fee, order)?,
                fixed_amount: None,
            })
        }
    }
}

/// The whole order, with the refund's `shipping` and `sales_tax` when
/// given (a different tax is split again over the lines).
fn full(refund: &Refund, order: &Prepared) -> Draft {
    let mut draft = order.draft.clone();
    let sales_tax = refund.sales_tax.map(Money::round_cents);
    for (line, tax) in draft.lines.iter_mut().zip(&order.taxes) {
        line.sales_tax = match sales_tax {
            Some(t) if t != order.draft.sales_tax => None,
            _ => Some(*tax),
        };
    }
    if let Some(shipping) = refund.shipping {
        draft.shipping = shipping.round_cents();
    }
    if let Some(tax) = sales_tax {
        draft.sales_tax = tax;
    }
    draft
}

/// Only the refunded lines; shipping only when given.
fn partial(
    refund: &Refund,
    lines: &[RefundLine],
    fee: Option<Money>,
    order: &Prepared,
) -> Result<Draft> {
    let tax_given = refund.sales_tax.is_some();
    let mut out = Vec::with_capacity(lines.len() + 1);
    for (i, line) in lines.iter().enumerate() {
        let path = format!("line_items[{i}]");
        let found = line.id.as_deref().and_then(|id| {
            order
                .draft
                .lines
                .iter()
                .position(|l| l.id.as_deref() == Some(id))
        });
        let draft = match found {
            Some(k) => from_order(line, &order.draft.lines[k], order.taxes[k], tax_given, &path)?,
            None if line.id.is_some() && line.unit_price.is_none() => {
                return Err(Error::field(
                    Code::InvalidValue,
                    format!("{path}.id"),
                    format!(
                        "the order has no line with id \"{}\"; give the line's unit_price to refund it anyway",
                        line.id.as_deref().unwrap_or_default()
                    ),
                ))
            }
            None => free_line(line, &path)?,
        };
        // As for cart lines: bounded, so sums over many lines cannot overflow.
        if draft.gross_exact() > Decimal::from(MAX_MONEY) {
            return Err(Error::field(
                Code::InvalidAmount,
                format!("{path}.unit_price"),
                "unit_price × quantity is too large",
            ));
        }
        let gross = Money::new(round_dp(draft.gross_exact(), 2));
        if draft.discount > gross {
            return Err(Error::field(
                Code::DiscountExceedsAmount,
                format!("{path}.discount"),
                format!(
                    "discount {} is more than the line amount {gross}",
                    draft.discount
                ),
            ));
        }
        out.push(draft);
    }
    if let Some(fee) = fee {
        out.push(DraftLine {
            id: Some(HANDLING_FEE_ID.to_owned()),
            quantity: Decimal::ONE,
            unit_price: fee.round_cents().value(),
            description: Some(HANDLING_FEE_DESCRIPTION.to_owned()),
            taxable: true,
            ..DraftLine::default()
        });
    }
    let sales_tax = match refund.sales_tax {
        Some(tax) => tax.round_cents(),
        None => out.iter().filter_map(|l| l.sales_tax).sum(),
    };
    Ok(Draft {
        lines: out,
        shipping: refund.shipping.unwrap_or_default().round_cents(),
        sales_tax,
    })
}

/// A refunded line of the order: what the refund does not say comes from
/// the order's line, discount and tax in proportion to the quantity.
fn from_order(
    line: &RefundLine,
    ordered: &DraftLine,
    ordered_tax: Money,
    tax_given: bool,
    path: &str,
) -> Result<DraftLine> {
    let quantity = line.quantity.unwrap_or(ordered.quantity);
    if quantity > ordered.quantity {
        return Err(Error::field(
            Code::InvalidQuantity,
            format!("{path}.quantity"),
            format!(
                "{quantity} units refunded, but the order has {}",
                ordered.quantity
            ),
        ));
    }
    let share = |m: Money| Money::new(round_dp(m.value() * quantity / ordered.quantity, 2));
    Ok(DraftLine {
        id: ordered.id.clone(),
        quantity,
        unit_price: line.unit_price.map_or(ordered.unit_price, Money::value),
        discount: line
            .discount
            .map_or_else(|| share(ordered.discount), Money::round_cents),
        product_tax_code: line
            .product_tax_code
            .clone()
            .or_else(|| ordered.product_tax_code.clone()),
        product_identifier: line
            .product_identifier
            .clone()
            .or_else(|| ordered.product_identifier.clone()),
        description: line
            .description
            .clone()
            .or_else(|| ordered.description.clone()),
        sales_tax: match line.sales_tax {
            Some(tax) => Some(tax.round_cents()),
            None if !tax_given => Some(share(ordered_tax)),
            None => None,
        },
        taxable: ordered.taxable,
    })
}

/// A refund line that is not in the order: it must give its price.
fn free_line(line: &RefundLine, path: &str) -> Result<DraftLine> {
    let unit_price = line.unit_price.ok_or_else(|| {
        Error::field(
            Code::MissingField,
            format!("{path}.unit_price"),
            "a refund line that is not in the order needs a unit_price",
        )
    })?;
    Ok(DraftLine {
        id: line.id.clone(),
        quantity: line.quantity.unwrap_or(Decimal::ONE),
        unit_price: unit_price.value(),
        discount: line.discount.unwrap_or_default().round_cents(),
        product_tax_code: line.product_tax_code.clone(),
        product_identifier: line.product_identifier.clone(),
        description: line.description.clone(),
        sales_tax: line.sales_tax.map(Money::round_cents),
        taxable: line.product_tax_code.as_deref() != Some("99999"),
    })
}
