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
    /// More than `crate::validate::MAX_LINE_ITEMS` line items.
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

/// The error for an option nothing reads (a misspelling, say): an
/// `invalid_value` on `field`, naming the closest of `known` when one is
/// near enough to be what was meant.
pub fn unknown_option(field: &str, name: &str, known: &[&str]) -> Error {
    let message = match closest(name, known) {
        Some(near) => format!("{field} is not an option: did you mean {near}?"),
        None => format!("{field} is not an option (known: {})", known.join(", ")),
    };
    Error::field(Code::InvalidValue, field, message)
}

/// The name of `known` fewest edits away from `name` (letter case aside),
/// if it is at most a third of the name's length away (and at least 2).
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let most = (name.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in known {
        let distance = edits(&lower, &candidate.to_ascii_lowercase());
        if distance <= most && best.map_or(true, |(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// Levenshtein distance: insertions, deletions and substitutions.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod option_name_tests {
    use super::*;

    #[test]
    fn misspelt_options_name_the_closest() {
        let known = ["apiUrl", "ttlSeconds", "timeoutMs", "maxEntries"];
        assert_eq!(closest("ttlSecond", &known), Some("ttlSeconds"));
        assert_eq!(closest("apiURL", &known), Some("apiUrl"));
        assert_eq!(closest("ttl_seconds", &known), Some("ttlSeconds"));
        assert_eq!(closest("colour", &known), None);
        let err = unknown_option("ttlSecond", "ttlSecond", &known);
        assert_eq!(
            (err.code, err.field.as_deref(), err.message.as_str()),
            (
                Code::InvalidValue,
                Some("ttlSecond"),
                "ttlSecond is not an option: did you mean ttlSeconds?"
            )
        );
        let err = unknown_option("options.colour", "colour", &["plugin", "dialect"]);
        assert_eq!(
            err.message,
            "options.colour is not an option (known: plugin, dialect)"
        );
        assert_eq!(edits("kitten", "sitting"), 3);
    }
}
