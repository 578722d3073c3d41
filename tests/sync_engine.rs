//! Transaction Sync: `shouldSync`, `customerRequest`, the sync engine,
//! backfill and the CSV export.
#![cfg(not(target_arch = "wasm32"))]

mod sync_common;

use edgetax::sync::backfill::{plan_backfill, BackfillAction, BackfillRange};
use edgetax::sync::engine::{
    delete_hash, next, plan_delete, plan_upsert, Action, Payload, Plan, Resource, SyncRecord,
};
use edgetax::sync::log::{LogEntry, REDACTED};
use edgetax::sync::rules::{should_sync_place, Reason};
use edgetax::sync::{
    customer_request, export_csv, order_transaction, payload_hash, refund_transaction, should_sync,
    Refund, SyncSettings,
};
use edgetax::Code;
use serde_json::{json, Value};
use sync_common::*;

// ---- shouldSync ----------------------------------------------------------------

fn decision(extra: Value, settings: &SyncSettings) -> (bool, Reason) {
    let d = should_sync(&order(base(extra)), settings);
    (d.sync, d.reason)
}

#[test]
fn should_sync_by_status_destination_currency_and_address() {
    let s = SyncSettings::default();
    for status in ["completed", "shipped", "paid", "closed", "Completed"] {
        assert_eq!(
            decision(json!({"status": status}), &s),
            (true, Reason::Ready)
        );
    }
    assert_eq!(
        decision(json!({"status": "pending"}), &s),
        (false, Reason::Status)
    );
    assert_eq!(
        decision(json!({"status": null}), &s),
        (false, Reason::Status)
    );
    assert_eq!(
        decision(json!({"status": "cancelled"}), &s),
        (false, Reason::Cancelled)
    );
    assert_eq!(
        decision(
            json!({"to_country": "CA", "to_zip": "V5K 0A1", "to_state": "BC"}),
            &s
        ),
        (false, Reason::NotUs)
    );
    assert_eq!(
        decision(json!({"currency": "CAD"}), &s),
        (false, Reason::Currency)
    );
    assert_eq!(
        decision(json!({"to_zip": null}), &s),
        (false, Reason::IncompleteAddress)
    );
    assert_eq!(
        decision(json!({"to_state": "ZZ"}), &s),
        (false, Reason::IncompleteAddress)
    );
    let custom = SyncSettings {
        statuses: vec!["complete".into()],
        ..SyncSettings::default()
    };
    assert_eq!(
        decision(json!({"status": "complete"}), &custom),
        (true, Reason::Ready)
    );
    assert_eq!(
        decision(json!({"status": "completed"}), &custom),
        (false, Reason::Status)
    );
    let off = SyncSettings {
        enabled: false,
        ..SyncSettings::default()
    };
    assert_eq!(decision(json!({}), &off), (false, Reason::Disabled));
    assert!(should_sync_place(&order(base(json!({"status": "refunded"})))).sync);
    let json = serde_json::to_value(should_sync(&order(base(json!({}))), &s)).unwrap();
    assert_eq!(json, json!({"sync": true, "reason": "ready"}));
}

// ---- customers -------------------------------------------------------------------

