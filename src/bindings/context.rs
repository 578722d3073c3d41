//! `customerContext`: signs a customer context on the merchant's server.
//! Server-only (it needs the secret): only in the server build
//! (`edgetax/server`, feature `proxy`). The decisions are the core's
//! ([`crate::context`]); this file reads the arguments and the clock.

use wasm_bindgen::prelude::*;

use super::clock::now_seconds;
use super::convert::json_text;
use super::options::Options;
use crate::context::create;
use crate::error::{Code, Error};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Where a context's exemption applies: a country, and a state (required for US and CA). */
export interface CustomerContextRegion {
  country: string;
  state?: string;
}

/** What the merchant's server signs about the shopper with `customerContext`. */
export interface CustomerContextFields {
  customer_id: string | number;
  /** `non_exempt` for a customer without an exemption. */
  exemption_type: ExemptionType;
  /** Where the exemption applies; everywhere when absent. */
  exempt_regions?: CustomerContextRegion[];
  /** The seller's nexus addresses for this customer's orders. */
  nexus_addresses?: NexusAddress[];
}

/** Options of `customerContext`. */
export interface CustomerContextOptions {
  /** The Worker's CUSTOMER_CONTEXT_SECRET: at least 32 characters. */
  secret: string;
  /** Lifetime in seconds, 1 to 604800; default 3600. */
  ttlSeconds?: number;
}
"#;

/// The options `customerContext` knows.
const OPTIONS: [&str; 2] = ["secret", "ttlSeconds"];

/// A signed customer context for the cart's `customer_context`:
/// `{ customer_id, exemption_type, exempt_regions?, nexus_addresses? }`
/// signed with `options.secret`, valid `options.ttlSeconds` (default 3600).
#[wasm_bindgen(js_name = customerContext)]
pub fn customer_context(
    #[wasm_bindgen(unchecked_param_type = "CustomerContextFields")] fields: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CustomerContextOptions")] options: JsValue,
) -> Result<String, JsValue> {
    if !fields.is_object() {
        return Err(Error::new(Code::InvalidType, "the customer context must be an object").into());
    }
    let value = serde_json::from_str::<serde_json::Value>(&json_text(&fields, "context")?)
        .map_err(|e| Error::new(Code::InvalidType, format!("the customer context: {e}")))?;
    if !options.is_object() {
        // The secret is required, so the options are too.
        return Err(Error::field(
            Code::InvalidValue,
            "options.secret",
            "options.secret is required",
        )
        .into());
    }
    let options = Options::new(options, "options.", "options", &OPTIONS)?;
    let secret = options.string("secret")?;
    let ttl = options.number("ttlSeconds")?;
    Ok(create(&value, secret.as_deref(), ttl, now_seconds())?)
}
