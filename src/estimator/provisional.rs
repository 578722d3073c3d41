//! Provisional estimates: what a TaxJar answer taught about a tax context,
//! applied at once to the next cart in that context, until TaxJar's own
//! answer for it comes.
//!
//! A lesson keeps, per product tax code (and for lines without one), the
//! combined rate TaxJar applied and whether the line was taxed at all; and
//! whether shipping was taxed, at what rate. A new cart is estimated by
//! building the answer TaxJar would give from those rates (each line's
//! exact tax, the total rounded once) and applying it like any answer, so
//! it is rounded and reconciled like every estimate.
//!
//! It never guesses: a cart with a line whose code (or, for a code, whose
//! unit price) was not taught, or whose shipping rule is not known, gets no
//! provisional estimate. Unit prices matter because TaxJar's thresholds are
//! per unit (New York clothing under $110, Massachusetts over $175).

use rust_decimal::Decimal;

use crate::estimate::{apply_tax, zero_estimate, Estimate, Source};
use crate::key::context_key;
use crate::model::taxes::{Breakdown, LineBreakdown, Rates, ShippingBreakdown};
use crate::model::{Tax, TaxResponse};
use crate::money::{ratio, round_dp, Money};
use crate::split::discounts;
use crate::validate::ValidCart;

/// How many tax contexts are kept; a shopper has one or two.
const MAX_CONTEXTS: usize = 16;

/// How TaxJar taxed a line (or shipping): its combined rate, and whether
/// the whole of it was taxable (`false`: none of it was).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rule {
    rate: Decimal,
    taxed: bool,
}

/// What one tax context's answers taught.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lesson {
    /// TaxJar said: no nexus here. Every cart in the context is zero.
    no_nexus: bool,
    /// TaxJar applied an exemption that zeroes every cart (the customer's).
    exempt: bool,
    exemption_type: Option<String>,
    tax_source: Option<String>,
    /// Lines without a product tax code; `Some(None)`: seen, but taxed in
    /// part, so not a rule to apply.
    general: Option<Option<Rule>>,
    /// Per code: each unit price seen and its rule (`None`: taxed in part).
    codes: Vec<(String, Decimal, Option<Rule>)>,
    /// Shipping when some line is taxed, and when none is (TaxJar does not
    /// tax shipping on an order with nothing taxable).
    freight_with_taxed: Option<Option<Rule>>,
    freight_without_taxed: Option<Option<Rule>>,
    learned_at: f64,
}

/// The rule TaxJar's `rates` for an amount `net` show: the whole amount
/// taxed, none of it, or `None` for a part (or an answer without a rate).
fn rule_of(rates: &Rates, net: Money) -> Option<Rule> {
    let rate = rates.combined_tax_rate?;
    let taxable = Money::new(rates.taxable_amount.unwrap_or_default()).round_cents();
    if taxable.is_zero() && !net.is_zero() {
        return Some(Rule { rate, taxed: false });
    }
    (taxable == net).then_some(Rule { rate, taxed: true })
}

impl Lesson {
    /// Adds what TaxJar's `response` for `cart` shows; newer answers win.
    fn learn(&mut self, cart: &ValidCart, response: &TaxResponse, now: f64) {
        let tax = &response.tax;
        self.learned_at = now;
        self.no_nexus = !tax.has_nexus;
        self.exempt = tax
            .exemption_type
            .as_deref()
            .and_then(crate::validate::ExemptionType::parse)
            .is_some_and(|e| e.is_exempt());
        self.exemption_type = tax.exemption_type.clone();
        self.tax_source = tax.tax_source.clone();
        let Some(breakdown) = &tax.breakdown else {
            return;
        };
        let mut any_taxed = false;
        for (line, discount) in cart.lines.iter().zip(discounts(cart)) {
            let net = line.gross - *discount;
            let found = breakdown
                .line_items
                .iter()
                .find(|b| b.id.as_deref() == Some(line.id.as_str()));
            // A line of nothing teaches nothing: its taxable amount is zero
            // whatever the rule.
            let Some(found) = found.filter(|_| !net.is_zero()) else {
                continue;
            };
            let rule = rule_of(&found.rates, net);
            any_taxed |= rule.is_some_and(|r| r.taxed);
            match &line.product_tax_code {
                None => self.general = Some(rule),
                Some(code) => {
                    self.codes
                        .retain(|(c, price, _)| !(c == code && *price == line.unit_price));
                    self.codes.push((code.clone(), line.unit_price, rule));
                }
            }
        }
        let shipping = match &breakdown.shipping {
            _ if !tax.freight_taxable => Some(Rule {
                rate: Decimal::ZERO,
                taxed: false,
            }),
            Some(s) => rule_of(&s.rates, cart.shipping),
            None => None,
        };
        if any_taxed {
            self.freight_with_taxed = Some(shipping);
        } else {
            self.freight_without_taxed = Some(shipping);
        }
    }

    fn line_rule(&self, code: Option<&str>, unit_price: Decimal) -> Option<Rule> {
        match code {
            None => self.general?,
            Some(code) => {
                self.codes
                    .iter()
                    .find(|(c, price, _)| c == code && *price == unit_price)?
                    .2
            }
        }
    }

