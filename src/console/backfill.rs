//! Backfill Transactions from the console: an uploaded JSON file of
//! platform orders and refunds, in the shapes of `POST /sync/orders` and
//! `POST /sync/refunds`, with a date range. Each order and refund inside
//! the range (by its `updated_at`, else its date; see
//! [`crate::sync::backfill`]) goes through the same durable queue as
//! `/sync/*`, where an unchanged one is skipped and a create that gets 422
//! becomes an update (404: the reverse). The rest is recorded as skipped,
//! with why. The same upload can instead be exported as TaxJar's CSV
//! import file.

use serde_json::{json, Map, Value};

use crate::error::{Code, Error};
use crate::proxy::sync::{job_id, plan, Job};
use crate::sync::backfill::{plan_backfill, BackfillAction, BackfillRange};
use crate::sync::engine::Resource;
use crate::sync::{
    export_csv, order_transaction, refund_transaction, Order, Refund, TransactionOptions,
};

/// The most orders and refunds in one upload.
pub const MAX_ITEMS: usize = 5000;

/// One order or refund of an upload, and what to do with it.
#[derive(Debug)]
pub struct Item {
    /// `order` or `refund`.
    pub kind: &'static str,
    /// Its transaction id at TaxJar.
    pub id: String,
    /// The queue job (its JSON is the message body).
    pub job: Job,
    /// `None`: queue it; `Some(reason)`: skipped at upload.
    pub skipped: Option<String>,
}

/// Reads an upload: `{"from": "2026-01-01", "to"?: …, "orders"?: […],
/// "refunds"?: […]}`; each item is checked as `/sync/*` checks it, and
/// the error names the field (`orders[3].line_items[0].quantity`).
pub fn read(body: &str, options: &TransactionOptions) -> Result<Vec<Item>, Error> {
    let value: Value = crate::proxy::json::parse(body)?;
    let Value::Object(root) = value else {
        return Err(Error::new(
            Code::InvalidType,
            "the upload must be a JSON object",
        ));
    };
    let range = BackfillRange::from_value(&Value::Object(range_fields(&root)))?;
    let list = |name: &str| -> Result<Vec<Value>, Error> {
        match root.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(Error::field(
                Code::InvalidType,
                name,
                format!("{name} must be a list"),
            )),
        }
    };
    let (orders, refunds) = (list("orders")?, list("refunds")?);
    if orders.is_empty() && refunds.is_empty() {
        return Err(Error::field(
            Code::MissingField,
            "orders",
            "the upload has no orders and no refunds",
        ));
    }
    if orders.len() + refunds.len() > MAX_ITEMS {
        return Err(Error::field(
            Code::InvalidValue,
            "orders",
            format!("at most {MAX_ITEMS} orders and refunds per upload"),
        ));
    }
    let mut items = Vec::new();
    let order_jobs = orders
        .iter()
        .map(|o| Job::Order { order: o.clone() })
        .collect();
    let order_dates = orders.iter().map(dates).collect();
    decide(
        &range,
        "orders",
        order_jobs,
        order_dates,
        options,
        &mut items,
    )?;
    let refund_jobs = refunds.iter().map(refund_job).collect();
    let refund_dates = refunds
        .iter()
        .map(|r| dates(r.get("refund").unwrap_or(&Value::Null)))
        .collect();
    decide(
        &range,
        "refunds",
        refund_jobs,
        refund_dates,
        options,
        &mut items,
    )?;
    Ok(items)
}

/// Checks each job of list `name` as `/sync/*` does, and decides it by
/// its dates (`dates`, in the same order).
fn decide(
    range: &BackfillRange,
    name: &str,
    jobs: Vec<Job>,
    dates: Vec<Value>,
    options: &TransactionOptions,
    items: &mut Vec<Item>,
) -> Result<(), Error> {
    let decided = plan_backfill(range, &Value::Array(dates)).map_err(|e| at(e, name))?;
    for (i, (job, decision)) in jobs.into_iter().zip(decided).enumerate() {
        let prefix = format!("{name}[{i}].");
        plan(&job, None, options, &prefix)?;
        let (resource, id) = job_id(&job, options).map_err(|e| at(e, &prefix))?;
        items.push(Item {
            kind: if resource == Resource::Refund {
                "refund"
            } else {
                "order"
            },
            id,
            job,
            skipped: (decision.action == BackfillAction::Skip).then(|| decision.reason.to_owned()),
        });
    }
    Ok(())
}

fn range_fields(root: &Map<String, Value>) -> Map<String, Value> {
    ["from", "to", "by", "force", "statuses"]
        .iter()
        .filter_map(|k| root.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}

/// The fields a backfill decision reads: an id, `created_at` (else the
/// `transaction_date`), `updated_at`, `status`.
fn dates(item: &Value) -> Value {
    let get = |k: &str| item.get(k).cloned().unwrap_or(Value::Null);
    let created = match get("created_at") {
        Value::Null => get("transaction_date"),
        given => given,
    };
    let mut out =
        json!({ "id": get("id"), "created_at": created, "updated_at": get("updated_at") });
    if let Some(status) = item.get("status").filter(|s| !s.is_null()) {
        out["status"] = status.clone();
    }
    out
}

fn refund_job(item: &Value) -> Job {
    Job::Refund {
        refund: item.get("refund").cloned().unwrap_or(Value::Null),
        order: item.get("order").cloned().unwrap_or(Value::Null),
    }
}

fn at(mut error: Error, prefix: &str) -> Error {
    let prefix = prefix.trim_end_matches('.');
    // `plan_backfill` names its list `items`: the upload's is `prefix`.
    error.field = Some(match error.field {
        Some(f) => match f.strip_prefix("items").filter(|rest| rest.starts_with('[')) {
            Some(rest) => format!("{prefix}{rest}"),
            None if f.starts_with('[') => format!("{prefix}{f}"),
            None => format!("{prefix}.{f}"),
        },
        None => prefix.to_owned(),
    });
    error
}

/// The upload's orders and refunds inside the range as TaxJar's CSV
/// import file (its "Orders Template").
pub fn csv(items: &[Item], options: &TransactionOptions) -> Result<String, Error> {
    let mut transactions = Vec::new();
    for item in items.iter().filter(|i| i.skipped.is_none()) {
        let request = match &item.job {
            Job::Order { order } => order_transaction(&Order::from_value(order)?, options)?,
            Job::Refund { refund, order } => refund_transaction(
                &Refund::from_value(refund)?,
                &Order::from_value(order)?,
                options,
            )?,
        };
        transactions.push(request);
    }
    Ok(export_csv(&transactions))
}
