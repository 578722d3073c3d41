//! Dates and times of transactions and sync records: what TaxJar accepts as
//! a `transaction_date` (`2015/05/14`, `2015-05-14`, ISO 8601 date-times
//! with an optional offset) read as milliseconds since the epoch, so sync
//! dates and `updated_at` can be compared. A time without an offset is UTC.

use crate::error::{Code, Error, Result};

const MS_PER_DAY: i64 = 86_400_000;

/// A moment read from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub ms: i64,
    /// True when only a date was written (no time of day).
    pub date_only: bool,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Reads `n` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by `T` or a
/// space, `HH:MM`, optional `:SS` and fraction, and `Z` or `±HH:MM`
/// (`±HHMM`). The error says what is accepted.
pub(crate) fn parse_moment(text: &str) -> std::result::Result<Moment, String> {
    let bad =
        || format!("\"{text}\" is not a date (YYYY-MM-DD, YYYY/MM/DD or an ISO 8601 date-time)");
    let b = text.trim().as_bytes();
    let sep = *b.get(4).ok_or_else(bad)?;
    if !matches!(sep, b'-' | b'/') || b.get(7) != Some(&sep) {
        return Err(bad());
    }
    let (year, month, day) = (
        digits(b, 0, 4).ok_or_else(bad)?,
        digits(b, 5, 2).ok_or_else(bad)?,
        digits(b, 8, 2).ok_or_else(bad)?,
    );
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad());
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if b.len() == 10 {
        return Ok(Moment {
            ms,
            date_only: true,
        });
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
        return Err(bad());
    }
    let hour = digits(b, 11, 2).ok_or_else(bad)?;
    let minute = digits(b, 14, 2).ok_or_else(bad)?;
    let mut at = 16;
    let mut second = 0;
    let mut millis = 0;
    if b.get(at) == Some(&b':') {
        second = digits(b, at + 1, 2).ok_or_else(bad)?;
        at += 3;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                if at - start < 3 {
                    millis = millis * 10 + i64::from(b[at] - b'0');
                }
                at += 1;
            }
            if at == start {
                return Err(bad());
            }
            for _ in (at - start)..3 {
                millis *= 10;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(bad());
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    let zone = &b[at..];
    let offset_minutes = match zone {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let rest: Vec<u8> = zone[1..].iter().copied().filter(|&c| c != b':').collect();
            if rest.len() != 4 {
                return Err(bad());
            }
            let minutes =
                digits(&rest, 0, 2).ok_or_else(bad)? * 60 + digits(&rest, 2, 2).ok_or_else(bad)?;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return Err(bad()),
    };
    ms -= offset_minutes * 60_000;
    Ok(Moment {
        ms,
        date_only: false,
    })
}

/// [`parse_moment`], as an `invalid_value` error on `field`.
pub(crate) fn moment_at(text: &str, field: &str) -> Result<Moment> {
    parse_moment(text).map_err(|why| Error::field(Code::InvalidValue, field, why))
}

/// `YYYY-MM-DD` of the date as written (before any offset is applied).
pub(crate) fn date_part(text: &str) -> Option<String> {
    let t = text.trim();
    parse_moment(t).ok()?;
    Some(t[..10].replace('/', "-"))
}

/// The ISO 8601 form, `2026-01-31T12:00:00.000Z`, of milliseconds since
/// the epoch (what JS `Date.prototype.toISOString` writes).
pub(crate) fn format_iso(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// The end of a date-only moment's day (exclusive), else the moment itself
/// plus one millisecond: an inclusive upper bound made exclusive.
pub(crate) fn end_of(moment: Moment) -> i64 {
    if moment.date_only {
        moment.ms + MS_PER_DAY
    } else {
        moment.ms + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_taxjar_accepts() {
        let day = parse_moment("2015/05/14").unwrap();
        assert_eq!(day, parse_moment("2015-05-14").unwrap());
        assert!(day.date_only);
        assert_eq!(format_iso(day.ms), "2015-05-14T00:00:00.000Z");
        let t = parse_moment("2015-05-14T10:30:00-07:00").unwrap();
        assert_eq!(format_iso(t.ms), "2015-05-14T17:30:00.000Z");
        let t = parse_moment("2024-02-29 23:59:59.5+0100").unwrap();
        assert_eq!(format_iso(t.ms), "2024-02-29T22:59:59.500Z");
        assert_eq!(
            format_iso(parse_moment("1969-12-31T23:59:59.999Z").unwrap().ms),
            "1969-12-31T23:59:59.999Z"
        );
        for bad in [
            "",
            "2015-5-14",
            "2015-02-30",
            "2015-05-14T25:00",
            "14/05/2015",
            "2015-05-14X",
        ] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
        assert_eq!(
            date_part("2015/05/14T10:00:00Z").as_deref(),
            Some("2015-05-14")
        );
        assert_eq!(end_of(day) - day.ms, MS_PER_DAY);
    }
}
