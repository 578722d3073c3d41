//! The JS face of Transaction Sync: `orderTransaction`,
//! `refundTransaction`, `shouldSync`, `customerRequest`, `planBackfill`,
//! `exportCsv`, `payloadHash`, and the `TransactionSync` class, which sends
//! what the core's engine (`crate::sync::engine`) decides, through `fetch`.

use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use super::convert::{from_js, function_option, js_error, js_result, to_js};
use super::transport::fetch_error;
use crate::error::{Code, Error};
use crate::model::transactions::TransactionRequest;
use crate::sync::backfill::{plan_backfill, BackfillRange};
use crate::sync::engine::{
    next, plan_delete, plan_upsert, Attempt, Outcome, Payload, Plan, Resource, SyncRecord,
};
use crate::sync::log::LogEntry;
use crate::sync::rules::{is_cancelled, should_sync, should_sync_place, transaction_id};
use crate::sync::time::format_iso;
use crate::sync::transaction::{order_transaction_id, refund_transaction_id};
use crate::sync::{
    customer_request, export_csv, order_transaction, payload_hash, refund_transaction, Order,
    Refund, SyncSettings, TransactionOptions,
};

#[wasm_bindgen(typescript_custom_section)]
const SYNC_TYPES: &str = r#"
/** One line of an order: a cart line plus the tax collected on it. */
export interface OrderLineItem extends LineItem {
  /** Tax collected on the line; when absent, the order's tax is split. */
  sales_tax?: MoneyInput;
  /** false keeps the line out of the tax split (default true). */
  taxable?: boolean;
  /** A discount per unit, added to `discount` times the quantity. */
  unit_discount?: MoneyInput;
}

/** A platform order, in TaxJar's field names. Money: numbers or decimal strings. */
export interface Order {
  /** Becomes transaction_id, keeping only letters, digits, _ and -. */
  id: string | number;
  /** When the sale happened; default created_at. */
  transaction_date?: string;
  created_at?: string;
  updated_at?: string;
  /** completed, shipped, paid, closed sync by default; cancelled deletes. */
  status?: string;
  /** Only USD syncs; absent means USD. */
  currency?: string;
  /** amazon, ebay, etsy, facebook, walmart, pos...; default api. */
  provider?: string;
  /** A sale on a marketplace platform. */
  marketplace?: boolean;
  from_country?: string;
  from_zip?: string;
  from_state?: string;
  from_city?: string;
  from_street?: string;
  /** Default "US". */
  to_country?: string;
  to_zip?: string;
  to_state?: string;
  to_city?: string;
  to_street?: string;
  shipping?: MoneyInput;
  shipping_discount?: MoneyInput;
  order_discount?: MoneyInput;
  discount_split?: "proportional" | "even";
  handling_fee?: MoneyInput;
  /** Never a discount; read and ignored. */
  gift_card_amount?: MoneyInput;
  /** The platform's items − discounts + shipping; checked when given. */
  amount?: MoneyInput;
  sales_tax: MoneyInput;
  customer_id?: string | number;
  exemption_type?: ExemptionType;
  line_items: OrderLineItem[];
}

/** A refunded line; what is absent comes from the order's line of the same id. */
export interface RefundLineItem {
  id?: string | number;
  quantity?: MoneyInput;
  unit_price?: MoneyInput;
  discount?: MoneyInput;
  sales_tax?: MoneyInput;
  product_tax_code?: string;
  product_identifier?: string;
  description?: string;
}

/** A refund, amounts positive (they are sent negative). No line_items and no amount: the whole order. */
export interface Refund {
  id: string | number;
  transaction_date?: string;
  created_at?: string;
  updated_at?: string;
  amount?: MoneyInput;
  shipping?: MoneyInput;
  sales_tax?: MoneyInput;
  handling_fee?: MoneyInput;
  line_items?: RefundLineItem[];
}

/** Options of orderTransaction and refundTransaction. */
export interface TransactionOptions {
  plugin?: string;
  /** Appended to refund ids; default "-refund". */
  refundSuffix?: string;
}

/** A line of a transaction body (refunds: money negative). */
export interface TransactionBodyLineItem {
  id?: string;
  quantity: number;
  product_identifier?: string;
  description?: string;
  product_tax_code?: string;
  unit_price: number;
  discount?: number;
  sales_tax: number;
}

