//! Address rules: countries, ZIP and postal codes, states and provinces,
//! and nexus addresses, for [`super::Checker`].

use super::{text, upper, Address, Checker};
use crate::cart::{Cart, NexusAddress};
use crate::error::Code;
use crate::regions;

impl Checker {
    /// Checks one side's address. Destination rules are strict (TaxJar
    /// needs them); origin fields are checked only when given.
    pub(super) fn address(
        &mut self,
        side: &str,
        country: Option<String>,
        zip: Option<String>,
        cart: &Cart,
        required: bool,
    ) -> Address {
        let (state, city, street) = if side == "to" {
            (&cart.to_state, &cart.to_city, &cart.to_street)
        } else {
            (&cart.from_state, &cart.from_city, &cart.from_street)
        };
        let country = self.country(country, &format!("{side}_country"));
        let zip = self.zip(
            country.as_deref(),
            text(&zip),
            &format!("{side}_zip"),
            required,
        );
        let state = self.state(
            country.as_deref(),
            upper(state),
            &format!("{side}_state"),
            required,
        );
        Address {
            country,
            zip,
            state,
            city: text(city),
            street: text(street),
        }
    }

    pub(super) fn country(&mut self, country: Option<String>, field: &str) -> Option<String> {
        let country = country?;
        if regions::is_country(&country) {
            Some(country)
        } else {
            self.push(
                Code::InvalidCountry,
                field,
                format!("\"{country}\" is not an ISO 3166-1 alpha-2 country code"),
            );
            None
        }
    }

    pub(super) fn zip(
        &mut self,
        country: Option<&str>,
        zip: Option<String>,
        field: &str,
        required: bool,
    ) -> Option<String> {
        let Some(zip) = zip else {
            if required && country == Some("US") {
                self.push(
                    Code::MissingField,
                    field,
                    format!("{field} is required for US addresses"),
                );
            }
            return None;
        };
        match country {
            Some("US") if !regions::is_us_zip(&zip) => {
                self.push(
                    Code::InvalidZip,
                    field,
                    format!("\"{zip}\" is not a US ZIP (12345 or 12345-6789)"),
                );
                None
            }
            Some("CA") => match regions::canadian_postal_code(&zip) {
                Some(normal) => Some(normal),
                None => {
                    self.push(
                        Code::InvalidZip,
                        field,
                        format!("\"{zip}\" is not a Canadian postal code (A1A 1A1)"),
                    );
                    None
                }
            },
            _ => Some(zip),
        }
    }

    pub(super) fn state(
        &mut self,
        country: Option<&str>,
        state: Option<String>,
        field: &str,
        required: bool,
    ) -> Option<String> {
        let needs_code = matches!(country, Some("US") | Some("CA"));
        let Some(state) = state else {
            if required && needs_code {
                self.push(
                    Code::MissingField,
                    field,
                    format!(
                        "{field} is required for {} addresses",
                        country.unwrap_or_default()
                    ),
                );
            }
            return None;
        };
        if needs_code && !regions::is_region(country.unwrap_or_default(), &state) {
            self.push(
                Code::InvalidState,
                field,
                format!(
                    "\"{state}\" is not a {} state or province code",
                    country.unwrap_or_default()
                ),
            );
            return None;
        }
        Some(state)
    }

    pub(super) fn nexus(&mut self, addresses: &[NexusAddress]) -> Vec<NexusAddress> {
        let mut out = Vec::with_capacity(addresses.len());
        for (i, a) in addresses.iter().enumerate() {
            let at = |f: &str| format!("nexus_addresses[{i}].{f}");
            let country = upper(&a.country);
            if country.is_none() {
                self.push(
                    Code::MissingField,
                    &at("country"),
                    "a nexus address needs a country",
                );
            }
            let country = self.country(country, &at("country"));
            let zip = self.zip(country.as_deref(), text(&a.zip), &at("zip"), false);
            let state = self.state(country.as_deref(), upper(&a.state), &at("state"), true);
            out.push(NexusAddress {
                id: text(&a.id),
                country,
                state,
                zip,
                city: text(&a.city),
                street: text(&a.street),
            });
        }
        out
    }
}
