//! The checked forms validation hands on: [`ValidCart`] and its parts.

use std::cell::OnceCell;
use std::fmt;

use rust_decimal::Decimal;

use crate::cart::NexusAddress;
use crate::money::Money;

/// An order exemption TaxJar knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExemptionType {
    /// Sale for resale.
    Wholesale,
    /// Sale to a government body.
    Government,
    /// Marketplace facilitator sale.
    Marketplace,
    /// Any other exemption.
    Other,
    /// Explicitly not exempt.
    NonExempt,
}

impl ExemptionType {
    /// Parses TaxJar's spelling.
    pub fn parse(text: &str) -> Option<ExemptionType> {
        Some(match text {
            "wholesale" => ExemptionType::Wholesale,
            "government" => ExemptionType::Government,
            "marketplace" => ExemptionType::Marketplace,
            "other" => ExemptionType::Other,
            "non_exempt" => ExemptionType::NonExempt,
            _ => return None,
        })
    }

    /// TaxJar's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExemptionType::Wholesale => "wholesale",
            ExemptionType::Government => "government",
            ExemptionType::Marketplace => "marketplace",
            ExemptionType::Other => "other",
            ExemptionType::NonExempt => "non_exempt",
        }
    }

    /// True when TaxJar always answers zero tax for it.
    pub fn is_exempt(self) -> bool {
        matches!(
            self,
            ExemptionType::Wholesale | ExemptionType::Government | ExemptionType::Other
        )
    }
}

/// How an order discount is split over lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiscountSplit {
    /// By each line's amount after its own discount.
    #[default]
    Proportional,
    /// In equal shares, capped at each line's remaining amount.
    Even,
}

/// A normalized address: codes upper-case, blanks dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// ZIP or postal code (Canadian codes as `A1A 1A1`).
    pub zip: Option<String>,
    /// State or province code.
    pub state: Option<String>,
    /// City, trimmed.
    pub city: Option<String>,
    /// Street, trimmed.
    pub street: Option<String>,
}

/// A checked line item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Unique id (the position, from 1, when none was given).
    pub id: String,
    /// Above zero.
    pub quantity: Decimal,
    /// Exact unit price, at least zero.
    pub unit_price: Decimal,
    /// `unit_price × quantity`, in cents.
    pub gross: Money,
    /// The line's own discount, in cents.
    pub discount: Money,
    /// TaxJar product tax code.
    pub product_tax_code: Option<String>,
    /// Whether the order discount applies to it.
    pub discountable: bool,
}

impl Line {
    /// What is left of the line after its own discount.
    pub fn net(&self) -> Money {
        self.gross - self.discount
    }
}

/// A cart that passed validation, with money in cents and codes normalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCart {
    /// Origin.
    pub from: Address,
    /// Destination; `country` is always set.
    pub to: Address,
    /// Order amount, only for carts without line items.
    pub amount: Option<Money>,
    /// Shipping net of its discount.
    pub shipping: Money,
    /// The order discount to split.
    pub order_discount: Money,
    /// How to split it.
    pub discount_split: DiscountSplit,
    /// TaxJar customer id.
    pub customer_id: Option<String>,
    /// Order exemption.
    pub exemption_type: Option<ExemptionType>,
    /// Nexus addresses, normalized like addresses.
    pub nexus_addresses: Vec<NexusAddress>,
    /// Lines in cart order; a handling fee is the last line.
    pub lines: Vec<Line>,
    /// The signed customer context applied to this cart, if any. Validation
    /// leaves it `None`; [`crate::context`] sets it once applied.
    pub context: Option<crate::context::Applied>,
    /// What the steps of one estimate derive from the cart, kept on first
    /// use (see [`Derived`]).
    pub(crate) derived: Derived,
}

/// Figures derived from a valid cart and kept on first use: the order of
/// its lines by id, their discounts and the cart key. One estimate asks for
/// each several times (the request, the key and the estimate all split the
/// discount and sort by id); at 10,000 lines that was most of the work.
///
/// They are derived from `lines` and the cart's other fields as validation
/// left them; change a `ValidCart` and these go stale, so validate again.
/// Equality and `Debug` ignore them: they add nothing to what the cart is.
#[derive(Clone, Default)]
pub(crate) struct Derived {
    pub(crate) by_id: OnceCell<Vec<usize>>,
    pub(crate) discounts: OnceCell<Vec<Money>>,
    pub(crate) key: OnceCell<String>,
}

impl PartialEq for Derived {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Derived {}

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Derived")
    }
}

impl ValidCart {
    /// The indices of [`ValidCart::lines`] in order of line id (ids are
    /// unique), sorted once per cart.
    pub fn lines_by_id(&self) -> &[usize] {
        self.derived.by_id.get_or_init(|| {
            let lines = &self.lines;
            crate::order::sorted_indices(lines.len(), &mut |a, b| lines[a].id.cmp(&lines[b].id))
        })
    }
}
