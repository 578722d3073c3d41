//! Exempt customers: the body of `POST /v2/customers` and
//! `PUT /v2/customers/{customer_id}`, checked with clear errors.

use serde_json::Value;

use super::read::{self, Object};
use crate::error::{Code, Error, Result};
use crate::model::customers::{CustomerRequest, ExemptRegion};
use crate::regions;

/// The exemption types TaxJar takes for customers (`marketplace` is for
/// transactions only).
pub(crate) const CUSTOMER_EXEMPTION_TYPES: [&str; 4] =
    ["wholesale", "government", "other", "non_exempt"];

fn upper(value: Option<String>) -> Option<String> {
    value.map(|v| v.to_ascii_uppercase())
}

fn country(value: Option<String>, field: &str) -> Result<Option<String>> {
    match upper(value) {
        Some(c) if !regions::is_country(&c) => Err(Error::field(
            Code::InvalidCountry,
            field,
            format!("\"{c}\" is not an ISO 3166-1 alpha-2 country code"),
        )),
        other => Ok(other),
    }
}

fn state(country: Option<&str>, value: Option<String>, field: &str) -> Result<Option<String>> {
    match (country, upper(value)) {
        (Some(c @ ("US" | "CA")), Some(s)) if !regions::is_region(c, &s) => Err(Error::field(
            Code::InvalidState,
            field,
            format!("\"{s}\" is not a {c} state or province code"),
        )),
        (_, other) => Ok(other),
    }
}

fn zip(country: Option<&str>, value: Option<String>) -> Result<Option<String>> {
    let Some(zip) = value else { return Ok(None) };
    match country {
        Some("US") if !regions::is_us_zip(&zip) => Err(Error::field(
            Code::InvalidZip,
            "zip",
            format!("\"{zip}\" is not a US ZIP (12345 or 12345-6789)"),
        )),
        Some("CA") => regions::canadian_postal_code(&zip)
            .map(Some)
            .ok_or_else(|| {
                Error::field(
                    Code::InvalidZip,
                    "zip",
                    format!("\"{zip}\" is not a Canadian postal code (A1A 1A1)"),
                )
            }),
        _ => Ok(Some(zip)),
    }
}

fn region(o: &Object, path: &str) -> Result<ExemptRegion> {
    let at = |f: &str| format!("{path}.{f}");
    let required = |v: Option<String>, f: &str| {
        v.ok_or_else(|| Error::field(Code::MissingField, at(f), format!("{} is required", at(f))))
    };
    let c = country(
        Some(required(read::text(o, "country", path)?, "country")?),
        &at("country"),
    )?;
    let s = state(
        c.as_deref(),
        Some(required(read::text(o, "state", path)?, "state")?),
        &at("state"),
    )?;
    Ok(ExemptRegion {
        country: c,
        state: s,
    })
}

/// Reads and checks a customer: `customer_id` (or `id`), `exemption_type`
/// (`wholesale`, `government`, `other` or `non_exempt`), `exempt_regions`
/// (`[{ country, state }]`, each required and valid, no region twice, and
/// only for exempt customers), and an optional address and name.
pub fn customer_request(value: &Value) -> Result<CustomerRequest> {
    let o = read::object(value, "the customer")?;
    let customer_id = match read::id(o, "customer_id", "")? {
        Some(id) => id,
        None => read::id(o, "id", "")?.ok_or_else(|| {
            Error::field(Code::MissingField, "customer_id", "customer_id is required")
        })?,
    };
    if matches!(customer_id.as_str(), "." | "..") {
        return Err(Error::field(
            Code::InvalidValue,
            "customer_id",
            format!("\"{customer_id}\" cannot be a customer_id"),
        ));
    }
    let exemption_type = read::text(o, "exemption_type", "")?.ok_or_else(|| {
        Error::field(
            Code::MissingField,
            "exemption_type",
            "exemption_type is required: wholesale, government, other or non_exempt",
        )
    })?;
    if !CUSTOMER_EXEMPTION_TYPES.contains(&exemption_type.as_str()) {
        return Err(Error::field(
            Code::InvalidExemptionType,
            "exemption_type",
            format!(
                "\"{exemption_type}\" is not a customer exemption type: wholesale, government, other or non_exempt"
            ),
        ));
    }
    let exempt_regions = read::list(o, "exempt_regions", "", region)?;
    if let Some(list) = &exempt_regions {
        if !list.is_empty() && exemption_type == "non_exempt" {
            return Err(Error::field(
                Code::InvalidValue,
                "exempt_regions",
                "a non_exempt customer has no exempt_regions",
            ));
        }
        for (i, r) in list.iter().enumerate() {
            if list[..i].contains(r) {
                return Err(Error::field(
                    Code::InvalidValue,
                    format!("exempt_regions[{i}]"),
                    format!(
                        "{}-{} is listed twice",
                        r.country.as_deref().unwrap_or_default(),
                        r.state.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    let c = country(read::text(o, "country", "")?, "country")?;
    Ok(CustomerRequest {
        state: state(c.as_deref(), read::text(o, "state", "")?, "state")?,
        zip: zip(c.as_deref(), read::text(o, "zip", "")?)?,
        country: c,
        customer_id,
        exemption_type: Some(exemption_type),
        exempt_regions,
        name: read::text(o, "name", "")?,
        city: read::text(o, "city", "")?,
        street: read::text(o, "street", "")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_with_clear_errors() {
        let ok = customer_request(&json!({"id": 123, "exemption_type": "wholesale",
            "exempt_regions": [{"country": "us", "state": "ca"}], "country": "US", "zip": "90002"}))
        .unwrap();
        assert_eq!(ok.customer_id, "123");
        assert_eq!(ok.exempt_regions.unwrap()[0].state.as_deref(), Some("CA"));
        let err = |v: Value| {
            let e = customer_request(&v).unwrap_err();
            (e.code, e.field.unwrap_or_default())
        };
        assert_eq!(
            err(json!({"customer_id": "1", "exemption_type": "marketplace"})),
            (Code::InvalidExemptionType, "exemption_type".into())
        );
        assert_eq!(
            err(
                json!({"customer_id": "1", "exemption_type": "other", "exempt_regions": [{"country": "US"}]})
            ),
            (Code::MissingField, "exempt_regions[0].state".into())
        );
        assert_eq!(
            err(
                json!({"customer_id": "1", "exemption_type": "other", "exempt_regions": [{"country": "US", "state": "XX"}]})
            ),
            (Code::InvalidState, "exempt_regions[0].state".into())
        );
        assert_eq!(
            err(json!({"exemption_type": "other"})),
            (Code::MissingField, "customer_id".into())
        );
    }
}
