//! The Transaction Sync state machine, without I/O: which request to send
//! for an order, refund or customer given its last sync record, what to do
//! with the answer, and what to log.
//!
//! - No record: create (`POST`); a `422` (already exists) falls back once
//!   to an update (`PUT`).
//! - A record: update (`PUT`); a `404` (not there) falls back once to a
//!   create (`POST`).
//! - The same payload hash as the record: skip, no call.
//! - Delete (a cancelled order): `DELETE`; a `404` means already gone.
//!
//! The caller sends [`Attempt::request`], then asks [`next`] about the
//! answer, and keeps the [`Outcome`]'s record for the next sync. What to
//! log is in [`super::log`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Code, Error, Result};
use crate::model::customers::CustomerRequest;
use crate::model::endpoints::{self, ApiRequest};
use crate::model::errors::parse_body;
use crate::model::transactions::TransactionRequest;

/// The `x-api-version` sent with every sync request: the version that
/// enforces `amount` = line items + shipping.
pub(crate) const API_VERSION: &str = "2020-08-07";

/// What is synced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// `/v2/transactions/orders`.
    Order,
    /// `/v2/transactions/refunds`.
    Refund,
    /// `/v2/customers`.
    Customer,
}

/// What a sync did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `POST`.
    Create,
    /// `PUT`.
    Update,
    /// `DELETE`.
    Delete,
    /// Nothing sent.
    Skip,
}

/// The last sync of one transaction or customer (for customers,
/// `transaction_id` is the `customer_id`; `customer_id` is read as an alias).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// The transaction's (or customer's) id at TaxJar.
    #[serde(alias = "customer_id")]
    pub transaction_id: String,
    /// [`payload_hash`] of what was last sent (or of the deletion).
    pub hash: String,
    /// When, as an ISO 8601 date-time.
    pub synced_at: String,
}

/// A body to create or update.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// An order transaction.
    Order(TransactionRequest),
    /// A refund transaction.
    Refund(TransactionRequest),
    /// A customer.
    Customer(CustomerRequest),
}

impl Payload {
    /// What it is.
    pub fn resource(&self) -> Resource {
        match self {
            Payload::Order(_) => Resource::Order,
            Payload::Refund(_) => Resource::Refund,
            Payload::Customer(_) => Resource::Customer,
        }
    }

    /// Its id at TaxJar.
    pub fn id(&self) -> &str {
        match self {
            Payload::Order(t) | Payload::Refund(t) => &t.transaction_id,
            Payload::Customer(c) => &c.customer_id,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        match self {
            Payload::Order(t) | Payload::Refund(t) => crate::model::to_json_value(t),
            Payload::Customer(c) => crate::model::to_json_value(c),
        }
    }

    fn request(&self, action: Action) -> Result<ApiRequest> {
        match (self, action) {
            (Payload::Order(t), Action::Create) => Ok(endpoints::create_order(t)),
            (Payload::Order(t), _) => endpoints::update_order(t),
            (Payload::Refund(t), Action::Create) => Ok(endpoints::create_refund(t)),
            (Payload::Refund(t), _) => endpoints::update_refund(t),
            (Payload::Customer(c), Action::Create) => Ok(endpoints::create_customer(c)),
            (Payload::Customer(c), _) => endpoints::update_customer(c),
        }
    }
}

/// SHA-256 (hex) of the canonical JSON of `body`: keys sorted at every
/// level, no spaces, numbers as serde_json writes them.
pub fn payload_hash(body: &Value) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                // Sorted here, whatever order the map keeps (serde_json's
                // `preserve_order` would change it).
                let entries: Vec<(&String, &Value)> = map.iter().collect();
                let order = crate::order::sorted_indices(entries.len(), &mut |a, b| {
                    entries[a].0.cmp(entries[b].0)
                });
                out.push('{');
                for (i, (k, v)) in order.iter().map(|&j| entries[j]).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(v, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(v, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(body, &mut text);
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hash a record keeps after a deletion.
pub fn delete_hash(resource: Resource, id: &str) -> String {
    payload_hash(&serde_json::json!({ "deleted": resource, "id": id }))
}

/// One request to send, and how it came about.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// What is synced.
    pub resource: Resource,
    /// Create, update or delete.
    pub action: Action,
    /// The transaction's (or customer's) id.
    pub id: String,
    /// The hash the record will keep.
    pub hash: String,
    /// Method, path and body.
    pub request: ApiRequest,
    /// True when this is the fallback after a 422 or 404.
    pub fallback: bool,
    payload: Option<Payload>,
}

/// What a sync ended with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// What was done.
    pub action: Action,
    /// The id at TaxJar.
    pub transaction_id: String,
    /// The final HTTP status; `null` when skipped.
    pub status: Option<u16>,
    /// True when a 422 or 404 fallback was used.
    pub fallback: bool,
    /// Why it was skipped (`unchanged`, or a `should_sync` reason).
    pub reason: Option<String>,
    /// The record to keep (unchanged when skipped).
    pub record: Option<SyncRecord>,
}

impl Outcome {
    /// A skip: nothing sent, the record kept as it was.
    pub fn skip(id: &str, reason: &str, record: Option<&SyncRecord>) -> Outcome {
        Outcome {
            action: Action::Skip,
            transaction_id: id.to_owned(),
            status: None,
            fallback: false,
            reason: Some(reason.to_owned()),
            record: record.cloned(),
        }
    }
}

/// Either nothing to send, or the first request.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Nothing to send.
    Skip(Outcome),
    /// Send this.
    Send(Box<Attempt>),
}

