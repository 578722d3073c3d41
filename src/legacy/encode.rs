//! Percent-encoding of query parameters and path segments (RFC 3986), and
//! the plain decimal forms the legacy reference writes.

use rust_decimal::Decimal;

pub use crate::model::endpoints::{encode_query, percent_encode};
use crate::money::{format_rate, Money};

/// Decodes `%XX` escapes and `+` (a space, as in HTML forms). A `%` not
/// followed by two hex digits is kept as it is; invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' {
            let pair = bytes
                .get(i + 1..i + 3)
                .and_then(|p| Some((hex(p[0])?, hex(p[1])?)));
            if let Some((hi, lo)) = pair {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A total in cents, written with two places as the reference writes
/// `amount=215.30` and `discount: 4.00`.
pub(crate) fn cents(value: Money) -> String {
    value.round_cents().to_string()
}

/// A price or quantity as given, without trailing zeros (`150`, `19.95`,
/// `1.5`), as in the reference's `unit_price=150` and `quantity=1`.
pub(crate) fn plain(value: Decimal) -> String {
    format_rate(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_bytes() {
        assert_eq!(
            percent_encode("line_items[a b][quantity]"),
            "line_items%5Ba%20b%5D%5Bquantity%5D"
        );
        assert_eq!(percent_encode("90210-1234"), "90210-1234");
        assert_eq!(percent_encode("Montréal&x=1"), "Montr%C3%A9al%26x%3D1");
    }

    #[test]
    fn decodes_what_it_encodes() {
        for text in ["Lake Ozark", "a+b", "100%", "Montréal", "[x]=&"] {
            assert_eq!(percent_decode(&percent_encode(text)), text);
        }
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
    }

    #[test]
    fn number_forms() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(plain(d("150.00")), "150");
        assert_eq!(plain(d("1.50")), "1.5");
        assert_eq!(cents(Money::new(d("215.3"))), "215.30");
        assert_eq!(cents(Money::new(d("4"))), "4.00");
    }
}
