//! The console's settings, pasted token and connection test
//! (`edgetax::console::{settings, live, calls}`), natively: the routes'
//! gates, each setting's value and provenance, what a change may be, and
//! how the env, the saved values and the token merge into the Worker's
//! settings.

use edgetax::console::live::Env;
use edgetax::console::session::{self, COOKIE};
use edgetax::console::settings::{self, Stored, RELOAD_SECONDS};
use edgetax::console::{calls, front, Call, Console, ConsoleHead, Live, Step};
use edgetax::proxy::log::LogEntry;
use edgetax::proxy::upstream::Outcome;
use edgetax::proxy::Head;

const SECRET: &str = "console-secret-0123456789abcdef-0123";
const ID: &str = "00112233445566778899aabbccddeeff";
const NOW: u64 = 1_800_000_000;

fn console() -> Console {
    Console::from_vars(|name| match name {
        "CONSOLE_KEY" => Some("open-sesame-passphrase".to_owned()),
        "CONSOLE_SECRET" => Some(SECRET.to_owned()),
        _ => None,
    })
}

/// A signed-in request's step, with `csrf` and `content_type`.
fn step(
    method: &'static str,
    path: &str,
    csrf: Option<&str>,
    content_type: Option<&'static str>,
) -> Step {
    let cookie: &'static str =
        Box::leak(format!("{COOKIE}={}", session::sign(ID, NOW + 60, SECRET)).into_boxed_str());
    let csrf: Option<&'static str> = csrf.map(|c| &*Box::leak(c.to_owned().into_boxed_str()));
    let head = ConsoleHead {
        head: Head {
            method,
            url: Box::leak(format!("http://127.0.0.1:8787{path}").into_boxed_str()),
            content_type,
            ..Head::default()
        },
        cookie: Some(cookie),
        csrf,
    };
    front(&console(), &head, NOW, &mut LogEntry::new(method))
}

fn env() -> Env {
    vec![
        ("CALCULATIONS_ENABLED", "true".to_owned()),
        ("ALLOWED_ORIGINS", "https://shop.example".to_owned()),
        ("RATE_LIMIT", "120".to_owned()),
        ("PLUGIN", "woo".to_owned()),
        ("TAXJAR_API_URL", "http://127.0.0.1:9999".to_owned()),
    ]
}

fn env_fn(env: &Env) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
}

#[test]
fn each_new_route_needs_a_session_its_csrf_token_and_json() {
    let csrf = session::csrf(ID, SECRET);
    let json = Some("application/json");
    assert_eq!(
        step("GET", "/console/api/settings", None, None),
        Step::Call(Call::ReadSettings)
    );
    assert_eq!(
        step("PUT", "/console/api/settings", Some(&csrf), json),
        Step::Call(Call::SaveSettings)
    );
    assert_eq!(
        step("PUT", "/console/api/token", Some(&csrf), json),
        Step::Call(Call::SaveToken)
    );
    assert_eq!(
        step("DELETE", "/console/api/token", Some(&csrf), None),
        Step::Call(Call::ForgetToken)
    );
    assert_eq!(
        step("POST", "/console/api/test", Some(&csrf), None),
        Step::Call(Call::TestConnection)
    );
    let status = |s: Step| match s {
        Step::Done(reply) => reply.status,
        other => panic!("{other:?}"),
    };
    for (method, path) in [
        ("PUT", "/console/api/settings"),
        ("PUT", "/console/api/token"),
        ("DELETE", "/console/api/token"),
        ("POST", "/console/api/test"),
    ] {
        assert_eq!(
            status(step(method, path, None, json)),
            403,
            "{method} {path}"
        );
        assert_eq!(
            status(step(method, path, Some("forged"), json)),
            403,
            "{method} {path}"
        );
    }
    assert_eq!(
        status(step(
            "PUT",
            "/console/api/settings",
            Some(&csrf),
            Some("text/plain")
        )),
        415
    );
    assert_eq!(
        status(step("POST", "/console/api/settings", Some(&csrf), json)),
        405
    );
    assert_eq!(status(step("GET", "/console/api/token", None, None)), 405);
}