fn check_record(id: &str, record: Option<&SyncRecord>) -> Result<()> {
    match record {
        Some(r) if r.transaction_id != id => Err(Error::field(
            Code::InvalidValue,
            "record.transaction_id",
            format!("the record is for \"{}\", not \"{id}\"", r.transaction_id),
        )),
        _ => Ok(()),
    }
}

/// Create (no record), update (a record), or skip (same hash).
pub fn plan_upsert(payload: Payload, record: Option<&SyncRecord>) -> Result<Plan> {
    let id = payload.id().to_owned();
    check_record(&id, record)?;
    let hash = payload_hash(&payload.body());
    if record.is_some_and(|r| r.hash == hash) {
        return Ok(Plan::Skip(Outcome::skip(&id, "unchanged", record)));
    }
    let action = if record.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    Ok(Plan::Send(Box::new(Attempt {
        resource: payload.resource(),
        action,
        request: payload.request(action)?,
        id,
        hash,
        fallback: false,
        payload: Some(payload),
    })))
}

/// Delete, or skip when the record says it is already deleted.
pub fn plan_delete(resource: Resource, id: &str, record: Option<&SyncRecord>) -> Result<Plan> {
    check_record(id, record)?;
    let hash = delete_hash(resource, id);
    if record.is_some_and(|r| r.hash == hash) {
        return Ok(Plan::Skip(Outcome::skip(id, "already_deleted", record)));
    }
    let request = match resource {
        Resource::Order => endpoints::delete_order(id)?,
        Resource::Refund => endpoints::delete_refund(id)?,
        Resource::Customer => endpoints::delete_customer(id)?,
    };
    Ok(Plan::Send(Box::new(Attempt {
        resource,
        action: Action::Delete,
        id: id.to_owned(),
        hash,
        request,
        fallback: false,
        payload: None,
    })))
}

/// After an answer: `Ok(None)` when done, `Ok(Some(fallback))` to send
/// the fallback (create 422 → update, update 404 → create, once), or the
/// error the answer means (`upstream_error` with status and TaxJar's
/// detail, `unauthorized` for 401). A delete answered 404 is done.
pub fn next(attempt: &Attempt, status: u16, body: &str) -> Result<Option<Attempt>> {
    if (200..300).contains(&status) || (attempt.action == Action::Delete && status == 404) {
        return Ok(None);
    }
    let fallback = match (attempt.action, status, attempt.fallback) {
        (Action::Create, 422, false) => Some(Action::Update),
        (Action::Update, 404, false) => Some(Action::Create),
        _ => None,
    };
    match (fallback, &attempt.payload) {
        (Some(action), Some(payload)) => Ok(Some(Attempt {
            action,
            request: payload.request(action)?,
            fallback: true,
            ..attempt.clone()
        })),
        _ => Err(parse_body::<Value>(status, body).err().unwrap_or_else(|| {
            Error::new(Code::UpstreamError, format!("TaxJar answered {status}"))
        })),
    }
}

impl Attempt {
    /// The outcome of this attempt answered with `status`, synced at
    /// `synced_at` (ISO 8601).
    pub fn outcome(&self, status: u16, synced_at: &str) -> Outcome {
        Outcome {
            action: self.action,
            transaction_id: self.id.clone(),
            status: Some(status),
            fallback: self.fallback,
            reason: None,
            record: Some(SyncRecord {
                transaction_id: self.id.clone(),
                hash: self.hash.clone(),
                synced_at: synced_at.to_owned(),
            }),
        }
    }

    /// The headers to send: `Authorization: Bearer`, `x-api-version`, and
    /// `Content-Type` with a body.
    pub fn headers(&self, token: &str) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Authorization", format!("Bearer {token}")),
            ("x-api-version", API_VERSION.to_owned()),
        ];
        if self.request.body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        headers
    }
}
