//! Who may set a cart's customer fields at the Worker (issue #16).
//!
//! `customer_id`, `exemption_type` and `nexus_addresses` change what the
//! store's token is asked: an exempt quote, which customer ids are exempt,
//! a nexus that zeroes the tax. Only the merchant's server knows who the
//! customer is, so from browsers they count only inside a signed
//! `customer_context` ([`crate::context`]):
//!
//! | caller | cart | answer |
//! | --- | --- | --- |
//! | browser | `customer_id`, `exemption_type` (not `non_exempt`) or `nexus_addresses`, no context | 400 naming the field |
//! | browser | `nexus_addresses` the context does not carry | 400 `nexus_addresses` (stricter than "without a valid context": any shopper may hold some valid context) |
//! | any | a context, no `CUSTOMER_CONTEXT_SECRET` | 400 `customer_context` |
//! | any | an expired, forged or malformed context | 400 `customer_context` |
//! | any | a valid context | its fields apply; the cart's own must be absent or equal |
//! | server (proxy key) | the fields, no context | forwarded as given |

use crate::cart::Cart;
use crate::context::{token_of, verify, Applied, FIELD};
use crate::error::{Code, Error};
use crate::validate::ExemptionType;

/// What the Worker knows when it judges a cart's customer fields.
#[derive(Clone, Copy, Debug)]
pub struct Gate<'a> {
    /// The caller is a browser (not a server with a proxy key).
    pub from_browser: bool,
    /// `CUSTOMER_CONTEXT_SECRET`, when set.
    pub secret: Option<&'a str>,
    /// Now, in unix seconds.
    pub now: u64,
}

impl Gate<'_> {
    /// A server caller on a Worker without a context secret: every field
    /// passes as given, and any context is refused.
    pub fn server() -> Gate<'static> {
        Gate {
            from_browser: false,
            secret: None,
            now: 0,
        }
    }
}

fn needs_context(field: &str) -> Error {
    Error::field(
        Code::InvalidValue,
        field,
        format!(
            "{field} is accepted from browsers only inside a signed {FIELD}, made by the \
             store's server (customerContext)"
        ),
    )
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Applies the rules above to `cart`: verifies and applies its context, or
/// refuses what a browser may not set. The applied context (`None` without
/// one) is for the cart key.
pub(crate) fn resolve(cart: &mut Cart, gate: &Gate) -> Result<Option<Applied>, Error> {
    let Some(token) = token_of(cart) else {
        if gate.from_browser {
            unsigned_browser_fields(cart)?;
        }
        return Ok(None);
    };
    let Some(secret) = gate.secret else {
        return Err(Error::field(
            Code::InvalidValue,
            FIELD,
            format!(
                "customer contexts are not enabled on this Worker (CUSTOMER_CONTEXT_SECRET \
                 is not set); remove {FIELD} from the cart"
            ),
        ));
    };
    let context = verify(&token, secret, gate.now)?;
    context.apply(cart, !gate.from_browser)?;
    Ok(Some(Applied {
        token,
        canonical: context.canonical(),
    }))
}

/// A browser cart without a context: no `customer_id`, no exemption but
/// `non_exempt` (an unknown type is left to validation to name), no nexus
/// addresses.
fn unsigned_browser_fields(cart: &Cart) -> Result<(), Error> {
    if present(&cart.customer_id).is_some() {
        return Err(needs_context("customer_id"));
    }
    if present(&cart.exemption_type)
        .and_then(ExemptionType::parse)
        .is_some_and(|t| t != ExemptionType::NonExempt)
    {
        return Err(needs_context("exemption_type"));
    }
    if cart.nexus_addresses.as_ref().is_some_and(|n| !n.is_empty()) {
        return Err(needs_context("nexus_addresses"));
    }
    Ok(())
}
