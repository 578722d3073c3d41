//! Backfill: which older orders to create, update or skip, by their dates
//! and sync dates, as TaxJar's Magento 2 extension does (see
//! `docs/SYNC.md`):
//!
//! 1. Only orders whose `updated_at` (or `created_at`) falls in the range
//!    are considered; `updated_at` also catches older orders that took
//!    longer to process. An order never updated counts by `created_at`.
//! 2. Only orders of a syncing status (when the item has a status).
//! 3. No sync date: create. Updated after its sync date: update. Else
//!    skip, unless `force` (then update).

use serde::Serialize;
use serde_json::Value;

use super::read::{self, Object};
use super::rules::{CANCELLED_STATUSES, DEFAULT_SYNC_STATUSES};
use super::time::{end_of, moment_at, Moment};
use crate::error::{Code, Error, Result};

/// Which date places an order in the range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackfillBy {
    /// Last change (TaxJar's usual choice).
    #[default]
    UpdatedAt,
    /// Creation.
    CreatedAt,
}

/// `{ from, to?, by?, force?, statuses? }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackfillRange {
    /// Start, inclusive (ms since the epoch).
    pub from: i64,
    /// End, exclusive (a date-only `to` includes its whole day).
    pub to: Option<i64>,
    /// Which date of an order is compared.
    pub by: BackfillBy,
    /// Update orders even when not changed since their sync date.
    pub force: bool,
    /// Statuses that sync (default the `should_sync` ones).
    pub statuses: Vec<String>,
}

impl BackfillRange {
    /// Reads the range object with field paths.
    pub fn from_value(value: &Value) -> Result<BackfillRange> {
        let o = read::object(value, "the backfill range")?;
        let from_text = read::text(o, "from", "")?
            .ok_or_else(|| Error::field(Code::MissingField, "from", "from is required"))?;
        let from = moment_at(&from_text, "from")?.ms;
        let to = match read::text(o, "to", "")? {
            Some(t) => Some(end_of(moment_at(&t, "to")?)),
            None => None,
        };
        if to.is_some_and(|to| to <= from) {
            return Err(Error::field(Code::InvalidValue, "to", "to is before from"));
        }
        let by = match read::text(o, "by", "")?.as_deref() {
            None | Some("updated_at") => BackfillBy::UpdatedAt,
            Some("created_at") => BackfillBy::CreatedAt,
            Some(other) => {
                return Err(Error::field(
                    Code::InvalidValue,
                    "by",
                    format!("\"{other}\" is not \"updated_at\" or \"created_at\""),
                ))
            }
        };
        let statuses = match o.get("statuses") {
            None | Some(Value::Null) => DEFAULT_SYNC_STATUSES.map(str::to_owned).to_vec(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.trim().to_owned()),
                    _ => Err(Error::field(
                        Code::InvalidType,
                        format!("statuses[{i}]"),
                        "statuses must be strings",
                    )),
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(Error::field(
                    Code::InvalidType,
                    "statuses",
                    "statuses must be a list of strings",
                ))
            }
        };
        Ok(BackfillRange {
            from,
            to,
            by,
            force: read::boolean(o, "force", "")?.unwrap_or(false),
            statuses,
        })
    }
}

/// What to do with one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackfillAction {
    /// `POST` (never synced).
    Create,
    /// `PUT` (changed since its sync, or forced).
    Update,
    /// Nothing.
    Skip,
}

/// The decision for one order, in the order given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackfillDecision {
    /// The order's id as given.
    pub id: String,
    /// Create, update or skip.
    pub action: BackfillAction,
    /// `never_synced`, `updated_since_sync`, `forced`,
    /// `not_updated_since_sync`, `out_of_range`, `status` or `cancelled`.
    pub reason: &'static str,
}

/// An order's dates and status, and its sync date.
struct Item {
    id: String,
    created_at: Moment,
    updated_at: Option<Moment>,
    status: Option<String>,
    synced_at: Option<Moment>,
}

fn item(o: &Object, path: &str) -> Result<Item> {
    let at = |f: &str| read::join(path, f);
    let time = |key: &str| -> Result<Option<Moment>> {
        read::text(o, key, path)?
            .map(|t| moment_at(&t, &at(key)))
            .transpose()
    };
    let id = read::id(o, "id", path)?
        .or(read::id(o, "transaction_id", path)?)
        .ok_or_else(|| {
            Error::field(
                Code::MissingField,
                at("id"),
                format!("{} is required", at("id")),
            )
        })?;
    let created_at = time("created_at")?
        .or(time("transaction_date")?)
        .ok_or_else(|| {
            Error::field(
                Code::MissingField,
                at("created_at"),
                format!("{} is required", at("created_at")),
            )
        })?;
    let synced_at = match time("synced_at")? {
        Some(t) => Some(t),
        None => match o.get("record") {
            Some(Value::Object(record)) => read::text(record, "synced_at", &at("record"))?
                .map(|t| moment_at(&t, &at("record.synced_at")))
                .transpose()?,
            _ => None,
        },
    };
    Ok(Item {
        id,
        created_at,
        updated_at: time("updated_at")?,
        status: read::text(o, "status", path)?,
        synced_at,
    })
}

/// Reads the items: `[{ id, created_at, updated_at?, status?, synced_at? |
/// record?: { synced_at } }]` (orders with any other fields are fine).
fn items(value: &Value) -> Result<Vec<Item>> {
    let wrapper = serde_json::json!({ "items": value });
    let Value::Object(o) = &wrapper else {
        unreachable!()
    };
    read::list(o, "items", "", item)?.ok_or_else(|| {
        Error::field(
            Code::InvalidType,
            "items",
            "the backfill items must be a list",
        )
    })
}

fn decide(range: &BackfillRange, item: &Item) -> (BackfillAction, &'static str) {
    use BackfillAction::*;
    let when = match range.by {
        BackfillBy::UpdatedAt => item.updated_at.unwrap_or(item.created_at),
        BackfillBy::CreatedAt => item.created_at,
    };
    if when.ms < range.from || range.to.is_some_and(|to| when.ms >= to) {
        return (Skip, "out_of_range");
    }
    if let Some(status) = &item.status {
        if CANCELLED_STATUSES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(status))
        {
            return (Skip, "cancelled");
        }
        if !range
            .statuses
            .iter()
            .any(|s| s.eq_ignore_ascii_case(status))
        {
            return (Skip, "status");
        }
    }
    let Some(synced) = item.synced_at else {
        return (Create, "never_synced");
    };
    let changed = item.updated_at.unwrap_or(item.created_at);
    if changed.ms > synced.ms {
        (Update, "updated_since_sync")
    } else if range.force {
        (Update, "forced")
    } else {
        (Skip, "not_updated_since_sync")
    }
}

/// One decision per item, in order (see the module documentation).
pub fn plan_backfill(range: &BackfillRange, items_value: &Value) -> Result<Vec<BackfillDecision>> {
    Ok(items(items_value)?
        .iter()
        .map(|item| {
            let (action, reason) = decide(range, item);
            BackfillDecision {
                id: item.id.clone(),
                action,
                reason,
            }
        })
        .collect())
}
