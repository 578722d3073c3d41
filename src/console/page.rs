//! The console's page, script and style: framework-free, same-origin files
//! (the CSP allows no inline script or style), compiled into the Worker.

use crate::proxy::Reply;

/// The page (`GET /console`).
pub const HTML: &str = include_str!("assets/console.html");
/// Its style (`GET /console/console.css`).
pub(crate) const CSS: &str = include_str!("assets/console.css");
/// Its script (`GET /console/console.js`).
pub const JS: &str = include_str!("assets/console.js");

/// The answer for an asset path of [`super::route::ROUTES`] (the page for
/// any other).
pub(crate) fn asset(path: &str) -> Reply {
    let (body, kind) = match path {
        "/console/console.css" => (CSS, "text/css; charset=utf-8"),
        "/console/console.js" => (JS, "text/javascript; charset=utf-8"),
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
}
