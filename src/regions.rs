//! Country, state and postal-code facts used by validation.

/// ISO 3166-1 alpha-2 codes, plus `UK`, which TaxJar's own data uses for
/// the United Kingdom.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT \
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UK UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA \
ZM ZW";

/// US states, DC, territories and military codes TaxJar accepts.
const US_STATES: &str = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS \
MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP \
AA AE AP";

/// Canadian provinces and territories.
const CA_PROVINCES: &str = "AB BC MB NB NL NS NT NU ON PE QC SK YT";

fn listed(list: &str, code: &str) -> bool {
    // Fixed stride (codes of two letters, one space apart; a test checks):
    // the general string splitters cost microseconds per call in wasm.
    code.len() == 2
        && list
            .as_bytes()
            .chunks(3)
            .any(|c| c[..2] == *code.as_bytes())
}

/// True for an upper-case ISO alpha-2 country code.
pub(crate) fn is_country(code: &str) -> bool {
    listed(COUNTRIES, code)
}

/// True for a state of `country` (`US` or `CA`); any code elsewhere.
pub(crate) fn is_region(country: &str, code: &str) -> bool {
    match country {
        "US" => listed(US_STATES, code),
        "CA" => listed(CA_PROVINCES, code),
        _ => true,
    }
}

/// `12345` or `12345-6789`.
pub(crate) fn is_us_zip(zip: &str) -> bool {
    let b = zip.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => digits(b),
        10 => digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]),
        _ => false,
    }
}

/// A Canadian postal code (`A1A 1A1` or `A1A1A1`, any case) in the form
/// `A1A 1A1`, or `None`.
pub(crate) fn canadian_postal_code(zip: &str) -> Option<String> {
    let compact: Vec<u8> = zip
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let spaces = zip.bytes().filter(|b| *b == b' ').count();
    let shape = compact.len() == 6
        && spaces <= 1
        && compact.iter().enumerate().all(|(i, b)| {
            if i % 2 == 0 {
                b.is_ascii_uppercase()
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape || (spaces == 1 && zip.as_bytes().get(3) != Some(&b' ')) {
        return None;
    }
    let text = String::from_utf8(compact).ok()?;
    Some(format!("{} {}", &text[..3], &text[3..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert!(is_country("US") && is_country("CA") && is_country("FR") && is_country("UK"));
        assert!(!is_country("XX") && !is_country("USA") && !is_country("us"));
        assert!(is_country("AD") && is_country("ZW") && is_region("US", "AP"));
    }

    #[test]
    fn lists_are_single_spaced_codes() {
        // `listed` splits on one space: a double space or a tab would hide codes.
        for list in [COUNTRIES, US_STATES, CA_PROVINCES] {
            assert!(
                list.split(' ')
                    .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())),
                "{list}"
            );
        }
        assert_eq!(COUNTRIES.split(' ').count(), 250);
    }

    #[test]
    fn zips() {
        assert!(is_us_zip("02110") && is_us_zip("90002-1234"));
        assert!(!is_us_zip("123") && !is_us_zip("9000A") && !is_us_zip("90002 1234"));
        assert_eq!(canadian_postal_code("v5k0a1").as_deref(), Some("V5K 0A1"));
        assert_eq!(canadian_postal_code("V5K 0A1").as_deref(), Some("V5K 0A1"));
        assert_eq!(canadian_postal_code("V5 K0A1"), None);
        assert_eq!(canadian_postal_code("555 555"), None);
    }

    #[test]
    fn regions() {
        assert!(is_region("US", "DC") && is_region("CA", "QC") && is_region("FR", "IDF"));
        assert!(!is_region("US", "ON") && !is_region("CA", "CA"));
    }
}
