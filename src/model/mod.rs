//! Typed requests and responses for every TaxJar v2 endpoint.
//!
//! Parsing is tolerant where TaxJar's real answers vary: money and rates as
//! numbers or strings, ids as numbers or strings, optional `breakdown`
//! parts, and error bodies of several shapes (see [`errors`]).
//! [`endpoints`] builds the method, path, query and body of each call.

pub mod customers;
pub mod endpoints;
pub mod errors;
pub mod lookups;
pub mod rates;
pub mod read;
pub mod taxes;
pub mod transactions;

use serde::{Deserialize, Deserializer};

use crate::money::wire;

pub use endpoints::ApiRequest;
pub use errors::{check_not_redirect, fetch_failure, parse_answer, parse_body, ErrorBody};
pub use taxes::{
    Breakdown, LineBreakdown, ShippingBreakdown, Tax, TaxLineItem, TaxRequest, TaxResponse,
};

/// Reads a list of ids, each a string or a number (see [`wire::id`]).
pub(crate) fn ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "wire::id")] String);
    Vec::<W>::deserialize(deserializer).map(|v| v.into_iter().map(|w| w.0).collect())
}

/// `value` as a JSON tree, made through its JSON text. Every request type
/// is written as text somewhere already; `serde_json::to_value` would add
/// a second copy of each one's writer to the wasm.
pub(crate) fn to_json_value<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null)
}
