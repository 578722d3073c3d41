//! The D1 logs and the savings chart (`edgetax::console::{logs,
//! savings}`), natively: which requests get a row and what it holds
//! (redacted, cut), where each answer came from, the console's filter as
//! bound SQL, and the chart's counts from D1's grouped rows.

use edgetax::console::logs::{self, Filter, Param};
use edgetax::console::savings;
use edgetax::proxy::log::{CacheStatus, LogEntry};
use edgetax::proxy::Reply;
use edgetax::redact::Redactor;

/// 2026-12-07T13:00:00Z.
const NOW: u64 = 1_796_648_400_000;

fn entry(path: &str, caller: &str) -> LogEntry {
    let mut e = LogEntry::new("POST");
    e.path = path.to_owned();
    e.caller = caller.to_owned();
    e
}

#[test]
fn a_row_holds_the_request_redacted_and_cut() {
    let redactor = Redactor::new(["tj-secret-token-123"]);
    let mut e = entry("/v2/taxes", "browser");
    e.upstream_ms = Some(84);
    e.attempts = 1;
    e.cache = CacheStatus::Miss;
    e.key_hash = Some("et1_abcd".into());
    e.request = Some(r#"{"to_zip":"90002","note":"tj-secret-token-123"}"#.into());
    let reply = Reply::json(
        200,
        format!(
            r#"{{"tax":{{"amount_to_collect":1.35}},"pad":"{}"}}"#,
            "x".repeat(9000)
        ),
    );
    let row = logs::row(&e, &reply, NOW, &redactor).unwrap();
    assert_eq!(
        (
            row.day.as_str(),
            row.route.as_str(),
            row.method.as_str(),
            row.status,
            row.ms,
            row.source
        ),
        ("2026-12-07", "/v2/taxes", "POST", 200, Some(84), "taxjar")
    );
    assert_eq!(
        row.request.as_deref(),
        Some(r#"{"to_zip":"90002","note":"[REDACTED]"}"#)
    );
    let response = row.response.clone().unwrap();
    assert!(response.starts_with(r#"{"tax":{"amount_to_collect":1.35},"pad":"xxx"#));
    assert!(response.ends_with("…[cut at 8192 bytes]"));
    assert_eq!(response.len(), 8192 + "…[cut at 8192 bytes]".len());
    assert_eq!(row.params()[0], Param::Int(NOW as i64));
    assert_eq!(row.params()[5], Param::Int(84));
    // Not logged: the console, and requests refused before the caller was known.
    assert!(logs::row(
        &entry("/console/api/status", "console"),
        &reply,
        NOW,
        &redactor
    )
    .is_none());
    assert!(logs::row(&entry("/v2/taxes", "-"), &reply, NOW, &redactor).is_none());
}

#[test]
fn each_answer_names_where_it_came_from() {
    let ok = Reply::json(200, "{}");
    let with = |source: &str| Reply::json(200, "{}").with_header("x-edgetax-source", source);
    let mut e = entry("/v2/taxes", "browser");
    assert_eq!(logs::source(&e, &ok), "worker");
    for s in ["offline", "no_nexus", "exempt", "synced", "nexus_addresses"] {
        assert_eq!(logs::source(&e, &with(s)), s);
    }
    assert_eq!(logs::source(&e, &with("<script>")), "worker");
    e.cache = CacheStatus::Hit;
    assert_eq!(logs::source(&e, &ok), "cache");
    e.cache = CacheStatus::Coalesced;
    assert_eq!(logs::source(&e, &ok), "shared");
    e.cache = CacheStatus::Miss;
    e.attempts = 2;
    assert_eq!(logs::source(&e, &ok), "taxjar");
    let sync = entry("/sync/orders", "server:0a1b2c3d");
    assert_eq!(
        logs::source(&sync, &Reply::json(202, r#"{"queued":1}"#)),
        "queue"
    );
}

#[test]
fn the_filter_reads_the_query_and_binds_every_value() {
    let url = "https://w.example/console/api/logs?from=2026-12-01&to=2026-12-07&route=%2Fv2%2Ftaxes&status=4xx&page=3";
    let filter = logs::filter(url).unwrap();
    assert_eq!(
        filter,
        Filter {
            from: Some("2026-12-01".into()),
            to: Some("2026-12-07".into()),
            route: Some("/v2/taxes".into()),
            status: Some((400, 499)),
            page: 3,
        }
    );
    let (sql, params) = logs::select(&filter, false);
    assert_eq!(
        sql,
        "SELECT at, route, method, status, ms, cart_key, source, request, response FROM calls \
         WHERE day >= ?1 AND day <= ?2 AND (route = ?3 OR route LIKE ?3 || '/%') AND status >= ?4 AND status <= ?5 \
         ORDER BY at DESC, rowid DESC LIMIT ?6 OFFSET ?7"
    );
    assert_eq!(
        params,
        vec![
            Param::Text("2026-12-01".into()),
            Param::Text("2026-12-07".into()),
            Param::Text("/v2/taxes".into()),
            Param::Int(400),
            Param::Int(499),
            Param::Int(50),
            Param::Int(100),
        ]
    );
    let (count, _) = logs::count(&Filter {
        page: 1,
        ..Filter::default()
    });
    assert_eq!(count, "SELECT COUNT(*) AS n FROM calls");
    let (all, params) = logs::select(
        &Filter {
            page: 1,
            ..Filter::default()
        },
        true,
    );
    assert!(
        all.ends_with(" FROM calls ORDER BY at DESC, rowid DESC LIMIT ?1 OFFSET ?2"),
        "{all}"
    );
    assert_eq!(params, vec![Param::Int(5000), Param::Int(0)]);
    assert_eq!(
        logs::filter("/console/api/logs?status=200").unwrap().status,
        Some((200, 200))
    );
    assert_eq!(
        logs::filter("/console/api/logs?from=&status=").unwrap(),
        Filter {
            page: 1,
            ..Filter::default()
        }
    );
    let refused = |q: &str| {
        logs::filter(&format!("/console/api/logs?{q}"))
            .unwrap_err()
            .field
            .unwrap()
    };
    assert_eq!(refused("from=yesterday"), "from");
    assert_eq!(refused("status=6xx"), "status");
    assert_eq!(refused("route=v2"), "route");
    assert_eq!(refused("page=0"), "page");
    assert_eq!(refused("sort=at"), "sort");
    // A quote in a value stays a bound value.
    let odd = logs::filter("/console/api/logs?route=/x'%20OR%201=1--").unwrap();
    assert_eq!(
        logs::select(&odd, false).1[0],
        Param::Text("/x' OR 1=1--".into())
    );
}

#[test]
fn pages_downloads_and_retention() {
    let filter = Filter {
        page: 2,
        ..Filter::default()
    };
    assert_eq!(
        logs::page("[]", 101, &filter),
        r#"{"entries":[],"page":2,"pages":3,"total":101}"#
    );
    assert_eq!(
        logs::page("[]", 0, &filter),
        r#"{"entries":[],"page":2,"pages":1,"total":0}"#
    );
    let status = Filter {
        status: Some((500, 599)),
        page: 1,
        ..Filter::default()
    };
    assert_eq!(
        logs::download(r#"[{"at":1}]"#, &status, NOW),
        r#"{"generated_at":"2026-12-07","filter":{"from":null,"to":null,"route":null,"status":["500","599"]},"entries":[{"at":1}]}"#
    );
    let (sql, params) = logs::purge(NOW, 7);
    assert_eq!(sql, "DELETE FROM calls WHERE at < ?1");
    assert_eq!(params, vec![Param::Int((NOW - 7 * 86_400_000) as i64)]);
}

#[test]
fn the_savings_count_each_source_per_day_and_the_month_so_far() {
    assert_eq!(savings::first_day(NOW), "2026-11-08");
    // Early in a month the window starts before it; on the 31st of a long
    // month the month's first day is earlier than the window.
    assert_eq!(savings::first_day(1_798_675_200_000), "2026-12-01");
    let rows = r#"[
        {"day":"2026-12-07","source":"taxjar","n":3},
        {"day":"2026-12-07","source":"cache","n":5},
        {"day":"2026-12-07","source":"shared","n":1},
        {"day":"2026-12-07","source":"no_nexus","n":2},
        {"day":"2026-12-07","source":"exempt","n":1},
        {"day":"2026-12-07","source":"offline","n":1},
        {"day":"2026-12-07","source":"worker","n":1},
        {"day":"2026-12-01","source":"taxjar","n":4},
        {"day":"2026-11-30","source":"taxjar","n":9}
    ]"#;
    let summary: serde_json::Value = serde_json::from_str(&savings::summary(rows, NOW)).unwrap();
    let days = summary["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[0]["day"], "2026-11-08");
    assert_eq!(
        days[29],
        serde_json::json!({"day":"2026-12-07","requests":14,"cache":6,"skips":3,"backups":1,"billed":3})
    );
    assert_eq!(days[22]["day"], "2026-11-30");
    assert_eq!(days[22]["billed"], 9);
    // The month so far: December only. 18 requests, 7 billed, 11 free: 61.1%.
    assert_eq!(
        summary["month_to_date"],
        serde_json::json!({"month":"2026-12","requests":18,"billed":7,"free":11,"free_percent":"61.1"})
    );
    let empty: serde_json::Value = serde_json::from_str(&savings::summary("[]", NOW)).unwrap();
    assert_eq!(
        empty["month_to_date"]["free_percent"],
        serde_json::Value::Null
    );
}

#[test]
fn calls_outside_a_proxied_request_are_rows_too() {
    use edgetax::proxy::log::Call;
    use edgetax::proxy::{Outcome, UpstreamRequest};
    let request = UpstreamRequest {
        method: "POST".into(),
        url: "https://api.taxjar.com/v2/transactions/orders?x=1".into(),
        headers: vec![("Authorization".into(), "Bearer tj-secret-token-123".into())],
        body: Some(r#"{"transaction_id":"1001"}"#.into()),
    };
    let answered = Outcome::Answered {
        status: 201,
        body: r#"{"order":{"transaction_id":"1001"}}"#.into(),
        retry_after: None,
    };
    let call = Call::of(&request, &answered, 83.6);
    assert_eq!(
        (
            call.method.as_str(),
            call.path.as_str(),
            call.status,
            call.ms
        ),
        ("POST", "/v2/transactions/orders", 201, 84)
    );
    let row = logs::call_row(&call, NOW, &Redactor::new(["1001"]));
    assert_eq!(
        (row.route.as_str(), row.source, row.cart_key.as_deref()),
        ("/v2/transactions/orders", "taxjar", None)
    );
    assert_eq!(
        row.request.as_deref(),
        Some(r#"{"transaction_id":"[REDACTED]"}"#)
    );
    let timed_out = Call::of(&request, &Outcome::TimedOut, 5000.0);
    assert_eq!((timed_out.status, timed_out.response), (0, None));
}