/** The body of POST /v2/transactions/orders or /refunds (and their PUT). */
export interface TransactionBody {
  transaction_id: string;
  transaction_date: string;
  transaction_reference_id?: string;
  provider?: string;
  exemption_type?: ExemptionType;
  customer_id?: string;
  plugin?: string;
  from_country?: string;
  from_zip?: string;
  from_state?: string;
  from_city?: string;
  from_street?: string;
  to_country: string;
  to_zip?: string;
  to_state?: string;
  to_city?: string;
  to_street?: string;
  amount: number;
  shipping: number;
  sales_tax: number;
  line_items?: TransactionBodyLineItem[];
}

/** The merchant's sync settings. */
export interface SyncSettings {
  /** Sales-tax reporting on; default true. */
  enabled?: boolean;
  /** Default ["completed", "shipped", "paid", "closed"]. */
  statuses?: string[];
}

export type SyncReason = "ready" | "disabled" | "cancelled" | "status" | "currency" | "not_us" | "incomplete_address";

export interface SyncDecision {
  sync: boolean;
  reason: SyncReason;
}

export type CustomerExemptionType = "wholesale" | "government" | "other" | "non_exempt";

export interface ExemptRegion {
  country: string;
  state: string;
}

/** A customer to sync; customer_id (or id) and exemption_type are required. */
export interface CustomerInput {
  customer_id?: string | number;
  id?: string | number;
  exemption_type: CustomerExemptionType;
  exempt_regions?: ExemptRegion[];
  name?: string;
  country?: string;
  state?: string;
  zip?: string;
  city?: string;
  street?: string;
}

/** The body of POST /v2/customers (and its PUT). */
export interface CustomerBody {
  customer_id: string;
  exemption_type: CustomerExemptionType;
  exempt_regions?: ExemptRegion[];
  name?: string;
  country?: string;
  state?: string;
  zip?: string;
  city?: string;
  street?: string;
}

/** The range of a backfill; dates as YYYY-MM-DD or ISO 8601 (a date-only `to` includes its day). */
export interface BackfillRange {
  from: string;
  to?: string;
  /** Default "updated_at". */
  by?: "updated_at" | "created_at";
  /** Update synced orders even when unchanged. */
  force?: boolean;
  statuses?: string[];
}

/** An order (any other fields are ignored) with its last sync date. */
export interface BackfillItem {
  id: string | number;
  created_at: string;
  updated_at?: string;
  status?: string;
  synced_at?: string | null;
  record?: SyncRecord | null;
}

export interface BackfillDecision {
  id: string;
  action: "create" | "update" | "skip";
  reason: "never_synced" | "updated_since_sync" | "forced" | "not_updated_since_sync" | "out_of_range" | "status" | "cancelled";
}

/** The last sync of a transaction (for customers, transaction_id is the customer_id). */
export interface SyncRecord {
  transaction_id: string;
  hash: string;
  synced_at: string;
}

export interface SyncResult {
  action: "create" | "update" | "delete" | "skip";
  transaction_id: string;
  /** The final HTTP status; null when skipped. */
  status: number | null;
  /** True when a 422 → PUT or 404 → POST fallback was used. */
  fallback: boolean;
  /** Why it was skipped: "unchanged", "already_deleted" or a SyncReason. */
  reason: string | null;
  /** Keep it and pass it to the next sync. */
  record: SyncRecord | null;
  /** TaxJar's answer, when it was JSON. */
  response: Record<string, unknown> | null;
}

/** One log line; the API token never appears in it. */
export interface SyncLogEntry {
  level: "info" | "error";
  event: "request" | "response" | "error" | "skip";
  resource: "order" | "refund" | "customer";
  transaction_id: string;
  method: "GET" | "POST" | "PUT" | "DELETE" | null;
  url: string | null;
  headers: Record<string, string> | null;
  body: unknown;
  status: number | null;
  ms: number | null;
  message: string | null;
}

/** Options of new TransactionSync(...). */
export interface TransactionSyncOptions {
  /** TaxJar-compatible base URL, without /v2. */
  apiUrl: string;
  apiKey: string;
  onLog?: (entry: SyncLogEntry) => void;
  /** Per request; default 10000. */
  timeoutMs?: number;
  plugin?: string;
  refundSuffix?: string;
  settings?: SyncSettings;
  /** The clock in milliseconds (tests); default Date.now. */
  now?: () => number;
}
"#;

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
    js_result((|| {
        let order = order_arg(order)?;
        let options: JsTransactionOptions = optional(options, "options")?;
        Ok(to_js(&order_transaction(&order, &options.into())?))
    })())
}