#[test]
fn the_view_names_each_value_and_where_it_comes_from() {
    let env = env();
    let stored = Stored::parse(Some(
        r#"{"vars":{"RATE_LIMIT":"60","OFFLINE_FALLBACK":"false"},"token":null}"#,
    ));
    let view = settings::view(&env_fn(&env), &stored);
    let expect = concat!(
        r#"{"settings":["#,
        r#"{"name":"calculations_enabled","var":"CALCULATIONS_ENABLED","kind":"flag","value":true,"source":"wrangler.toml","default":true},"#,
        r#"{"name":"reporting_enabled","var":"REPORTING_ENABLED","kind":"flag","value":true,"source":"default","default":true},"#,
        r#"{"name":"backup_estimates","var":"OFFLINE_FALLBACK","kind":"flag","value":false,"source":"console","default":true},"#,
        r#"{"name":"logging_enabled","var":"LOGGING_ENABLED","kind":"flag","value":true,"source":"default","default":true},"#,
        r#"{"name":"log_retention_days","var":"LOG_RETENTION_DAYS","kind":"number","value":7,"source":"default","default":7},"#,
        r#"{"name":"allowed_origins","var":"ALLOWED_ORIGINS","kind":"list","value":["https://shop.example"],"source":"wrangler.toml","default":[]},"#,
        r#"{"name":"plugin","var":"PLUGIN","kind":"text","value":"woo","source":"wrangler.toml","default":"edgetax"},"#,
        r#"{"name":"store_url","var":"STORE_URL","kind":"text","value":"","source":"default","default":""},"#,
        r#"{"name":"cache_ttl_seconds","var":"CACHE_TTL_SECONDS","kind":"number","value":900,"source":"default","default":900},"#,
        r#"{"name":"rate_limit","var":"RATE_LIMIT","kind":"number","value":60,"source":"console","default":120}"#,
        r#"],"reload_seconds":30}"#
    );
    assert_eq!(view, expect);
    assert_eq!(RELOAD_SECONDS, 30);
}

#[test]
fn an_update_saves_checked_values_and_null_goes_back_to_the_var() {
    let env = env();
    let var = env_fn(&env);
    let body = r#"{"calculations_enabled":false,"rate_limit":5,"allowed_origins":["https://a.example/","http://127.0.0.1:8080"],"store_url":"https://a.example"}"#;
    let next = settings::update(&var, &Stored::default(), body).unwrap();
    assert_eq!(
        next.to_json(),
        r#"{"vars":{"CALCULATIONS_ENABLED":"false","ALLOWED_ORIGINS":"https://a.example,http://127.0.0.1:8080","STORE_URL":"https://a.example","RATE_LIMIT":"5"},"token":null}"#
    );
    assert_eq!(Stored::parse(Some(&next.to_json())), next);
    let config = settings::config(&var, &next, None).unwrap();
    assert!(!config.calculations_enabled);
    assert_eq!(config.rate_limit, 5);
    assert_eq!(
        config.allowed_origins,
        ["https://a.example", "http://127.0.0.1:8080"]
    );
    assert_eq!(config.plugin.as_deref(), Some("woo"));
    let back = settings::update(
        &var,
        &next,
        r#"{"rate_limit":null,"calculations_enabled":null}"#,
    )
    .unwrap();
    let config = settings::config(&var, &back, None).unwrap();
    assert!(config.calculations_enabled);
    assert_eq!(config.rate_limit, 120);
    assert_eq!(back.var("STORE_URL"), Some("https://a.example"));
}

