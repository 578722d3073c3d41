//! The money of a transaction: line amounts, the `amount` they add up to,
//! and line sales taxes reconciled to the order's tax to the cent.
//!
//! `amount` is Σ(quantity × unit_price − discount) + shipping, rounded
//! once to the cent: the rule TaxJar enforces under
//! `x-api-version: 2020-08-07`. Refunds are built positive and negated
//! last, so they follow the same rule with every sign flipped.

use rust_decimal::Decimal;

use super::AMOUNT_MISMATCH;
use crate::error::{Code, Error, Result};
use crate::model::transactions::{TransactionLineItem, TransactionRequest};
use crate::money::{round_dp, Money};
use crate::split::allocate;
use crate::validate::ExemptionType;

/// The longest `description` TaxJar takes, in characters.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 255;

/// The description of a handling-fee line.
pub const HANDLING_FEE_DESCRIPTION: &str = "Handling Fee";

/// One line of a transaction being built, in positive amounts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DraftLine {
    /// The id sent to TaxJar, if the platform gave one.
    pub id: Option<String>,
    /// Units, above zero.
    pub quantity: Decimal,
    /// Exact price of one unit.
    pub unit_price: Decimal,
    /// The line's whole discount (its own and its order-discount share).
    pub discount: Money,
    /// TaxJar product tax code.
    pub product_tax_code: Option<String>,
    /// SKU.
    pub product_identifier: Option<String>,
    /// Description (cut to 255 characters when sent).
    pub description: Option<String>,
    /// Sales tax the platform gave for the line.
    pub sales_tax: Option<Money>,
    /// Whether the line takes a share of the order's tax when split.
    pub taxable: bool,
}

impl DraftLine {
    /// `quantity × unit_price`, exact.
    pub fn gross_exact(&self) -> Decimal {
        self.quantity * self.unit_price
    }

    /// What is left after the discount, in cents: the tax-split weight.
    pub fn net(&self) -> Money {
        Money::new(round_dp(self.gross_exact(), 2)) - self.discount
    }
}

/// A transaction's money before signs: lines, shipping and sales tax.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    /// The lines, in order.
    pub lines: Vec<DraftLine>,
    /// Shipping net of its discount.
    pub shipping: Money,
    /// The transaction's sales tax, in cents.
    pub sales_tax: Money,
}

/// An order checked and split: what orders and refunds are built from.
pub(crate) struct Prepared {
    /// The body without money (ids, date, addresses, provider...).
    pub header: TransactionRequest,
    /// The money, positive.
    pub draft: Draft,
    /// Each draft line's tax.
    pub taxes: Vec<Money>,
    /// The order's exemption, after the provider rules.
    pub exemption: Option<ExemptionType>,
}

impl Draft {
    /// Σ(quantity × unit_price − discount) + shipping, to the cent.
    pub fn amount(&self) -> Money {
        let lines: Decimal = self
            .lines
            .iter()
            .map(|l| l.gross_exact() - l.discount.value())
            .sum();
        Money::new(round_dp(lines + self.shipping.value(), 2))
    }

    /// Each line's sales tax: the given values, and the rest of the
    /// order's tax split over the other lines by their net amount
    /// (taxable lines only, unless none of them has an amount), to the
    /// cent, so that the lines add up to `sales_tax`.
    pub fn line_taxes(&self) -> Result<Vec<Money>> {
        let given: Money = self.lines.iter().filter_map(|l| l.sales_tax).sum();
        let open: Vec<usize> = (0..self.lines.len())
            .filter(|&i| self.lines[i].sales_tax.is_none())
            .collect();
        let mut taxes: Vec<Money> = self
            .lines
            .iter()
            .map(|l| l.sales_tax.unwrap_or_default())
            .collect();
        if open.is_empty() {
            return Ok(taxes);
        }
        let rest = self.sales_tax - given;
        if rest.is_negative() {
            return Err(Error::field(
                Code::InvalidAmount,
                "line_items",
                format!(
                    "the line items' sales_tax adds up to {given}, more than the sales_tax of {}",
                    self.sales_tax
                ),
            ));
        }
        let weights = |all: bool| -> Vec<Decimal> {
            open.iter()
                .map(|&i| &self.lines[i])
                .map(|l| {
                    if all || l.taxable {
                        l.net().max(Money::ZERO).value()
                    } else {
                        Decimal::ZERO
                    }
                })
                .collect()
        };
        let mut w = weights(false);
        if w.iter().all(Decimal::is_zero) {
            w = weights(true);
        }
        if w.iter().all(Decimal::is_zero) {
            w = vec![Decimal::ONE; open.len()];
        }
        let shares = allocate(rest, &w)?;
        for (&i, share) in open.iter().zip(shares) {
            taxes[i] = share;
        }
        Ok(taxes)
    }

