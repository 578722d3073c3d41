//! The embedded table: statewide US rates, Canadian GST/HST/PST/QST, their
//! scheduled changes, and which destinations tax shipping by default.
//!
//! The US rows are `data/us-state-rates.csv` (SocratesTheProphet/
//! us-sales-tax-rates-dataset v1.1.0, CC BY 4.0; see `NOTICE`), written
//! out as constants so the `.wasm` carries a few hundred bytes of numbers
//! and no parser. A unit test checks every row against the CSV, and
//! `data/README.md` has the script that writes them.

use rust_decimal::Decimal;

use super::date::Date;

/// The day the embedded rates were last checked against the tax
/// authorities (the dataset's validation date): an offline estimate's
/// `rates_as_of` when no summary rates were used.
pub const TABLE_AS_OF: Date = Date::ymd(2026, 7, 1);

/// One state, DC or province.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Its two-letter code.
    pub code: &'static str,
    /// Its rate in thousandths of a percent (6.625% is 6625).
    pub milli_pct: u16,
    /// True when local taxes may come on top, so the rate is a floor.
    pub local_varies: bool,
}

impl Region {
    const fn new(code: &'static str, milli_pct: u16, local_varies: bool) -> Region {
        Region {
            code,
            milli_pct,
            local_varies,
        }
    }
}

/// An enacted rate change: from `from` on, `region` of `country` has
/// `milli_pct` instead of its table rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// `US` or `CA`.
    pub country: &'static str,
    /// The state or province.
    pub region: &'static str,
    /// The first day of the new rate.
    pub from: Date,
    /// The new rate, in thousandths of a percent.
    pub milli_pct: u16,
}

impl Change {
    const fn new(country: &'static str, region: &'static str, from: Date, milli_pct: u16) -> Self {
        Change {
            country,
            region,
            from,
            milli_pct,
        }
    }
}

/// Statewide base rates of the 50 states and DC: the minimum combined
/// rate anywhere in the state (California's 7.25% includes its mandatory
/// 1.25% local part), from `data/us-state-rates.csv`.
pub const US_RATES: [Region; 51] = [
    Region::new("AL", 4000, true),
    Region::new("AK", 0, true),
    Region::new("AZ", 5600, true),
    Region::new("AR", 6500, true),
    Region::new("CA", 7250, true),
    Region::new("CO", 2900, true),
    Region::new("CT", 6350, false),
    Region::new("DE", 0, false),
    Region::new("FL", 6000, true),
    Region::new("GA", 4000, true),
    Region::new("HI", 4000, true),
    Region::new("ID", 6000, true),
    Region::new("IL", 6250, true),
    Region::new("IN", 7000, false),
    Region::new("IA", 6000, true),
    Region::new("KS", 6500, true),
    Region::new("KY", 6000, false),
    Region::new("LA", 5000, true),
    Region::new("ME", 5500, false),
    Region::new("MD", 6000, false),
    Region::new("MA", 6250, false),
    Region::new("MI", 6000, false),
    Region::new("MN", 6875, true),
    Region::new("MS", 7000, true),
    Region::new("MO", 4225, true),
    Region::new("MT", 0, false),
    Region::new("NE", 5500, true),
    Region::new("NV", 6850, true),
    Region::new("NH", 0, false),
    Region::new("NJ", 6625, false),
    Region::new("NM", 4875, true),
    Region::new("NY", 4000, true),
    Region::new("NC", 4750, true),
    Region::new("ND", 5000, true),
    Region::new("OH", 5750, true),
    Region::new("OK", 4500, true),
    Region::new("OR", 0, false),
    Region::new("PA", 6000, true),
    Region::new("RI", 7000, false),
    Region::new("SC", 6000, true),
    Region::new("SD", 4200, true),
    Region::new("TN", 7000, true),
    Region::new("TX", 6250, true),
    Region::new("UT", 6100, true),
    Region::new("VT", 6000, true),
    Region::new("VA", 5300, true),
    Region::new("WA", 6500, true),
    Region::new("WV", 6000, true),
    Region::new("WI", 5000, true),
    Region::new("WY", 4000, true),
    Region::new("DC", 6500, false),
];

