//! Cart validation: every rule, every bad field reported with its path, and
//! the checked, normalized [`ValidCart`] the later steps work on.

use rust_decimal::Decimal;

use crate::cart::{Cart, NexusAddress};
use crate::error::{Code, Error, Result};
use crate::money::{DecimalInput, Money};
use crate::order::sorted_indices;

mod address;
mod types;

pub use types::{Address, DiscountSplit, ExemptionType, Line, ValidCart};

/// The most line items a cart may have. edgetax's own cap, not TaxJar's
/// (which documents none): it bounds the work one request can cause, in
/// the browser and in the Worker.
pub(crate) const MAX_LINE_ITEMS: usize = 1000;

/// Money above this is refused, so sums over 1,000 lines never overflow.
const MAX_MONEY: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0); // 10^13

/// The most significant digits an amount may have: TaxJar reads JSON
/// numbers as 64-bit floats, exact to 15 digits, so a longer amount would
/// reach TaxJar (and the cart key) rounded.
const MAX_DIGITS: u32 = 15;

/// The number of significant digits of `value` (`0.0100` has 1).
fn significant_digits(value: Decimal) -> u32 {
    let mantissa = value.normalize().mantissa().unsigned_abs();
    mantissa.checked_ilog10().map_or(0, |d| d + 1)
}

/// The id given to the handling-fee line.
pub(crate) const HANDLING_FEE_ID: &str = "handling-fee";

/// Every problem with `cart`; empty when it is valid.
pub fn validate_cart(cart: &Cart) -> Vec<Error> {
    match check(cart) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    }
}

/// The valid form of `cart`, or every problem found.
pub fn check(cart: &Cart) -> std::result::Result<ValidCart, Vec<Error>> {
    check_with_max_lines(cart, MAX_LINE_ITEMS)
}

/// [`check`] with another cap on line items than `MAX_LINE_ITEMS`: the
/// scale benchmarks measure the same checks on carts past the cap.
pub fn check_with_max_lines(
    cart: &Cart,
    max_line_items: usize,
) -> std::result::Result<ValidCart, Vec<Error>> {
    let mut v = Checker {
        errors: Vec::new(),
        max_line_items,
    };
    let valid = v.cart(cart);
    if v.errors.is_empty() {
        Ok(valid)
    } else {
        Err(v.errors)
    }
}

/// Checks and normalizes nexus addresses as a cart's are (codes
/// upper-case, blanks dropped); the first problem is the error. Signed
/// customer contexts carry nexus addresses too.
pub(crate) fn check_nexus_addresses(addresses: &[NexusAddress]) -> Result<Vec<NexusAddress>> {
    let mut v = Checker {
        errors: Vec::new(),
        max_line_items: MAX_LINE_ITEMS,
    };
    let out = v.nexus(addresses);
    v.first().map(|()| out)
}

/// Checks one region (`country` required; `state` required and checked for
/// US and CA, as a nexus address's): the normalized `(country, state)`.
/// `at` is the region's path, e.g. `exempt_regions[0]`.
pub(crate) fn check_region(
    country: &Option<String>,
    state: &Option<String>,
    at: &str,
) -> Result<(String, Option<String>)> {
    let mut v = Checker {
        errors: Vec::new(),
        max_line_items: MAX_LINE_ITEMS,
    };
    let field = format!("{at}.country");
    let country = upper(country);
    if country.is_none() {
        v.push(Code::MissingField, &field, "a region needs a country");
    }
    let country = v.country(country, &field);
    let state = v.state(
        country.as_deref(),
        upper(state),
        &format!("{at}.state"),
        true,
    );
    v.first()?;
    Ok((country.unwrap_or_default(), state))
}

impl ValidCart {
    /// The valid form of `cart`, or its first problem.
    pub fn new(cart: &Cart) -> Result<ValidCart> {
        check(cart).map_err(|mut errors| errors.swap_remove(0))
    }
}

struct Checker {
    errors: Vec<Error>,
    max_line_items: usize,
}

/// Trims, and reads blank as absent.
fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn upper(value: &Option<String>) -> Option<String> {
    text(value).map(|s| s.to_ascii_uppercase())
}

impl Checker {
    /// `Ok` when nothing was found, else the first problem.
    fn first(&mut self) -> Result<()> {
        match self.errors.is_empty() {
            true => Ok(()),
            false => Err(self.errors.swap_remove(0)),
        }
    }

