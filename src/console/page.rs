//! The console's page, script and style: framework-free, same-origin files
//! (the CSP allows no inline script or style), compiled into the Worker.

use crate::proxy::Reply;

/// The page (`GET /console`).
pub const HTML: &str = include_str!("assets/console.html");
/// Its style (`GET /console/console.css`).
pub(crate) const CSS: &str = include_str!("assets/console.css");
/// Its script (`GET /console/console.js`), which imports one module per
/// section.
pub const JS: &str = include_str!("assets/console.js");

/// The script modules, by path (the entry first).
pub const MODULES: [(&str, &str); 6] = [
    ("/console/console.js", JS),
    (
        "/console/console-api.js",
        include_str!("assets/console-api.js"),
    ),
    (
        "/console/console-settings.js",
        include_str!("assets/console-settings.js"),
    ),
    (
        "/console/console-nexus.js",
        include_str!("assets/console-nexus.js"),
    ),
    (
        "/console/console-logs.js",
        include_str!("assets/console-logs.js"),
    ),
    (
        "/console/console-sync.js",
        include_str!("assets/console-sync.js"),
    ),
];

/// The answer for an asset path of [`super::route::ROUTES`] (the page for
/// any other).
pub(crate) fn asset(path: &str) -> Reply {
    let module = MODULES.iter().find(|(p, _)| *p == path);
    let (body, kind) = match (path, module) {
        (_, Some((_, js))) => (*js, "text/javascript; charset=utf-8"),
        ("/console/console.css", _) => (CSS, "text/css; charset=utf-8"),
        _ => (HTML, "text/html; charset=utf-8"),
    };
    Reply {
        status: 200,
        headers: vec![("Content-Type".to_owned(), kind.to_owned())],
        body: Some(body.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_asset_has_its_type_and_the_page_no_inline_script() {
        let page = asset("/console");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let body = page.body.unwrap();
        assert!(body.contains(r#"<script type="module" src="/console/console.js"></script>"#));
        assert_eq!(body.matches("<script").count(), 1);
        assert!(!body.contains("style="));
        assert_eq!(
            asset("/console/console.css").header("content-type"),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(asset("/console/console.js").body.as_deref(), Some(JS));
    }

    #[test]
    fn every_module_is_served_and_imports_only_served_modules() {
        for (path, js) in MODULES {
            let reply = asset(path);
            assert_eq!(reply.body.as_deref(), Some(js), "{path}");
            assert_eq!(
                reply.header("content-type"),
                Some("text/javascript; charset=utf-8")
            );
            assert!(
                super::super::route::ROUTES.contains(&(path, "GET")),
                "{path}"
            );
            for line in js.lines().filter(|l| l.starts_with("import ")) {
                let from = line
                    .rsplit_once("from \"./")
                    .map(|(_, f)| f.trim_end_matches("\";"));
                let served = from
                    .is_some_and(|f| MODULES.iter().any(|(p, _)| *p == format!("/console/{f}")));
                assert!(served, "{path}: {line}");
            }
        }
    }
}