/// The body for `POST /v2/transactions/refunds` (and its `PUT`).
#[wasm_bindgen(js_name = refundTransaction, unchecked_return_type = "TransactionBody")]
pub fn refund_transaction_js(
    #[wasm_bindgen(unchecked_param_type = "Refund")] refund: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TransactionOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let refund = refund_arg(refund)?;
        let order = order_arg(order)?;
        let options: JsTransactionOptions = optional(options, "options")?;
        Ok(to_js(&refund_transaction(
            &refund,
            &order,
            &options.into(),
        )?))
    })())
}

/// Whether an order syncs, and why: `{ sync, reason }`.
#[wasm_bindgen(js_name = shouldSync, unchecked_return_type = "SyncDecision")]
pub fn should_sync_js(
    #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SyncSettings")] settings: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let order = order_arg(order)?;
        let settings: SyncSettings = optional(settings, "settings")?;
        Ok(to_js(&should_sync(&order, &settings)))
    })())
}

/// The body for `POST /v2/customers` (and its `PUT`), checked.
#[wasm_bindgen(js_name = customerRequest, unchecked_return_type = "CustomerBody")]
pub fn customer_request_js(
    #[wasm_bindgen(unchecked_param_type = "CustomerInput")] customer: JsValue,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let value: Value = from_js(customer, "customer")?;
        Ok(to_js(&customer_request(&value)?))
    })())
}

/// Create, update or skip for each order of a backfill, by sync dates.
#[wasm_bindgen(js_name = planBackfill, unchecked_return_type = "BackfillDecision[]")]
pub fn plan_backfill_js(
    #[wasm_bindgen(unchecked_param_type = "BackfillRange")] range: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BackfillItem[]")] items: JsValue,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let range = BackfillRange::from_value(&from_js::<Value>(range, "range")?)?;
        let items: Value = from_js(items, "items")?;
        Ok(to_js(&plan_backfill(&range, &items)?))
    })())
}

/// Transaction bodies as TaxJar's CSV transaction-import file.
#[wasm_bindgen(js_name = exportCsv)]
pub fn export_csv_js(
    #[wasm_bindgen(unchecked_param_type = "TransactionBody[]")] transactions: JsValue,
) -> Result<String, JsValue> {
    js_result((|| {
        let list: Vec<TransactionRequest> = from_js(transactions, "transactions")?;
        Ok(export_csv(&list))
    })())
}

