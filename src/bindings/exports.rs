//! The exported functions: `validateCart`, `taxRequest`, `applyTax`,
//! `cartKey`, `version`, and `allocate` (in `bindings::allocate`).
//! `taxRequest` and `applyTax` take a `dialect` option: with the `legacy`
//! feature (the server build) see [`crate::legacy`] and
//! `bindings::legacy`; without it, only `"v2"`
//! ([`crate::request::v2_only`]).

use wasm_bindgen::prelude::*;

#[cfg(feature = "legacy")]
use super::convert::to_js;
use super::convert::{body_text, cart_from_js, parse_js, read_js};
#[cfg(feature = "legacy")]
use super::legacy::dialect_option;
use super::options::Options;
use crate::context::valid_unverified;
use crate::error::{Code, Error};
use crate::estimate::apply_tax;
use crate::json::write::{list, Object};
use crate::key::cart_key;
#[cfg(feature = "legacy")]
use crate::legacy::{apply_legacy_body, legacy_query};
use crate::model::parse_answer;
use crate::model::read::tax_response;
use crate::request::{tax_request, RequestOptions};
use crate::validate::{validate_cart, ValidCart};

pub use super::allocate::allocate;

// The browser build speaks v2 only: the option types say so, and the
// legacy shapes the signatures mention are `never`.
#[cfg(not(feature = "legacy"))]
#[wasm_bindgen(typescript_custom_section)]
const V2_ONLY_TYPES: &str = r#"
/** This build speaks TaxJar's v2 API; the legacy dialects are in `edgetax/server`. */
export type Dialect = "v2";

/** Options of `taxRequest`. */
export interface TaxRequestDialectOptions extends TaxRequestOptions {
  /** Only "v2" here (the default). */
  dialect?: "v2" | undefined;
}

/** Options of `applyTax`. */
export interface ApplyTaxOptions {
  /** Only "v2" here (the default). */
  dialect?: "v2" | undefined;
  /** The HTTP status of the answer (default 200). */
  status?: number | undefined;
  /** The HTTP `Warning` header, if any; it becomes one of `warnings`. */
  warning?: string | null | undefined;
}

/** Legacy shapes: only in `edgetax/server`. */
export type LegacyRequest = never;
/** Legacy shapes: only in `edgetax/server`. */
export type LegacyStandardResponse = never;
/** Legacy shapes: only in `edgetax/server`. */
export type LegacyEnhancedResponse = never;
"#;

/// The options argument of an export: its fields are named
/// `options.<name>` in errors.
fn options(value: Option<JsValue>, known: &[&str]) -> Result<Options, Error> {
    Options::new(
        value.unwrap_or(JsValue::UNDEFINED),
        "options.",
        "options",
        known,
    )
}

/// `options.status`: an HTTP status, 100 to 599.
fn status_option(options: &Options) -> Result<Option<u16>, Error> {
    match options.number("status")? {
        None => Ok(None),
        Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Ok(Some(s as u16)),
        Some(s) => {
            let field = options.field("status");
            let s = crate::money::digits::display(s);
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
    // Each problem as `{code, field, message}`.
    let mut out = String::new();
    list(&mut out, &errors, |out, e| {
        Object::new(out)
            .str("code", e.code.as_str())
            .opt_str("field", e.field.as_deref())
            .str("message", &e.message)
            .end()
    });
    parse_js(&out)
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
    let raw = cart_from_js(cart)?;
    // Validated before the options are read, so cart errors come first
    // as they always have.
    let cart = valid_unverified(raw.clone())?;
    let options = self::options(options, &["plugin", "dialect"])?;
    #[cfg(feature = "legacy")]
    {
        let dialect = dialect_option(options.string("dialect")?.as_deref())?;
        if dialect.is_legacy() {
            return Ok(to_js(&legacy_query(&raw, dialect)?));
        }
    }
    #[cfg(not(feature = "legacy"))]
    crate::request::v2_only(options.string("dialect")?.as_deref())?;
    let options = RequestOptions {
        plugin: options.string("plugin")?,
    };
    Ok(parse_js(&tax_request(&cart, &options).to_json()))
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
    let cart = valid_cart(cart)?;
    let options = self::options(options, &["dialect", "status", "warning"])?;
    #[cfg(feature = "legacy")]
    let dialect = dialect_option(options.string("dialect")?.as_deref())?;
    #[cfg(not(feature = "legacy"))]
    crate::request::v2_only(options.string("dialect")?.as_deref())?;
    let status = status_option(&options)?;
    let warning = options.string("warning")?;
    let warning = warning.as_deref();
    #[cfg(feature = "legacy")]
    if dialect.is_legacy() {
        let body = body_text(&response, "response")?;
        let status = status.unwrap_or(200);
        return Ok(parse_js(
            &apply_legacy_body(&cart, dialect, status, &body, warning)?.to_json(),
        ));
    }
    let response = match (response.as_string(), status) {
        (Some(text), status) => parse_answer(status.unwrap_or(200), &text, tax_response)?,
        (None, Some(status)) => {
            parse_answer(status, &body_text(&response, "response")?, tax_response)?
        }
        (None, None) => read_js(&response, "response", tax_response).map_err(|e| Error {
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
    Ok(parse_js(&estimate.to_json()))
}

/// The canonical memo key of everything TaxJar uses from a cart.
#[wasm_bindgen(js_name = cartKey)]
pub fn cart_key_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
) -> Result<String, JsValue> {
    Ok(cart_key(&valid_cart(cart)?))
}

/// The edgetax version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
