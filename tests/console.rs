//! The merchant console's routes and gates (`edgetax::console`), natively:
//! exact answers and headers for each route, session and CSRF checks, and
//! the sign-in with its attempt limit.

use edgetax::console::route::CSP;
use edgetax::console::session::{self, COOKIE};
use edgetax::console::{calls, front, sign_in, Call, Console, ConsoleHead, Live, SignedIn, Step};
use edgetax::proxy::log::LogEntry;
use edgetax::proxy::Head;
use edgetax::proxy::Reply;

const KEY: &str = "open-sesame-passphrase";
const SECRET: &str = "console-secret-0123456789abcdef-0123";
const ID: &str = "00112233445566778899aabbccddeeff";
const NOW: u64 = 1_800_000_000;

fn console() -> Console {
    Console::from_vars(|name| match name {
        "CONSOLE_KEY" => Some(KEY.to_owned()),
        "CONSOLE_SECRET" => Some(SECRET.to_owned()),
        "TAXJAR_API_TOKEN" => Some("tj-token-abcdef".to_owned()),
        _ => None,
    })
}

fn head<'a>(method: &'a str, path: &str) -> ConsoleHead<'a> {
    ConsoleHead {
        head: Head {
            method,
            url: Box::leak(format!("https://shop.example{path}").into_boxed_str()),
            ..Head::default()
        },
        ..ConsoleHead::default()
    }
}

fn done(step: Step) -> Reply {
    match step {
        Step::Done(reply) => reply,
        other => panic!("not an answer: {other:?}"),
    }
}

fn run(console: &Console, head: &ConsoleHead) -> Reply {
    done(front(
        console,
        head,
        NOW,
        &mut LogEntry::new(head.head.method),
    ))
}

/// A sign-in on shop.example with `body`, the stored failures and `now`.
fn attempt(body: Option<&[u8]>, stored: Option<&str>, now: u64) -> SignedIn {
    sign_in(
        &console(),
        &head("POST", "/console/api/session"),
        body,
        stored,
        now,
        ID,
    )
}

/// `GET path` without a cookie.
fn get(path: &str) -> Reply {
    run(&console(), &head("GET", path))
}

fn cookie_header() -> String {
    format!("{COOKIE}={}", session::sign(ID, NOW + 60, SECRET))
}

