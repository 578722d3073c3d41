//! The method, path, query and body of every TaxJar v2 call, without doing
//! any I/O: whoever holds the token and the `fetch` sends an [`ApiRequest`].
//!
//! Ids and ZIPs go into the path percent-encoded (everything but ASCII
//! letters, digits, `-`, `_`, `.`, `~`), so `a/b` or `../x` stay one path
//! segment. An empty id and the ids `.` and `..` are refused: URL parsers
//! resolve those segments (even encoded as `%2e`), so they would reach
//! another endpoint.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::model::customers::CustomerRequest;
use crate::model::lookups::{AddressValidationRequest, RateParams};
use crate::model::taxes::TaxRequest;
use crate::model::transactions::{ListParams, OrderRequest, RefundRequest};

/// One call to TaxJar, ready to send to `https://api.taxjar.com`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    /// `"GET"`, `"POST"`, `"PUT"` or `"DELETE"`.
    pub method: &'static str,
    /// The path, ids already percent-encoded, e.g. `/v2/transactions/orders/123`.
    pub path: String,
    /// Query parameters, not yet encoded.
    pub query: Vec<(String, String)>,
    /// The JSON body, for POST and PUT.
    pub body: Option<Value>,
}

impl ApiRequest {
    fn new(method: &'static str, path: String) -> Self {
        ApiRequest {
            method,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    fn with_body<T: Serialize>(mut self, body: &T) -> Self {
        // These types hold only strings, decimals, bools and lists, which
        // always serialize to JSON.
        let value = crate::model::to_json_value(body);
        self.body = Some(value);
        self
    }

    fn with_query(mut self, pairs: &[(&str, &Option<String>)]) -> Self {
        self.query = pairs
            .iter()
            .filter_map(|(key, value)| value.as_ref().map(|v| ((*key).to_owned(), v.clone())))
            .collect();
        self
    }

    /// The path followed by the percent-encoded query, if any:
    /// `/v2/validation?vat=FR40303265045`.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        format!("{}?{}", self.path, encode_query(&self.query))
    }
}

/// Percent-encodes every byte but the unreserved `A-Z a-z 0-9 - . _ ~`
/// (RFC 3986) as `%XX` in upper-case hex. Brackets are encoded too, so a
/// query reads the same whatever a client or proxy would do with them.
pub fn percent_encode(text: &str) -> String {
    percent_encode_keeping(text, b"-._~", b"0123456789ABCDEF")
}

/// `text` with every byte but ASCII letters, digits and `keep` written as
/// `%XY` in `hex` digits (also used by [`crate::redact`] to find secrets
/// as `encodeURIComponent` writes them).
pub(crate) fn percent_encode_keeping(text: &str, keep: &[u8], hex: &[u8; 16]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(hex[(byte >> 4) as usize] as char);
            out.push(hex[(byte & 15) as usize] as char);
        }
    }
    out
}

/// `k=v&k=v`, each key and value percent-encoded, in the given order.
pub fn encode_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(key));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// An id as one path segment; `field` names it in errors.
fn segment(field: &str, id: &str) -> Result<String> {
    match id {
        "" => Err(Error::field(Code::MissingField, field, "is empty")),
        "." | ".." => Err(Error::field(
            Code::InvalidValue,
            field,
            format!("\"{id}\" cannot be used: it would change the request path"),
        )),
        _ => Ok(percent_encode(id)),
    }
}

const ORDERS: &str = "/v2/transactions/orders";
const REFUNDS: &str = "/v2/transactions/refunds";
const CUSTOMERS: &str = "/v2/customers";

/// `POST /v2/taxes`.
pub fn taxes(request: &TaxRequest) -> ApiRequest {
    ApiRequest::new("POST", "/v2/taxes".into()).with_body(request)
}