#[test]
fn customer_requests_validate_with_clear_errors() {
    let c = customer_request(&json!({"customer_id": "123", "exemption_type": "wholesale", "name": "Dunder Mifflin",
        "exempt_regions": [{"country": "US", "state": "FL"}, {"country": "US", "state": "PA"}],
        "country": "US", "state": "PA", "zip": "18504", "city": "Scranton", "street": "1725 Slough Avenue"})).unwrap();
    assert_eq!(
        serde_json::to_value(&c).unwrap()["exempt_regions"][1],
        json!({"country": "US", "state": "PA"})
    );
    let err = customer_request(&json!({"customer_id": "1", "exemption_type": "wholesale",
        "exempt_regions": [{"country": "US", "state": "FL"}, {"country": "us", "state": "fl"}]}))
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidValue, Some("exempt_regions[1]"))
    );
    let err = customer_request(&json!({"customer_id": "1", "exemption_type": "non_exempt",
        "exempt_regions": [{"country": "US", "state": "FL"}]}))
    .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("exempt_regions"));
    let err = customer_request(
        &json!({"customer_id": "1", "exemption_type": "wholesale", "exempt_regions": "FL"}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidType, Some("exempt_regions"))
    );
    let err = customer_request(&json!({"customer_id": "1"})).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::MissingField, Some("exemption_type"))
    );
    let err = customer_request(
        &json!({"customer_id": "1", "exemption_type": "other", "country": "US", "zip": "1"}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (Code::InvalidZip, Some("zip"))
    );
    let err =
        customer_request(&json!({"customer_id": "1", "exemption_type": "other", "country": "USA"}))
            .unwrap_err();
    assert_eq!(err.code, Code::InvalidCountry);
}

// ---- the engine --------------------------------------------------------------------

fn order_payload() -> Payload {
    Payload::Order(order_transaction(&order(base(json!({}))), &Default::default()).unwrap())
}

fn send(plan: Plan) -> edgetax::sync::engine::Attempt {
    match plan {
        Plan::Send(a) => *a,
        Plan::Skip(o) => panic!("skipped: {o:?}"),
    }
}

#[test]
fn create_then_422_falls_back_to_put_once() {
    let a = send(plan_upsert(order_payload(), None).unwrap());
    assert_eq!(
        (a.action, a.request.method, a.request.path.as_str()),
        (Action::Create, "POST", "/v2/transactions/orders")
    );
    let b = next(
        &a,
        422,
        r#"{"error":"Unprocessable Entity","detail":"exists","status":422}"#,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (
            b.action,
            b.request.method,
            b.request.path.as_str(),
            b.fallback
        ),
        (Action::Update, "PUT", "/v2/transactions/orders/1001", true)
    );
    assert_eq!(b.request.body, a.request.body);
    assert!(next(&b, 200, "{}").unwrap().is_none());
    let done = b.outcome(200, "2026-01-01T00:00:00.000Z");
    assert_eq!(
        (done.action, done.fallback, done.status),
        (Action::Update, true, Some(200))
    );
    assert_eq!(done.record.as_ref().unwrap().hash, a.hash);
    // A second 404 after the fallback is an error, not a loop.
    let err = next(
        &b,
        404,
        r#"{"error":"Not Found","detail":"gone","status":404}"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.status, err.detail.as_deref()),
        (Code::UpstreamError, Some(404), Some("gone"))
    );
}

#[test]
fn update_then_404_falls_back_to_post() {
    let record = SyncRecord {
        transaction_id: "1001".into(),
        hash: "old".into(),
        synced_at: "2015-05-14T00:00:00Z".into(),
    };
    let a = send(plan_upsert(order_payload(), Some(&record)).unwrap());
    assert_eq!((a.action, a.request.method), (Action::Update, "PUT"));
    let b = next(&a, 404, "").unwrap().unwrap();
    assert_eq!(
        (b.action, b.request.method, b.request.path.as_str()),
        (Action::Create, "POST", "/v2/transactions/orders")
    );
    assert!(next(&b, 422, "").is_err());
    assert_eq!(next(&a, 500, "").unwrap_err().status, Some(500));
    assert_eq!(next(&a, 401, "").unwrap_err().code, Code::Unauthorized);
}

