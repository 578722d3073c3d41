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
/// "refunds"?: […]}`, or `{"from", "to"?, "csv": "<the file>"}` (see
/// [`from_csv`]); each item is checked as `/sync/*` checks it, and
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
    let (orders, refunds) = match root.get("csv") {
        Some(Value::String(text)) => from_csv(text)?,
        Some(_) => {
            return Err(Error::field(
                Code::InvalidType,
                "csv",
                "csv must be the CSV file's text",
            ))
        }
        None => (list("orders")?, list("refunds")?),
    };
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

/// The columns of a CSV upload that are not an order's own fields.
const TYPE_COLUMN: &str = "type";
const ORDER_OF_REFUND: &str = "order_id";
const LINE_PREFIX: &str = "line_items.";

/// A CSV upload as the JSON upload's `orders` and `refunds`. The header
/// names the fields as in `POST /sync/orders`; `type` is `order` or
/// `refund` (default `order`); a refund's `order_id` names an order of the
/// same file; `line_items.<field>` columns are one line item per row, and
/// the rows of one `type` and `id` are one order or refund. Empty cells
/// are left out. The error names the line of the file.
pub fn from_csv(text: &str) -> Result<(Vec<Value>, Vec<Value>), Error> {
    let rows = parse_csv(text)?;
    let Some((header, body)) = rows.split_first() else {
        return Err(Error::field(
            Code::MissingField,
            "csv",
            "the CSV file is empty",
        ));
    };
    if !header.iter().any(|h| h == "id") {
        return Err(Error::field(
            Code::MissingField,
            "csv",
            "the CSV header has no id column",
        ));
    }
    // (type, id) → the item, in the order first seen.
    let mut items: Vec<((String, String), Map<String, Value>)> = Vec::new();
    for (n, row) in body.iter().enumerate() {
        let line = n + 2;
        if row.iter().all(|cell| cell.is_empty()) {
            continue;
        }
        if row.len() != header.len() {
            let message = format!(
                "line {line} has {} cells; the header has {}",
                row.len(),
                header.len()
            );
            return Err(Error::field(Code::InvalidValue, "csv", message));
        }
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .map(|i| row[i].as_str())
                .unwrap_or("")
        };
        let kind = match cell(TYPE_COLUMN) {
            "" | "order" => "order",
            "refund" => "refund",
            other => {
                let message = format!("line {line}: type must be order or refund, not \"{other}\"");
                return Err(Error::field(Code::InvalidValue, "csv", message));
            }
        };
        let key = (kind.to_owned(), cell("id").to_owned());
        let at = match items.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                items.push((key, Map::new()));
                items.len() - 1
            }
        };
        let item = &mut items[at].1;
        let mut line_item = Map::new();
        for (name, value) in header.iter().zip(row) {
            if value.is_empty() || name == TYPE_COLUMN {
                continue;
            }
            match name.strip_prefix(LINE_PREFIX) {
                Some(field) => {
                    line_item.insert(field.to_owned(), Value::String(value.clone()));
                }
                None => {
                    item.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        if !line_item.is_empty() {
            let lines = item
                .entry("line_items")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(lines) = lines {
                lines.push(Value::Object(line_item));
            }
        }
    }
    let orders: Vec<Value> = items
        .iter()
        .filter(|((kind, _), _)| kind == "order")
        .map(|(_, o)| Value::Object(o.clone()))
        .collect();
    let mut refunds = Vec::new();
    for ((kind, id), refund) in &items {
        if kind != "refund" {
            continue;
        }
        let order_id = refund
            .get(ORDER_OF_REFUND)
            .and_then(Value::as_str)
            .unwrap_or("");
        let order = orders
            .iter()
            .find(|o| o.get("id").and_then(Value::as_str) == Some(order_id))
            .cloned()
            .ok_or_else(|| {
                let message =
                    format!("refund {id}: its order_id \"{order_id}\" is not an order of the file");
                Error::field(Code::InvalidValue, "csv", message)
            })?;
        let mut refund = refund.clone();
        refund.remove(ORDER_OF_REFUND);
        refunds.push(json!({ "refund": refund, "order": order }));
    }
    Ok((orders, refunds))
}

/// RFC 4180 rows: fields separated by commas, quoted with `"` (a quote
/// inside doubled), lines ending in CRLF or LF. By hand: a few lines,
/// where the `csv` crate would add to the Worker's `.wasm`.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(Error::field(
            Code::InvalidValue,
            "csv",
            "the CSV file ends inside a quoted field",
        ));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}
