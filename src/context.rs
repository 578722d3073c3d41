//! Signed customer contexts: who the customer is, as the merchant's server
//! vouches for it, carried by the browser as the cart's `customer_context`.
//!
//! A browser cannot be trusted with `customer_id`, `exemption_type` or
//! `nexus_addresses`: with the store's token behind the Worker, a shopper
//! could ask for an exempt quote, or probe which customer ids are exempt.
//! So the server signs them (as Stripe's client secrets work) and the
//! Worker verifies the signature before it applies them.
//!
//! A token is `cc1.<payload>.<signature>`: the payload is the JSON
//! `{"customer_id":…,"exemption_type":…,"exempt_regions":[…],
//! "nexus_addresses":[…],"exp":<unix seconds>}` (empty lists omitted) in
//! base64url without padding, and the signature is HMAC-SHA256 of
//! `cc1.<payload>` under the shared secret, in base64url too.
//!
//! Time comes in as a parameter (`now`, unix seconds): only the bindings
//! read a clock.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::cart::read::{id_field, member, nexus_addresses, text_field};
use crate::cart::{Cart, NexusAddress};
use crate::error::{Code, Error, Result};
use crate::json::write::{list, Object};
use crate::json::Json as Value;
use crate::validate::{check_nexus_addresses, check_region, ExemptionType};

pub(crate) mod token;
pub(crate) use token::base64url;
use token::split;

/// The version tag every token starts with (`cc1.`).
pub(crate) const PREFIX: &str = "cc1";
/// The cart field that carries a token, and the field of its errors.
pub(crate) const FIELD: &str = "customer_context";
/// The shortest secret accepted, in characters.
pub const MIN_SECRET_CHARS: usize = 32;
/// How long a token lives when no `ttlSeconds` is given (one hour).
pub const DEFAULT_TTL_SECONDS: u64 = 3600;
/// The longest a token may live (seven days).
pub const MAX_TTL_SECONDS: u64 = 7 * 24 * 3600;

type HmacSha256 = Hmac<Sha256>;

/// A region where an exemption applies: a country, and for the US and
/// Canada a state or province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExemptRegion {
    /// ISO alpha-2 country, upper-case.
    pub country: String,
    /// State or province code, upper-case; `None` means the whole country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// What a token says about the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerContext {
    /// The TaxJar customer id.
    pub customer_id: String,
    /// The customer's exemption (`non_exempt` for none).
    pub exemption_type: ExemptionType,
    /// Where the exemption applies; empty means everywhere.
    pub exempt_regions: Vec<ExemptRegion>,
    /// The seller's nexus addresses for this customer's orders; empty means
    /// none (the account's own nexus applies).
    pub nexus_addresses: Vec<NexusAddress>,
    /// Expiry, in unix seconds: the token is refused once `now > exp`.
    pub exp: u64,
}

/// A context as applied to a cart: the token, forwarded to the Worker, and
/// the payload's canonical JSON without `exp`, which cart keys digest (so
/// two customers never share an answer, and a re-signed token does).
#[derive(Clone, PartialEq, Eq)]
pub struct Applied {
    /// The token as the cart carried it.
    pub token: String,
    /// [`CustomerContext::canonical`].
    pub canonical: String,
}

/// By hand: `ValidCart`'s `Debug` reaches the wasm, and a derived one here
/// pulled in the struct builders. The payload says what it is.
impl std::fmt::Debug for Applied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Applied({})", self.canonical)
    }
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::field(Code::InvalidValue, field, message)
}

fn bad_token(why: &str) -> Error {
    invalid(FIELD, format!("{FIELD} {why}"))
}

impl CustomerContext {
    /// Reads the fields a server signs (`customer_id`, `exemption_type`,
    /// optional `exempt_regions` and `nexus_addresses`) from a JSON object,
    /// checked and normalized, with expiry `exp`. Any other key is an
    /// `invalid_value` error naming it, so a misspelt field is never
    /// silently left out of what is signed.
    #[cfg(feature = "proxy")]
    pub fn from_fields(value: &serde_json::Value, exp: u64) -> Result<CustomerContext> {
        let value = Value::from(value);
        let object = fields_object(&value, "the customer context")?;
        read(object, &[], exp)
    }

