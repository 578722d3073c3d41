//! Exempt customers (`/v2/customers`). The request and the answer share one
//! shape, so [`Customer`] serves both.

use serde::{Deserialize, Serialize};

use crate::model::ids;
use crate::money::wire;

/// A customer, as sent to create or update one and as TaxJar answers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Customer {
    /// Unique id of the customer in the seller's system; also its path.
    #[serde(deserialize_with = "wire::id")]
    pub customer_id: String,
    /// `"wholesale"`, `"government"`, `"other"` or `"non_exempt"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_type: Option<String>,
    /// Where the exemption applies; everywhere when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt_regions: Option<Vec<ExemptRegion>>,
    /// Name of the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ZIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

/// The body of `POST /v2/customers` and `PUT /v2/customers/{id}`.
pub type CustomerRequest = Customer;

/// A region where a customer is exempt.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ExemptRegion {
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// The `{customer: {...}}` answer of show, create, update and delete.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct CustomerResponse {
    /// The customer.
    pub customer: Customer,
}

/// The `{customers: [...]}` answer of `GET /v2/customers`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct CustomerListResponse {
    /// Customer ids.
    #[serde(deserialize_with = "ids")]
    pub customers: Vec<String>,
}
