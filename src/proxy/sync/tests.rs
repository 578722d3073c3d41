//! Tests of the Worker's sync routes (`super`).

use serde_json::{json, Value};

use super::*;
use crate::http::testing::{block_on, status, Fake};
use crate::http::{drive, Answer as Sent200, Driven, Failure, Sent};
use crate::proxy::flow::{front, Front, Head};
use crate::proxy::log::LogEntry as ProxyLog;
use crate::proxy::testing::{answered, config, one, tj};
use crate::proxy::upstream::RECORDS_ANSWER_LIMIT;

fn order(id: &str) -> Value {
    json!({
        "id": id, "created_at": "2024-03-01T10:00:00Z", "status": "completed",
        "to_country": "US", "to_zip": "90002", "to_state": "CA",
        "shipping": 5, "sales_tax": "1.35",
        "line_items": [{ "id": "1", "quantity": 1, "unit_price": "10.00" }],
    })
}

fn jobs_of(resource: Resource, body: Value) -> Result<Vec<Job>, Reply> {
    jobs(
        resource,
        body.to_string().as_bytes(),
        &TransactionOptions::default(),
    )
}

fn field(reply: Reply) -> (u16, Value, Value) {
    let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
    (reply.status, body["code"].clone(), body["field"].clone())
}

fn first(job: &Job) -> Attempt {
    match plan(job, None, &TransactionOptions::default(), "").unwrap() {
        Plan::Send(attempt) => *attempt,
        Plan::Skip(outcome) => panic!("skipped: {outcome:?}"),
    }
}

#[test]
fn each_sync_route_queues_its_resource() {
    let route = |path: &str| crate::proxy::route::match_route("POST", path).unwrap();
    assert_eq!(resource(&route("/sync/refunds")), Resource::Refund);
    assert_eq!(resource(&route("/sync/orders")), Resource::Order);
}

#[test]
fn bodies_split_into_jobs_or_name_the_bad_field() {
    let list = jobs_of(
        Resource::Order,
        json!({ "orders": [order("1"), order("2")] }),
    );
    assert_eq!(list.unwrap().len(), 2);
    assert_eq!(jobs_of(Resource::Order, order("3")).unwrap().len(), 1);
    let mut bad = order("4");
    bad.as_object_mut().unwrap().remove("sales_tax");
    let reply = jobs_of(Resource::Order, json!({ "orders": [order("1"), bad] })).unwrap_err();
    assert_eq!(
        field(reply),
        (400, json!("missing_field"), json!("orders[1].sales_tax"))
    );
    let reply = jobs_of(Resource::Order, json!({ "orders": [] })).unwrap_err();
    assert_eq!(field(reply), (400, json!("invalid_value"), json!("orders")));
    let reply = jobs_of(Resource::Refund, json!({ "refund": { "id": "r1" } })).unwrap_err();
    assert_eq!(field(reply), (400, json!("missing_field"), json!("order")));
    let refund = json!({ "id": "r1", "created_at": "2024-03-05" });
    let refund = json!({ "refunds": [{ "refund": refund, "order": order("1") }] });
    let refunds = jobs_of(Resource::Refund, refund).unwrap();
    let (resource, id) = job_id(&refunds[0], &TransactionOptions::default()).unwrap();
    assert_eq!(record_key(resource, &id), "refund:r1-refund");
}

#[test]
fn unchanged_jobs_skip_and_answers_decide_the_next_step() {
    let job = Job::Order { order: order("7") };
    let attempt = first(&job);
    assert_eq!(attempt.request.method, "POST");
    // 422 on create: the engine's update, once.
    let Step::Next(update) = after(&attempt, &answered(422, "{}", None), "t") else {
        panic!("no fallback");
    };
    assert_eq!(update.request.method, "PUT");
    let Step::Done(outcome) = after(&update, &answered(200, "{}", None), "t") else {
        panic!("not done");
    };
    let record = outcome.record.unwrap();
    let again = plan(&job, Some(&record), &TransactionOptions::default(), "").unwrap();
    assert!(matches!(again, Plan::Skip(ref o) if o.reason.as_deref() == Some("unchanged")));
    for answer in [
        answered(500, "{}", None),
        answered(429, "{}", None),
        Answer::TimedOut,
    ] {
        // A failed create proves nothing: no record.
        let step = after(&attempt, &answer, "t");
        assert!(matches!(step, Step::Retry { record: None, .. }), "{step:?}");
    }
}

#[test]
fn a_failed_update_after_422_keeps_a_record_so_the_retry_updates() {
    let job = Job::Order { order: order("9") };
    let Step::Next(update) = after(&first(&job), &answered(422, "{}", None), "t1") else {
        panic!("no fallback");
    };
    let Step::Retry { record, .. } = after(&update, &Answer::TimedOut, "t2") else {
        panic!("not retried");
    };
    let record = record.unwrap();
    assert_eq!(
        (record.transaction_id.as_str(), record.hash.as_str()),
        ("9", "")
    );
    let options = TransactionOptions::default();
    let Ok(Plan::Send(retry)) = plan(&job, Some(&record), &options, "") else {
        panic!("skipped");
    };
    // One call when it is there; a 404 still falls back to a create.
    assert_eq!((retry.request.method, retry.fallback), ("PUT", false));
    let Step::Next(create) = after(&retry, &answered(404, "{}", None), "t3") else {
        panic!("no fallback");
    };
    assert_eq!(create.request.method, "POST");
    // An update planned from a record that fails keeps that record.
    let step = after(&retry, &answered(503, "{}", None), "t3");
    assert!(matches!(step, Step::Retry { record: None, .. }), "{step:?}");
}

