//! The exported functions: `validateCart`, `taxRequest`, `applyTax`,
//! `cartKey`, `version`, and `allocate` (in `bindings::allocate`).
//! `taxRequest` and `applyTax` take a `dialect` option (see
//! [`crate::legacy`]); the legacy lookups are in `bindings::legacy`.

use wasm_bindgen::prelude::*;

use super::convert::{cart_from_js, from_js, js_result, to_js};
use super::legacy::{body_text, dialect_option};
use super::options::Options;
use crate::context::valid_unverified;
use crate::error::{Code, Error};
use crate::estimate::apply_tax;
use crate::key::cart_key;
use crate::legacy::{apply_legacy_body, legacy_query};
use crate::model::{parse_body, TaxResponse};
use crate::request::{tax_request, RequestOptions};
use crate::validate::{validate_cart, ValidCart};

pub use super::allocate::allocate;

/// The options argument of an export: its fields are named
/// `options.<name>` in errors.
fn options(value: Option<JsValue>) -> Result<Options, Error> {
    Options::new(value.unwrap_or(JsValue::UNDEFINED), "options.", "options")
}

/// `options.status`: an HTTP status, 100 to 599.
fn status_option(options: &Options) -> Result<Option<u16>, Error> {
    match options.number("status")? {
        None => Ok(None),
        Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Ok(Some(s as u16)),
        Some(s) => {
            let field = options.field("status");
            let message = format!("{field} {s} is not an HTTP status (100 to 599)");
            Err(Error::field(Code::InvalidValue, field, message))
        }
    }
}

/// A cart with its `customer_context` applied unverified, as the
/// `Estimator` reads it (same request, same key).
fn valid_cart(cart: JsValue) -> Result<ValidCart, Error> {
    valid_unverified(cart_from_js(cart)?)
}

/// Every problem with a cart as `{ code, field, message }`; empty when valid.
#[wasm_bindgen(js_name = validateCart, unchecked_return_type = "ValidationIssue[]")]
pub fn validate_cart_js(#[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue) -> JsValue {
    let errors = match cart_from_js(cart) {
        Ok(cart) => validate_cart(&cart),
        Err(error) => vec![error],
    };
    let issues: Vec<Issue> = errors.iter().map(Issue::from).collect();
    to_js(&issues)
}

/// One validation problem, as JS sees it.
#[derive(serde::Serialize)]
struct Issue<'a> {
    code: &'static str,
    field: Option<&'a str>,
    message: &'a str,
}

impl<'a> From<&'a Error> for Issue<'a> {
    fn from(e: &'a Error) -> Self {
        Issue {
            code: e.code.as_str(),
            field: e.field.as_deref(),
            message: &e.message,
        }
    }
}

/// The exact JSON body for `POST /v2/taxes`; with a legacy `dialect`, the
/// GET request of the original API (`LegacyRequest`).
#[wasm_bindgen(
    js_name = taxRequest,
    unchecked_return_type = "TaxRequestBody | LegacyRequest"
)]
pub fn tax_request_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TaxRequestDialectOptions")] options: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let raw = cart_from_js(cart)?;
        // Validated before the options are read, so cart errors come first
        // as they always have.
        let cart = valid_unverified(raw.clone())?;
        let options = self::options(options)?;
        let dialect = dialect_option(options.string("dialect")?.as_deref())?;
        if dialect.is_legacy() {
            return Ok(to_js(&legacy_query(&raw, dialect)?));
        }
        let options = RequestOptions {
            plugin: options.string("plugin")?,
        };
        Ok(to_js(&tax_request(&cart, &options)))
    })())
}

/// TaxJar's `{tax: {...}}` answer (an object, or the raw body text)
/// applied to the cart, reconciled to the cent. With a legacy `dialect`,
/// the original API's bare answer; `status` (default 200) and the
/// `Warning` header turn 203s into `warnings` and errors into error codes.
#[wasm_bindgen(js_name = applyTax, unchecked_return_type = "Estimate")]
pub fn apply_tax_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "TaxResponse | LegacyStandardResponse | LegacyEnhancedResponse | string"
    )]
    response: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ApplyTaxOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let cart = valid_cart(cart)?;
        let options = self::options(options)?;
        let dialect = dialect_option(options.string("dialect")?.as_deref())?;
        let status = status_option(&options)?;
        let warning = options.string("warning")?;
        let warning = warning.as_deref();
        if dialect.is_legacy() {
            let body = body_text(&response, "response")?;
            let status = status.unwrap_or(200);
            return Ok(to_js(&apply_legacy_body(
                &cart, dialect, status, &body, warning,
            )?));
        }
        let response: TaxResponse = match (response.as_string(), status) {
            (Some(text), status) => parse_body(status.unwrap_or(200), &text)?,
            (None, Some(status)) => parse_body(status, &body_text(&response, "response")?)?,
            (None, None) => from_js(response, "response").map_err(|e| Error {
                code: Code::UpstreamUnparseable,
                ..e
            })?,
        };
        let mut estimate = apply_tax(&cart, &response);
        estimate.warnings.extend(
            warning
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
        Ok(to_js(&estimate))
    })())
}

/// The canonical memo key of everything TaxJar uses from a cart.
#[wasm_bindgen(js_name = cartKey)]
pub fn cart_key_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
) -> Result<String, JsValue> {
    js_result(valid_cart(cart).map(|c| cart_key(&c)))
}

/// The edgetax version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
