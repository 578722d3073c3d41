//! Tests of the Worker's upstream calls (`super`).

use super::*;
use crate::http::testing::{block_on, Fake};
use crate::http::{drive, Answer, Driven};
use crate::proxy::route::match_route;
use crate::proxy::testing::{answered, config, tj};
use crate::proxy::upstream;

#[test]
fn upstream_answers_are_mapped() {
    let c = config();
    let map = |kind: Kind, outcome: Outcome| upstream::map(&c, kind, &outcome);
    let tax = r#"{"tax":{"amount_to_collect":1.35,"freight_taxable":false,"has_nexus":true,
        "order_total_amount":16.5,"rate":0.09,"shipping":1.5,"taxable_amount":15}}"#;
    let (r, own) = map(Kind::Taxes, answered(200, tax, None));
    assert_eq!((r.status, r.body.as_deref(), own), (200, Some(tax), true));
    let (r, own) = map(Kind::Taxes, answered(200, "<html>hi</html>", None));
    let html = "502 Bad Gateway: TaxJar's 200 answer is not JSON; body: \"<html>hi</html>\"";
    assert_eq!((tj(&r).as_str(), own), (html, false));
    assert_eq!(
        map(Kind::Taxes, answered(200, r#"{"rate":{}}"#, None))
            .0
            .status,
        502
    );
    let (r, own) = map(Kind::Lookup, answered(200, r#"{"rate":{}}"#, None));
    assert_eq!((r.status, own), (200, true));
    let (r, own) = map(
        Kind::Taxes,
        answered(401, r#"{"error":"Unauthorized"}"#, None),
    );
    let rejected = "502 Bad Gateway: proxy token rejected by TaxJar (401): check TAXJAR_API_TOKEN";
    assert_eq!((tj(&r).as_str(), own), (rejected, false));
    let limited = r#"{"error":"Too Many Requests","detail":"slow down","status":429}"#;
    let (r, own) = map(Kind::Taxes, answered(429, limited, Some("7")));
    assert_eq!(
        (r.status, r.body.as_deref(), own),
        (429, Some(limited), false)
    );
    assert_eq!(r.header("Retry-After"), Some("7"));
    let (r, _) = map(Kind::Taxes, answered(429, "", None));
    assert_eq!(
        tj(&r),
        "429 Too Many Requests: TaxJar's rate limit was reached"
    );
    assert_eq!(r.header("Retry-After"), None);
    let bad = r#"{"error":"Bad Request","detail":"to_zip 9 is not used","status":400}"#;
    let (r, own) = map(Kind::Taxes, answered(400, bad, None));
    assert_eq!((r.status, r.body.as_deref(), own), (400, Some(bad), true));
    let (r, own) = map(Kind::Lookup, answered(404, "<html>nope</html>", None));
    let page = "502 Bad Gateway: TaxJar answered 404 Not Found; body: \"<html>nope</html>\"";
    assert_eq!((tj(&r).as_str(), own), (page, false));
    let boom = r#"{"error":"Internal Server Error","detail":"boom"}"#;
    let (r, _) = map(Kind::Taxes, answered(500, boom, None));
    assert_eq!(
        tj(&r),
        "502 Bad Gateway: TaxJar answered 500 Internal Server Error: boom"
    );
    let (r, _) = map(Kind::Taxes, answered(503, "", None));
    let empty = "502 Bad Gateway: TaxJar answered 503 Service Unavailable with an empty body";
    assert_eq!(tj(&r), empty);
    let timeout = "504 Gateway Timeout: TaxJar did not answer within 5000 ms";
    assert_eq!(tj(&map(Kind::Taxes, Outcome::TimedOut).0), timeout);
    let failed = "502 Bad Gateway: could not reach TaxJar";
    assert_eq!(tj(&map(Kind::Taxes, Outcome::Failed).0), failed);
}

#[test]
fn odd_answers_become_clean_errors() {
    let c = config();
    let map =
        |status: u16, body: &str| upstream::map(&c, Kind::Taxes, &answered(status, body, None));
    let (r, own) = map(
        400,
        r#"{"error":"Bad Request","detail":"to_zip 9","status":"400"}"#,
    );
    assert_eq!((tj(&r).as_str(), own), ("400 Bad Request: to_zip 9", true));
    let listed = r#"{"error":"Unprocessable Entity","detail":["a","b"],"status":422}"#;
    assert_eq!(tj(&map(422, listed).0), "422 Unprocessable Entity: a; b");
    let (r, own) = map(429, r#"{"detail":"slow","status":429.0}"#);
    assert_eq!(
        (tj(&r).as_str(), own),
        ("429 Too Many Requests: slow", false)
    );
    // A clean body goes as written, byte for byte.
    let clean = r#"{"error":"Not Found","detail":"no","status":404,"x":1}"#;
    assert_eq!(map(404, clean).0.body.as_deref(), Some(clean));
    let (r, own) = map(307, "");
    let redirect = "502 Bad Gateway: TaxJar answered 307 with a redirect, which the Worker \
                    does not follow: check TAXJAR_API_URL";
    assert_eq!((tj(&r).as_str(), own), (redirect, false));
}

#[test]
fn answers_are_redacted_as_they_arrive() {
    let r = Redactor::new(["test-token", "pk_test_1"]);
    let echo =
        r#"{"error":"Bad Request","detail":"Bearer test-token; key pk_test_1","status":400}"#;
    let got = answered(400, echo, Some("test-token")).redacted(&r);
    let clean =
        r#"{"error":"Bad Request","detail":"Bearer [REDACTED]; key [REDACTED]","status":400}"#;
    assert_eq!(got, answered(400, clean, None));
    // A plain Retry-After is kept; one that echoes anything is dropped.
    for (value, kept) in [
        ("7", Some("7")),
        (" 120 ", Some("120")),
        (
            "Wed, 21 Oct 2026 07:28:00 GMT",
            Some("Wed, 21 Oct 2026 07:28:00 GMT"),
        ),
        ("7 test-token", None),
        ("Bearer test-token GMT", None),
        ("", None),
        ("12345678901", None),
    ] {
        let got = answered(429, "", Some(value)).redacted(&r);
        assert_eq!(got, answered(429, "", kept), "{value:?}");
    }
    let big = Outcome::TooLarge {
        status: 200,
        limit: 1024,
    };
    assert_eq!(big.clone().redacted(&r), big);
}

#[test]
fn answers_over_their_bound_are_refused() {
    let c = config();
    assert_eq!(answer_limit(Kind::Taxes), 1_048_576);
    assert_eq!(answer_limit(Kind::LegacySalesTax), 1_048_576);
    assert_eq!(answer_limit(Kind::Lookup), 1_048_576);
    assert_eq!(answer_limit(Kind::Transactions), 8_388_608);
    let big = Outcome::TooLarge {
        status: 200,
        limit: TAXES_ANSWER_LIMIT,
    };
    let (reply, own) = upstream::map(&c, Kind::Taxes, &big);
    let detail = "502 Bad Gateway: TaxJar's 200 answer is larger than 1024 KiB, \
                  which the Worker does not read";
    assert_eq!((tj(&reply).as_str(), own), (detail, false));
    let (driven, _) = exchange("POST", "/v2/taxes", [too_large()]);
    assert_eq!((driven.done, driven.attempts), (big, 1));
}

fn sent(status: u16, body: &str) -> Sent {
    Ok(Answer {
        status,
        body: body.to_owned(),
        retry_after: None,
    })
}

fn too_large() -> Sent {
    Err(Failure::TooLarge {
        status: 200,
        limit: TAXES_ANSWER_LIMIT,
    })
}

/// One proxied call of `method path` (with the test config) on a fake
/// runtime that answers `answers` in turn.
fn exchange<const N: usize>(
    method: &str,
    path: &str,
    answers: [Sent; N],
) -> (Driven<Outcome>, Fake) {
    let c = config();
    let matched = match_route(method, path).unwrap();
    let request = build(&c, "test-token", &matched, None);
    let redactor = Redactor::new(["test-token", "pk_test_1"]);
    let fake = Fake::new(answers);
    let mut call = Proxied {
        config: &c,
        matched: &matched,
        request: &request,
        redactor: &redactor,
    };
    (block_on(drive(&mut call, &fake)), fake)
}

#[test]
fn reads_are_sent_once_more_after_a_transient_failure() {
    let transient = [
        sent(500, ""),
        sent(503, ""),
        Err(Failure::TimedOut),
        Err(Failure::Failed("reset".into())),
    ];
    for (method, path) in [("POST", "/v2/taxes"), ("GET", "/v2/transactions/orders")] {
        for failure in transient.clone() {
            let (driven, fake) = exchange(method, path, [failure, sent(200, "{}")]);
            assert_eq!(driven.done, answered(200, "{}", None));
            assert_eq!(driven.attempts, 2);
            // 50 ms and the fake's random 0.5 of the 200 ms spread.
            assert_eq!(fake.sleeps(), [150]);
            assert_eq!(fake.sent().len(), 2);
        }
    }
    // Only once: a second failure is the answer.
    let (driven, fake) = exchange("POST", "/v2/taxes", [sent(502, ""), sent(504, "")]);
    assert_eq!((driven.done, driven.attempts), (answered(504, "", None), 2));
    assert_eq!(fake.sleeps(), [150]);
    let (driven, _) = exchange(
        "POST",
        "/v2/taxes",
        [Err(Failure::TimedOut), Err(Failure::TimedOut)],
    );
    assert_eq!((driven.done, driven.attempts), (Outcome::TimedOut, 2));
    // Two sends of 10 ms each and the pause, on the fake's clock.
    assert_eq!(driven.ms, 170.0);
}

#[test]
fn writes_and_lasting_answers_are_sent_once() {
    let (driven, fake) = exchange("POST", "/v2/transactions/orders", [sent(500, "")]);
    assert_eq!((driven.done, driven.attempts), (answered(500, "", None), 1));
    assert!(fake.sleeps().is_empty());
    for status in [200, 400, 401, 404, 429] {
        let (driven, fake) = exchange("POST", "/v2/taxes", [sent(status, "")]);
        assert_eq!(driven.attempts, 1, "{status}");
        assert!(fake.sleeps().is_empty());
    }
}

#[test]
fn each_route_is_sent_within_the_timeout_and_its_bound() {
    let (_, fake) = exchange("POST", "/v2/taxes", [sent(200, "{}")]);
    assert_eq!(fake.limits(), [(5000, TAXES_ANSWER_LIMIT)]);
    let (_, fake) = exchange("GET", "/v2/transactions/orders", [sent(200, "{}")]);
    assert_eq!(fake.limits(), [(5000, RECORDS_ANSWER_LIMIT)]);
    let (_, fake) = exchange("GET", "/v2/rates/90002", [sent(200, "{}")]);
    assert_eq!(fake.limits(), [(5000, LOOKUP_ANSWER_LIMIT)]);
    let sent = &fake.sent()[0];
    assert_eq!(sent.url, "http://127.0.0.1:9999/v2/rates/90002");
    let taxes = match_route("POST", "/v2/taxes").unwrap();
    let delays = [0.0, 0.5, 0.999, f64::NAN].map(|r| policy(&config(), &taxes).delay_ms(r));
    assert_eq!(delays, [50, 150, 249, 50]);
}

#[test]
fn the_answer_kept_is_redacted() {
    let echo = r#"{"error":"Bad Request","detail":"Bearer test-token","status":400}"#;
    let (driven, _) = exchange("POST", "/v2/taxes", [sent(400, echo)]);
    let clean = r#"{"error":"Bad Request","detail":"Bearer [REDACTED]","status":400}"#;
    assert_eq!(driven.done, answered(400, clean, None));
}
