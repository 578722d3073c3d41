//! The exported functions: `allocate`, `validateCart`, `taxRequest`,
//! `applyTax`, `cartKey`, `version`.

use rust_decimal::Decimal;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::convert::{cart_from_js, from_js, js_result, to_js};
use crate::error::{Code, Error};
use crate::estimate::apply_tax;
use crate::key::cart_key;
use crate::model::{parse_body, TaxResponse};
use crate::money::DecimalInput;
use crate::request::{tax_request, RequestOptions};
use crate::split;
use crate::validate::{validate_cart, ValidCart};

/// Options accepted by `taxRequest`.
#[derive(Default, Deserialize)]
struct JsRequestOptions {
    plugin: Option<String>,
}

fn valid_cart(cart: JsValue) -> Result<ValidCart, Error> {
    ValidCart::new(&cart_from_js(cart)?)
}

fn decimal_arg(input: DecimalInput, field: String) -> Result<Decimal, Error> {
    input
        .0
        .map_err(|why| Error::field(Code::InvalidValue, field, why))
}

/// Splits `total` by `weights` to the cent (largest remainder).
#[wasm_bindgen(unchecked_return_type = "string[]")]
pub fn allocate(
    #[wasm_bindgen(unchecked_param_type = "MoneyInput")] total: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MoneyInput[]")] weights: JsValue,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let total = decimal_arg(from_js(total, "total")?, "total".into())?;
        let inputs: Vec<DecimalInput> = from_js(weights, "weights")?;
        let weights = inputs
            .into_iter()
            .enumerate()
            .map(|(i, w)| decimal_arg(w, format!("weights[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let shares = split::allocate(crate::Money::new(total), &weights)?;
        Ok(to_js(&shares))
    })())
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

/// The exact JSON body for `POST /v2/taxes`.
#[wasm_bindgen(js_name = taxRequest, unchecked_return_type = "TaxRequestBody")]
pub fn tax_request_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TaxRequestOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let cart = valid_cart(cart)?;
        let options: JsRequestOptions = if options.is_undefined() || options.is_null() {
            JsRequestOptions::default()
        } else {
            from_js(options, "options")?
        };
        let options = RequestOptions {
            plugin: options.plugin,
        };
        Ok(to_js(&tax_request(&cart, &options)))
    })())
}

/// TaxJar's `{tax: {...}}` answer (an object, or the raw body text)
/// applied to the cart, reconciled to the cent.
#[wasm_bindgen(js_name = applyTax, unchecked_return_type = "Estimate")]
pub fn apply_tax_js(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TaxResponse | string")] response: JsValue,
) -> Result<JsValue, JsValue> {
    js_result((|| {
        let cart = valid_cart(cart)?;
        let response: TaxResponse = match response.as_string() {
            Some(text) => parse_body(200, &text)?,
            None => from_js(response, "response").map_err(|e| Error {
                code: Code::UpstreamUnparseable,
                ..e
            })?,
        };
        Ok(to_js(&apply_tax(&cart, &response)))
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
