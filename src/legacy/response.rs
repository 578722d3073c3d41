//! Legacy answers: parsed, converted to the v2 `{tax: {...}}` shape, and
//! applied with [`apply_tax`], so both dialects reconcile the same way.
//!
//! Both answers are bare JSON objects, as the reference shows them (no
//! `{tax: ...}` envelope). A 203, a `Warning` header or a `msg` field
//! becomes [`Estimate::warnings`], not an error.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::de::MapAccess;
use serde::Deserialize;

use crate::error::{Code, Error, Result};
use crate::estimate::{apply_tax, Estimate};
use crate::model::rates::{deserialize_object, read_rates, FromObject, Rates};
use crate::model::{parse_body, Breakdown, LineBreakdown, ShippingBreakdown, Tax, TaxResponse};
use crate::money::{round_dp, wire, Money};
use crate::split::discounts;
use crate::validate::ValidCart;

use super::{upstream_error, Dialect, Endpoint};

/// The Standard answer: `{taxable_amount, amount_to_collect, rate,
/// has_nexus, freight_taxable, tax_source, msg?}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct StandardResponse {
    /// The amount taxed.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub taxable_amount: Option<Decimal>,
    /// The tax to collect.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount_to_collect: Decimal,
    /// The rate applied.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub rate: Option<Decimal>,
    /// Whether the seller has nexus at the destination.
    #[serde(default)]
    pub has_nexus: bool,
    /// Whether shipping is taxable.
    #[serde(default)]
    pub freight_taxable: bool,
    /// `"origin"` or `"destination"`.
    #[serde(default)]
    pub tax_source: Option<String>,
    /// A debugging message TaxJar appended.
    #[serde(default)]
    pub msg: Option<String>,
}

/// The Enhanced answer: order totals and a per-item, per-jurisdiction
/// `breakdown`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct EnhancedResponse {
    /// Items plus shipping, as TaxJar counted them.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub order_total_amount: Option<Decimal>,
    /// The tax to collect.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount_to_collect: Decimal,
    /// Whether the seller has nexus at the destination.
    #[serde(default)]
    pub has_nexus: bool,
    /// Whether shipping is taxable.
    #[serde(default)]
    pub freight_taxable: bool,
    /// `"origin"` or `"destination"`.
    #[serde(default)]
    pub tax_source: Option<String>,
    /// A debugging message TaxJar appended.
    #[serde(default)]
    pub msg: Option<String>,
    /// Detail per item and jurisdiction.
    #[serde(default)]
    pub breakdown: Option<EnhancedBreakdown>,
}

/// The `breakdown` of an Enhanced answer. Read by hand (see
/// [`crate::model::rates`]): its totals sit beside its own fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnhancedBreakdown {
    /// Jurisdiction totals (`state_tax_collectable`, ...).
    pub totals: Rates,
    /// Shipping: tax amounts and rates per jurisdiction.
    pub shipping: Option<Rates>,
    /// Per item, keyed by the line id sent: taxable amounts and rates.
    pub items: Option<BTreeMap<String, Rates>>,
}

impl FromObject for EnhancedBreakdown {
    const WHAT: &'static str = "a breakdown";
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> std::result::Result<Self, A::Error> {
        let (mut shipping, mut items) = (None, None);
        let totals = read_rates(&mut map, &["shipping", "items"], |name, map| {
            if name == "shipping" {
                shipping = map.next_value()?;
            } else {
                items = map.next_value()?;
            }
            Ok(())
        })?;
        Ok(EnhancedBreakdown {
            totals,
            shipping,
            items,
        })
    }
}

deserialize_object!(EnhancedBreakdown);

/// A parsed answer of either legacy dialect.
#[derive(Clone, Debug, PartialEq)]
pub enum LegacyResponse {
    /// From `/sales_tax`.
    Standard(StandardResponse),
    /// From `/v1/sales_tax` (boxed: it is much the larger).
    Enhanced(Box<EnhancedResponse>),
}

impl LegacyResponse {
    /// Reads an HTTP answer of `dialect`'s endpoint. Errors as
    /// `upstream_error` for non-2xx statuses, `upstream_unparseable` for
    /// a 2xx body that is not the expected JSON, `invalid_value` for v2.
    pub fn parse(dialect: Dialect, status: u16, body: &str) -> Result<LegacyResponse> {
        if !(200..300).contains(&status) {
            return Err(upstream_error(Endpoint::SalesTax, status, body));
        }
        match dialect {
            Dialect::LegacyStandard => parse_body(status, body).map(LegacyResponse::Standard),
            Dialect::LegacyEnhanced => {
                parse_body(status, body).map(|r| LegacyResponse::Enhanced(Box::new(r)))
            }
            Dialect::V2 => Err(Error::field(
                Code::InvalidValue,
                "dialect",
                "a v2 answer is read with model::parse_body",
            )),
        }
    }

