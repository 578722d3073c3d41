//! The CSV export for merchants who upload their history into TaxJar by
//! hand (the guide's alternative to an API backfill).
//!
//! The columns follow TaxJar's CSV transaction-import template as this
//! project knows it (see `docs/SYNC.md`: check them against TaxJar's
//! current help page before relying on them). Quoting is RFC 4180: a field
//! with a comma, quote, CR or LF, or with spaces at either end, is quoted,
//! its quotes doubled; lines end with CRLF.

use rust_decimal::Decimal;

use super::time::date_part;
use crate::model::transactions::TransactionRequest;
use crate::money::Money;

/// The header row, in order.
pub const CSV_COLUMNS: [&str; 19] = [
    "provider",
    "transaction_type",
    "transaction_id",
    "transaction_reference_id",
    "completed_at",
    "from_street",
    "from_city",
    "from_state",
    "from_zip",
    "from_country",
    "to_street",
    "to_city",
    "to_state",
    "to_zip",
    "to_country",
    "total_sale",
    "shipping",
    "sales_tax",
    "exemption_type",
];

/// One field, quoted when it must be.
pub fn csv_field(text: &str) -> String {
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

fn row(t: &TransactionRequest) -> [String; 19] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let refund = t.transaction_reference_id.is_some();
    [
        t.provider.clone().unwrap_or_else(|| "api".to_owned()),
        if refund { "Refund" } else { "Order" }.to_owned(),
        t.transaction_id.clone(),
        text(&t.transaction_reference_id),
        t.transaction_date
            .as_deref()
            .map(|d| date_part(d).unwrap_or_else(|| d.to_owned()))
            .unwrap_or_default(),
        text(&t.from_street),
        text(&t.from_city),
        text(&t.from_state),
        text(&t.from_zip),
        text(&t.from_country),
        text(&t.to_street),
        text(&t.to_city),
        text(&t.to_state),
        text(&t.to_zip),
        text(&t.to_country),
        money(t.amount),
        money(t.shipping),
        money(t.sales_tax),
        text(&t.exemption_type),
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
