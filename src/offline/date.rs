//! Calendar days for offline estimates: when a scheduled rate change
//! applies, and how old the rates are. No time zones: a day is a
//! `YYYY-MM-DD`, and a moment (milliseconds since the epoch) is read as its
//! UTC day.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A calendar day. Orders chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

const MS_PER_DAY: f64 = 86_400_000.0;

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// A day of the table, known valid when written.
    pub(crate) const fn ymd(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// The day, or `None` when there is no such day (`2025-02-29`).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Reads `YYYY-MM-DD`, or the day of an ISO 8601 timestamp
    /// (`2026-07-20T18:30:00Z`: the date as written, whatever the offset).
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("\"{text}\" is not a date (YYYY-MM-DD)");
        let b = text.as_bytes();
        if b.len() < 10 || !matches!(b.get(10), None | Some(b'T' | b' ')) {
            return Err(bad());
        }
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0u16, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
            })
        };
        match (
            number(&b[..4]),
            b[4],
            number(&b[5..7]),
            b[7],
            number(&b[8..10]),
        ) {
            (Some(y), b'-', Some(m), b'-', Some(d)) => {
                Date::new(y, m as u8, d as u8).ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    /// The UTC day of a moment given in milliseconds since 1970-01-01
    /// (what JS `Date.now()` returns). Moments outside years 1–9999 are
    /// clamped to those years' ends.
    pub fn from_unix_ms(ms: f64) -> Date {
        let days = (ms / MS_PER_DAY).floor();
        // 0001-01-01 and 9999-12-31 in days since the epoch.
        let days = if days.is_nan() {
            0
        } else {
            days.clamp(-719_162.0, 2_932_896.0) as i64
        };
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    /// A `YYYY-MM-DD` (or ISO timestamp) string, or milliseconds since the
    /// epoch as a number.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date (\"YYYY-MM-DD\") or milliseconds since the epoch")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v.trim()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Date, E> {
                if v.is_finite() {
                    Ok(Date::from_unix_ms(v))
                } else {
                    Err(E::custom(format!("{v} is not a moment")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Date, E> {
                Ok(Date::from_unix_ms(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Date, E> {
                Ok(Date::from_unix_ms(v as f64))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_timestamps() {
        let d = Date::parse("2026-10-01").unwrap();
        assert_eq!(d, Date::ymd(2026, 10, 1));
        assert_eq!(d.to_string(), "2026-10-01");
        assert_eq!(
            Date::parse("2026-07-20T23:59:59-05:00").unwrap(),
            Date::ymd(2026, 7, 20)
        );
        assert_eq!(Date::parse("2024-02-29").unwrap(), Date::ymd(2024, 2, 29));
        for bad in [
            "",
            "2026-7-1",
            "2026/07/01",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "20260701",
            "2026-07-01x",
            "+026-07-01",
            "2026-07-32",
            "０２６-07-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn utc_day_of_a_moment() {
        assert_eq!(Date::from_unix_ms(0.0), Date::ymd(1970, 1, 1));
        assert_eq!(Date::from_unix_ms(-1.0), Date::ymd(1969, 12, 31));
        // 2026-09-30T23:59:59.999Z and the next millisecond.
        assert_eq!(
            Date::from_unix_ms(1_790_812_799_999.0),
            Date::ymd(2026, 9, 30)
        );
        assert_eq!(
            Date::from_unix_ms(1_790_812_800_000.0),
            Date::ymd(2026, 10, 1)
        );
        assert_eq!(
            Date::from_unix_ms(951_782_400_000.0),
            Date::ymd(2000, 2, 29)
        );
        assert_eq!(Date::from_unix_ms(f64::NAN), Date::ymd(1970, 1, 1));
        assert_eq!(Date::from_unix_ms(1e300), Date::ymd(9999, 12, 31));
        assert_eq!(Date::from_unix_ms(-1e300), Date::ymd(1, 1, 1));
    }

    #[test]
    fn every_day_round_trips_through_ms() {
        let mut ms = 946_080_000_000.0;
        let mut prev = Date::from_unix_ms(ms);
        assert_eq!(prev, Date::ymd(1999, 12, 25));
        for _ in 0..(366 * 30) {
            ms += MS_PER_DAY;
            let next = Date::from_unix_ms(ms);
            assert!(next > prev);
            assert_eq!(Date::parse(&next.to_string()), Ok(next));
            prev = next;
        }
    }

    #[test]
    fn reads_strings_and_numbers() {
        let d: Date = serde_json::from_str("\"2026-10-01\"").unwrap();
        assert_eq!(d, Date::ymd(2026, 10, 1));
        let d: Date = serde_json::from_str("1790812800000").unwrap();
        assert_eq!(d, Date::ymd(2026, 10, 1));
        assert!(serde_json::from_str::<Date>("\"tomorrow\"").is_err());
        assert!(serde_json::from_str::<Date>("true").is_err());
    }
}
