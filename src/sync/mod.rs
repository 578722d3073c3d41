//! Transaction Sync: orders, refunds and exempt customers pushed to
//! TaxJar, backfills of older orders, and the CSV export for hand uploads.
//!
//! The rules come from TaxJar's guide to importing transactions (see
//! `docs/SYNC.md`). Everything here is plain Rust without I/O:
//!
//! | step | module | what it does |
//! | --- | --- | --- |
//! | input | [`order`] | a platform's order and refund, read with field paths |
//! | body | [`transaction`] | `POST/PUT /v2/transactions/{orders,refunds}` bodies |
//! | lines | [`lines`] | amounts, discounts and line taxes to the cent |
//! | rules | [`rules`] | ids, providers, `should_sync` |
//! | customers | [`customer`] | `POST/PUT /v2/customers` bodies |
//! | engine | [`engine`] | create/update/delete decisions, fallbacks, hashes |
//! | log | [`log`] | request and response logs, the token redacted |
//! | calls | [`exchange`] | one `TransactionSync` call: requests, fallback, logs, errors |
//! | backfill | [`backfill`] | create, update or skip per order, by sync date |
//! | export | [`csv`] | TaxJar's CSV transaction-import format |
//!
//! The JS face (`orderTransaction`, `TransactionSync`, ...) is in
//! `bindings::sync`.

pub mod backfill;
pub mod csv;
pub mod customer;
pub mod engine;
pub mod exchange;
pub mod lines;
pub mod log;
pub mod order;
pub mod plan;
mod read;
mod refund;
pub mod rules;
pub mod time;
pub mod transaction;

use crate::error::Code;

/// The code of an exempt (`wholesale`, `government`, `other`) transaction
/// that carries sales tax.
pub const EXEMPT_WITH_TAX: Code = Code::ExemptWithTax;

/// The code of an `amount` that is not the line amounts plus shipping.
pub const AMOUNT_MISMATCH: Code = Code::AmountMismatch;

pub use backfill::{plan_backfill, BackfillAction, BackfillBy, BackfillDecision, BackfillRange};
pub use csv::export_csv;
pub use customer::customer_request;
pub use engine::{payload_hash, Action, SyncRecord};
pub use order::{Order, Refund};
pub use rules::{should_sync, SyncDecision, SyncSettings};
pub use transaction::{order_transaction, refund_transaction, TransactionOptions};