#[test]
fn an_unchanged_payload_is_skipped() {
    let a = send(plan_upsert(order_payload(), None).unwrap());
    let record = a.outcome(201, "2026-01-01T00:00:00.000Z").record.unwrap();
    match plan_upsert(order_payload(), Some(&record)).unwrap() {
        Plan::Skip(o) => {
            assert_eq!(
                (o.action, o.reason.as_deref()),
                (Action::Skip, Some("unchanged"))
            );
            assert_eq!(o.record, Some(record.clone()));
        }
        Plan::Send(_) => panic!("sent an unchanged payload"),
    }
    let other = SyncRecord {
        transaction_id: "9".into(),
        ..record
    };
    assert_eq!(
        plan_upsert(order_payload(), Some(&other))
            .unwrap_err()
            .field
            .as_deref(),
        Some("record.transaction_id")
    );
}

#[test]
fn deletes_and_customers() {
    let a = send(plan_delete(Resource::Order, "1001", None).unwrap());
    assert_eq!(
        (
            a.request.method,
            a.request.path.as_str(),
            a.request.body.is_none()
        ),
        ("DELETE", "/v2/transactions/orders/1001", true)
    );
    assert!(next(&a, 404, "").unwrap().is_none()); // already gone is done
    let record = a.outcome(404, "2026-01-01T00:00:00.000Z").record.unwrap();
    assert_eq!(record.hash, delete_hash(Resource::Order, "1001"));
    assert!(matches!(
        plan_delete(Resource::Order, "1001", Some(&record)).unwrap(),
        Plan::Skip(_)
    ));
    let c = customer_request(&json!({"customer_id": "c1", "exemption_type": "wholesale"})).unwrap();
    let a = send(plan_upsert(Payload::Customer(c), None).unwrap());
    assert_eq!(
        (a.request.method, a.request.path.as_str()),
        ("POST", "/v2/customers")
    );
    let b = next(&a, 422, "").unwrap().unwrap();
    assert_eq!(
        (b.request.method, b.request.path.as_str()),
        ("PUT", "/v2/customers/c1")
    );
    let r: SyncRecord =
        serde_json::from_value(json!({"customer_id": "c1", "hash": "h", "synced_at": "x"}))
            .unwrap();
    assert_eq!(r.transaction_id, "c1");
}

