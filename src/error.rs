//! Typed errors. Every error carries a stable machine `code` and, where one
//! input field is to blame, the `field` path (`line_items[2].unit_price`).
//! The bindings turn these into JS `Error`s with the same `code` and `field`.

use std::fmt;

/// The stable error codes. JS code matches on the string form, so these
/// strings never change once published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// A required field is absent.
    MissingField,
    /// A ZIP or postal code that does not fit its country.
    InvalidZip,
    /// A state or province code that is not a US or CA code.
    InvalidState,
    /// A country code that is not ISO 3166-1 alpha-2.
    InvalidCountry,
    /// Money that is negative, not numeric, or has too many decimals.
    InvalidAmount,
    /// A quantity of zero or less, or not numeric.
    InvalidQuantity,
    /// Two line items share one id.
    DuplicateLineId,
    /// A discount larger than what it discounts.
    DiscountExceedsAmount,
    /// An `exemption_type` TaxJar does not know.
    InvalidExemptionType,
    /// More than [`crate::validate::MAX_LINE_ITEMS`] line items.
    TooManyLineItems,
    /// A value of the wrong JSON type (an object where a string belongs).
    InvalidType,
    /// An argument outside what a function accepts (e.g. `allocate` weights).
    InvalidValue,
    /// TaxJar (or a gateway before it) answered with a body that is not the
    /// JSON it should be.
    UpstreamUnparseable,
    /// TaxJar answered with an error status.
    UpstreamError,
    /// TaxJar refused the token (HTTP 401).
    Unauthorized,
    /// No answer within the time allowed.
    Timeout,
    /// The request never reached an answer (DNS, refused, offline).
    NetworkError,
    /// An exempt transaction (wholesale, government, other) that carries tax.
    ExemptWithTax,
    /// Line amounts plus shipping do not equal a transaction's `amount`.
    AmountMismatch,
}

impl Code {
    /// The published string form, e.g. `"invalid_zip"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingField => "missing_field",
            Code::InvalidZip => "invalid_zip",
            Code::InvalidState => "invalid_state",
            Code::InvalidCountry => "invalid_country",
            Code::InvalidAmount => "invalid_amount",
            Code::InvalidQuantity => "invalid_quantity",
            Code::DuplicateLineId => "duplicate_line_id",
            Code::DiscountExceedsAmount => "discount_exceeds_amount",
            Code::InvalidExemptionType => "invalid_exemption_type",
            Code::TooManyLineItems => "too_many_line_items",
            Code::InvalidType => "invalid_type",
            Code::InvalidValue => "invalid_value",
            Code::UpstreamUnparseable => "upstream_unparseable",
            Code::UpstreamError => "upstream_error",
            Code::Unauthorized => "unauthorized",
            Code::Timeout => "timeout",
            Code::NetworkError => "network_error",
            Code::ExemptWithTax => "exempt_with_tax",
            Code::AmountMismatch => "amount_mismatch",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An edgetax error: a code, the field it concerns, and a readable message.
/// Upstream errors also carry the HTTP `status` and TaxJar's `detail`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, as a stable code.
    pub code: Code,
    /// The input path to blame, if one field is to blame.
    pub field: Option<String>,
    /// A sentence for people.
    pub message: String,
    /// The HTTP status, for upstream errors.
    pub status: Option<u16>,
    /// TaxJar's own `detail`, for upstream errors.
    pub detail: Option<String>,
}

impl Error {
    /// An error about one input field.
    pub fn field(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code,
            field: Some(field.into()),
            message: message.into(),
            status: None,
            detail: None,
        }
    }

    /// An error not tied to one field.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            field: None,
            message: message.into(),
            status: None,
            detail: None,
        }
    }

    /// The same error, blamed on `field`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {} ({})", field, self.message, self.code),
            None => write!(f, "{} ({})", self.message, self.code),
        }
    }
}

impl std::error::Error for Error {}

/// Result with an edgetax [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
