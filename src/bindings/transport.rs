//! Fetch helpers of the server build's clients (Transaction Sync).

use crate::error::{Code, Error};
pub use crate::model::check_not_redirect;

/// A request carrying the API token is not sent on to wherever a redirect
/// points (as the Worker does not): the answer is the redirect itself.
pub fn refuse_redirects(builder: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    builder.redirect(web_sys::RequestRedirect::Manual)
}

/// A failed fetch as `timeout` or `network_error`.
pub fn fetch_error(error: gloo_net::Error, timeout_ms: u32) -> Error {
    match error {
        gloo_net::Error::JsError(e) if e.name == "TimeoutError" || e.name == "AbortError" => {
            Error::new(Code::Timeout, format!("no answer within {timeout_ms} ms"))
        }
        other => Error::new(Code::NetworkError, format!("the request failed: {other}")),
    }
}