    fn push(&mut self, code: Code, field: &str, message: impl Into<String>) {
        self.errors.push(Error::field(code, field, message));
    }

    fn cart(&mut self, cart: &Cart) -> ValidCart {
        let to_country = match &cart.to_country {
            None => Some("US".to_owned()),
            Some(_) => upper(&cart.to_country),
        };
        if to_country.is_none() {
            self.push(Code::MissingField, "to_country", "to_country is blank");
        }
        let to = self.address("to", to_country, cart.to_zip.clone(), cart, true);
        let from = self.address(
            "from",
            upper(&cart.from_country),
            cart.from_zip.clone(),
            cart,
            false,
        );
        let exemption_type = text(&cart.exemption_type).and_then(|t| {
            let parsed = ExemptionType::parse(&t);
            if parsed.is_none() {
                self.push(
                    Code::InvalidExemptionType,
                    "exemption_type",
                    format!("\"{t}\" is not one of wholesale, government, marketplace, other, non_exempt"),
                );
            }
            parsed
        });
        let discount_split = match text(&cart.discount_split).as_deref() {
            None | Some("proportional") => DiscountSplit::Proportional,
            Some("even") => DiscountSplit::Even,
            Some(other) => {
                self.push(
                    Code::InvalidValue,
                    "discount_split",
                    format!("\"{other}\" is not \"proportional\" or \"even\""),
                );
                DiscountSplit::Proportional
            }
        };
        let shipping_gross = self.money(&cart.shipping, "shipping").unwrap_or_default();
        let shipping_discount = self
            .money(&cart.shipping_discount, "shipping_discount")
            .unwrap_or_default();
        let order_discount = self
            .money(&cart.order_discount, "order_discount")
            .unwrap_or_default()
            .round_cents();
        let nexus_addresses = self.nexus(cart.nexus_addresses.as_deref().unwrap_or_default());
        let mut lines = self.lines(cart.line_items.as_deref().unwrap_or_default());
        if let Some(fee) = self
            .money(&cart.handling_fee, "handling_fee")
            .map(Money::round_cents)
        {
            if !fee.is_zero() {
                if lines.iter().any(|l| l.id == HANDLING_FEE_ID) {
                    self.push(
                        Code::DuplicateLineId,
                        "handling_fee",
                        "a line item already has the id \"handling-fee\"",
                    );
                }
                lines.push(Line {
                    id: HANDLING_FEE_ID.to_owned(),
                    quantity: Decimal::ONE,
                    unit_price: fee.value(),
                    gross: fee,
                    discount: Money::ZERO,
                    product_tax_code: None,
                    discountable: false,
                });
            }
        }
        let has_items = cart.line_items.as_ref().is_some_and(|l| !l.is_empty());
        let amount = if has_items {
            None // TaxJar ignores `amount` when line items are given.
        } else {
            let amount = self.money(&cart.amount, "amount");
            if cart.amount.is_none() && lines.is_empty() {
                self.push(
                    Code::MissingField,
                    "line_items",
                    "a cart needs line_items or an amount",
                );
            }
            amount.map(|a| a.round_cents())
        };
        let room: Money = lines.iter().filter(|l| l.discountable).map(Line::net).sum();
        if order_discount > room {
            self.push(
                Code::DiscountExceedsAmount,
                "order_discount",
                format!(
                    "order_discount {order_discount} is more than the {room} of discountable items"
                ),
            );
        }
        ValidCart {
            from,
            to,
            amount,
            shipping: (shipping_gross - shipping_discount)
                .max(Money::ZERO)
                .round_cents(),
            order_discount,
            discount_split,
            customer_id: text(&cart.customer_id),
            exemption_type,
            nexus_addresses,
            lines,
            context: None,
            derived: Default::default(),
        }
    }