#[test]
fn calls_carry_the_token_and_logs_do_not() {
    let config = config();
    let attempt = first(&Job::Order { order: order("8") });
    let call = upstream_call(&config, "test-token", &attempt);
    assert_eq!(call.url, "http://127.0.0.1:9999/v2/transactions/orders");
    assert!(call
        .headers
        .contains(&("Authorization".into(), "Bearer test-token".into())));
    let ok = attempt_line(
        &config,
        "test-token",
        &attempt,
        &answered(201, "{\"a\":1}", None),
        3.0,
    );
    assert!(
        ok.contains("\"status\":201") && !ok.contains("\"a\""),
        "{ok}"
    );
    let failed = answered(500, "{\"detail\":\"test-token broke\"}", None);
    let line = attempt_line(&config, "test-token", &attempt, &failed, 3.0);
    assert!(line.contains("[REDACTED] broke") && !line.contains("test-token"));
}

/// One delivery of `job` on a fake runtime: what it came to, its log
/// lines and the fake.
fn deliver<const N: usize>(
    job: &Job,
    answers: [Sent; N],
) -> (Driven<Delivered>, Vec<String>, Fake) {
    let config = config();
    let redactor = Redactor::new(["test-token"]);
    let fake = Fake::new(answers);
    let mut lines = Vec::new();
    let mut delivery = Delivery {
        config: &config,
        token: "test-token",
        redactor: &redactor,
        attempt: first(job),
        log: |line: &str| lines.push(line.to_owned()),
        calls: Vec::new(),
    };
    let driven = block_on(drive(&mut delivery, &fake));
    (driven, lines, fake)
}

#[test]
fn a_delivery_sends_the_fallback_and_logs_each_attempt() {
    let job = Job::Order { order: order("11") };
    let (driven, lines, fake) = deliver(&job, [status(422), status(200)]);
    assert_eq!((driven.attempts, driven.done.retry), (2, false));
    let record = driven.done.record.unwrap();
    // Synced when the last attempt ended, on the fake's clock.
    assert_eq!(record.synced_at, format_iso(1_700_000_000_020));
    let methods: Vec<String> = fake.sent().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["POST", "PUT"]);
    // Sent once each: the queue, not the driver, retries.
    assert_eq!(fake.limits(), [(5000, RECORDS_ANSWER_LIMIT); 2]);
    assert!(fake.sleeps().is_empty());
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("\"status\":422") && lines[1].contains("\"status\":200"));
}

#[test]
fn a_failed_delivery_is_retried_with_what_it_proved() {
    let job = Job::Order { order: order("12") };
    let (driven, lines, fake) = deliver(&job, [status(422), Err(Failure::TimedOut)]);
    assert!(driven.done.retry);
    assert_eq!(driven.done.record.unwrap().hash, "");
    assert!(fake.sleeps().is_empty());
    assert!(lines[1].contains("timeout"), "{}", lines[1]);
    let echo = Ok(Sent200 {
        status: 500,
        body: "{\"detail\":\"test-token broke\"}".into(),
        retry_after: None,
    });
    let (driven, lines, _) = deliver(&job, [echo]);
    assert_eq!((driven.done.retry, driven.done.record), (true, None));
    assert!(lines[0].contains("[REDACTED] broke") && !lines[0].contains("test-token"));
}

#[test]
fn retries_back_off_to_an_hour() {
    let delays: Vec<u32> = (1..=MAX_RETRIES + 1).map(retry_delay_seconds).collect();
    assert_eq!(delays[..4], [10, 20, 40, 80]);
    assert_eq!(delays[10], 3600);
    assert_eq!(retry_delay_seconds(0), 10);
}

#[test]
fn sync_routes_are_for_servers_and_follow_the_reporting_toggle() {
    let head = |origin, authorization| Head {
        method: "POST",
        url: "https://proxy.example/sync/orders",
        origin,
        authorization,
        content_type: Some("application/json"),
        content_length: None,
        client_ip: None,
    };
    let run =
        |config: &Config, head: &Head| match front(Ok(config), head, &mut ProxyLog::new("POST")) {
            Front::Done(reply) => Some(reply),
            Front::Admitted(_) => None,
        };
    let config = config();
    let browser = run(&config, &head(Some("https://shop.example"), None)).unwrap();
    assert_eq!(browser.status, 403);
    assert!(run(&config, &head(None, Some("Bearer pk_test_1"))).is_none());
    let off = Config {
        reporting_enabled: false,
        ..config.clone()
    };
    let refused = run(&off, &head(None, Some("Bearer pk_test_1"))).unwrap();
    assert_eq!(tj(&refused), "503 Service Unavailable: reporting disabled");
    assert!(one("REPORTING_ENABLED", "maybe").is_err());
}