    /// Reads a decoded payload (the fields and `exp`).
    fn from_payload(value: &Value) -> Result<CustomerContext> {
        let object = fields_object(value, "the payload")
            .map_err(|_| bad_token("has a payload that is not a JSON object"))?;
        let exp = match member(object, "exp").and_then(Value::as_u64) {
            Some(exp) => exp,
            None => return Err(bad_token("has no expiry")),
        };
        read(object, &["exp"], exp).map_err(|e| {
            let inner = e.field.unwrap_or_default();
            bad_token(&format!("carries a bad {inner}: {}", e.message))
        })
    }

    /// The payload as written: the fields in a fixed order, empty lists
    /// left out, `exp` last (and left out of the canonical form).
    fn written(&self, exp: Option<u64>) -> String {
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.str("customer_id", &self.customer_id)
            .str("exemption_type", self.exemption_type.as_str());
        if !self.exempt_regions.is_empty() {
            list(o.key("exempt_regions"), &self.exempt_regions, |out, r| {
                Object::new(out)
                    .str("country", &r.country)
                    .some_str("state", r.state.as_deref())
                    .end()
            });
        }
        if !self.nexus_addresses.is_empty() {
            list(o.key("nexus_addresses"), &self.nexus_addresses, |out, n| {
                n.write_json(out)
            });
        }
        if let Some(exp) = exp {
            o.raw("exp", &exp.to_string());
        }
        o.end();
        out
    }

    /// The payload JSON, as signed.
    pub fn payload_json(&self) -> String {
        self.written(Some(self.exp))
    }

    /// The payload JSON without `exp`: what the context says, whenever it
    /// was signed.
    pub fn canonical(&self) -> String {
        self.written(None)
    }

    /// The token for this context, signed with `secret`.
    pub fn sign(&self, secret: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(self.payload_json());
        let signed = format!("{PREFIX}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(mac(secret, &signed).finalize().into_bytes());
        format!("{signed}.{signature}")
    }

    /// Whether the exemption applies at the destination `country` and
    /// `state` (upper-case): everywhere without `exempt_regions`, else only
    /// in a listed country (and state, where one is listed).
    pub fn exempt_at(&self, country: &str, state: Option<&str>) -> bool {
        self.exempt_regions.is_empty()
            || self.exempt_regions.iter().any(|r| {
                r.country == country && r.state.as_deref().map_or(true, |s| Some(s) == state)
            })
    }

    /// Applies the context to `cart`: its `customer_id`, its
    /// `exemption_type` where [`Self::exempt_at`] the destination, and its
    /// nexus addresses when it carries any. The cart's own values of these
    /// fields must be absent or equal to the signed ones (else an
    /// `invalid_value` error naming the field). Cart nexus addresses the
    /// context does not carry are kept only when `caller_may_set_nexus`.
    pub fn apply(&self, cart: &mut Cart, caller_may_set_nexus: bool) -> Result<()> {
        let differs = |field: &str| {
            invalid(
                field,
                format!("{field} differs from the signed {FIELD}; leave it out of the cart"),
            )
        };
        if trimmed(&cart.customer_id).is_some_and(|id| id != self.customer_id) {
            return Err(differs("customer_id"));
        }
        if trimmed(&cart.exemption_type)
            .is_some_and(|t| ExemptionType::parse(t) != Some(self.exemption_type))
        {
            return Err(differs("exemption_type"));
        }
        let given = cart.nexus_addresses.as_deref().unwrap_or_default();
        if !given.is_empty() {
            if self.nexus_addresses.is_empty() {
                if !caller_may_set_nexus {
                    return Err(invalid(
                        "nexus_addresses",
                        format!("nexus_addresses are accepted only inside a signed {FIELD}"),
                    ));
                }
            } else if check_nexus_addresses(given)? != self.nexus_addresses {
                return Err(differs("nexus_addresses"));
            }
        }
        let country =
            trimmed(&cart.to_country).map_or_else(|| "US".to_owned(), str::to_ascii_uppercase);
        // ASCII only: codes are ASCII, and Unicode case tables cost the wasm kilobytes.
        let state = trimmed(&cart.to_state).map(str::to_ascii_uppercase);
        cart.customer_id = Some(self.customer_id.clone());
        cart.exemption_type = self
            .exempt_at(&country, state.as_deref())
            .then(|| self.exemption_type.as_str().to_owned());
        if !self.nexus_addresses.is_empty() {
            cart.nexus_addresses = Some(self.nexus_addresses.clone());
        }
        Ok(())
    }
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn fields_object<'a>(value: &'a Value, what: &str) -> Result<&'a [(String, Value)]> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(Error::new(
            Code::InvalidType,
            format!("{what} must be an object"),
        )),
    }
}

