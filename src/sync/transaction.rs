//! The bodies of `POST /v2/transactions/orders` and `.../refunds` (also
//! the `PUT` bodies), built from a platform's order and refund by the rules
//! of TaxJar's import guide (see `docs/SYNC.md`).

use rust_decimal::Decimal;

use super::lines::{check_amount, mismatch, signed, Draft, DraftLine, Prepared};
use super::order::{Order, Refund};
use super::refund::{refund_draft, RefundDraft};
use super::rules::{provider_and_exemption, transaction_id};
use super::time::moment_at;
use super::EXEMPT_WITH_TAX;
use crate::error::{Code, Error, Result};
use crate::model::transactions::TransactionRequest;
use crate::money::Money;
use crate::split::line_discounts;
use crate::validate::{ExemptionType, ValidCart, HANDLING_FEE_ID};

/// The suffix of refund transaction ids, as in TaxJar's Magento extension.
pub(crate) const DEFAULT_REFUND_SUFFIX: &str = "-refund";

pub use super::lines::HANDLING_FEE_DESCRIPTION;

/// Options of [`order_transaction`] and [`refund_transaction`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionOptions {
    /// Partner tracking tag sent as `plugin`.
    pub plugin: Option<String>,
    /// Appended to refund ids; default `DEFAULT_REFUND_SUFFIX`.
    pub refund_suffix: Option<String>,
}

/// `transaction_id` of an order: its id with only `[A-Za-z0-9_-]` kept.
pub fn order_transaction_id(order: &Order) -> Result<String> {
    transaction_id(&order.id, "id")
}

/// `transaction_id` of a refund: its id (allowed characters only) and the
/// suffix.
pub(crate) fn refund_transaction_id(
    refund: &Refund,
    options: &TransactionOptions,
) -> Result<String> {
    let suffix = options
        .refund_suffix
        .as_deref()
        .unwrap_or(DEFAULT_REFUND_SUFFIX);
    if let Some(bad) = suffix
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(Error::field(
            Code::InvalidValue,
            "refundSuffix",
            format!("refundSuffix may hold only letters, digits, _ and -, not {bad:?}"),
        ));
    }
    Ok(format!("{}{suffix}", transaction_id(&refund.id, "id")?))
}

/// The date as given, checked to be one TaxJar reads; `created_at` names it.
fn date(value: &Option<String>) -> Result<String> {
    let date = value.clone().ok_or_else(|| {
        Error::field(
            Code::MissingField,
            "created_at",
            "created_at (or transaction_date) is required",
        )
    })?;
    moment_at(&date, "created_at")?;
    Ok(date)
}

/// Exempt transactions (`wholesale`, `government`, `other`) carry no tax.
fn check_exempt(exemption: Option<ExemptionType>, draft: &Draft) -> Result<()> {
    let Some(e) = exemption.filter(|e| e.is_exempt()) else {
        return Ok(());
    };
    let message = |field: &str, tax: Money| {
        Error::field(
            EXEMPT_WITH_TAX,
            field,
            format!(
                "a {} transaction must carry no sales tax, but {field} is {tax}",
                e.as_str()
            ),
        )
    };
    if !draft.sales_tax.is_zero() {
        return Err(message("sales_tax", draft.sales_tax));
    }
    for (i, line) in draft.lines.iter().enumerate() {
        if let Some(tax) = line.sales_tax.filter(|t| !t.is_zero()) {
            return Err(message(&format!("line_items[{i}].sales_tax"), tax));
        }
    }
    Ok(())
}