#[test]
fn a_bad_update_is_refused_naming_the_field_and_changes_nothing() {
    let env = env();
    let var = env_fn(&env);
    let refused = |body: &str| {
        let error = settings::update(&var, &Stored::default(), body).unwrap_err();
        (
            error.code.as_str(),
            error.field.unwrap_or_default(),
            error.message,
        )
    };
    assert_eq!(
        refused(r#"{"rate_limt":5}"#),
        (
            "invalid_value",
            "rate_limt".into(),
            "rate_limt is not an option: did you mean rate_limit?".into()
        )
    );
    assert_eq!(
        refused(r#"{"rate_limit":"5"}"#).2,
        "rate_limit must be a whole number"
    );
    assert_eq!(
        refused(r#"{"rate_limit":-1}"#).2,
        "rate_limit must be a whole number"
    );
    assert_eq!(
        refused(r#"{"calculations_enabled":"no"}"#).2,
        "calculations_enabled must be true or false"
    );
    assert_eq!(
        refused(r#"{"cache_ttl_seconds":99999999999}"#),
        (
            "invalid_value",
            "cache_ttl_seconds".into(),
            "cache_ttl_seconds must be a whole number from 0 to 31536000".into()
        )
    );
    assert_eq!(
        refused(r#"{"allowed_origins":["https://ok.example","https://shop.example/cart"]}"#).1,
        "allowed_origins[1]"
    );
    assert_eq!(
        refused(r#"{"allowed_origins":"https://a.example"}"#).2,
        "allowed_origins must be a list of strings"
    );
    assert_eq!(
        refused(r#"{"store_url":"shop.example"}"#).2,
        "store_url must be a URL such as https://shop.example"
    );
    assert_eq!(
        refused(r#"{"plugin":"a\nb"}"#).2,
        "plugin must be one line of at most 500 characters"
    );
    assert_eq!(
        refused(r#"[1]"#).2,
        "the body must be a JSON object of settings"
    );
    assert_eq!(refused(r#"{"#).2, "the body is not JSON");
    // Secrets and the TaxJar URL are not the console's to change.
    assert_eq!(refused(r#"{"TAXJAR_API_TOKEN":"x"}"#).1, "TAXJAR_API_TOKEN");
}

#[test]
fn garbled_or_unknown_saved_entries_are_not_trusted() {
    assert_eq!(Stored::parse(Some("not json")), Stored::default());
    assert_eq!(Stored::parse(None), Stored::default());
    let stored = Stored::parse(Some(
        r#"{"vars":{"TAXJAR_API_TOKEN":"x","PROXY_KEYS":"y","RATE_LIMIT":7},"token":"v1.a.b"}"#,
    ));
    assert_eq!(stored.vars, Vec::<(String, String)>::new());
    assert_eq!(stored.sealed_token.as_deref(), Some("v1.a.b"));
}

#[test]
fn the_secret_wins_over_the_pasted_token_and_both_are_redacted() {
    let pasted = Some("pasted-token-9876".to_owned());
    let live = Live::build(&env(), Stored::default(), pasted.clone(), Some(NOW));
    assert_eq!(
        live.config.as_ref().unwrap().token.as_deref(),
        Some("pasted-token-9876")
    );
    assert_eq!(
        live.redactor.text("x pasted-token-9876 y"),
        "x [REDACTED] y"
    );
    assert_eq!(live.pasted_last4().as_deref(), Some("9876"));
    let mut with_secret = env();
    with_secret.push(("TAXJAR_API_TOKEN", "secret-token-1234".to_owned()));
    let live = Live::build(&with_secret, Stored::default(), pasted, Some(NOW));
    assert_eq!(
        live.config.as_ref().unwrap().token.as_deref(),
        Some("secret-token-1234")
    );
    assert_eq!(
        live.redactor.text("pasted-token-9876 secret-token-1234"),
        "[REDACTED] [REDACTED]"
    );
    let status = calls::status(&with_secret, &live);
    assert!(status
        .body
        .unwrap()
        .contains(r#""source":"secret","pasted_ignored":true"#));
}

#[test]
fn saved_settings_are_read_again_after_thirty_seconds() {
    let never = Live::build(&env(), Stored::default(), None, None);
    assert!(never.due(NOW));
    let read = Live::build(&env(), Stored::default(), None, Some(NOW));
    assert!(!read.due(NOW + 29));
    assert!(read.due(NOW + 30));
}

#[test]
fn a_token_is_checked_with_taxjar_before_it_is_kept() {
    let live = Live::build(&env(), Stored::default(), None, Some(NOW));
    let (token, matched, request) =
        calls::token_check(&live, Some(br#"{"api_token":" candidate-token-5678 "}"#)).unwrap();
    assert_eq!(token, "candidate-token-5678");
    assert_eq!(matched.path, "/v2/categories");
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", "http://127.0.0.1:9999/v2/categories")
    );
    assert!(request
        .headers
        .contains(&("Authorization".into(), "Bearer candidate-token-5678".into())));
    let answered = |status| Outcome::Answered {
        status,
        body: "{}".into(),
        retry_after: None,
    };
    let saved = calls::token_checked(&token, &answered(200)).unwrap();
    assert_eq!(
        saved.body.as_deref(),
        Some(r#"{"saved":true,"last4":"5678"}"#)
    );
    let refused = calls::token_checked(&token, &answered(401)).unwrap_err();
    assert_eq!(refused.status, 422);
    assert!(!refused.body.unwrap().contains("candidate"));
    assert_eq!(calls::token_check(&live, None).unwrap_err().status, 413);
    assert_eq!(
        calls::token_check(&live, Some(b"{}")).unwrap_err().status,
        400
    );
}

#[test]
fn the_connection_test_reports_taxjar_s_answer() {
    let none = Live::build(&env(), Stored::default(), None, Some(NOW));
    assert_eq!(calls::test_request(&none).unwrap_err().status, 409);
    let live = Live::build(
        &env(),
        Stored::default(),
        Some("pasted-token-9876".into()),
        Some(NOW),
    );
    let (_, request) = calls::test_request(&live).unwrap();
    assert!(request
        .headers
        .contains(&("Authorization".into(), "Bearer pasted-token-9876".into())));
    let ok = Outcome::Answered {
        status: 200,
        body: "{}".into(),
        retry_after: None,
    };
    assert_eq!(
        calls::tested(&ok, 84.6).body.as_deref(),
        Some(
            r#"{"ok":true,"status":200,"ms":85,"detail":"Connected: TaxJar accepted the API token"}"#
        )
    );
    assert_eq!(
        calls::tested(&Outcome::TimedOut, 5000.0).body.as_deref(),
        Some(r#"{"ok":false,"status":null,"ms":5000,"detail":"TaxJar did not answer in time"}"#)
    );
}
