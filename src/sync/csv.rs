//! The CSV export for merchants who upload their history into TaxJar by
//! hand (the guide's alternative to an API backfill).
//!
//! The columns are TaxJar's "Orders Template" for spreadsheet imports, in
//! the order of its formatting guidelines (support.taxjar.com, article 937,
//! "Spreadsheet: Importing data via Orders Template"). Quoting is RFC 4180:
//! a field with a comma, quote, CR or LF, or with spaces at either end, is
//! quoted, its quotes doubled; lines end with CRLF.

use rust_decimal::Decimal;

use super::time::date_part;
use crate::model::transactions::TransactionRequest;
use crate::money::Money;
use crate::validate::HANDLING_FEE_ID;

/// The header row, in order.
pub(crate) const CSV_COLUMNS: [&str; 21] = [
    "provider",
    "order_id",
    "transaction_type",
    "transaction_reference_id",
    "completed_at",
    "customer_name",
    "shiptostreet",
    "shiptocity",
    "shiptostate",
    "shiptozip",
    "shiptocountrycode",
    "from_street",
    "from_city",
    "from_state",
    "from_zip",
    "from_country",
    "shipping_amount",
    "handling_amount",
    "discount_amount",
    "total_sale",
    "sales_tax",
];

/// One field, quoted when it must be.
pub(crate) fn csv_field(text: &str) -> String {
    let needs = text.contains([',', '"', '\r', '\n'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if needs {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn money(value: Option<Decimal>) -> String {
    value.map(|v| Money::new(v).to_string()).unwrap_or_default()
}

fn row(t: &TransactionRequest) -> [String; 21] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let refund = t.transaction_reference_id.is_some();
    let lines = t.line_items.as_deref().unwrap_or_default();
    // The handling fee travels as its own line; the template has a column.
    let handling: Option<Decimal> = lines
        .iter()
        .filter(|l| l.id.as_deref() == Some(HANDLING_FEE_ID))
        .map(|l| l.unit_price.unwrap_or_default() * l.quantity.unwrap_or(Decimal::ONE))
        .reduce(|a, b| a + b);
    let discount: Decimal = lines.iter().filter_map(|l| l.discount).sum();
    [
        t.provider.clone().unwrap_or_else(|| "api".to_owned()),
        t.transaction_id.clone(),
        if refund { "Refund" } else { "Order" }.to_owned(),
        text(&t.transaction_reference_id),
        t.transaction_date
            .as_deref()
            .map(|d| date_part(d).unwrap_or_else(|| d.to_owned()))
            .unwrap_or_default(),
        String::new(), // customer_name: not part of a transaction body
        text(&t.to_street),
        text(&t.to_city),
        text(&t.to_state),
        text(&t.to_zip),
        text(&t.to_country),
        text(&t.from_street),
        text(&t.from_city),
        text(&t.from_state),
        text(&t.from_zip),
        text(&t.from_country),
        money(t.shipping),
        money(handling),
        money((!lines.is_empty()).then_some(discount)),
        money(t.amount),
        money(t.sales_tax),
    ]
}

/// The CSV text: a header row, then one row per transaction (orders as
/// `Order`, refunds, which have a `transaction_reference_id`, as `Refund`
/// with their negative amounts), money with two decimals, dates as
/// `YYYY-MM-DD`.
pub fn export_csv(transactions: &[TransactionRequest]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for t in transactions {
        let fields: Vec<String> = row(t).iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(csv_field("Los Angeles"), "Los Angeles");
        assert_eq!(csv_field("Suite 5, Floor 2"), "\"Suite 5, Floor 2\"");
        assert_eq!(csv_field("12\" Widget"), "\"12\"\" Widget\"");
        assert_eq!(csv_field("a\nb"), "\"a\nb\"");
        assert_eq!(csv_field(" x"), "\" x\"");
        assert_eq!(csv_field("-16.50"), "-16.50");
    }
}
