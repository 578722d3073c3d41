//! TaxJar's original Smart Sales Tax API, as a second dialect over the same
//! cart model.
//!
//! | dialect | request | answer |
//! | --- | --- | --- |
//! | [`Dialect::V2`] | `POST /v2/taxes` ([`crate::request`]) | `{tax: {...}}` |
//! | [`Dialect::LegacyStandard`] | `GET /sales_tax?...` | bare `{taxable_amount, ...}` |
//! | [`Dialect::LegacyEnhanced`] | `GET /v1/sales_tax?...` | bare `{order_total_amount, ..., breakdown}` |
//!
//! [`legacy_query`] builds the GET of either legacy endpoint from a
//! [`crate::cart::Cart`]; [`apply_legacy`] turns the answer into the same
//! [`crate::estimate::Estimate`] as v2, by converting it to the v2 shape
//! and running it through [`crate::estimate::apply_tax`]. The lookups
//! (`/tax_categories`, `/locations/<zip>/<city>`) are in [`lookups`].
//! The wording of the reference (`shared/seeds/002_...txt`) is quoted
//! where it decides a behaviour.

mod encode;
pub mod lookups;
mod query;
mod response;

pub use encode::{percent_decode, percent_encode};
pub use lookups::{
    categories_request, location_request, parse_categories, parse_location, LegacyCategory,
    LegacyLocation,
};
pub use query::legacy_query;
pub use response::{
    apply_legacy, apply_legacy_body, to_v2, EnhancedResponse, LegacyResponse, StandardResponse,
};

use serde::Serialize;

use crate::error::{Code, Error, Result};

/// Which TaxJar API a request speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `POST /v2/taxes`, the default.
    #[default]
    V2,
    /// The original `GET /sales_tax` (order amount only).
    LegacyStandard,
    /// The original `GET /v1/sales_tax` (line items, nexus addresses, VAT).
    LegacyEnhanced,
}

impl Dialect {
    /// Parses `"v2"`, `"legacy-standard"` or `"legacy-enhanced"`.
    pub fn parse(text: &str) -> Result<Dialect> {
        match text {
            "v2" => Ok(Dialect::V2),
            "legacy-standard" => Ok(Dialect::LegacyStandard),
            "legacy-enhanced" => Ok(Dialect::LegacyEnhanced),
            other => Err(Error::field(
                Code::InvalidValue,
                "dialect",
                format!("\"{other}\" is not \"v2\", \"legacy-standard\" or \"legacy-enhanced\""),
            )),
        }
    }

    /// The published spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::V2 => "v2",
            Dialect::LegacyStandard => "legacy-standard",
            Dialect::LegacyEnhanced => "legacy-enhanced",
        }
    }

    /// True for both legacy dialects.
    pub fn is_legacy(self) -> bool {
        self != Dialect::V2
    }
}

/// The value of the `Authorization` header for `dialect`: `Bearer <key>`
/// for v2, and the reference's `Token token="<key>"` for the legacy API.
pub fn auth_header(dialect: Dialect, api_key: &str) -> String {
    match dialect {
        Dialect::V2 => format!("Bearer {api_key}"),
        Dialect::LegacyStandard | Dialect::LegacyEnhanced => format!("Token token=\"{api_key}\""),
    }
}

/// A GET request of the legacy API, ready to send or forward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyRequest {
    /// Always `"GET"`.
    pub method: &'static str,
    /// The path, e.g. `"/sales_tax"`; path segments already encoded.
    pub path: String,
    /// The parameters in the order they are sent, not encoded.
    pub query: Vec<(String, String)>,
    /// `query` percent-encoded (`k=v&k=v`), empty when there is none.
    pub encoded: String,
    /// Cart fields this dialect has no parameter for, so not sent.
    pub dropped: Vec<String>,
}

impl LegacyRequest {
    /// A GET of `path` with `query`, encoded once here.
    pub fn get(path: String, query: Vec<(String, String)>) -> LegacyRequest {
        let encoded = encode::encode_query(&query);
        LegacyRequest {
            method: "GET",
            path,
            query,
            encoded,
            dropped: Vec::new(),
        }
    }

    /// `path?encoded`, or the path alone when there is no query.
    pub fn path_and_query(&self) -> String {
        if self.encoded.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.encoded)
        }
    }
}

/// A legacy endpoint, for the reference's meaning of its error statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/sales_tax` and `/v1/sales_tax`.
    SalesTax,
    /// `/tax_categories`.
    Categories,
    /// `/locations/<zip>/<city>`.
    Location,
}