    /// TaxJar's `msg`, if any.
    pub fn msg(&self) -> Option<&str> {
        match self {
            LegacyResponse::Standard(r) => r.msg.as_deref(),
            LegacyResponse::Enhanced(r) => r.msg.as_deref(),
        }
    }
}

/// Reads and applies a legacy answer: `status` and `body` as received,
/// `warning` the HTTP `Warning` header if there was one.
pub fn apply_legacy_body(
    cart: &ValidCart,
    dialect: Dialect,
    status: u16,
    body: &str,
    warning: Option<&str>,
) -> Result<Estimate> {
    let response = LegacyResponse::parse(dialect, status, body)?;
    Ok(apply_legacy(cart, &response, status, warning))
}

/// Applies a parsed legacy answer to the cart it was asked for (see
/// [`apply_tax`]), then adds its warnings: the `Warning` header's text,
/// the `msg`, and for a 203 with neither, what the reference says a 203
/// means.
pub fn apply_legacy(
    cart: &ValidCart,
    response: &LegacyResponse,
    status: u16,
    warning: Option<&str>,
) -> Estimate {
    let mut estimate = apply_tax(cart, &to_v2(cart, response));
    let mut warnings: Vec<String> = Vec::new();
    let texts = [warning.map(warning_text), response.msg().map(str::to_owned)];
    for text in texts.into_iter().flatten() {
        let text = text.trim().to_owned();
        if !text.is_empty() && !warnings.contains(&text) {
            warnings.push(text);
        }
    }
    if status == 203 && warnings.is_empty() {
        warnings.push(
            "TaxJar answered 203: the order amount does not match the shipping plus item totals"
                .to_owned(),
        );
    }
    estimate.warnings.extend(warnings);
    estimate
}

/// The text of a `Warning` header: of the RFC 7234 form `299 - "text"`
/// the quoted text, else the header as it is.
fn warning_text(header: &str) -> String {
    let header = header.trim();
    let quoted = header.split_once(' ').and_then(|(code, rest)| {
        let is_code = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
        let (start, end) = (rest.find('"')?, rest.rfind('"')?);
        (is_code && end > start).then(|| rest[start + 1..end].to_owned())
    });
    quoted.unwrap_or_else(|| header.to_owned())
}

/// A legacy answer in the v2 shape. Standard has no breakdown, so its tax
/// is split over lines as v2 does without one. Enhanced gets a breakdown
/// with one line per `items` key (the line id) and its shipping.
pub fn to_v2(cart: &ValidCart, response: &LegacyResponse) -> TaxResponse {
    let tax = match response {
        LegacyResponse::Standard(r) => Tax {
            taxable_amount: r.taxable_amount,
            amount_to_collect: r.amount_to_collect,
            rate: r.rate,
            has_nexus: r.has_nexus,
            freight_taxable: r.freight_taxable,
            tax_source: r.tax_source.clone(),
            ..Tax::default()
        },
        LegacyResponse::Enhanced(r) => enhanced(cart, r),
    };
    TaxResponse { tax }
}

fn enhanced(cart: &ValidCart, r: &EnhancedResponse) -> Tax {
    // Inserted one by one: `collect` into a map sorts first, which is one
    // more copy of std's sort in the wasm.
    let mut nets: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (l, d) in cart.lines.iter().zip(discounts(cart)) {
        nets.insert(l.id.as_str(), (l.gross - *d).value());
    }
    let breakdown = r.breakdown.as_ref();
    let mut taxable = Decimal::ZERO;
    let mut rate = Decimal::ZERO;
    let mut line_items = Vec::new();
    for (id, rates) in breakdown
        .and_then(|b| b.items.as_ref())
        .into_iter()
        .flatten()
    {
        let f = Figures::of(rates, nets.get(id.as_str()).copied().unwrap_or_default());
        taxable = taxable.saturating_add(f.taxable);
        rate = rate.max(f.nominal);
        line_items.push(LineBreakdown {
            id: Some(id.clone()),
            rates: f.rates(),
        });
    }
    let shipping = breakdown.and_then(|b| b.shipping.as_ref()).map(|rates| {
        let f = Figures::of(rates, cart.shipping.value());
        taxable = taxable.saturating_add(f.taxable);
        rate = rate.max(f.nominal);
        ShippingBreakdown { rates: f.rates() }
    });
    Tax {
        order_total_amount: r.order_total_amount,
        taxable_amount: Some(taxable),
        amount_to_collect: r.amount_to_collect,
        // The highest combined rate of any part is the location's full
        // rate (exempt parts report lower ones).
        rate: Some(rate),
        has_nexus: r.has_nexus,
        freight_taxable: r.freight_taxable,
        tax_source: r.tax_source.clone(),
        breakdown: breakdown.map(|b| Breakdown {
            rates: b.totals.clone(),
            shipping,
            line_items,
        }),
        ..Tax::default()
    }
}

/// One part's tax, derived from its jurisdictions.
#[derive(Default)]
struct Figures {
    /// The largest jurisdiction taxable amount.
    taxable: Decimal,
    /// Σ per-jurisdiction tax, each rounded to cents as TaxJar rounds.
    tax: Money,
    /// Σ taxable × rate, unrounded.
    exact: Decimal,
    /// Σ rates, taxed or not.
    nominal: Decimal,
}