/// SHA-256 (hex) of a body's canonical JSON, as sync records keep it.
#[wasm_bindgen(js_name = payloadHash)]
pub fn payload_hash_js(
    #[wasm_bindgen(unchecked_param_type = "TransactionBody | CustomerBody")] body: JsValue,
) -> Result<String, JsValue> {
    js_result(from_js::<Value>(body, "body").map(|v| payload_hash(&v)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    api_url: Option<String>,
    api_key: Option<String>,
    timeout_ms: Option<f64>,
    plugin: Option<String>,
    refund_suffix: Option<String>,
    settings: Option<SyncSettings>,
}

struct Inner {
    api_url: String,
    api_key: String,
    timeout_ms: u32,
    options: TransactionOptions,
    settings: SyncSettings,
    on_log: Option<Function>,
    now: Option<Function>,
}

/// Sends orders, refunds and customers to TaxJar: POST, PUT, DELETE with
/// the 422/404 fallbacks, unchanged payloads skipped, every call logged.
#[wasm_bindgen]
pub struct TransactionSync {
    inner: Rc<Inner>,
}

fn record_arg(record: Option<JsValue>) -> Result<Option<SyncRecord>, Error> {
    match record {
        Some(r) if !r.is_undefined() && !r.is_null() => from_js(r, "record").map(Some),
        _ => Ok(None),
    }
}

fn id_arg(id: &JsValue) -> Result<String, Error> {
    match (id.as_string(), id.as_f64()) {
        (Some(s), _) => Ok(s),
        (_, Some(n)) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(format!("{n}")),
        _ => Err(Error::field(
            Code::InvalidType,
            "id",
            "the id must be a string or an integer",
        )),
    }
}

/// What a sync resolves to: the outcome and TaxJar's answer.
#[derive(Serialize)]
struct JsOutcome {
    #[serde(flatten)]
    outcome: Outcome,
    response: Option<Value>,
}

#[wasm_bindgen]
impl TransactionSync {
    /// Creates a sync client (see `TransactionSyncOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TransactionSyncOptions")] options: JsValue,
    ) -> Result<TransactionSync, JsValue> {
        Self::build(options).map_err(|e| js_error(&e))
    }

    fn build(options: JsValue) -> Result<TransactionSync, Error> {
        if !options.is_object() {
            return Err(Error::new(
                Code::InvalidType,
                "TransactionSync options must be an object",
            ));
        }
        let on_log = function_option(&options, "onLog")?;
        let now = function_option(&options, "now")?;
        let o: Options = from_js(options, "options")?;
        let required = |v: Option<String>, name: &str| {
            v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::field(Code::MissingField, name, format!("{name} is required"))
            })
        };
        let timeout_ms = match o.timeout_ms {
            None => 10_000.0,
            Some(t) if t.is_finite() && t > 0.0 => t.min(u32::MAX as f64),
            Some(t) => {
                return Err(Error::field(
                    Code::InvalidValue,
                    "timeoutMs",
                    format!("{t} must be a number above 0"),
                ))
            }
        };
        Ok(TransactionSync {
            inner: Rc::new(Inner {
                api_url: required(o.api_url, "apiUrl")?
                    .trim()
                    .trim_end_matches('/')
                    .to_owned(),
                api_key: required(o.api_key, "apiKey")?,
                timeout_ms: timeout_ms as u32,
                options: TransactionOptions {
                    plugin: o.plugin,
                    refund_suffix: o.refund_suffix,
                },
                settings: o.settings.unwrap_or_default(),
                on_log,
                now,
            }),
        })
    }

    /// Syncs an order: create or update, a cancelled order deleted, an
    /// order that should not sync (or has not changed) skipped.
    #[wasm_bindgen(js_name = syncOrder, unchecked_return_type = "Promise<SyncResult>")]
    pub fn sync_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        let inner = self.inner.clone();
        let plan = (|| {
            let order = order_arg(order)?;
            let record = record_arg(record)?;
            let id = order_transaction_id(&order)?;
            if !inner.settings.enabled {
                return Ok(Plan::Skip(Outcome::skip(&id, "disabled", record.as_ref())));
            }
            if is_cancelled(&order) {
                return plan_delete(Resource::Order, &id, record.as_ref());
            }
            let decision = should_sync(&order, &inner.settings);
            if !decision.sync {
                let reason = decision.reason.as_str();
                return Ok(Plan::Skip(Outcome::skip(&id, reason, record.as_ref())));
            }
            let body = order_transaction(&order, &inner.options)?;
            plan_upsert(Payload::Order(body), record.as_ref())
        })();
        inner.start(Resource::Order, plan)
    }

    /// Syncs a refund of `order` (create or update; skipped when the order
    /// does not sync for its currency or destination, or nothing changed).
    #[wasm_bindgen(js_name = syncRefund, unchecked_return_type = "Promise<SyncResult>")]
    pub fn sync_refund(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Refund")] refund: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Order")] order: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        let inner = self.inner.clone();
        let plan = (|| {
            let refund = refund_arg(refund)?;
            let order = order_arg(order)?;
            let record = record_arg(record)?;
            let id = refund_transaction_id(&refund, &inner.options)?;
            if !inner.settings.enabled {
                return Ok(Plan::Skip(Outcome::skip(&id, "disabled", record.as_ref())));
            }
            let decision = should_sync_place(&order);
            if !decision.sync {
                let reason = decision.reason.as_str();
                return Ok(Plan::Skip(Outcome::skip(&id, reason, record.as_ref())));
            }
            let body = refund_transaction(&refund, &order, &inner.options)?;
            plan_upsert(Payload::Refund(body), record.as_ref())
        })();
        inner.start(Resource::Refund, plan)
    }

    /// Syncs an exempt customer (create or update, skipped when unchanged).
    #[wasm_bindgen(js_name = syncCustomer, unchecked_return_type = "Promise<SyncResult>")]
    pub fn sync_customer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CustomerInput")] customer: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        let inner = self.inner.clone();
        let plan = (|| {
            let body = customer_request(&from_js::<Value>(customer, "customer")?)?;
            plan_upsert(Payload::Customer(body), record_arg(record)?.as_ref())
        })();
        inner.start(Resource::Customer, plan)
    }

    /// Deletes an order transaction (`id`: the order id or its transaction_id).
    #[wasm_bindgen(js_name = deleteOrder, unchecked_return_type = "Promise<SyncResult>")]
    pub fn delete_order(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        self.delete(Resource::Order, id, record)
    }

    /// Deletes a refund transaction (`id`: its transaction_id, with suffix).
    #[wasm_bindgen(js_name = deleteRefund, unchecked_return_type = "Promise<SyncResult>")]
    pub fn delete_refund(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        self.delete(Resource::Refund, id, record)
    }

    /// Deletes a customer.
    #[wasm_bindgen(js_name = deleteCustomer, unchecked_return_type = "Promise<SyncResult>")]
    pub fn delete_customer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SyncRecord | null")] record: Option<
            JsValue,
        >,
    ) -> Promise {
        self.delete(Resource::Customer, id, record)
    }
}

