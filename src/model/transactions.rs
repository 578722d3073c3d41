//! Transaction Sync: order and refund transactions (`/v2/transactions/...`).
//!
//! Requests send money as JSON numbers (refunds negative); responses carry
//! money as decimal strings (`"16.5"`), sometimes numbers, and `null` in
//! the answer to a delete.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::ids;
use crate::money::wire;

/// The body of a create or update of an order or a refund. Orders and
/// refunds take the same fields; `transaction_reference_id` is for refunds.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TransactionRequest {
    /// Unique id of the transaction in the seller's system; also its path.
    #[serde(deserialize_with = "wire::id")]
    pub transaction_id: String,
    /// When the transaction happened, e.g. `"2015/05/14"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_date: Option<String>,
    /// For a refund, the `transaction_id` of the refunded order.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_reference_id: Option<String>,
    /// Source of the sale (`"api"` when absent; `"amazon"`, `"pos"`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Order-level exemption type (`"wholesale"`, `"marketplace"`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_type: Option<String>,
    /// TaxJar customer id, for customer exemptions.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Partner tracking tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// Origin country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_country: Option<String>,
    /// Origin ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_zip: Option<String>,
    /// Origin state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_state: Option<String>,
    /// Origin city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_city: Option<String>,
    /// Origin street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_street: Option<String>,
    /// Destination country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_country: Option<String>,
    /// Destination ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_zip: Option<String>,
    /// Destination state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_state: Option<String>,
    /// Destination city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_city: Option<String>,
    /// Destination street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_street: Option<String>,
    /// Total amount including shipping, excluding sales tax.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Shipping charged.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping: Option<Decimal>,
    /// Sales tax collected.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub sales_tax: Option<Decimal>,
    /// Line items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<TransactionLineItem>>,
}

/// The body of `POST /v2/transactions/orders` and `PUT .../orders/{id}`.
pub type OrderRequest = TransactionRequest;

/// The body of `POST /v2/transactions/refunds` and `PUT .../refunds/{id}`.
pub type RefundRequest = TransactionRequest;

/// A line item of a transaction, as sent and as TaxJar answers it (where
/// `id` may be a number and money a string).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TransactionLineItem {
    /// Line id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Quantity.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// The seller's SKU or product id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_identifier: Option<String>,
    /// Description of the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Product tax code.
    #[serde(default, deserialize_with = "wire::opt_id")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_tax_code: Option<String>,
    /// Price of one unit.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// Total discount of the line.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount: Option<Decimal>,
    /// Sales tax collected on the line.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    #[serde(
        serialize_with = "wire::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub sales_tax: Option<Decimal>,
}

/// The `{order: {...}}` answer of show, create, update and delete.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OrderResponse {
    /// The order.
    pub order: Transaction,
}

/// The `{refund: {...}}` answer of show, create, update and delete.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RefundResponse {
    /// The refund.
    pub refund: Transaction,
}

/// An order or refund as TaxJar stores it. After a delete every field but
/// the ids and provider is `null`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Transaction {
    /// The transaction's id.
    #[serde(deserialize_with = "wire::id")]
    pub transaction_id: String,
    /// TaxJar's account id.
    pub user_id: Option<u64>,
    /// When it happened, e.g. `"2015-05-14T00:00:00Z"`.
    pub transaction_date: Option<String>,
    /// For a refund, the refunded order's id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    pub transaction_reference_id: Option<String>,
    /// Source of the sale.
    pub provider: Option<String>,
    /// Order-level exemption type.
    pub exemption_type: Option<String>,
    /// TaxJar customer id.
    #[serde(default, deserialize_with = "wire::opt_id")]
    pub customer_id: Option<String>,
    /// Origin country.
    pub from_country: Option<String>,
    /// Origin ZIP.
    pub from_zip: Option<String>,
    /// Origin state.
    pub from_state: Option<String>,
    /// Origin city.
    pub from_city: Option<String>,
    /// Origin street.
    pub from_street: Option<String>,
    /// Destination country.
    pub to_country: Option<String>,
    /// Destination ZIP.
    pub to_zip: Option<String>,
    /// Destination state.
    pub to_state: Option<String>,
    /// Destination city.
    pub to_city: Option<String>,
    /// Destination street.
    pub to_street: Option<String>,
    /// Total amount including shipping.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub amount: Option<Decimal>,
    /// Shipping.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub shipping: Option<Decimal>,
    /// Sales tax collected.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub sales_tax: Option<Decimal>,
    /// Line items; empty after a delete.
    #[serde(default)]
    pub line_items: Vec<TransactionLineItem>,
}

/// The `{orders: [...]}` answer of `GET /v2/transactions/orders`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct OrderListResponse {
    /// Transaction ids.
    #[serde(deserialize_with = "ids")]
    pub orders: Vec<String>,
}

/// The `{refunds: [...]}` answer of `GET /v2/transactions/refunds`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct RefundListResponse {
    /// Transaction ids.
    #[serde(deserialize_with = "ids")]
    pub refunds: Vec<String>,
}

/// The query of the list endpoints: one `transaction_date`, or a range.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ListParams {
    /// Transactions of this date, e.g. `"2015/05/14"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_date: Option<String>,
    /// Start of a date range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_transaction_date: Option<String>,
    /// End of a date range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_transaction_date: Option<String>,
    /// Only transactions of this provider (default `"api"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_ids_may_be_numbers() {
        let list: OrderListResponse = serde_json::from_str(r#"{"orders":["123",456]}"#).unwrap();
        assert_eq!(list.orders, vec!["123".to_owned(), "456".to_owned()]);
    }

    #[test]
    fn deleted_transaction_reads_nulls() {
        let body = r#"{"refund":{"transaction_id":321,"user_id":1,"amount":null,"line_items":[]}}"#;
        let refund: RefundResponse = serde_json::from_str(body).unwrap();
        assert_eq!(refund.refund.transaction_id, "321");
        assert_eq!(refund.refund.amount, None);
    }
}
