//! The `Estimate`: TaxJar's answer applied to a cart, reconciled so the
//! line taxes plus the shipping tax equal `amount_to_collect` exactly.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::json::write::{list, Object};
use crate::key::cart_key;
use crate::model::{LineBreakdown, Tax, TaxResponse};
use crate::money::{format_rate, round_dp, Money};
use crate::order::sorted_indices;
use crate::reconcile::{reconcile, Part};
use crate::split::{allocate, discounts};
use crate::validate::ValidCart;

/// The id of the single line that stands for an amount-only cart, so even
/// such a cart's tax sits on a line and the invariant holds.
pub const AMOUNT_LINE_ID: &str = "amount";

/// TaxJar's code for an exempt product.
const EXEMPT_PRODUCT_CODE: &str = "99999";

/// Where an estimate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A TaxJar answer.
    Taxjar,
    /// A memoized TaxJar answer.
    Cache,
    /// No call made: the seller has no nexus at the destination.
    NoNexus,
    /// No call made: the order is exempt.
    Exempt,
    /// A backup estimate from summarized rates.
    Offline,
    /// Computed at once from a TaxJar answer for the same tax context,
    /// until TaxJar's own answer for this cart comes.
    Provisional,
}

/// Tax for a cart, ready to show. Money and rates are decimal strings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// `cartKey` of the cart.
    pub key: String,
    /// Where it came from.
    pub source: Source,
    /// True for backup estimates that are not TaxJar's figures.
    pub estimated: bool,
    /// True for a provisional estimate: TaxJar's rates for this context
    /// applied to this cart, shown until TaxJar's answer for it comes.
    pub provisional: bool,
    /// The tax to charge.
    pub amount_to_collect: Money,
    /// TaxJar's overall rate.
    #[serde(serialize_with = "rate")]
    pub rate: Decimal,
    /// The order's taxable amount.
    pub taxable_amount: Money,
    /// Items after discounts, plus shipping (before tax).
    pub order_total_amount: Money,
    /// Whether the seller has nexus at the destination.
    pub has_nexus: bool,
    /// Whether shipping is taxable.
    pub freight_taxable: bool,
    /// `"destination"`, `"origin"`, or null.
    pub tax_source: Option<String>,
    /// The exemption applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_type: Option<String>,
    /// Shipping and its tax.
    pub shipping: ShippingEstimate,
    /// Per line, in cart order.
    pub line_items: Vec<LineEstimate>,
    /// The date the rates of a backup estimate were current.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rates_as_of: Option<String>,
    /// Things a person should know about the figures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Shipping in an estimate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShippingEstimate {
    /// Shipping charged, net of its discount.
    pub amount: Money,
    /// The part of it that is taxed.
    pub taxable_amount: Money,
    /// Its tax.
    pub tax_collectable: Money,
}

/// One line in an estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineEstimate {
    /// The line's id.
    pub id: String,
    /// `unit_price × quantity`.
    pub amount: Money,
    /// All discount on the line, its share of the order discount included.
    pub discount: Money,
    /// The part of it that is taxed.
    pub taxable_amount: Money,
    /// Its tax.
    pub tax_collectable: Money,
    /// The rate applied to it.
    #[serde(serialize_with = "rate")]
    pub combined_tax_rate: Decimal,
}

impl Source {
    /// The name JSON gives it (`"no_nexus"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Taxjar => "taxjar",
            Source::Cache => "cache",
            Source::NoNexus => "no_nexus",
            Source::Exempt => "exempt",
            Source::Offline => "offline",
            Source::Provisional => "provisional",
        }
    }
}

impl Estimate {
    /// The estimate as JSON text, byte for byte what serde_json wrote for
    /// it (money and rates as decimal strings), without serde.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(400 + 160 * self.line_items.len());
        let money = |m: Money| m.to_string();
        let mut o = Object::new(&mut out);
        o.str("key", &self.key)
            .str("source", self.source.as_str())
            .bool("estimated", self.estimated)
            .bool("provisional", self.provisional)
            .str("amount_to_collect", &money(self.amount_to_collect))
            .str("rate", &format_rate(self.rate))
            .str("taxable_amount", &money(self.taxable_amount))
            .str("order_total_amount", &money(self.order_total_amount))
            .bool("has_nexus", self.has_nexus)
            .bool("freight_taxable", self.freight_taxable)
            .opt_str("tax_source", self.tax_source.as_deref())
            .some_str("exemption_type", self.exemption_type.as_deref());
        let shipping = &self.shipping;
        Object::new(o.key("shipping"))
            .str("amount", &money(shipping.amount))
            .str("taxable_amount", &money(shipping.taxable_amount))
            .str("tax_collectable", &money(shipping.tax_collectable))
            .end();
        list(o.key("line_items"), &self.line_items, |out, line| {
            Object::new(out)
                .str("id", &line.id)
                .str("amount", &money(line.amount))
                .str("discount", &money(line.discount))
                .str("taxable_amount", &money(line.taxable_amount))
                .str("tax_collectable", &money(line.tax_collectable))
                .str("combined_tax_rate", &format_rate(line.combined_tax_rate))
                .end()
        });
        o.some_str("rates_as_of", self.rates_as_of.as_deref());
        if !self.warnings.is_empty() {
            list(o.key("warnings"), &self.warnings, |out, w| {
                crate::json::write::string(out, w)
            });
        }
        o.end();
        out
    }
}

