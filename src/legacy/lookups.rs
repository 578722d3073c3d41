//! The legacy lookups: `GET /tax_categories` and
//! `GET /locations/<zip>/<city>?country=`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::model::parse_body;
use crate::money::{format_rate, wire};
use crate::regions;

use super::encode::percent_encode;
use super::{upstream_error, Endpoint, LegacyRequest};

/// `GET /tax_categories`.
pub fn categories_request() -> LegacyRequest {
    LegacyRequest::get("/tax_categories".to_owned(), Vec::new())
}

/// `GET /locations/<zip>[/<city>][?country=<country>]`, each part trimmed
/// and percent-encoded, sent as written (the reference's own example is
/// `/locations/07446/ramsey`).
///
/// Errors (`missing_field`): a blank `zip` ("Minimum required is five
/// digit zip"), or a Canadian postal code without `country` ("required
/// for Canada"); `invalid_value` for a `zip` or `city` of `.` or `..`.
pub fn location_request(
    zip: &str,
    city: Option<&str>,
    country: Option<&str>,
) -> Result<LegacyRequest> {
    let zip = zip.trim();
    if zip.is_empty() {
        return Err(Error::field(
            Code::MissingField,
            "zip",
            "a location lookup needs a zip",
        ));
    }
    let city = city.map(str::trim).filter(|c| !c.is_empty());
    // A `.` or `..` segment would move the request to another path once
    // the URL is resolved (as `model::endpoints` refuses for ids).
    for (field, part) in [("zip", Some(zip)), ("city", city)] {
        if let Some(dots @ ("." | "..")) = part {
            return Err(Error::field(
                Code::InvalidValue,
                field,
                format!("\"{dots}\" cannot be used: it would change the request path"),
            ));
        }
    }
    let country = country.map(str::trim).filter(|c| !c.is_empty());
    if country.is_none() && regions::canadian_postal_code(zip).is_some() {
        return Err(Error::field(
            Code::MissingField,
            "country",
            "the legacy location lookup needs country=CA for Canadian postal codes",
        ));
    }
    let mut path = format!("/locations/{}", percent_encode(zip));
    if let Some(city) = city {
        path.push('/');
        path.push_str(&percent_encode(city));
    }
    let query = country
        .map(|c| vec![("country".to_owned(), c.to_ascii_uppercase())])
        .unwrap_or_default();
    Ok(LegacyRequest::get(path, query))
}

/// A product tax category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LegacyCategory {
    /// The code to send as `product_tax_code`, e.g. `"20010"`.
    pub product_tax_code: String,
    /// What it covers, e.g. `"Clothing; normal clothing for human use."`.
    pub description: Option<String>,
    /// A short name, when the answer has one.
    pub name: Option<String>,
}

/// A category's code: a string, or an integer as TaxJar sometimes sends.
fn category_code(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(code) => Some(code.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// An optional text field of a category: a string, null or absent.
fn category_text(entry: &Value, key: &str) -> std::result::Result<Option<String>, ()> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(()),
    }
}

/// Reads the answer of `GET /tax_categories`.
///
/// The reference lists the categories as a table (code and description)
/// but shows no body, so these shapes are read: a bare list, or an object
/// whose `categories` or `tax_categories` field is the list; each entry
/// with `product_tax_code` (or `code`, a string or a number) and optional
/// `description` and `name`.
pub fn parse_categories(status: u16, body: &str) -> Result<Vec<LegacyCategory>> {
    if !(200..300).contains(&status) {
        return Err(upstream_error(Endpoint::Categories, status, body));
    }
    let value: Value = parse_body(status, body)?;
    let unparseable = |why: String| Error {
        status: Some(status),
        ..Error::new(
            Code::UpstreamUnparseable,
            format!("TaxJar's tax categories {why}"),
        )
    };
    let list = match value {
        Value::Array(_) => value,
        Value::Object(mut o) => match (o.remove("categories"), o.remove("tax_categories")) {
            (Some(list), _) | (None, Some(list)) => list,
            (None, None) => return Err(unparseable("have no categories list".into())),
        },
        _ => return Err(unparseable("are not a list".into())),
    };
    // Read by hand from the value: serde's reader for a `Value` source
    // would be one more copy of the derive in the wasm.
    let Value::Array(entries) = list else {
        return Err(unparseable("are not a list".into()));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            if !entry.is_object() {
                return Err(unparseable(format!("entry {i} is not an object")));
            }
            let code = category_code(entry.get("product_tax_code"))
                .or_else(|| category_code(entry.get("code")));
            let code = code.ok_or_else(|| unparseable(format!("entry {i} has no code")))?;
            let text = |key: &str| {
                category_text(entry, key)
                    .map_err(|()| unparseable(format!("entry {i} has a {key} that is not text")))
            };
            Ok(LegacyCategory {
                product_tax_code: code,
                description: text("description")?,
                name: text("name")?,
            })
        })
        .collect()
}

fn opt_rate<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => serializer.serialize_str(&format_rate(*v)),
        None => serializer.serialize_none(),
    }
}