fn list(path: &str, params: &ListParams) -> ApiRequest {
    ApiRequest::new("GET", path.into()).with_query(&[
        ("transaction_date", &params.transaction_date),
        ("from_transaction_date", &params.from_transaction_date),
        ("to_transaction_date", &params.to_transaction_date),
        ("provider", &params.provider),
    ])
}

fn one(method: &'static str, base: &str, field: &str, id: &str) -> Result<ApiRequest> {
    Ok(ApiRequest::new(
        method,
        format!("{base}/{}", segment(field, id)?),
    ))
}

/// `GET /v2/transactions/orders`.
pub fn list_orders(params: &ListParams) -> ApiRequest {
    list(ORDERS, params)
}

/// `GET /v2/transactions/orders/{id}`.
pub fn show_order(id: &str) -> Result<ApiRequest> {
    one("GET", ORDERS, "transaction_id", id)
}

/// `POST /v2/transactions/orders`.
pub fn create_order(order: &OrderRequest) -> ApiRequest {
    ApiRequest::new("POST", ORDERS.into()).with_body(order)
}

/// `PUT /v2/transactions/orders/{transaction_id}`.
pub fn update_order(order: &OrderRequest) -> Result<ApiRequest> {
    Ok(one("PUT", ORDERS, "transaction_id", &order.transaction_id)?.with_body(order))
}

/// `DELETE /v2/transactions/orders/{id}`.
pub fn delete_order(id: &str) -> Result<ApiRequest> {
    one("DELETE", ORDERS, "transaction_id", id)
}

/// `GET /v2/transactions/refunds`.
pub fn list_refunds(params: &ListParams) -> ApiRequest {
    list(REFUNDS, params)
}

/// `GET /v2/transactions/refunds/{id}`.
pub fn show_refund(id: &str) -> Result<ApiRequest> {
    one("GET", REFUNDS, "transaction_id", id)
}

/// `POST /v2/transactions/refunds`.
pub fn create_refund(refund: &RefundRequest) -> ApiRequest {
    ApiRequest::new("POST", REFUNDS.into()).with_body(refund)
}

/// `PUT /v2/transactions/refunds/{transaction_id}`.
pub fn update_refund(refund: &RefundRequest) -> Result<ApiRequest> {
    Ok(one("PUT", REFUNDS, "transaction_id", &refund.transaction_id)?.with_body(refund))
}

/// `DELETE /v2/transactions/refunds/{id}`.
pub fn delete_refund(id: &str) -> Result<ApiRequest> {
    one("DELETE", REFUNDS, "transaction_id", id)
}

/// `GET /v2/customers`.
pub fn list_customers() -> ApiRequest {
    ApiRequest::new("GET", CUSTOMERS.into())
}

/// `GET /v2/customers/{id}`.
pub fn show_customer(id: &str) -> Result<ApiRequest> {
    one("GET", CUSTOMERS, "customer_id", id)
}

/// `POST /v2/customers`.
pub fn create_customer(customer: &CustomerRequest) -> ApiRequest {
    ApiRequest::new("POST", CUSTOMERS.into()).with_body(customer)
}

/// `PUT /v2/customers/{customer_id}`.
pub fn update_customer(customer: &CustomerRequest) -> Result<ApiRequest> {
    Ok(one("PUT", CUSTOMERS, "customer_id", &customer.customer_id)?.with_body(customer))
}

/// `DELETE /v2/customers/{id}`.
pub fn delete_customer(id: &str) -> Result<ApiRequest> {
    one("DELETE", CUSTOMERS, "customer_id", id)
}

/// `GET /v2/nexus/regions`.
pub fn nexus_regions() -> ApiRequest {
    ApiRequest::new("GET", "/v2/nexus/regions".into())
}

/// `GET /v2/rates/{zip}?country=&state=&city=&street=` (only the given parts).
pub fn rates(zip: &str, params: &RateParams) -> Result<ApiRequest> {
    Ok(one("GET", "/v2/rates", "zip", zip)?.with_query(&[
        ("country", &params.country),
        ("state", &params.state),
        ("city", &params.city),
        ("street", &params.street),
    ]))
}

