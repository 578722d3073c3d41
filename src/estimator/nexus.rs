//! The nexus gate: whether a destination is somewhere the seller collects.

use serde::Deserialize;

use crate::json::Json;
use crate::model::read::{opt_list, opt_string, visit};
use crate::validate::ValidCart;

/// A region where the seller has nexus, as TaxJar lists them.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Region {
    /// ISO country code.
    pub country_code: String,
    /// State or province code (absent for whole countries).
    #[serde(default)]
    pub region_code: Option<String>,
}

/// `GET /v2/nexus/regions`.
#[derive(Debug, Deserialize)]
pub struct RegionsResponse {
    /// The regions.
    pub regions: Vec<Region>,
}

impl Region {
    /// A region from JSON, as its derive read it: `country_code` must be
    /// a string, `region_code` a string or null.
    pub fn from_json(value: &Json) -> Result<Region, String> {
        let (mut country_code, mut region_code) = (None, None);
        visit(
            value,
            &["country_code", "region_code"],
            "struct Region",
            |i, v| {
                if i == 0 {
                    let code = v.as_str().ok_or_else(|| v.invalid_type("a string"))?;
                    country_code = Some(code.to_owned());
                } else {
                    region_code = opt_string(Some(v))?;
                }
                Ok(())
            },
        )?;
        Ok(Region {
            country_code: country_code.ok_or("missing field `country_code`")?,
            region_code,
        })
    }

    /// A list of regions from JSON.
    pub fn list_from_json(value: &Json) -> Result<Vec<Region>, String> {
        match value {
            Json::Array(_) => Ok(opt_list(Some(value), Region::from_json)?.unwrap_or_default()),
            other => Err(other.invalid_type("a sequence")),
        }
    }
}

impl RegionsResponse {
    /// `GET /v2/nexus/regions`'s answer from JSON, as its derive read it.
    pub fn from_json(value: &Json) -> Result<RegionsResponse, String> {
        let mut regions = None;
        visit(value, &["regions"], "struct RegionsResponse", |_, v| {
            regions = Some(Region::list_from_json(v)?);
            Ok(())
        })?;
        Ok(RegionsResponse {
            regions: regions.ok_or("missing field `regions`")?,
        })
    }
}

/// True when the cart's destination is inside `regions` or inside the
/// cart's own `nexus_addresses`. US and Canadian destinations match on
/// (country, state); elsewhere on country alone.
pub fn has_nexus(cart: &ValidCart, regions: &[Region]) -> bool {
    let Some(country) = cart.to.country.as_deref() else {
        return false;
    };
    let by_state = matches!(country, "US" | "CA");
    let state = cart.to.state.as_deref();
    let matches = |c: &str, s: Option<&str>| {
        c.eq_ignore_ascii_case(country)
            && (!by_state || s.zip(state).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)))
    };
    regions
        .iter()
        .any(|r| matches(&r.country_code, r.region_code.as_deref()))
        || cart
            .nexus_addresses
            .iter()
            .any(|n| matches(n.country.as_deref().unwrap_or_default(), n.state.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Cart;

    fn cart(json: &str) -> ValidCart {
        ValidCart::new(&Cart::from_json(json).unwrap()).unwrap()
    }

    fn regions(list: &[(&str, Option<&str>)]) -> Vec<Region> {
        list.iter()
            .map(|(c, r)| Region {
                country_code: c.to_string(),
                region_code: r.map(str::to_owned),
            })
            .collect()
    }

    #[test]
    fn matches_state_in_us_and_canada_country_elsewhere() {
        let ny = regions(&[("US", Some("NY")), ("CA", Some("ON")), ("FR", None)]);
        assert!(has_nexus(
            &cart(r#"{"to_zip":"10541","to_state":"NY","amount":1}"#),
            &ny
        ));
        assert!(!has_nexus(
            &cart(r#"{"to_zip":"90002","to_state":"CA","amount":1}"#),
            &ny
        ));
        assert!(has_nexus(
            &cart(r#"{"to_country":"CA","to_zip":"M5V 2T6","to_state":"ON","amount":1}"#),
            &ny
        ));
        assert!(!has_nexus(
            &cart(r#"{"to_country":"CA","to_zip":"V5K 0A1","to_state":"BC","amount":1}"#),
            &ny
        ));
        assert!(has_nexus(&cart(r#"{"to_country":"FR","amount":1}"#), &ny));
        assert!(!has_nexus(&cart(r#"{"to_country":"DE","amount":1}"#), &ny));
    }

    #[test]
    fn the_carts_own_nexus_addresses_count() {
        let none: Vec<Region> = Vec::new();
        let c = cart(
            r#"{"to_zip":"90002","to_state":"CA","amount":1,"nexus_addresses":[{"country":"US","state":"CA"}]}"#,
        );
        assert!(has_nexus(&c, &none));
        let c = cart(
            r#"{"to_zip":"90002","to_state":"CA","amount":1,"nexus_addresses":[{"country":"US","state":"NV"}]}"#,
        );
        assert!(!has_nexus(&c, &none));
    }
}
