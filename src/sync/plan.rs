//! The first step of syncing one order or refund, decided once for every
//! caller (the JS `TransactionSync` and the Worker's queue consumer): skip
//! it, delete it, or create or update it.

use super::engine::{plan_delete, plan_upsert, Outcome, Payload, Plan, Resource, SyncRecord};
use super::rules::{is_cancelled, should_sync, should_sync_place, Reason, SyncSettings};
use super::transaction::{order_transaction_id, refund_transaction_id};
use super::{order_transaction, refund_transaction, Order, Refund, TransactionOptions};
use crate::error::Result;

/// Reporting off: skip. A cancelled order: delete it. An order that should
/// not sync (status, currency, destination, address): skip with the reason.
/// Otherwise create or update it, or skip it when nothing changed.
pub(crate) fn plan_order(
    order: &Order,
    record: Option<&SyncRecord>,
    settings: &SyncSettings,
    options: &TransactionOptions,
) -> Result<Plan> {
    let id = order_transaction_id(order)?;
    if !settings.enabled {
        return Ok(Plan::Skip(Outcome::skip(
            &id,
            Reason::Disabled.as_str(),
            record,
        )));
    }
    if is_cancelled(order) {
        return plan_delete(Resource::Order, &id, record);
    }
    let decision = should_sync(order, settings);
    if !decision.sync {
        return Ok(Plan::Skip(Outcome::skip(
            &id,
            decision.reason.as_str(),
            record,
        )));
    }
    plan_upsert(Payload::Order(order_transaction(order, options)?), record)
}

/// Reporting off: skip. A refund of an order outside the US or not in USD:
/// skip with the reason (its order's status does not matter: the refund
/// happened). Otherwise create or update it, or skip it when unchanged.
pub(crate) fn plan_refund(
    refund: &Refund,
    order: &Order,
    record: Option<&SyncRecord>,
    settings: &SyncSettings,
    options: &TransactionOptions,
) -> Result<Plan> {
    let id = refund_transaction_id(refund, options)?;
    if !settings.enabled {
        return Ok(Plan::Skip(Outcome::skip(
            &id,
            Reason::Disabled.as_str(),
            record,
        )));
    }
    let decision = should_sync_place(order);
    if !decision.sync {
        return Ok(Plan::Skip(Outcome::skip(
            &id,
            decision.reason.as_str(),
            record,
        )));
    }
    let body = refund_transaction(refund, order, options)?;
    plan_upsert(Payload::Refund(body), record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(status: &str, currency: &str) -> Order {
        Order::from_value(&json!({
            "id": "1001", "created_at": "2015-05-14", "status": status, "currency": currency,
            "to_country": "US", "to_zip": "90002", "to_state": "CA",
            "shipping": 5, "sales_tax": 1.35,
            "line_items": [{"id": "1", "unit_price": 10}, {"id": "2", "unit_price": 5}]
        }))
        .unwrap()
    }

    fn skipped(plan: Plan) -> String {
        match plan {
            Plan::Skip(outcome) => outcome.reason.unwrap_or_default(),
            Plan::Send(attempt) => panic!("sent {}", attempt.request.method),
        }
    }

    fn sent(plan: Plan) -> (&'static str, String) {
        match plan {
            Plan::Send(attempt) => (attempt.request.method, attempt.request.path),
            Plan::Skip(outcome) => panic!("skipped: {:?}", outcome.reason),
        }
    }

    #[test]
    fn orders_are_skipped_deleted_or_created() {
        let on = SyncSettings::default();
        let off = SyncSettings {
            enabled: false,
            ..SyncSettings::default()
        };
        let opts = TransactionOptions::default();
        assert_eq!(
            skipped(plan_order(&order("completed", "USD"), None, &off, &opts).unwrap()),
            "disabled"
        );
        assert_eq!(
            skipped(plan_order(&order("pending", "USD"), None, &on, &opts).unwrap()),
            "status"
        );
        assert_eq!(
            sent(plan_order(&order("cancelled", "USD"), None, &on, &opts).unwrap()),
            ("DELETE", "/v2/transactions/orders/1001".to_owned())
        );
        assert_eq!(
            sent(plan_order(&order("completed", "USD"), None, &on, &opts).unwrap()),
            ("POST", "/v2/transactions/orders".to_owned())
        );
    }

    #[test]
    fn refunds_ignore_the_order_status_but_not_its_place() {
        let on = SyncSettings::default();
        let opts = TransactionOptions::default();
        let refund = Refund::from_value(&json!({"id": "r1", "created_at": "2015-06-01"})).unwrap();
        assert_eq!(
            sent(plan_refund(&refund, &order("closed", "USD"), None, &on, &opts).unwrap()),
            ("POST", "/v2/transactions/refunds".to_owned())
        );
        let eur = plan_refund(&refund, &order("closed", "EUR"), None, &on, &opts).unwrap();
        assert_eq!(skipped(eur), "currency");
    }
}