/// Checks an order and builds its positive draft.
pub(crate) fn prepare(order: &Order, options: &TransactionOptions) -> Result<Prepared> {
    let id = order_transaction_id(order)?;
    let transaction_date = date(&order.date)?;
    if let Some(c) = order
        .currency
        .as_deref()
        .filter(|c| !c.eq_ignore_ascii_case("USD"))
    {
        return Err(Error::field(
            Code::InvalidValue,
            "currency",
            format!("TaxJar takes only USD transactions, not {c}"),
        ));
    }
    let inputs = order.cart.line_items.as_deref().unwrap_or_default();
    if inputs.is_empty() {
        return Err(Error::field(
            Code::MissingField,
            "line_items",
            "an order needs line_items",
        ));
    }
    let valid = ValidCart::new(&order.cart)?;
    let sales_tax = order
        .sales_tax
        .ok_or_else(|| Error::field(Code::MissingField, "sales_tax", "sales_tax is required"))?
        .round_cents();
    let discounts = line_discounts(&valid);
    let lines = valid
        .lines
        .iter()
        .zip(discounts)
        .enumerate()
        .map(|(i, (line, discount))| {
            let input = inputs.get(i);
            let extra = order.lines.get(i).cloned().unwrap_or_default();
            DraftLine {
                id: match input {
                    Some(l) => {
                        l.id.as_deref()
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                    }
                    None => Some(HANDLING_FEE_ID.to_owned()),
                },
                quantity: line.quantity,
                unit_price: line.unit_price,
                discount,
                product_tax_code: line.product_tax_code.clone(),
                product_identifier: input.and_then(|l| l.product_identifier.clone()),
                description: match input {
                    Some(l) => l.description.clone(),
                    None => Some(HANDLING_FEE_DESCRIPTION.to_owned()),
                },
                sales_tax: extra.sales_tax.map(Money::round_cents),
                taxable: extra.taxable.unwrap_or(true)
                    && line.product_tax_code.as_deref() != Some("99999"),
            }
        })
        .collect();
    let draft = Draft {
        lines,
        shipping: valid.shipping,
        sales_tax,
    };
    let (provider, exemption) = provider_and_exemption(
        order.provider.as_deref(),
        order.marketplace,
        valid.exemption_type,
    );
    check_exempt(exemption, &draft)?;
    if let Some(given) = order.amount {
        if given.round_cents() != draft.amount() {
            return Err(mismatch(given, draft.amount()));
        }
    }
    let taxes = draft.line_taxes()?;
    let header = TransactionRequest {
        transaction_id: id,
        transaction_date: Some(transaction_date),
        provider,
        exemption_type: exemption.map(|e| e.as_str().to_owned()),
        customer_id: valid.customer_id.clone(),
        plugin: options.plugin.clone(),
        from_country: valid.from.country.clone(),
        from_zip: valid.from.zip.clone(),
        from_state: valid.from.state.clone(),
        from_city: valid.from.city.clone(),
        from_street: valid.from.street.clone(),
        to_country: valid.to.country.clone(),
        to_zip: valid.to.zip.clone(),
        to_state: valid.to.state.clone(),
        to_city: valid.to.city.clone(),
        to_street: valid.to.street.clone(),
        ..TransactionRequest::default()
    };
    Ok(Prepared {
        header,
        draft,
        taxes,
        exemption,
    })
}

/// The header with the draft's money, times `sign`; checked against the
/// amount rule.
fn finish(
    mut body: TransactionRequest,
    draft: &Draft,
    taxes: &[Money],
    sign: Decimal,
) -> Result<TransactionRequest> {
    body.amount = Some(signed(draft.amount().value(), sign));
    body.shipping = Some(signed(draft.shipping.value(), sign));
    body.sales_tax = Some(signed(draft.sales_tax.value(), sign));
    let items = draft.items(taxes, sign);
    body.line_items = (!items.is_empty()).then_some(items);
    check_amount(&body)?;
    Ok(body)
}

/// The body for `POST /v2/transactions/orders` (and its `PUT`).
pub fn order_transaction(
    order: &Order,
    options: &TransactionOptions,
) -> Result<TransactionRequest> {
    let p = prepare(order, options)?;
    finish(p.header, &p.draft, &p.taxes, Decimal::ONE)
}

/// The body for `POST /v2/transactions/refunds` (and its `PUT`): the
/// refund's id with the suffix, the order's id as reference, the refund's
/// date, the order's addresses and provider, and every amount negative.
/// Without `line_items` and `amount` the whole order is refunded; with
/// `line_items`, only those lines (and `shipping` only when given); with
/// `amount` alone, that amount without lines.
pub fn refund_transaction(
    refund: &Refund,
    order: &Order,
    options: &TransactionOptions,
) -> Result<TransactionRequest> {
    let transaction_id = refund_transaction_id(refund, options)?;
    let refund_date = date(&refund.date)?;
    let prepared = prepare(order, options)?;
    let RefundDraft {
        draft,
        fixed_amount,
    } = refund_draft(refund, &prepared)?;
    check_exempt(prepared.exemption, &draft)?;
    let taxes = draft.line_taxes()?;
    if let (Some(given), None) = (refund.amount, fixed_amount) {
        if given.round_cents() != draft.amount() {
            return Err(mismatch(given, draft.amount()));
        }
    }
    let mut header = prepared.header;
    header.transaction_reference_id = Some(header.transaction_id.clone());
    header.transaction_id = transaction_id;
    header.transaction_date = Some(refund_date);
    let mut body = finish(header, &draft, &taxes, Decimal::NEGATIVE_ONE)?;
    if let Some(amount) = fixed_amount {
        if amount < draft.shipping {
            return Err(Error::field(
                Code::InvalidAmount,
                "amount",
                format!(
                    "amount {amount} is less than the shipping refunded, {}",
                    draft.shipping
                ),
            ));
        }
        body.amount = Some(signed(amount.value(), Decimal::NEGATIVE_ONE));
    }
    Ok(body)
}