fn rate<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_rate(*value))
}

/// Lines and shipping of a cart with nothing taxed yet.
fn untaxed(cart: &ValidCart, source: Source, has_nexus: bool) -> Estimate {
    let mut line_items: Vec<LineEstimate> = cart
        .lines
        .iter()
        .zip(discounts(cart))
        .map(|(line, discount)| LineEstimate {
            id: line.id.clone(),
            amount: line.gross,
            discount: *discount,
            taxable_amount: Money::ZERO,
            tax_collectable: Money::ZERO,
            combined_tax_rate: Decimal::ZERO,
        })
        .collect();
    if let (true, Some(amount)) = (line_items.is_empty(), cart.amount) {
        line_items.push(LineEstimate {
            id: AMOUNT_LINE_ID.to_owned(),
            amount,
            discount: Money::ZERO,
            taxable_amount: Money::ZERO,
            tax_collectable: Money::ZERO,
            combined_tax_rate: Decimal::ZERO,
        });
    }
    let items: Money = line_items.iter().map(|l| l.amount - l.discount).sum();
    Estimate {
        key: cart_key(cart),
        source,
        estimated: false,
        provisional: false,
        amount_to_collect: Money::ZERO,
        rate: Decimal::ZERO,
        taxable_amount: Money::ZERO,
        order_total_amount: items + cart.shipping,
        has_nexus,
        freight_taxable: false,
        tax_source: None,
        exemption_type: cart.exemption_type.map(|e| e.as_str().to_owned()),
        shipping: ShippingEstimate {
            amount: cart.shipping,
            taxable_amount: Money::ZERO,
            tax_collectable: Money::ZERO,
        },
        line_items,
        rates_as_of: None,
        warnings: Vec::new(),
    }
}

/// An estimate of zero tax for `cart`, for orders that need no call (no
/// nexus, exempt). Every tax is `0.00`, which is trivially reconciled.
pub fn zero_estimate(cart: &ValidCart, source: Source, has_nexus: bool) -> Estimate {
    untaxed(cart, source, has_nexus)
}

/// Applies TaxJar's `{tax: {...}}` answer to the cart it was asked for.
///
/// With a per-line breakdown, TaxJar's line values are kept and only the
/// cents they miss are moved (see `reconcile`). Without one, the total
/// is split over lines by taxable amount (and over shipping when freight
/// is taxable). No nexus, or an exempt order, gives zero everywhere.
pub fn apply_tax(cart: &ValidCart, response: &TaxResponse) -> Estimate {
    let tax = &response.tax;
    let exempt = cart.exemption_type.is_some_and(|e| e.is_exempt())
        || tax
            .exemption_type
            .as_deref()
            .and_then(crate::validate::ExemptionType::parse)
            .is_some_and(|e| e.is_exempt());
    let mut estimate = untaxed(cart, Source::Taxjar, tax.has_nexus);
    estimate.tax_source = tax.tax_source.clone();
    estimate.freight_taxable = tax.freight_taxable;
    if let Some(e) = &tax.exemption_type {
        estimate.exemption_type = Some(e.clone());
    }
    if let Some(total) = tax.order_total_amount {
        estimate.order_total_amount = Money::new(total).round_cents();
    }
    // The Worker's backup estimates say so; keep the flags, so nobody shows
    // or memoizes one as TaxJar's figure.
    if tax.estimated == Some(true) || tax.source.as_deref() == Some("offline") {
        estimate.estimated = true;
        estimate.source = Source::Offline;
        estimate.rates_as_of = tax.rates_as_of.clone();
        estimate.warnings = tax.warnings.clone().unwrap_or_default();
    }
    if !tax.has_nexus || exempt {
        return estimate;
    }
    let rate = tax.rate.unwrap_or_default();
    estimate.rate = rate;
    estimate.amount_to_collect = Money::new(tax.amount_to_collect).round_cents();
    estimate.taxable_amount = Money::new(tax.taxable_amount.unwrap_or_default()).round_cents();
    spread(cart, tax, rate, &mut estimate);
    estimate
}

fn cents(value: Option<Decimal>) -> Money {
    Money::new(value.unwrap_or_default()).round_cents()
}