    /// The lines as TaxJar takes them, each money value times `sign`
    /// (`-1` for refunds). Zero discounts are left out, as in TaxJar's
    /// examples.
    pub fn items(&self, taxes: &[Money], sign: Decimal) -> Vec<TransactionLineItem> {
        self.lines
            .iter()
            .zip(taxes)
            .map(|(l, tax)| TransactionLineItem {
                id: l.id.clone(),
                quantity: Some(l.quantity),
                product_identifier: l.product_identifier.clone(),
                description: l.description.as_deref().map(cut_description),
                product_tax_code: l.product_tax_code.clone(),
                unit_price: Some(signed(l.unit_price, sign)),
                discount: (!l.discount.is_zero()).then(|| signed(l.discount.value(), sign)),
                sales_tax: Some(signed(tax.value(), sign)),
            })
            .collect()
    }
}

/// `value × sign`, with no negative zero.
pub fn signed(value: Decimal, sign: Decimal) -> Decimal {
    let v = (value * sign).normalize();
    if v.is_zero() {
        Decimal::ZERO
    } else {
        v
    }
}

/// A description cut to [`MAX_DESCRIPTION_CHARS`] characters.
pub(crate) fn cut_description(text: &str) -> String {
    text.chars().take(MAX_DESCRIPTION_CHARS).collect()
}

/// Checks the `x-api-version: 2020-08-07` rule on a finished body: with
/// line items, `amount` must be Σ(quantity × unit_price − discount) +
/// shipping to the cent. Errors with `amount_mismatch`.
pub fn check_amount(request: &TransactionRequest) -> Result<()> {
    let Some(items) = request.line_items.as_ref().filter(|l| !l.is_empty()) else {
        return Ok(());
    };
    let lines: Decimal = items
        .iter()
        .map(|l| {
            l.quantity.unwrap_or(Decimal::ONE) * l.unit_price.unwrap_or_default()
                - l.discount.unwrap_or_default()
        })
        .sum();
    let expected = round_dp(lines + request.shipping.unwrap_or_default(), 2);
    let amount = round_dp(request.amount.unwrap_or_default(), 2);
    if amount == expected {
        return Ok(());
    }
    Err(mismatch(Money::new(amount), Money::new(expected)))
}

/// The `amount_mismatch` error: `given` is not the `expected` amount.
pub(crate) fn mismatch(given: Money, expected: Money) -> Error {
    Error::field(
        AMOUNT_MISMATCH,
        "amount",
        format!(
            "amount {given} is not the line items \
             (quantity × unit_price − discount) plus shipping, {expected}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn line(q: i64, price: &str) -> DraftLine {
        DraftLine {
            quantity: q.into(),
            unit_price: Decimal::from_str_exact(price).unwrap(),
            taxable: true,
            ..DraftLine::default()
        }
    }

    #[test]
    fn the_guides_tax_split() {
        // $1.35 over lines of $10 and $5 → 0.90 and 0.45.
        let draft = Draft {
            lines: vec![line(1, "10"), line(1, "5")],
            shipping: m("5"),
            sales_tax: m("1.35"),
        };
        let taxes: Vec<String> = draft
            .line_taxes()
            .unwrap()
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(taxes, ["0.90", "0.45"]);
        assert_eq!(draft.amount(), m("20"));
    }

    #[test]
    fn given_taxes_stay_and_the_rest_is_split() {
        let mut draft = Draft {
            lines: vec![line(1, "10"), line(1, "10"), line(1, "10")],
            sales_tax: m("1.00"),
            ..Draft::default()
        };
        draft.lines[0].sales_tax = Some(m("0.50"));
        draft.lines[2].taxable = false;
        let taxes = draft.line_taxes().unwrap();
        assert_eq!(taxes, [m("0.50"), m("0.50"), m("0")]);
        draft.lines[0].sales_tax = Some(m("2"));
        assert_eq!(
            draft.line_taxes().unwrap_err().field.as_deref(),
            Some("line_items")
        );
    }

    #[test]
    fn amount_check_and_signs() {
        let draft = Draft {
            lines: vec![line(3, "0.333")],
            shipping: m("1"),
            sales_tax: m("0"),
        };
        assert_eq!(draft.amount(), m("2.00"));
        let items = draft.items(&[m("0")], Decimal::NEGATIVE_ONE);
        assert_eq!(
            items[0].unit_price,
            Some(Decimal::from_str_exact("-0.333").unwrap())
        );
        assert_eq!(items[0].sales_tax, Some(Decimal::ZERO));
        let mut request = TransactionRequest {
            amount: Some(Decimal::from(2)),
            shipping: Some(Decimal::ONE),
            line_items: Some(draft.items(&[m("0")], Decimal::ONE)),
            ..TransactionRequest::default()
        };
        assert!(check_amount(&request).is_ok());
        request.amount = Some(Decimal::from(3));
        let err = check_amount(&request).unwrap_err();
        assert_eq!(err.code.as_str(), "amount_mismatch");
        assert_eq!(cut_description(&"é".repeat(300)).chars().count(), 255);
    }
}
