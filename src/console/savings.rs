//! The console's savings chart: per day, from the D1 logs' `/v2/taxes`
//! rows, the shopper requests, the answers from the edge cache (and
//! shared with an identical request in flight), the no-nexus and exempt
//! skips, the backup estimates and the billed TaxJar calls; and, for the
//! month so far, billed calls and the share of requests that cost nothing.

use crate::json::{self, write::Object, Json};
use crate::offline::date::Date;

use super::logs::Param;

/// Days in the chart.
pub const DAYS: u64 = 30;

const DAY_MS: u64 = 86_400_000;

/// The query of the counts since `first` (a day), and its parameter.
pub fn query(first: &str) -> (String, Vec<Param>) {
    (
        "SELECT day, source, COUNT(*) AS n FROM calls WHERE route = '/v2/taxes' AND day >= ?1 \
         GROUP BY day, source"
            .to_owned(),
        vec![Param::Text(first.to_owned())],
    )
}

/// The first day the chart and the month so far need at `now` (unix ms).
pub fn first_day(now: u64) -> String {
    let window = Date::from_unix_ms(now.saturating_sub((DAYS - 1) * DAY_MS) as f64).to_string();
    let month = format!("{}-01", &Date::from_unix_ms(now as f64).to_string()[..7]);
    window.min(month)
}

/// One day's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Day {
    /// Every `/v2/taxes` request.
    pub requests: u64,
    /// From the edge cache, or shared with an identical request.
    pub cache: u64,
    /// No nexus, or exempt: zero without a call.
    pub skips: u64,
    /// Backup estimates.
    pub backups: u64,
    /// TaxJar was asked.
    pub billed: u64,
}

impl Day {
    fn add(&mut self, source: &str, n: u64) {
        self.requests += n;
        match source {
            "cache" | "shared" => self.cache += n,
            "no_nexus" | "exempt" => self.skips += n,
            "offline" => self.backups += n,
            "taxjar" => self.billed += n,
            _ => {}
        }
    }
}

/// The chart's answer from D1's rows (`[{day, source, n}]` as JSON text)
/// at `now`: the last [`DAYS`] days, oldest first, and the month so far.
pub fn summary(rows: &str, now: u64) -> String {
    let rows = match json::parse(rows) {
        Ok(Json::Array(rows)) => rows,
        _ => Vec::new(),
    };
    let days: Vec<String> = (0..DAYS)
        .rev()
        .map(|back| Date::from_unix_ms(now.saturating_sub(back * DAY_MS) as f64).to_string())
        .collect();
    let month = days[days.len() - 1][..7].to_owned();
    let mut counts = vec![Day::default(); days.len()];
    let mut month_so_far = Day::default();
    for row in &rows {
        let (Some(day), Some(source), Some(n)) = (
            row.get("day").and_then(Json::as_str),
            row.get("source").and_then(Json::as_str),
            row.get("n").and_then(Json::as_u64),
        ) else {
            continue;
        };
        if let Some(i) = days.iter().position(|d| d == day) {
            counts[i].add(source, n);
        }
        if day.starts_with(&month) {
            month_so_far.add(source, n);
        }
    }
    let mut out = String::from(r#"{"days":["#);
    for (i, (day, c)) in days.iter().zip(&counts).enumerate() {
        if i > 0 {
            out.push(',');
        }
        Object::new(&mut out)
            .str("day", day)
            .raw("requests", &c.requests.to_string())
            .raw("cache", &c.cache.to_string())
            .raw("skips", &c.skips.to_string())
            .raw("backups", &c.backups.to_string())
            .raw("billed", &c.billed.to_string())
            .end();
    }
    out.push_str("],");
    let free = month_so_far.requests - month_so_far.billed;
    let share = match month_so_far.requests {
        0 => "null".to_owned(),
        r => {
            let tenths = (free * 1000 + r / 2) / r;
            format!("\"{}.{}\"", tenths / 10, tenths % 10)
        }
    };
    let mut tail = String::new();
    Object::new(&mut tail)
        .str("month", &month)
        .raw("requests", &month_so_far.requests.to_string())
        .raw("billed", &month_so_far.billed.to_string())
        .raw("free", &free.to_string())
        .raw("free_percent", &share)
        .end();
    out.push_str(&format!(r#""month_to_date":{tail}}}"#));
    out
}