impl TransactionSync {
    fn delete(&self, resource: Resource, id: JsValue, record: Option<JsValue>) -> Promise {
        let plan = (|| {
            let raw = id_arg(&id)?;
            let id = match resource {
                Resource::Customer => raw,
                _ => transaction_id(&raw, "id")?,
            };
            plan_delete(resource, &id, record_arg(record)?.as_ref())
        })();
        self.inner.clone().start(resource, plan)
    }
}

impl Inner {
    fn start(self: Rc<Self>, resource: Resource, plan: Result<Plan, Error>) -> Promise {
        future_to_promise(async move {
            let plan = plan.map_err(|e| js_error(&e))?;
            let outcome = self.run(resource, plan).await.map_err(|e| js_error(&e))?;
            Ok(to_js(&outcome))
        })
    }

    fn log(&self, entry: &LogEntry) {
        if let Some(on_log) = &self.on_log {
            // A throwing logger must not break the sync.
            let _ = on_log.call1(&JsValue::UNDEFINED, &to_js(entry));
        }
    }

    fn now_ms(&self) -> f64 {
        self.now
            .as_ref()
            .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite())
            .unwrap_or_else(js_sys::Date::now)
    }

    async fn run(&self, resource: Resource, plan: Plan) -> Result<JsOutcome, Error> {
        let mut attempt = match plan {
            Plan::Skip(outcome) => {
                self.log(&LogEntry::skip(resource, &outcome));
                return Ok(JsOutcome {
                    outcome,
                    response: None,
                });
            }
            Plan::Send(attempt) => *attempt,
        };
        loop {
            let (base, key) = (&self.api_url, &self.api_key);
            self.log(&LogEntry::request(&attempt, base, key));
            let started = js_sys::Date::now();
            let (status, body) = match self.send(&attempt).await {
                Ok(answer) => answer,
                Err(error) => {
                    let ms = js_sys::Date::now() - started;
                    self.log(&LogEntry::error(&attempt, base, key, &error, ms));
                    return Err(error);
                }
            };
            let ms = js_sys::Date::now() - started;
            self.log(&LogEntry::response(&attempt, base, key, status, &body, ms));
            match next(&attempt, status, &body)? {
                Some(fallback) => attempt = fallback,
                None => {
                    let synced_at = format_iso(self.now_ms() as i64);
                    return Ok(JsOutcome {
                        outcome: attempt.outcome(status, &synced_at),
                        response: serde_json::from_str(&body).ok(),
                    });
                }
            }
        }
    }

    async fn send(&self, attempt: &Attempt) -> Result<(u16, String), Error> {
        let url = format!("{}{}", self.api_url, attempt.request.path_and_query());
        let method = match attempt.request.method {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => Method::GET,
        };
        let mut builder = RequestBuilder::new(&url).method(method);
        for (name, value) in attempt.headers(&self.api_key) {
            builder = builder.header(name, &value);
        }
        let signal = AbortSignal::timeout_with_u32(self.timeout_ms);
        let builder = builder.abort_signal(Some(&signal));
        let fail = |e| fetch_error(e, self.timeout_ms);
        let request = match &attempt.request.body {
            Some(body) => builder.body(body.to_string()),
            None => builder.build(),
        }
        .map_err(fail)?;
        let response = request.send().await.map_err(fail)?;
        let status = response.status();
        let text = response.text().await.map_err(fail)?;
        Ok((status, text))
    }
}