    /// The provisional estimate of `cart`, or `None` where a rate is not
    /// known.
    fn apply(&self, cart: &ValidCart) -> Option<Estimate> {
        if self.no_nexus || self.exempt {
            let mut estimate = zero_estimate(cart, Source::Provisional, !self.no_nexus);
            estimate.exemption_type = self.exemption_type.clone();
            return Some(provisional(estimate));
        }
        if cart.lines.is_empty() {
            return None;
        }
        let mut line_items = Vec::with_capacity(cart.lines.len());
        let (mut exact, mut taxable) = (Decimal::ZERO, Money::ZERO);
        let mut any_taxed = false;
        for (line, discount) in cart.lines.iter().zip(discounts(cart)) {
            let rule = self.line_rule(line.product_tax_code.as_deref(), line.unit_price)?;
            let net = line.gross - *discount;
            let part = part(rule, net);
            any_taxed |= rule.taxed && !net.is_zero();
            exact += part.0;
            taxable += net_if(rule, net);
            line_items.push(LineBreakdown {
                id: Some(line.id.clone()),
                rates: part.1,
            });
        }
        let freight = if any_taxed {
            self.freight_with_taxed
        } else {
            self.freight_without_taxed
        };
        let ship = match freight {
            Some(Some(rule)) => Some(rule),
            // Unknown, but nothing to tax.
            _ if cart.shipping.is_zero() => None,
            _ => return None,
        };
        let freight_taxable = ship.is_some_and(|r| r.taxed);
        let shipping = ship.filter(|r| r.taxed).map(|rule| {
            let (ship_exact, rates) = part(rule, cart.shipping);
            exact += ship_exact;
            taxable += cart.shipping;
            ShippingBreakdown { rates }
        });
        // TaxJar's overall rate: the exact tax over the taxable amount.
        let rate = ratio(exact, taxable.value(), 5).unwrap_or(Decimal::ZERO);
        let response = TaxResponse {
            tax: Tax {
                taxable_amount: Some(taxable.value()),
                amount_to_collect: round_dp(exact, 2),
                rate: Some(rate),
                has_nexus: true,
                freight_taxable,
                tax_source: self.tax_source.clone(),
                exemption_type: self.exemption_type.clone(),
                breakdown: Some(Breakdown {
                    rates: Rates::default(),
                    shipping,
                    line_items,
                }),
                ..Tax::default()
            },
        };
        Some(provisional(apply_tax(cart, &response)))
    }
}

fn provisional(mut estimate: Estimate) -> Estimate {
    estimate.source = Source::Provisional;
    estimate.provisional = true;
    estimate
}

fn net_if(rule: Rule, net: Money) -> Money {
    if rule.taxed {
        net
    } else {
        Money::ZERO
    }
}

/// The exact tax of `net` under `rule`, and the breakdown rates TaxJar
/// would show for it (its tax rounded on its own).
fn part(rule: Rule, net: Money) -> (Decimal, Rates) {
    let taxable = net_if(rule, net);
    let exact = taxable.value() * rule.rate;
    let rates = Rates {
        taxable_amount: Some(taxable.value()),
        tax_collectable: Some(round_dp(exact, 2)),
        combined_tax_rate: Some(rule.rate),
        ..Rates::default()
    };
    (exact, rates)
}

/// The lessons of the last few tax contexts.
#[derive(Debug, Default)]
pub struct Lessons {
    entries: Vec<(String, Lesson)>,
}

impl Lessons {
    /// No lessons yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns from TaxJar's `response` for `cart` (a real answer, never a
    /// backup estimate), at time `now` (ms).
    pub fn learn(&mut self, cart: &ValidCart, response: &TaxResponse, now: f64) {
        let tax = &response.tax;
        if tax.estimated == Some(true) || tax.source.is_some() {
            return;
        }
        let key = context_key(cart);
        let mut lesson = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(at) => self.entries.remove(at).1,
            None => Lesson::default(),
        };
        lesson.learn(cart, response, now);
        self.entries.push((key, lesson));
        if self.entries.len() > MAX_CONTEXTS {
            self.entries.remove(0);
        }
    }

    /// The provisional estimate of `cart` from a lesson of its context no
    /// older than `ttl_ms`, or `None`.
    pub fn estimate(&self, cart: &ValidCart, now: f64, ttl_ms: f64) -> Option<Estimate> {
        let key = context_key(cart);
        let (_, lesson) = self.entries.iter().find(|(k, _)| *k == key)?;
        if now - lesson.learned_at >= ttl_ms {
            return None;
        }
        lesson.apply(cart)
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// True when two estimates show the same figures to the cent: the total,
/// shipping's tax and every line's tax.
pub fn same_figures(a: &Estimate, b: &Estimate) -> bool {
    a.amount_to_collect == b.amount_to_collect
        && a.shipping.tax_collectable == b.shipping.tax_collectable
        && a.line_items.len() == b.line_items.len()
        && a.line_items.iter().all(|line| {
            b.line_items
                .iter()
                .any(|other| other.id == line.id && other.tax_collectable == line.tax_collectable)
        })
}

// Native only: proptest is not a wasm dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