const FIELDS: [&str; 4] = [
    "customer_id",
    "exemption_type",
    "exempt_regions",
    "nexus_addresses",
];

/// Reads and checks the signed fields of `object`; `extra` are the other
/// keys allowed.
fn read(object: &[(String, Value)], extra: &[&str], exp: u64) -> Result<CustomerContext> {
    // The first unknown key in sorted order, as serde_json's map gave it.
    if let Some(key) = object
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !FIELDS.contains(&k.as_str()) && !extra.contains(&k.as_str()))
        .min()
    {
        return Err(invalid(
            key,
            format!("{key} is not a customer context field"),
        ));
    }
    let customer_id = id_field(object, "customer_id")?
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::field(
                Code::MissingField,
                "customer_id",
                "a customer context needs a customer_id",
            )
        })?;
    let exemption_type = match text_field(object, "exemption_type")? {
        None => {
            return Err(Error::field(
                Code::MissingField,
                "exemption_type",
                "a customer context needs an exemption_type (non_exempt for none)",
            ))
        }
        Some(t) => ExemptionType::parse(t.trim()).ok_or_else(|| {
            Error::field(
                Code::InvalidExemptionType,
                "exemption_type",
                format!(
                    "\"{t}\" is not one of wholesale, government, marketplace, other, non_exempt"
                ),
            )
        })?,
    };
    let exempt_regions = regions(object)?;
    let nexus = nexus_addresses(object)?.unwrap_or_default();
    Ok(CustomerContext {
        customer_id,
        exemption_type,
        exempt_regions,
        nexus_addresses: check_nexus_addresses(&nexus)?,
        exp,
    })
}

