//! Money written as text by hand, where formatting was a measurable cost.

/// `cents` as a two-place decimal (`-0.05`), written at the end of `buf`.
pub(crate) fn cents_text(buf: &mut [u8; 24], negative: bool, cents: u64) -> &str {
    std::str::from_utf8(cents_bytes(buf, negative, cents)).unwrap_or_default()
}

/// [`cents_text`] as ASCII bytes, for callers that join many amounts.
pub(crate) fn cents_bytes(buf: &mut [u8; 24], negative: bool, mut cents: u64) -> &[u8] {
    let mut at = buf.len();
    let mut place = 0;
    // The two decimals, the point, then at least one whole digit.
    while place < 3 || cents > 0 {
        if place == 2 {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (cents % 10) as u8;
        cents /= 10;
        place += 1;
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use crate::money::{round_dp, Money};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn money_prints_as_its_decimal_does() {
        for text in [
            "0",
            "0.001",
            "-0.004",
            "0.005",
            "-0.005",
            "1.5",
            "-16.5",
            "19.999",
            "123456789.125",
            "-0.10",
            "79228162514264337593543950335",
            "-7922816251426433759354395033.5",
        ] {
            let mut rounded = round_dp(d(text), 2);
            rounded.rescale(2);
            assert_eq!(
                Money::new(d(text)).to_string(),
                rounded.to_string(),
                "{text}"
            );
        }
        assert_eq!(Money::new(d("-0.005")).to_string(), "-0.01");
        assert_eq!(Money::new(d("-0.004")).to_string(), "0.00");
    }
}