#[test]
fn logs_redact_the_token() {
    let token = "tok_SECRET_123";
    let a = send(plan_upsert(order_payload(), None).unwrap());
    let request = LogEntry::request(&a, "https://api.taxjar.com", token);
    let response = LogEntry::response(
        &a,
        "https://api.taxjar.com",
        token,
        401,
        &format!(r#"{{"error":"Unauthorized","detail":"bad token {token}"}}"#),
        12.0,
    );
    let text = serde_json::to_string(&[request.clone(), response]).unwrap();
    assert!(!text.contains(token));
    assert!(text.contains(REDACTED));
    let headers = request.headers.unwrap();
    assert_eq!(headers["Authorization"], format!("Bearer {REDACTED}"));
    assert_eq!(headers["x-api-version"], "2020-08-07");
    assert_eq!(headers["Content-Type"], "application/json");
    assert_eq!(
        request.url.as_deref(),
        Some("https://api.taxjar.com/v2/transactions/orders")
    );
    assert_eq!(a.headers(token)[0].1, format!("Bearer {token}"));
}

#[test]
fn payload_hash_is_canonical() {
    let a = payload_hash(&json!({"b": 1, "a": [1, {"y": 2, "x": 1}]}));
    let b = payload_hash(&json!({"a": [1, {"x": 1, "y": 2}], "b": 1}));
    assert_eq!(a, b);
    assert_eq!(a.len(), 64);
    assert_ne!(
        a,
        payload_hash(&json!({"a": [1, {"x": 1, "y": 3}], "b": 1}))
    );
}

// ---- backfill --------------------------------------------------------------

#[test]
fn backfill_decides_like_the_magento_extension() {
    let range =
        BackfillRange::from_value(&json!({"from": "2024-01-01", "to": "2024-01-31"})).unwrap();
    let items = json!([
        {"id": "new", "created_at": "2024-01-05T10:00:00Z"},
        {"id": "changed", "created_at": "2023-12-20", "updated_at": "2024-01-10T00:00:00Z", "synced_at": "2024-01-02T00:00:00Z"},
        {"id": "same", "created_at": "2024-01-03", "updated_at": "2024-01-04T00:00:00Z", "record": {"transaction_id": "same", "hash": "h", "synced_at": "2024-01-05T00:00:00Z"}},
        {"id": "late", "created_at": "2024-01-31T23:59:59Z"},
        {"id": "out", "created_at": "2024-02-01T00:00:00Z"},
        {"id": "old", "created_at": "2023-12-01", "updated_at": "2023-12-02"},
        {"id": "pending", "created_at": "2024-01-05", "status": "pending"},
        {"id": "void", "created_at": "2024-01-05", "status": "canceled"}
    ]);
    let plan = plan_backfill(&range, &items).unwrap();
    let got: Vec<(&str, BackfillAction, &str)> = plan
        .iter()
        .map(|d| (d.id.as_str(), d.action, d.reason))
        .collect();
    use BackfillAction::*;
    assert_eq!(
        got,
        [
            ("new", Create, "never_synced"),
            ("changed", Update, "updated_since_sync"),
            ("same", Skip, "not_updated_since_sync"),
            ("late", Create, "never_synced"),
            ("out", Skip, "out_of_range"),
            ("old", Skip, "out_of_range"),
            ("pending", Skip, "status"),
            ("void", Skip, "cancelled"),
        ]
    );
    // By created_at, "changed" (created in December) is out of range.
    let by_created = BackfillRange::from_value(
        &json!({"from": "2024-01-01", "by": "created_at", "force": true}),
    )
    .unwrap();
    let plan = plan_backfill(&by_created, &items).unwrap();
    assert_eq!((plan[1].action, plan[1].reason), (Skip, "out_of_range"));
    assert_eq!((plan[2].action, plan[2].reason), (Update, "forced"));
    assert_eq!(
        BackfillRange::from_value(&json!({"from": "2024-01-01", "by": "synced"}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("by")
    );
    assert_eq!(
        BackfillRange::from_value(&json!({}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("from")
    );
    assert_eq!(
        plan_backfill(&range, &json!([{"id": "x"}]))
            .unwrap_err()
            .field
            .as_deref(),
        Some("items[0].created_at")
    );
}

// ---- CSV -------------------------------------------------------------------

#[test]
fn csv_export_in_taxjars_import_format() {
    let o = base(
        json!({"to_street": "123 Palm Grove Ln, Apt \"B\"", "created_at": "2015-05-14T10:00:00Z"}),
    );
    let t = order_transaction(&order(o.clone()), &Default::default()).unwrap();
    let r = refund_transaction(
        &Refund::from_value(&json!({"id": "1001", "created_at": "2015/06/01"})).unwrap(),
        &order(o),
        &Default::default(),
    )
    .unwrap();
    let csv = export_csv(&[t, r]);
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        rows[0],
        "provider,order_id,transaction_type,transaction_reference_id,completed_at,customer_name,\
shiptostreet,shiptocity,shiptostate,shiptozip,shiptocountrycode,\
from_street,from_city,from_state,from_zip,from_country,\
shipping_amount,handling_amount,discount_amount,total_sale,sales_tax"
    );
    assert_eq!(
        rows[1],
        "api,1001,Order,,2015-05-14,,\"123 Palm Grove Ln, Apt \"\"B\"\"\",Los Angeles,CA,90002,US,\
9500 Gilman Drive,La Jolla,CA,92093,US,5.00,,0.00,20.00,1.35"
    );
    assert_eq!(
        rows[2],
        "api,1001-refund,Refund,1001,2015-06-01,,\"123 Palm Grove Ln, Apt \"\"B\"\"\",Los Angeles,CA,90002,US,\
9500 Gilman Drive,La Jolla,CA,92093,US,-5.00,,0.00,-20.00,-1.35"
    );
    assert_eq!((rows.len(), rows[3]), (4, ""));
}