/// The rates of a location, from `GET /locations/...`. Rates arrive as
/// strings (`"0.07"`) or numbers and go out to JS as decimal strings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct LegacyLocation {
    /// State or province code.
    #[serde(default)]
    pub state: Option<String>,
    /// ZIP or postal code.
    #[serde(default)]
    pub zip: Option<String>,
    /// Country code, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State rate.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "opt_rate"
    )]
    pub state_rate: Option<Decimal>,
    /// City name.
    #[serde(default)]
    pub city: Option<String>,
    /// City rate.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "opt_rate"
    )]
    pub city_rate: Option<Decimal>,
    /// County name.
    #[serde(default)]
    pub county: Option<String>,
    /// County rate.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "opt_rate"
    )]
    pub county_rate: Option<Decimal>,
    /// All city and county districts together.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "opt_rate"
    )]
    pub combined_district_rate: Option<Decimal>,
    /// The rate to collect: state, county, city and districts.
    #[serde(
        default,
        deserialize_with = "wire::opt_decimal",
        serialize_with = "opt_rate"
    )]
    pub combined_rate: Option<Decimal>,
}

#[derive(Deserialize)]
struct LocationBody {
    location: LegacyLocation,
}

/// Reads the `{location: {...}}` answer of `GET /locations/...`; error
/// statuses carry the reference's meaning for this endpoint (404: "Five
/// digit zip not recognized").
pub fn parse_location(status: u16, body: &str) -> Result<LegacyLocation> {
    if !(200..300).contains(&status) {
        return Err(upstream_error(Endpoint::Location, status, body));
    }
    parse_body::<LocationBody>(status, body).map(|b| b.location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_paths() {
        let r = location_request(" 65049 ", Some("Lake Ozark"), Some("us")).unwrap();
        assert_eq!(
            r.path_and_query(),
            "/locations/65049/Lake%20Ozark?country=US"
        );
        let r = location_request("V0J 1A0", None, Some("CA")).unwrap();
        assert_eq!(r.path_and_query(), "/locations/V0J%201A0?country=CA");
        let e = location_request("V0J1A0", Some("Aiyansh"), None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("country"));
        let e = location_request(" ", None, None).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::MissingField, Some("zip"))
        );
    }

    #[test]
    fn category_shapes() {
        let bare =
            parse_categories(200, r#"[{"code":99999,"description":"Other Exempt"}]"#).unwrap();
        assert_eq!(bare[0].product_tax_code, "99999");
        let wrapped =
            parse_categories(200, r#"{"tax_categories":[{"product_tax_code":"20010"}]}"#).unwrap();
        assert_eq!(wrapped[0].product_tax_code, "20010");
        let e = parse_categories(200, r#"{"x":1}"#).unwrap_err();
        assert_eq!(e.code, Code::UpstreamUnparseable);
        let e = parse_categories(200, r#"[{"description":"no code"}]"#).unwrap_err();
        assert!(e.message.contains("entry 0"), "{}", e.message);
        let e = parse_categories(401, "").unwrap_err();
        assert_eq!(e.code, Code::Unauthorized);
    }

    #[test]
    fn location_errors_have_the_references_meaning() {
        let cases = [
            (400, Code::UpstreamError, "Zip not provided."),
            (
                401,
                Code::Unauthorized,
                "Access token is missing or invalid.",
            ),
            (404, Code::UpstreamError, "Five digit zip not recognized."),
            (
                500,
                Code::UpstreamError,
                "Please contact support@taxjar.com",
            ),
        ];
        for (status, code, meaning) in cases {
            let e = parse_location(status, "").unwrap_err();
            assert_eq!((e.code, e.status), (code, Some(status)));
            assert!(e.message.contains(meaning), "{}", e.message);
        }
        let e = parse_location(200, "Bad Gateway").unwrap_err();
        assert_eq!(e.code, Code::UpstreamUnparseable);
    }

    #[test]
    fn tax_categories_of_the_reference() {
        assert_eq!(categories_request().path_and_query(), "/tax_categories");
        // The reference gives the categories as a table, not a body.
        let table = [
            "99999 Other Exempt, item is to be treated as always exempt.",
            "20010 Clothing; normal clothing for human use.",
            "40030 Food & Groceries; uncooked or unheated food for human consumption",
            "51020 Prescription drugs; for human use",
            "51010 Non-prescription drugs; for human use",
            "31000 Digital Goods",
            "30070 Software as a Service",
        ];
        let rows: Vec<(&str, &str)> = table.iter().map(|l| l.split_once(' ').unwrap()).collect();
        let entries: Vec<serde_json::Value> = rows
            .iter()
            .map(|(code, d)| serde_json::json!({"product_tax_code": code, "description": d}))
            .collect();
        let body = serde_json::json!({ "categories": entries }).to_string();
        let got: Vec<(String, String)> = parse_categories(200, &body)
            .unwrap()
            .into_iter()
            .map(|c| (c.product_tax_code, c.description.unwrap()))
            .collect();
        let codes: Vec<&str> = got.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(
            codes,
            ["99999", "20010", "40030", "51020", "51010", "31000", "30070"]
        );
        assert!(got.iter().zip(&rows).all(|(g, r)| g.1 == r.1));
    }
}