fn regions(object: &[(String, Value)]) -> Result<Vec<ExemptRegion>> {
    let items = match member(object, "exempt_regions") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(Error::field(
                Code::InvalidType,
                "exempt_regions",
                "exempt_regions must be a list",
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("exempt_regions[{i}]");
        let Value::Object(region) = item else {
            return Err(Error::field(
                Code::InvalidType,
                &at,
                format!("{at} must be an object"),
            ));
        };
        let text = |key: &str| text_field(region, key).map_err(|e| e.at(format!("{at}.{key}")));
        let (country, state) = check_region(&text("country")?, &text("state")?, &at)?;
        out.push(ExemptRegion { country, state });
    }
    Ok(out)
}

/// HMAC-SHA256 of `signed` under `secret`, ready to finalize or verify
/// (in constant time). Also the console's sessions (`crate::console`).
pub(crate) fn mac(secret: &str, signed: &str) -> HmacSha256 {
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length. (No `expect`: formatting the
        // error would put Debug code in the wasm.)
        Err(_) => unreachable!(),
    };
    mac.update(signed.as_bytes());
    mac
}

/// Checks the options of [`create`]: `secret` of at least
/// [`MIN_SECRET_CHARS`] characters, `ttl_seconds` a whole number from 1 to
/// [`MAX_TTL_SECONDS`]. Errors name `options.secret` and
/// `options.ttlSeconds`; they never contain the secret.
pub fn check_options(secret: Option<&str>, ttl_seconds: Option<f64>) -> Result<u64> {
    match secret {
        None => {
            return Err(Error::field(
                Code::InvalidValue,
                "options.secret",
                "options.secret is required",
            ))
        }
        Some(s) if s.chars().count() < MIN_SECRET_CHARS => {
            return Err(invalid(
                "options.secret",
                format!("options.secret must be at least {MIN_SECRET_CHARS} characters"),
            ))
        }
        Some(_) => {}
    }
    match ttl_seconds {
        None => Ok(DEFAULT_TTL_SECONDS),
        Some(t) if t.fract() == 0.0 && (1.0..=MAX_TTL_SECONDS as f64).contains(&t) => Ok(t as u64),
        Some(t) => Err(invalid(
            "options.ttlSeconds",
            format!("options.ttlSeconds {t} is not a whole number from 1 to {MAX_TTL_SECONDS}"),
        )),
    }
}

/// `customerContext`: the token for the fields in `value`, signed with
/// `secret`, expiring `ttl_seconds` (default one hour) after `now`.
#[cfg(feature = "proxy")]
pub fn create(
    value: &serde_json::Value,
    secret: Option<&str>,
    ttl_seconds: Option<f64>,
    now: u64,
) -> Result<String> {
    let ttl = check_options(secret, ttl_seconds)?;
    let context = CustomerContext::from_fields(value, now.saturating_add(ttl))?;
    Ok(context.sign(secret.unwrap_or_default()))
}

fn payload(encoded: &str) -> Result<CustomerContext> {
    let bytes =
        base64url(encoded).ok_or_else(|| bad_token("has a payload that is not base64url"))?;
    let value = String::from_utf8(bytes)
        .ok()
        .and_then(|text| crate::json::parse(&text).ok())
        .ok_or_else(|| bad_token("has a payload that is not JSON"))?;
    CustomerContext::from_payload(&value)
}

/// The context of `token` once its signature under `secret` is checked (in
/// constant time) and its expiry is not past `now`. Every failure is an
/// `invalid_value` error on `customer_context`; none says more than why.
pub fn verify(token: &str, secret: &str, now: u64) -> Result<CustomerContext> {
    let token = token.trim();
    let (encoded, signature) = split(token)?;
    let signature =
        base64url(signature).ok_or_else(|| bad_token("has a signature that is not base64url"))?;
    let signed = &token[..PREFIX.len() + 1 + encoded.len()];
    mac(secret, signed).verify_slice(&signature).map_err(|_| {
        bad_token("is not signed by this store (forged, altered or another secret)")
    })?;
    let context = payload(encoded)?;
    if now > context.exp {
        return Err(bad_token(
            "has expired; ask the store's server for a new one",
        ));
    }
    Ok(context)
}

/// The context of `token` without checking its signature or expiry: for
/// the `Estimator`, which holds no secret and uses it to plan and display
/// only (the Worker enforces it).
pub fn decode(token: &str) -> Result<CustomerContext> {
    let (encoded, _) = split(token.trim())?;
    payload(encoded)
}

/// The cart's `customer_context`, when it holds a non-blank one.
pub(crate) fn token_of(cart: &Cart) -> Option<String> {
    trimmed(&cart.customer_context).map(str::to_owned)
}

/// The valid form of `cart` with its context applied unverified (see
/// `apply_unverified`): what the `Estimator` and the exported functions
/// plan, key and request with.
pub fn valid_unverified(mut cart: Cart) -> Result<crate::validate::ValidCart> {
    let context = apply_unverified(&mut cart)?;
    let mut valid = crate::validate::ValidCart::new(&cart)?;
    valid.context = context;
    Ok(valid)
}

/// What the `Estimator` does with a cart's context: decodes it unverified
/// and applies it (see [`CustomerContext::apply`]); `None` without one.
pub(crate) fn apply_unverified(cart: &mut Cart) -> Result<Option<Applied>> {
    let Some(token) = token_of(cart) else {
        return Ok(None);
    };
    let context = decode(&token)?;
    context.apply(cart, true)?;
    Ok(Some(Applied {
        token,
        canonical: context.canonical(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_reads_what_the_crate_reads() {
        let mut seed = 1u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        // The 64 symbols, then a few that are not base64url.
        const SYMBOLS: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ";
        for _ in 0..300_000 {
            let len = next() % 11;
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    let of = if r % 16 == 0 { SYMBOLS.len() } else { 64 };
                    SYMBOLS[(r >> 4) as usize % of] as char
                })
                .collect();
            assert_eq!(
                base64url(&text),
                URL_SAFE_NO_PAD.decode(&text).ok(),
                "{text:?}"
            );
        }
        for bytes in [&b""[..], b"a", b"ab", b"abc", b"\xff\xfe\xfd\xfc"] {
            let text = URL_SAFE_NO_PAD.encode(bytes);
            assert_eq!(base64url(&text).as_deref(), Some(bytes));
        }
    }
}