    fn lines(&mut self, items: &[crate::cart::LineItem]) -> Vec<Line> {
        if items.len() > self.max_line_items {
            self.push(
                Code::TooManyLineItems,
                "line_items",
                format!(
                    "{} line items; at most {} are allowed",
                    items.len(),
                    self.max_line_items
                ),
            );
            return Vec::new();
        }
        let mut lines = Vec::with_capacity(items.len() + 1);
        let mut ids: Vec<String> = (items.iter().enumerate())
            .map(|(i, item)| text(&item.id).unwrap_or_else(|| (i + 1).to_string()))
            .collect();
        let repeated = repeated(&ids);
        for (i, item) in items.iter().enumerate() {
            let at = |f: &str| format!("line_items[{i}].{f}");
            let id = std::mem::take(&mut ids[i]);
            if repeated[i] {
                self.push(
                    Code::DuplicateLineId,
                    &at("id"),
                    format!("line id \"{id}\" is used twice"),
                );
            }
            let quantity = match &item.quantity {
                None => Some(Decimal::ONE),
                Some(DecimalInput(Ok(q)))
                    if q.is_sign_positive() && !q.is_zero() && *q <= MAX_MONEY =>
                {
                    Some(*q)
                }
                Some(DecimalInput(Ok(q))) => {
                    let why = if *q > MAX_MONEY {
                        "is above the largest accepted quantity (10^13)"
                    } else {
                        "must be above zero"
                    };
                    self.push(
                        Code::InvalidQuantity,
                        &at("quantity"),
                        format!("quantity {q} {why}"),
                    );
                    None
                }
                Some(DecimalInput(Err(why))) => {
                    self.push(
                        Code::InvalidQuantity,
                        &at("quantity"),
                        format!("quantity {why}"),
                    );
                    None
                }
            };
            let unit_price = if item.unit_price.is_none() {
                self.push(
                    Code::MissingField,
                    &at("unit_price"),
                    "a line item needs a unit_price",
                );
                None
            } else {
                self.money_at(&item.unit_price, || at("unit_price"))
            };
            let discount = self
                .money_at(&item.discount, || at("discount"))
                .unwrap_or_default();
            let (Some(quantity), Some(unit_price)) = (quantity, unit_price) else {
                continue;
            };
            let Some(gross) = unit_price
                .times(quantity)
                .filter(|g| g.value() <= MAX_MONEY)
            else {
                self.push(
                    Code::InvalidAmount,
                    &at("unit_price"),
                    "unit_price × quantity is too large",
                );
                continue;
            };
            let discount = discount.round_cents();
            if discount > gross {
                self.push(
                    Code::DiscountExceedsAmount,
                    &at("discount"),
                    format!("discount {discount} is more than the line amount {gross}"),
                );
            }
            lines.push(Line {
                id,
                quantity,
                unit_price: unit_price.value(),
                gross,
                discount: discount.min(gross),
                product_tax_code: text(&item.product_tax_code),
                discountable: item.discountable.unwrap_or(true),
            });
        }
        lines
    }

    /// Money that must be a number at least zero with at most 6 places.
    fn money(&mut self, input: &Option<DecimalInput>, field: &str) -> Option<Money> {
        self.money_at(input, || field.to_owned())
    }

    /// [`Self::money`], with the field's path built only for an error (a
    /// `format!` per line item was a tenth of validating a big cart).
    fn money_at(
        &mut self,
        input: &Option<DecimalInput>,
        field: impl Fn() -> String,
    ) -> Option<Money> {
        let problem = match input.as_ref()?.0.as_ref() {
            Ok(v) if v.is_sign_negative() && !v.is_zero() => format!("is negative ({v})"),
            Ok(v) if *v > MAX_MONEY => "is above the largest accepted amount (10^13)".to_owned(),
            Ok(v) if significant_digits(*v) > MAX_DIGITS => format!(
                "has more than {MAX_DIGITS} significant digits ({v}); TaxJar reads amounts as \
                 floating-point numbers, which would round it"
            ),
            Ok(v) => return Some(Money::new(*v)),
            Err(why) => why.clone(),
        };
        let field = field();
        self.push(Code::InvalidAmount, &field, format!("{field} {problem}"));
        None
    }
}

/// For each id, whether an earlier one is equal: by the crate's one sort
/// (stable, so the first of equal ids comes first), not a hash set, which
/// was a hash table's code in the browser build for this alone.
fn repeated(ids: &[String]) -> Vec<bool> {
    let order = sorted_indices(ids.len(), &mut |a, b| ids[a].cmp(&ids[b]));
    let mut repeated = vec![false; ids.len()];
    for pair in order.windows(2) {
        repeated[pair[1]] = ids[pair[0]] == ids[pair[1]];
    }
    repeated
}