/// Fills line and shipping taxes so they sum to `amount_to_collect`.
fn spread(cart: &ValidCart, tax: &Tax, rate: Decimal, estimate: &mut Estimate) {
    let lines = tax
        .breakdown
        .as_ref()
        .map(|b| b.line_items.as_slice())
        .unwrap_or_default();
    let shipping = tax.breakdown.as_ref().and_then(|b| b.shipping.as_ref());
    let with_breakdown = !lines.is_empty();
    // TaxJar's lines in order of id (the crate's one sort, stable, so the
    // first of a repeated id comes first), searched by halves: matching
    // stays O(n log n) in the number of lines, with no hash table.
    let keyed: Vec<&LineBreakdown> = lines.iter().filter(|b| b.id.is_some()).collect();
    let by_id = sorted_indices(keyed.len(), &mut |a, b| keyed[a].id.cmp(&keyed[b].id));
    let find = |id: &str| -> Option<&LineBreakdown> {
        let at = by_id.partition_point(|&i| keyed[i].id.as_deref() < Some(id));
        let &i = by_id.get(at)?;
        (keyed[i].id.as_deref() == Some(id)).then_some(keyed[i])
    };
    // Parts in canonical order (lines by id, then shipping) so ties and
    // cents do not depend on the order the cart listed its lines in.
    // The estimate's lines are the cart's, one for one, unless a cart of
    // `amount` only got its single amount line.
    let order: Vec<usize> = if estimate.line_items.len() == cart.lines.len() {
        cart.lines_by_id().to_vec()
    } else {
        (0..estimate.line_items.len()).collect()
    };
    let mut parts = Vec::with_capacity(order.len() + 1);
    for &i in &order {
        let line = &mut estimate.line_items[i];
        let product_code = cart
            .lines
            .get(i)
            .and_then(|l| l.product_tax_code.as_deref());
        let part = if with_breakdown {
            let found = find(line.id.as_str());
            let taxable = found
                .and_then(|b| b.rates.taxable_amount)
                .unwrap_or_default();
            let line_rate = found
                .and_then(|b| b.rates.combined_tax_rate)
                .unwrap_or(if found.is_some() { rate } else { Decimal::ZERO });
            line.taxable_amount = cents(Some(taxable));
            line.combined_tax_rate = line_rate;
            Part {
                tax: cents(found.and_then(|b| b.rates.tax_collectable)),
                exact: taxable.saturating_mul(line_rate),
            }
        } else {
            let taxable = if product_code == Some(EXEMPT_PRODUCT_CODE) {
                Money::ZERO
            } else {
                line.amount - line.discount
            };
            line.taxable_amount = taxable;
            line.combined_tax_rate = rate;
            Part {
                tax: Money::ZERO,
                exact: taxable.value().saturating_mul(rate),
            }
        };
        parts.push(part);
    }
    let ship = &mut estimate.shipping;
    let ship_part = match shipping {
        Some(s) => {
            let taxable = s.rates.taxable_amount.unwrap_or_default();
            ship.taxable_amount = cents(Some(taxable));
            Some(Part {
                tax: cents(s.rates.tax_collectable),
                exact: taxable.saturating_mul(s.rates.combined_tax_rate.unwrap_or(rate)),
            })
        }
        None if tax.freight_taxable && !ship.amount.is_zero() => {
            ship.taxable_amount = ship.amount;
            Some(Part {
                tax: Money::ZERO,
                exact: ship.amount.value().saturating_mul(rate),
            })
        }
        None => None,
    };
    parts.extend(ship_part);
    let target = estimate.amount_to_collect;
    // In i128, and `None` for figures past i64 cents: no real tax is that
    // large, and such an answer is split afresh like any other.
    let given: Option<i128> = parts.iter().map(|p| p.tax.cents().map(i128::from)).sum();
    let off = given.zip(target.cents()).map(|(g, t)| g - i128::from(t));
    // A cent or two off: keep TaxJar's values and move only those cents.
    // More (no breakdown, or a partial one): split the total afresh.
    if !(with_breakdown
        && off.is_some_and(|off| off.unsigned_abs() <= parts.len() as u128)
        && reconcile(&mut parts, target))
    {
        fresh_split(&mut parts, target);
    }
    for (k, &i) in order.iter().enumerate() {
        estimate.line_items[i].tax_collectable = parts[k].tax;
    }
    if ship_part.is_some() {
        if let Some(last) = parts.last() {
            estimate.shipping.tax_collectable = last.tax;
        }
    }
}

/// Splits `target` over the parts by their unrounded tax; if none has any,
/// by nothing at all but order (the first part takes it).
fn fresh_split(parts: &mut [Part], target: Money) {
    if parts.is_empty() {
        return;
    }
    let mut weights: Vec<Decimal> = parts
        .iter()
        .map(|p| round_dp(p.exact, 6).max(Decimal::ZERO))
        .collect();
    if weights.iter().all(|w| w.is_zero()) {
        weights[0] = Decimal::ONE;
    }
    match allocate(target, &weights) {
        Ok(shares) => {
            for (part, share) in parts.iter_mut().zip(shares) {
                part.tax = share;
            }
        }
        // Too large to split in cents (no real tax is): the part with the
        // largest weight takes it all, so the parts still sum to the total.
        Err(_) => {
            let mut largest = 0;
            for (i, w) in weights.iter().enumerate() {
                if *w > weights[largest] {
                    largest = i;
                }
            }
            for (i, part) in parts.iter_mut().enumerate() {
                part.tax = if i == largest { target } else { Money::ZERO };
            }
        }
    }
}