/// Canada: GST 5% everywhere; HST 13% (ON) or 15% (NB, NL, PE; NS before
/// 2025-04-01); GST + PST in BC (7%), MB (7%) and SK (6%); GST + QST
/// (9.975%) in QC; GST alone in AB, YT, NT and NU. Each rate is the
/// combined one, charged on the whole order.
pub const CA_RATES: [Region; 13] = [
    Region::new("AB", 5000, false),
    Region::new("BC", 12000, false),
    Region::new("MB", 12000, false),
    Region::new("NB", 15000, false),
    Region::new("NL", 15000, false),
    Region::new("NS", 15000, false),
    Region::new("NT", 5000, false),
    Region::new("NU", 5000, false),
    Region::new("ON", 13000, false),
    Region::new("PE", 15000, false),
    Region::new("QC", 14975, false),
    Region::new("SK", 11000, false),
    Region::new("YT", 5000, false),
];

/// Scheduled changes, by date. The US ones are the CSV's
/// `scheduled_change_*` columns; Nova Scotia's HST fell to 14% on
/// 2025-04-01.
pub const CHANGES: [Change; 4] = [
    Change::new("CA", "NS", Date::ymd(2025, 4, 1), 14000),
    Change::new("US", "DC", Date::ymd(2026, 10, 1), 7000),
    Change::new("US", "SD", Date::ymd(2027, 7, 1), 4500),
    Change::new("US", "LA", Date::ymd(2030, 1, 1), 4750),
];

/// States that tax shipping charges by default (when shipping is stated
/// separately). Every other state is treated as not taxing it.
pub(crate) const US_SHIPPING_TAXABLE: &str =
    "AR CT GA HI IN KS KY MN MS NE NJ NM NY NC ND OH PA RI SC \
SD TN TX VT WA WV WI";

/// States that exempt separately stated shipping. Listed for reference:
/// they are treated like the unlisted states, as not taxing shipping.
pub const US_SHIPPING_EXEMPT: &str = "AL AZ CO ID IA IL ME MD MA NV OK UT VA WY";

/// A rate in thousandths of a percent as a fraction (6625 → 0.06625).
pub(crate) fn rate_of(milli_pct: u16) -> Decimal {
    Decimal::new(i64::from(milli_pct), 5).normalize()
}

/// The embedded rate of a US state or Canadian province on `date`, with
/// its scheduled changes applied; `None` elsewhere.
pub fn embedded(country: &str, region: &str, date: Date) -> Option<Region> {
    let table: &[Region] = match country {
        "US" => &US_RATES,
        "CA" => &CA_RATES,
        _ => return None,
    };
    let mut found = *table.iter().find(|r| r.code == region)?;
    for change in &CHANGES {
        if change.country == country && change.region == region && date >= change.from {
            found.milli_pct = change.milli_pct;
        }
    }
    Some(found)
}

