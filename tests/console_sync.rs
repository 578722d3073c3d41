//! Transaction Sync and Backfill Transactions in the console
//! (`edgetax::console::{transactions, backfill}`), natively: the counts
//! and progress from D1's rows, what a retry names, and an upload checked
//! and decided by its dates.

use edgetax::console::backfill;
use edgetax::console::logs::Param;
use edgetax::console::transactions as tx;
use edgetax::sync::TransactionOptions;

fn order(id: &str, created_at: &str) -> String {
    format!(
        r#"{{"id":"{id}","created_at":"{created_at}","status":"completed","from_country":"US","from_zip":"92093","from_state":"CA",
        "to_country":"US","to_zip":"90002","to_state":"CA","shipping":5,"sales_tax":"0.93",
        "line_items":[{{"id":"1","quantity":1,"unit_price":"10.00"}}]}}"#
    )
}

#[test]
fn counts_and_progress_come_from_the_rows() {
    let counts = r#"[{"kind":"order","status":"created","n":7},{"kind":"order","status":"updated","n":2},
        {"kind":"order","status":"failing","n":1},{"kind":"refund","status":"dead","n":3},{"kind":"refund","status":"received","n":4}]"#;
    assert_eq!(
        tx::view(counts, "[]"),
        concat!(
            r#"{"orders":{"received":10,"created":7,"updated":2,"deleted":0,"skipped":0,"failing":1,"dead":0},"#,
            r#""refunds":{"received":7,"created":0,"updated":0,"deleted":0,"skipped":0,"failing":0,"dead":3},"recent":[]}"#
        )
    );
    let rows = r#"[{"status":"created","n":5},{"status":"updated","n":1},{"status":"skipped","n":3},{"status":"failing","n":2},{"status":"received","n":4}]"#;
    assert_eq!(
        tx::progress("bf-0123456789ab", rows),
        r#"{"batch":"bf-0123456789ab","received":15,"sent":6,"skipped":3,"failed":2,"pending":4}"#
    );
    assert_eq!(
        tx::outcome("order", "1001", "failing", Some(&"x".repeat(600)), 9)[3],
        Param::Text("x".repeat(500))
    );
    assert_eq!(tx::received("refund", "r1", None, "{}", 9)[2], Param::Null);
}

#[test]
fn a_retry_names_an_order_or_a_refund() {
    assert_eq!(
        tx::retry_target(r#"{"kind":"order","id":"1001"}"#),
        Ok(("order".into(), "1001".into()))
    );
    assert!(tx::retry_target(r#"{"kind":"customer","id":"1"}"#).is_err());
    assert!(tx::retry_target(r#"{"kind":"order","id":""}"#).is_err());
    assert!(tx::retry_target("nope").is_err());
}

#[test]
fn an_upload_is_checked_and_decided_by_its_dates() {
    let options = TransactionOptions::default();
    let body = format!(
        r#"{{"from":"2024-03-01","to":"2024-03-31","orders":[{},{}],"refunds":[{{"refund":{{"id":"r1","created_at":"2024-03-05"}},"order":{}}}]}}"#,
        order("in", "2024-03-10T00:00:00Z"),
        order("old", "2023-12-31T23:59:59Z"),
        order("in", "2024-03-10T00:00:00Z"),
    );
    let items = backfill::read(&body, &options).unwrap();
    let decided: Vec<(&str, &str, Option<&str>)> = items
        .iter()
        .map(|i| (i.kind, i.id.as_str(), i.skipped.as_deref()))
        .collect();
    assert_eq!(
        decided,
        vec![
            ("order", "in", None),
            ("order", "old", Some("out_of_range")),
            ("refund", "r1-refund", None)
        ]
    );
    let csv = backfill::csv(&items, &options).unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains(",in,Order,"), "{}", lines[1]);
    assert!(lines[2].contains(",r1-refund,Refund,in,"), "{}", lines[2]);

    let refused = |body: &str| {
        backfill::read(body, &options)
            .unwrap_err()
            .field
            .unwrap_or_default()
    };
    assert_eq!(
        refused(&format!(r#"{{"orders":[{}]}}"#, order("a", "2024-03-10"))),
        "from"
    );
    assert_eq!(refused(r#"{"from":"2024-03-01"}"#), "orders");
    assert_eq!(refused(r#"{"from":"2024-03-01","orders":{}}"#), "orders");
    let bad = order("b", "2024-03-10").replace(r#""quantity":1"#, r#""quantity":"x""#);
    assert_eq!(
        refused(&format!(
            r#"{{"from":"2024-03-01","orders":[{},{bad}]}}"#,
            order("a", "2024-03-10")
        )),
        "orders[1].line_items[0].quantity"
    );
    let undated = order("c", "2024-03-10").replace(r#""created_at":"2024-03-10","#, "");
    assert_eq!(
        refused(&format!(r#"{{"from":"2024-03-01","orders":[{undated}]}}"#)),
        "orders[0].created_at"
    );
}

#[test]
fn a_csv_upload_is_read_as_orders_and_refunds() {
    let csv = "\u{feff}type,id,created_at,status,from_country,from_zip,from_state,to_country,to_zip,to_state,shipping,sales_tax,order_id,line_items.id,line_items.quantity,line_items.unit_price,line_items.description\r\n\
        order,1001,2024-03-10,completed,US,92093,CA,US,90002,CA,5,1.85,,1,1,10.00,\"Mug, \"\"large\"\"\"\r\n\
        order,1001,2024-03-10,completed,US,92093,CA,US,90002,CA,5,1.85,,2,1,10.00,Plate\r\n\
        refund,r1,2024-03-12,,,,,,,,,,1001,,,,\r\n\
        \r\n";
    let (orders, refunds) = backfill::from_csv(csv).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["line_items"][0]["description"], "Mug, \"large\"");
    assert_eq!(orders[0]["line_items"][1]["id"], "2");
    assert_eq!(orders[0]["shipping"], "5");
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0]["refund"],
        serde_json::json!({"id": "r1", "created_at": "2024-03-12"})
    );
    assert_eq!(refunds[0]["order"]["id"], "1001");
    // Through the upload: checked and decided as the JSON one.
    let body = serde_json::json!({ "from": "2024-03-01", "csv": csv }).to_string();
    let items = backfill::read(&body, &TransactionOptions::default()).unwrap();
    let decided: Vec<(&str, &str)> = items.iter().map(|i| (i.kind, i.id.as_str())).collect();
    assert_eq!(decided, vec![("order", "1001"), ("refund", "r1-refund")]);

    let refused = |csv: &str| backfill::from_csv(csv).unwrap_err().message;
    assert_eq!(refused(""), "the CSV file is empty");
    assert_eq!(
        refused("type,name\r\norder,x\r\n"),
        "the CSV header has no id column"
    );
    assert_eq!(
        refused("id,status\r\n1,completed,extra\r\n"),
        "line 2 has 3 cells; the header has 2"
    );
    assert_eq!(
        refused("type,id\r\ncustomer,1\r\n"),
        "line 2: type must be order or refund, not \"customer\""
    );
    assert_eq!(
        refused("type,id,order_id\r\nrefund,r1,404\r\n"),
        "refund r1: its order_id \"404\" is not an order of the file"
    );
    assert_eq!(
        refused("id,name\r\n1,\"open\r\n"),
        "the CSV file ends inside a quoted field"
    );
}