impl Figures {
    /// Per jurisdiction: its tax amount when given (shipping), else its
    /// taxable amount × rate (items), rounded to the cent. A jurisdiction
    /// with an amount but no taxable amount taxes `fallback` (the part's
    /// own amount). Saturating: an answer's figures past `Decimal`'s range
    /// are garbage, but must not panic (`apply_tax` still reconciles).
    fn of(r: &Rates, fallback: Decimal) -> Figures {
        let mut f = Figures::default();
        for (taxable, rate, amount) in jurisdictions(r) {
            let rate = rate.unwrap_or_default();
            let taxable = match (taxable, amount) {
                (Some(t), _) => t,
                (None, Some(a)) if !a.is_zero() => fallback,
                (None, _) => Decimal::ZERO,
            };
            let exact = taxable.saturating_mul(rate);
            let tax = Money::new(amount.unwrap_or(exact)).round_cents();
            f.tax = Money::new(f.tax.value().saturating_add(tax.value()));
            f.taxable = f.taxable.max(taxable);
            f.exact = f.exact.saturating_add(exact);
            f.nominal = f.nominal.saturating_add(rate);
        }
        f
    }

    /// As v2 line figures; the rate is the effective one (exact tax over
    /// taxable amount), so reconciling weighs each part by its real tax.
    fn rates(&self) -> Rates {
        let rate = if self.taxable.is_zero() {
            Decimal::ZERO
        } else {
            let saturated = if self.exact.is_sign_negative() == self.taxable.is_sign_negative() {
                Decimal::MAX
            } else {
                Decimal::MIN
            };
            round_dp(self.exact.checked_div(self.taxable).unwrap_or(saturated), 6)
        };
        Rates {
            taxable_amount: Some(self.taxable),
            tax_collectable: Some(self.tax.value()),
            combined_tax_rate: Some(rate),
            ..Rates::default()
        }
    }
}

type Jurisdiction = (Option<Decimal>, Option<Decimal>, Option<Decimal>);

/// `(taxable amount, rate, tax amount)` of each jurisdiction, under the
/// names items, shipping and order totals use.
fn jurisdictions(r: &Rates) -> [Jurisdiction; 8] {
    [
        (
            r.state_taxable_amount,
            r.state_sales_tax_rate.or(r.state_tax_rate),
            r.state_amount.or(r.state_tax_collectable),
        ),
        (
            r.county_taxable_amount,
            r.county_tax_rate,
            r.county_amount.or(r.county_tax_collectable),
        ),
        (
            r.city_taxable_amount,
            r.city_tax_rate,
            r.city_amount.or(r.city_tax_collectable),
        ),
        (
            r.special_district_taxable_amount
                .or(r.special_taxable_amount),
            r.special_tax_rate,
            r.special_district_amount
                .or(r.special_district_tax_collectable),
        ),
        (
            r.country_taxable_amount,
            r.country_tax_rate,
            r.country_tax_collectable,
        ),
        (r.gst_taxable_amount, r.gst_tax_rate, r.gst),
        (r.pst_taxable_amount, r.pst_tax_rate, r.pst),
        (r.qst_taxable_amount, r.qst_tax_rate, r.qst),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_header_forms() {
        assert_eq!(
            warning_text(r#"299 - "Order amount off""#),
            "Order amount off"
        );
        assert_eq!(warning_text(" plain text "), "plain text");
        assert_eq!(warning_text("199 x"), "199 x");
    }

    #[test]
    fn standard_errors_and_bad_bodies() {
        let e = LegacyResponse::parse(Dialect::LegacyStandard, 500, "").unwrap_err();
        assert_eq!((e.code, e.status), (Code::UpstreamError, Some(500)));
        assert!(e.message.contains("internal error"), "{}", e.message);
        let e = LegacyResponse::parse(Dialect::LegacyStandard, 200, "<html>").unwrap_err();
        assert_eq!((e.code, e.status), (Code::UpstreamUnparseable, Some(200)));
        let e = LegacyResponse::parse(Dialect::LegacyEnhanced, 200, r#"{"tax":{}}"#).unwrap_err();
        assert_eq!(e.code, Code::UpstreamUnparseable);
    }

    #[test]
    fn shipping_amounts_without_taxable_use_the_shipping() {
        let rates: Rates =
            serde_json::from_str(r#"{"state_amount":0.22,"state_sales_tax_rate":0.04,"city_amount":0,"city_tax_rate":0.01}"#)
                .unwrap();
        let f = Figures::of(&rates, Decimal::new(545, 2));
        assert_eq!(f.tax.to_string(), "0.22");
        assert_eq!(f.taxable, Decimal::new(545, 2));
        assert_eq!(f.exact, Decimal::new(2180, 4));
        assert_eq!(f.nominal, Decimal::new(5, 2));
    }
}