impl Endpoint {
    /// What the reference says a status means here (`None` for statuses it
    /// does not list). Categories share the sales-tax table.
    pub fn meaning(self, status: u16) -> Option<&'static str> {
        let location = self == Endpoint::Location;
        Some(match (status, location) {
            (400, false) => "the request was rejected, most likely because parameters are missing or the request is malformed",
            (400, true) => "Bad Request. Zip not provided.",
            (401, false) => "check that the request has an Authorization header of the form Token token=\"your_api_key_here\", that the API key is valid, and that the account has no billing issue",
            (401, true) => "Not authorized. Access token is missing or invalid.",
            (404, false) => "the location parameters provided in the request are most likely invalid or missing",
            (404, true) => "Not found. Five digit zip not recognized.",
            (500, false) => "the API has encountered an internal error; email support@taxjar.com with details",
            (500, true) => "Internal Server Error. Please contact support@taxjar.com",
            _ => return None,
        })
    }
}

/// The error for a non-2xx answer: 401 is [`Code::Unauthorized`], every
/// other status [`Code::UpstreamError`], with the reference's meaning in
/// the message and TaxJar's `detail` when the body has one.
pub(crate) fn upstream_error(endpoint: Endpoint, status: u16, body: &str) -> Error {
    // The core classifies the status and reads any error body; only the
    // message changes, to say what the legacy reference says it means.
    let mut error = match crate::model::parse_body::<serde::de::IgnoredAny>(status, body) {
        Err(error) => error,
        Ok(_) => Error::new(Code::UpstreamError, String::new()),
    };
    error.status = Some(status);
    if let Some(meaning) = endpoint.meaning(status) {
        error.message = match &error.detail {
            Some(detail) => format!("TaxJar answered {status}: {meaning} ({detail})"),
            None => format!("TaxJar answered {status}: {meaning}"),
        };
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_round_trip() {
        for d in [
            Dialect::V2,
            Dialect::LegacyStandard,
            Dialect::LegacyEnhanced,
        ] {
            assert_eq!(Dialect::parse(d.as_str()).unwrap(), d);
        }
        let err = Dialect::parse("legacy").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidValue, Some("dialect"))
        );
    }

    #[test]
    fn auth_headers() {
        assert_eq!(auth_header(Dialect::V2, "k"), "Bearer k");
        assert_eq!(
            auth_header(Dialect::LegacyEnhanced, "k"),
            "Token token=\"k\""
        );
    }

    #[test]
    fn errors_keep_status_and_meaning() {
        let e = upstream_error(Endpoint::SalesTax, 401, "");
        assert_eq!((e.code, e.status), (Code::Unauthorized, Some(401)));
        assert!(e.message.contains("Token token="), "{}", e.message);
        let e = upstream_error(Endpoint::Location, 404, r#"{"detail":"no such zip"}"#);
        assert_eq!((e.code, e.status), (Code::UpstreamError, Some(404)));
        assert_eq!(
            e.message,
            "TaxJar answered 404: Not found. Five digit zip not recognized. (no such zip)"
        );
        let e = upstream_error(Endpoint::SalesTax, 502, "<html>");
        assert_eq!((e.code, e.status), (Code::UpstreamError, Some(502)));
    }

    #[test]
    fn sales_tax_statuses_map_to_error_codes() {
        let cases = [
            (
                400,
                Code::UpstreamError,
                "parameters are missing or the request is malformed",
            ),
            (401, Code::Unauthorized, "Token token=\"your_api_key_here\""),
            (
                404,
                Code::UpstreamError,
                "location parameters provided in the request are most likely invalid",
            ),
            (500, Code::UpstreamError, "internal error"),
        ];
        for dialect in [Dialect::LegacyStandard, Dialect::LegacyEnhanced] {
            for (status, code, meaning) in cases {
                let e = LegacyResponse::parse(dialect, status, "").unwrap_err();
                assert_eq!((e.code, e.status), (code, Some(status)));
                assert!(e.message.contains(meaning), "{}", e.message);
            }
            let e = LegacyResponse::parse(dialect, 200, "<html>oops</html>").unwrap_err();
            assert_eq!((e.code, e.status), (Code::UpstreamUnparseable, Some(200)));
        }
        // The reference's answers are bare: a v2 envelope is not one of them.
        let wrapped = r#"{"tax":{"amount_to_collect":0.83,"has_nexus":true}}"#;
        let e = LegacyResponse::parse(Dialect::LegacyStandard, 200, wrapped).unwrap_err();
        assert_eq!(e.code, Code::UpstreamUnparseable);
    }
}