fn api_headers(content_type: &str) -> Vec<(String, String)> {
    [
        ("Content-Type", content_type),
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

#[test]
fn without_both_keys_every_console_path_is_404() {
    for vars in [&[][..], &["CONSOLE_KEY"][..], &["CONSOLE_SECRET"][..]] {
        let off = Console::from_vars(|name| {
            vars.contains(&name)
                .then(|| "long-enough-value-0123456789abcdef".to_owned())
        });
        assert_eq!(off.keys, None);
        for path in ["/console", "/console/api/session", "/console/api/status"] {
            let reply = run(&off, &head("GET", path));
            assert_eq!(reply, Reply::error(404, "No such route"), "{path}");
        }
    }
    let short = Console::from_vars(|name| match name {
        "CONSOLE_KEY" => Some("short".to_owned()),
        "CONSOLE_SECRET" => Some(SECRET.to_owned()),
        _ => None,
    });
    assert_eq!(short.keys, None);
    assert_eq!(
        short.problem.as_deref(),
        Some("CONSOLE_KEY must be at least 8 characters long; the console is off")
    );
}

#[test]
fn other_paths_pass_to_the_proxy() {
    for path in ["/v2/taxes", "/consoles", "/", "/v2/console"] {
        let step = front(
            &console(),
            &head("GET", path),
            NOW,
            &mut LogEntry::new("GET"),
        );
        assert_eq!(step, Step::Pass, "{path}");
    }
}

#[test]
fn the_page_and_its_files_carry_the_security_headers() {
    let page = get("/console");
    assert_eq!(
        (page.status, page.headers),
        (200, api_headers("text/html; charset=utf-8")[..4].to_vec())
    );
    assert_eq!(
        CSP,
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let script = get("/console/console.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let missing = get("/console/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-security-policy"), Some(CSP));
    let wrong = run(&console(), &head("POST", "/console"));
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("GET")));
}

#[test]
fn api_routes_need_a_valid_session() {
    let reply = get("/console/api/status");
    let json = api_headers("application/json; charset=utf-8");
    assert_eq!((reply.status, &reply.headers), (401, &json));
    assert_eq!(
        reply.body.as_deref(),
        Some(r#"{"error":"Unauthorized","detail":"not signed in","status":401}"#)
    );
    let expired = format!("{COOKIE}={}", session::sign(ID, NOW, SECRET));
    let tampered = cookie_header().replace(ID, &ID.replace('0', "1"));
    let forged = format!(
        "{COOKIE}={}",
        session::sign(ID, NOW + 60, "other-secret-0123456789abcdefghij")
    );
    for cookie in [expired, tampered, forged] {
        let mut h = head("GET", "/console/api/status");
        h.cookie = Some(&cookie);
        assert_eq!(run(&console(), &h).status, 401, "{cookie}");
    }
}

#[test]
fn status_answers_for_a_signed_in_session() {
    let cookie = cookie_header();
    let mut h = head("GET", "/console/api/status");
    h.cookie = Some(&cookie);
    let mut log = LogEntry::new("GET");
    let step = front(&console(), &h, NOW, &mut log);
    assert_eq!(step, Step::Call(Call::Status));
    let env = vec![("TAXJAR_API_TOKEN", "tj-token-abcdef".to_owned())];
    let live = Live::build(&env, Default::default(), None, None);
    let reply = calls::status(&env, &live);
    assert_eq!(
        reply.body.as_deref(),
        Some(
            r#"{"api_token":{"configured":true,"source":"secret"},"environment":"live","api_host":"api.taxjar.com"}"#
        )
    );
    assert_eq!(
        (log.path.as_str(), log.caller.as_str()),
        ("/console/api/status", "console")
    );
    let mut h = head("GET", "/console/api/session");
    h.cookie = Some(&cookie);
    let reply = run(&console(), &h);
    let csrf = session::csrf(ID, SECRET);
    let expect = format!(
        r#"{{"signed_in":true,"csrf_token":"{csrf}","expires_at":{}}}"#,
        NOW + 60
    );
    assert_eq!(reply.body.as_deref(), Some(expect.as_str()));
}

#[test]
fn sign_out_needs_the_csrf_token() {
    let cookie = cookie_header();
    let csrf = session::csrf(ID, SECRET);
    let wrong = session::csrf(&ID.replace('0', "1"), SECRET);
    for presented in [None, Some(""), Some(wrong.as_str())] {
        let mut h = head("DELETE", "/console/api/session");
        h.cookie = Some(&cookie);
        h.csrf = presented;
        let reply = run(&console(), &h);
        assert_eq!(reply.status, 403, "{presented:?}");
        assert_eq!(reply.header("set-cookie"), None);
    }
    let mut h = head("DELETE", "/console/api/session");
    h.cookie = Some(&cookie);
    h.csrf = Some(&csrf);
    let reply = run(&console(), &h);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("set-cookie"),
        Some("edgetax_console=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
    );
    // A proxy key means nothing here.
    let mut h = head("DELETE", "/console/api/session");
    h.csrf = Some(&csrf);
    assert_eq!(run(&console(), &h).status, 401);
}

#[test]
fn sign_in_checks_the_content_type_first() {
    let h = head("POST", "/console/api/session");
    assert_eq!(run(&console(), &h).status, 415);
    let mut h = head("POST", "/console/api/session");
    h.head.content_type = Some("application/json; charset=utf-8");
    let step = front(&console(), &h, NOW, &mut LogEntry::new("POST"));
    assert_eq!(step, Step::SignIn);
}

#[test]
fn sign_in_sets_the_cookie_and_answers_the_csrf_token() {
    let h = head("POST", "/console/api/session");
    let body = format!(r#"{{"passphrase":"{KEY}"}}"#);
    let signed = sign_in(&console(), &h, Some(body.as_bytes()), Some("1"), NOW, ID);
    assert_eq!(signed.store, Some(None));
    let reply = signed.reply;
    assert_eq!(reply.status, 200);
    let token = session::sign(ID, NOW + 43_200, SECRET);
    assert_eq!(
        reply.header("set-cookie"),
        Some(format!("edgetax_console={token}; Path=/console; Max-Age=43200; HttpOnly; Secure; SameSite=Strict").as_str())
    );
    let csrf = session::csrf(ID, SECRET);
    let expect = format!(
        r#"{{"signed_in":true,"csrf_token":"{csrf}","expires_at":{}}}"#,
        NOW + 43_200
    );
    assert_eq!(reply.body.as_deref(), Some(expect.as_str()));
    let mut local = head("POST", "/");
    local.head.url = "http://127.0.0.1:8787/console/api/session";
    let reply = sign_in(&console(), &local, Some(body.as_bytes()), None, NOW, ID).reply;
    assert!(!reply.header("set-cookie").unwrap().contains("Secure"));
}

#[test]
fn wrong_passphrases_count_and_the_sixth_is_429() {
    let mut stored: Option<String> = None;
    for n in 0..5u64 {
        let signed = attempt(
            Some(br#"{"passphrase":"nope"}"#),
            stored.as_deref(),
            NOW + n,
        );
        assert_eq!(signed.reply.status, 401);
        assert_eq!(signed.reply.header("set-cookie"), None);
        stored = signed.store.expect("a failure is stored");
    }
    let body = format!(r#"{{"passphrase":"{KEY}"}}"#);
    let signed = attempt(Some(body.as_bytes()), stored.as_deref(), NOW + 5);
    assert_eq!(signed.reply.status, 429);
    assert_eq!(signed.reply.header("retry-after"), Some("595"));
    assert_eq!(signed.store, None);
    let later = attempt(Some(body.as_bytes()), stored.as_deref(), NOW + 600);
    assert_eq!(later.reply.status, 200);
    let bad = attempt(Some(b"{}"), None, NOW);
    assert_eq!((bad.reply.status, bad.store), (400, None));
    assert_eq!(attempt(None, None, NOW).reply.status, 413);
}
