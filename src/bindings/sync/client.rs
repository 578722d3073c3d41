//! The `TransactionSync` class: sends what the core's engine decides, as
//! the core's [`Exchange`] drives it through `bindings::http`.

use std::rc::Rc;

use js_sys::{Function, Promise};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{order_arg, refund_arg};
use crate::bindings::clock;
use crate::bindings::convert::{from_js, to_js};
use crate::bindings::http::Js;
use crate::bindings::log::{self as logging, Sink};
use crate::bindings::options::Options;
use crate::error::{Code, Error};
use crate::http::drive;
use crate::redact::Redactor;
use crate::sync::engine::{plan_delete, plan_upsert, Outcome, Payload, Plan, Resource, SyncRecord};
use crate::sync::exchange::Exchange;
use crate::sync::log::LogEntry;
use crate::sync::plan::{plan_order, plan_refund};
use crate::sync::rules::transaction_id;
use crate::sync::time::format_iso;
use crate::sync::{customer_request, SyncSettings, TransactionOptions};

struct Inner {
    api_url: String,
    api_key: String,
    timeout_ms: u32,
    options: TransactionOptions,
    settings: SyncSettings,
    on_log: Option<Function>,
    now: Option<Function>,
    /// Takes the key out of log entries once more, as every log guard does.
    redactor: Redactor,
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

/// What a sync resolves to: the outcome, with TaxJar's answer (parsed by
/// JS, or null) as `response`. Set on the JS object rather than through
/// serde's `flatten`, which would bring its buffering code into the wasm.
fn js_outcome(outcome: &Outcome, response: Option<&str>) -> JsValue {
    let value = to_js(outcome);
    let response = response
        .and_then(|text| js_sys::JSON::parse(text).ok())
        .unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&value, &JsValue::from_str("response"), &response);
    value
}

#[wasm_bindgen]
impl TransactionSync {
    /// Creates a sync client (see `TransactionSyncOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TransactionSyncOptions")] options: JsValue,
    ) -> Result<TransactionSync, JsValue> {
        Ok(Self::build(options)?)
    }

    fn build(options: JsValue) -> Result<TransactionSync, Error> {
        if !options.is_object() {
            return Err(Error::new(
                Code::InvalidType,
                "TransactionSync options must be an object",
            ));
        }
        let options = Options::new(
            options,
            "",
            "TransactionSync options",
            &[
                "apiUrl",
                "apiKey",
                "timeoutMs",
                "plugin",
                "refundSuffix",
                "settings",
                "onLog",
                "now",
            ],
        )?;
        let on_log = options.function("onLog")?;
        let now = options.function("now")?;
        let required = |v: Option<String>, name: &str| {
            v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::field(Code::MissingField, name, format!("{name} is required"))
            })
        };
        let timeout_ms = match options.number("timeoutMs")? {
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
        let api_key = required(options.string("apiKey")?, "apiKey")?;
        Ok(TransactionSync {
            inner: Rc::new(Inner {
                api_url: required(options.string("apiUrl")?, "apiUrl")?
                    .trim()
                    .trim_end_matches('/')
                    .to_owned(),
                redactor: Redactor::new([api_key.as_str()]),
                api_key,
                timeout_ms: timeout_ms as u32,
                options: TransactionOptions {
                    plugin: options.string("plugin")?,
                    refund_suffix: options.string("refundSuffix")?,
                },
                settings: options
                    .value("settings")
                    .map(|v| from_js::<SyncSettings>(v, "settings"))
                    .transpose()?
                    .unwrap_or_default(),
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
            plan_order(&order, record.as_ref(), &inner.settings, &inner.options)
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
            plan_refund(
                &refund,
                &order,
                record.as_ref(),
                &inner.settings,
                &inner.options,
            )
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
        future_to_promise(async move { Ok(self.run(resource, plan?).await?) })
    }

    fn log(&self, entry: &LogEntry) {
        if let Some(on_log) = &self.on_log {
            let line = serde_json::to_string(entry).unwrap_or_default();
            logging::write(Sink::Callback(on_log), &self.redactor, &line);
        }
    }

    /// The caller's `now` option, else the clock: when a record is synced.
    fn now_ms(&self) -> f64 {
        self.now
            .as_ref()
            .and_then(|f| f.call0(&JsValue::UNDEFINED).ok())
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite())
            .unwrap_or_else(clock::now_ms)
    }

    async fn run(&self, resource: Resource, plan: Plan) -> Result<JsValue, Error> {
        let attempt = match plan {
            Plan::Skip(outcome) => {
                self.log(&LogEntry::skip(resource, &outcome));
                return Ok(js_outcome(&outcome, None));
            }
            Plan::Send(attempt) => *attempt,
        };
        let mut exchange = Exchange {
            api_url: &self.api_url,
            api_key: &self.api_key,
            timeout_ms: self.timeout_ms,
            attempt,
            log: |entry: &LogEntry| self.log(entry),
        };
        let answered = drive(&mut exchange, &Js).await.done?;
        let synced_at = format_iso(self.now_ms() as i64);
        Ok(js_outcome(
            &answered.outcome(&synced_at),
            Some(&answered.body),
        ))
    }
}
