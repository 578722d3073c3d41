//! The JS face of Transaction Sync: `orderTransaction`,
//! `refundTransaction`, `shouldSync`, `customerRequest`, `planBackfill`,
//! `exportCsv`, `payloadHash`, and the `TransactionSync` class, which sends
//! what the core's engine (`crate::sync::engine`) decides, through `fetch`.

mod client;
mod types;

pub use client::TransactionSync;

use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::convert::{from_js, to_js};
use crate::error::Error;
use crate::model::transactions::TransactionRequest;
use crate::sync::backfill::{plan_backfill, BackfillRange};
use crate::sync::rules::should_sync;
use crate::sync::{
    customer_request, export_csv, order_transaction, payload_hash, refund_transaction, Order,
    Refund, SyncSettings, TransactionOptions,
};

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsTransactionOptions {
    plugin: Option<String>,
    refund_suffix: Option<String>,
}

impl From<JsTransactionOptions> for TransactionOptions {
    fn from(o: JsTransactionOptions) -> Self {
        TransactionOptions {
            plugin: o.plugin,
            refund_suffix: o.refund_suffix,
        }
    }
}

/// An optional argument; undefined or null is the default.
fn optional<T: Default + serde::de::DeserializeOwned>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, Error> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => from_js(v, what),
        _ => Ok(T::default()),
    }
}

fn order_arg(value: JsValue) -> Result<Order, Error> {
    Order::from_value(&from_js::<Value>(value, "order")?)
}

fn refund_arg(value: JsValue) -> Result<Refund, Error> {
    Refund::from_value(&from_js::<Value>(value, "refund")?)
}

/// The body for `POST /v2/transactions/orders` (and its `PUT`).
#[wasm_bindgen(js_name = orderTransaction, unchecked_return_type = "TransactionBody")]
pub fn order_transaction_js(
    #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TransactionOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let order = order_arg(order)?;
    let options: JsTransactionOptions = optional(options, "options")?;
    Ok(to_js(&order_transaction(&order, &options.into())?))
}

/// The body for `POST /v2/transactions/refunds` (and its `PUT`).
#[wasm_bindgen(js_name = refundTransaction, unchecked_return_type = "TransactionBody")]
pub fn refund_transaction_js(
    #[wasm_bindgen(unchecked_param_type = "Refund")] refund: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TransactionOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let refund = refund_arg(refund)?;
    let order = order_arg(order)?;
    let options: JsTransactionOptions = optional(options, "options")?;
    Ok(to_js(&refund_transaction(
        &refund,
        &order,
        &options.into(),
    )?))
}

/// Whether an order syncs, and why: `{ sync, reason }`.
#[wasm_bindgen(js_name = shouldSync, unchecked_return_type = "SyncDecision")]
pub fn should_sync_js(
    #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SyncSettings")] settings: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let order = order_arg(order)?;
    let settings: SyncSettings = optional(settings, "settings")?;
    Ok(to_js(&should_sync(&order, &settings)))
}

/// The body for `POST /v2/customers` (and its `PUT`), checked.
#[wasm_bindgen(js_name = customerRequest, unchecked_return_type = "CustomerBody")]
pub fn customer_request_js(
    #[wasm_bindgen(unchecked_param_type = "CustomerInput")] customer: JsValue,
) -> Result<JsValue, JsValue> {
    let value: Value = from_js(customer, "customer")?;
    Ok(to_js(&customer_request(&value)?))
}

/// Create, update or skip for each order of a backfill, by sync dates.
#[wasm_bindgen(js_name = planBackfill, unchecked_return_type = "BackfillDecision[]")]
pub fn plan_backfill_js(
    #[wasm_bindgen(unchecked_param_type = "BackfillRange")] range: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BackfillItem[]")] items: JsValue,
) -> Result<JsValue, JsValue> {
    let range = BackfillRange::from_value(&from_js::<Value>(range, "range")?)?;
    let items: Value = from_js(items, "items")?;
    Ok(to_js(&plan_backfill(&range, &items)?))
}

/// Transaction bodies as TaxJar's CSV transaction-import file.
#[wasm_bindgen(js_name = exportCsv)]
pub fn export_csv_js(
    #[wasm_bindgen(unchecked_param_type = "TransactionBody[]")] transactions: JsValue,
) -> Result<String, JsValue> {
    let list: Vec<TransactionRequest> = from_js(transactions, "transactions")?;
    Ok(export_csv(&list))
}

/// SHA-256 (hex) of a body's canonical JSON, as sync records keep it.
#[wasm_bindgen(js_name = payloadHash)]
pub fn payload_hash_js(
    #[wasm_bindgen(unchecked_param_type = "TransactionBody | CustomerBody")] body: JsValue,
) -> Result<String, JsValue> {
    Ok(payload_hash(&from_js::<Value>(body, "body")?))
}