/// Whether shipping to `region` of `country` is taxed by default: per
/// [`US_SHIPPING_TAXABLE`] in the US; elsewhere shipping follows the goods
/// (Canada's GST/HST/PST, and VAT and GST countries), so it is taxed.
pub(crate) fn default_shipping_taxable(country: &str, region: Option<&str>) -> bool {
    match (country, region) {
        ("US", Some(state)) => US_SHIPPING_TAXABLE
            .split_ascii_whitespace()
            .any(|s| s == state),
        ("US", None) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = include_str!("../../data/us-state-rates.csv");

    /// Splits a CSV line, honouring double quotes (the data has no `""`).
    fn fields(line: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let (mut start, mut quoted) = (0, false);
        for (i, c) in line.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    out.push(line[start..i].trim_matches('"'));
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(line[start..].trim_matches('"'));
        out
    }

    /// `"6.625"` → 6625.
    fn milli(pct: &str) -> u16 {
        let (int, frac) = pct.split_once('.').unwrap_or((pct, ""));
        let frac = format!("{frac:0<3}");
        assert_eq!(frac.len(), 3, "{pct} has more than 3 places");
        (int.parse::<u32>().unwrap() * 1000 + frac.parse::<u32>().unwrap())
            .try_into()
            .unwrap()
    }

    fn rows() -> Vec<Vec<&'static str>> {
        let mut lines = CSV.lines();
        let header = fields(lines.next().unwrap());
        assert_eq!(
            header,
            [
                "code",
                "name",
                "state_rate_pct",
                "state_bps",
                "local_varies",
                "authoritative_combined",
                "scheduled_change_date",
                "scheduled_change_pct",
                "source"
            ]
        );
        lines.filter(|l| !l.is_empty()).map(fields).collect()
    }

    #[test]
    fn us_rows_are_the_csv() {
        let rows = rows();
        assert_eq!(rows.len(), US_RATES.len());
        for (row, region) in rows.iter().zip(&US_RATES) {
            assert_eq!(row.len(), 9, "{row:?}");
            assert_eq!(row[0], region.code);
            assert_eq!(milli(row[2]), region.milli_pct, "{}", row[0]);
            // state_bps says the same at quarter-bps resolution.
            assert_eq!(
                (row[3].parse::<f64>().unwrap() * 10.0) as u16,
                region.milli_pct,
                "{}",
                row[0]
            );
            assert_eq!(row[4] == "true", region.local_varies, "{}", row[0]);
            let change = CHANGES
                .iter()
                .find(|c| c.country == "US" && c.region == row[0]);
            match change {
                None => assert_eq!((row[6], row[7]), ("", ""), "{}", row[0]),
                Some(c) => {
                    assert_eq!(row[6], c.from.to_string());
                    assert_eq!(milli(row[7]), c.milli_pct);
                }
            }
        }
    }

    #[test]
    fn data_copy_matches_shared_when_present() {
        let shared = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/us-state-rates.csv"
        );
        match std::fs::read_to_string(shared) {
            Ok(text) => assert_eq!(text, CSV, "data/us-state-rates.csv differs from {shared}"),
            Err(_) => eprintln!("{shared} not found: copy not compared"),
        }
    }

    #[test]
    fn changes_are_in_date_order_and_known_regions() {
        assert!(CHANGES.windows(2).all(|w| w[0].from <= w[1].from));
        for c in &CHANGES {
            assert!(embedded(c.country, c.region, c.from).is_some());
        }
    }

    #[test]
    fn rates_by_date() {
        let at = |c, r, y, m, d| embedded(c, r, Date::ymd(y, m, d)).unwrap().milli_pct;
        assert_eq!(at("US", "DC", 2026, 9, 30), 6500);
        assert_eq!(at("US", "DC", 2026, 10, 1), 7000);
        assert_eq!(at("CA", "NS", 2025, 3, 31), 15000);
        assert_eq!(at("CA", "NS", 2025, 4, 1), 14000);
        assert_eq!(at("US", "SD", 2027, 7, 1), 4500);
        assert_eq!(at("US", "NJ", 2099, 1, 1), 6625);
        assert_eq!(rate_of(6625).to_string(), "0.06625");
        assert_eq!(rate_of(14975).to_string(), "0.14975");
        assert!(embedded("US", "PR", TABLE_AS_OF).is_none());
        assert!(embedded("FR", "NS", TABLE_AS_OF).is_none());
        assert!(embedded("CA", "NY", TABLE_AS_OF).is_none());
    }

    #[test]
    fn shipping_lists() {
        let taxable: Vec<&str> = US_SHIPPING_TAXABLE.split_ascii_whitespace().collect();
        let exempt: Vec<&str> = US_SHIPPING_EXEMPT.split_ascii_whitespace().collect();
        assert_eq!((taxable.len(), exempt.len()), (26, 14));
        for code in taxable.iter().chain(&exempt) {
            assert!(US_RATES.iter().any(|r| r.code == *code), "{code}");
        }
        assert!(taxable.iter().all(|c| !exempt.contains(c)));
        assert!(default_shipping_taxable("US", Some("NY")));
        assert!(!default_shipping_taxable("US", Some("CA")));
        assert!(!default_shipping_taxable("US", Some("MA")));
        assert!(default_shipping_taxable("CA", Some("ON")));
        assert!(default_shipping_taxable("FR", None));
    }
}