/// `GET /v2/categories`.
pub fn categories() -> ApiRequest {
    ApiRequest::new("GET", "/v2/categories".into())
}

/// `GET /v2/summary_rates`.
pub fn summary_rates() -> ApiRequest {
    ApiRequest::new("GET", "/v2/summary_rates".into())
}

/// `POST /v2/addresses/validate`.
pub fn validate_address(address: &AddressValidationRequest) -> ApiRequest {
    ApiRequest::new("POST", "/v2/addresses/validate".into()).with_body(address)
}

/// `GET /v2/validation?vat={vat}`.
pub fn validate_vat(vat: &str) -> ApiRequest {
    ApiRequest::new("GET", "/v2/validation".into()).with_query(&[("vat", &Some(vat.to_owned()))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved() {
        assert_eq!(percent_encode("Az09-_.~"), "Az09-_.~");
        assert_eq!(percent_encode("a/b"), "a%2Fb");
        assert_eq!(percent_encode("../x"), "..%2Fx");
        assert_eq!(
            percent_encode("a b?c#d%e&f=g+h"),
            "a%20b%3Fc%23d%25e%26f%3Dg%2Bh"
        );
        assert_eq!(percent_encode("\\é"), "%5C%C3%A9");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn ids_never_leave_their_segment() {
        assert_eq!(
            show_order("a/b").unwrap().path,
            "/v2/transactions/orders/a%2Fb"
        );
        assert_eq!(
            delete_refund("../x").unwrap().path,
            "/v2/transactions/refunds/..%2Fx"
        );
        assert_eq!(
            show_customer("1?x=2").unwrap().path,
            "/v2/customers/1%3Fx%3D2"
        );
        let err = show_order("..").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidValue, Some("transaction_id"))
        );
        assert_eq!(delete_customer(".").unwrap_err().code, Code::InvalidValue);
        assert_eq!(show_refund("").unwrap_err().code, Code::MissingField);
        let empty = CustomerRequest::default();
        assert_eq!(
            update_customer(&empty).unwrap_err().field.as_deref(),
            Some("customer_id")
        );
    }

    #[test]
    fn queries_keep_only_given_parts() {
        let params = RateParams {
            country: Some("US".into()),
            city: Some("Santa Monica".into()),
            ..RateParams::default()
        };
        let call = rates("90404", &params).unwrap();
        assert_eq!(call.method, "GET");
        assert_eq!(
            call.path_and_query(),
            "/v2/rates/90404?country=US&city=Santa%20Monica"
        );
        assert_eq!(
            rates("V5K 0A1", &RateParams::default()).unwrap().path,
            "/v2/rates/V5K%200A1"
        );
        let list = list_orders(&ListParams {
            from_transaction_date: Some("2015/05/01".into()),
            to_transaction_date: Some("2015/05/31".into()),
            ..ListParams::default()
        });
        assert_eq!(
            list.path_and_query(),
            "/v2/transactions/orders?from_transaction_date=2015%2F05%2F01&to_transaction_date=2015%2F05%2F31"
        );
        assert_eq!(
            validate_vat("FR 403&x").path_and_query(),
            "/v2/validation?vat=FR%20403%26x"
        );
        assert_eq!(list_customers().path_and_query(), "/v2/customers");
    }

    #[test]
    fn bodies_are_the_serialized_request() {
        let call = validate_address(&AddressValidationRequest {
            zip: Some("85297".into()),
            ..Default::default()
        });
        assert_eq!(
            (call.method, call.path.as_str()),
            ("POST", "/v2/addresses/validate")
        );
        assert_eq!(call.body, Some(serde_json::json!({"zip": "85297"})));
        assert_eq!(nexus_regions().body, None);
        assert_eq!(categories().path, "/v2/categories");
        assert_eq!(summary_rates().path, "/v2/summary_rates");
    }
}
