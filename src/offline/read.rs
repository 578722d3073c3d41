//! [`OfflineOptions`] read from a [`Json`] tree by hand, as its serde
//! derive reads them (the Worker's stored summary rates): the same fields,
//! defaults and messages (`invalid type: …`, `missing field `…``,
//! `duplicate field `…``), without serde_json's line and column. Server
//! build only: the browser reads its options from JS (`bindings::offline`).

use crate::json::Json;
use crate::model::lookups::{LabeledRate, SummaryRate};
use crate::model::read::{decimal, opt_string, visit, Result};

use super::{Date, OfflineOptions};

impl OfflineOptions {
    /// Reads options from JSON: every field optional, `rates_as_of` read
    /// as `fetched_at`, other members ignored.
    pub fn from_json(value: &Json) -> Result<OfflineOptions> {
        let Json::Object(members) = value else {
            return Err(value.invalid_type("struct OfflineOptions"));
        };
        let mut options = OfflineOptions::default();
        // `rates_as_of` is an alias: both names are one field.
        let names = ["summary_rates", "fetched_at", "date", "shipping_taxable"];
        let mut seen = [false; 4];
        for (key, v) in members {
            let i = match key.as_str() {
                "rates_as_of" => 1,
                key => match names.iter().position(|n| *n == key) {
                    Some(i) => i,
                    None => continue,
                },
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("duplicate field `{}`", names[i]));
            }
            match i {
                0 => {
                    let Json::Array(items) = v else {
                        return Err(v.invalid_type("a sequence"));
                    };
                    options.summary_rates =
                        items.iter().map(summary_rate).collect::<Result<_>>()?;
                }
                1 => options.fetched_at = opt_date(v)?,
                2 => options.date = opt_date(v)?,
                _ => options.shipping_taxable = pairs(v)?,
            }
        }
        Ok(options)
    }
}

fn summary_rate(value: &Json) -> Result<SummaryRate> {
    let mut rate = SummaryRate::default();
    let (mut minimum, mut average) = (None, None);
    let names = [
        "country_code",
        "country",
        "region_code",
        "region",
        "minimum_rate",
        "average_rate",
    ];
    visit(value, &names, "struct SummaryRate", |i, v| {
        match i {
            0 => rate.country_code = opt_string(Some(v))?,
            1 => rate.country = opt_string(Some(v))?,
            2 => rate.region_code = opt_string(Some(v))?,
            3 => rate.region = opt_string(Some(v))?,
            4 => minimum = Some(labeled(v)?),
            _ => average = Some(labeled(v)?),
        }
        Ok(())
    })?;
    rate.minimum_rate = minimum.ok_or("missing field `minimum_rate`")?;
    rate.average_rate = average.ok_or("missing field `average_rate`")?;
    Ok(rate)
}

fn labeled(value: &Json) -> Result<LabeledRate> {
    let (mut label, mut rate) = (None, None);
    visit(value, &["label", "rate"], "struct LabeledRate", |i, v| {
        if i == 0 {
            label = opt_string(Some(v))?;
        } else {
            rate = Some(decimal(v)?);
        }
        Ok(())
    })?;
    Ok(LabeledRate {
        label,
        rate: rate.ok_or("missing field `rate`")?,
    })
}

/// A date (`"YYYY-MM-DD"` or a timestamp) or milliseconds since the
/// epoch; null is `None`.
fn opt_date(value: &Json) -> Result<Option<Date>> {
    match value {
        Json::Null => Ok(None),
        Json::String(s) => Date::parse(s.trim()).map(Some),
        // Through serde_json's own number reader, as the derive read it
        // (core's float parser would add its 10 KB of tables); a number
        // out of a float's range is not JSON to either reader.
        Json::Number(n) => Ok(serde_json::from_str::<f64>(n).ok().map(Date::from_unix_ms)),
        other => Err(other.invalid_type("a date (\"YYYY-MM-DD\") or milliseconds since the epoch")),
    }
}

/// A JSON object of booleans as its (key, value) pairs, sorted by key,
/// the last of a key repeated winning (as a `BTreeMap` read them).
fn pairs(value: &Json) -> Result<Vec<(String, bool)>> {
    let Json::Object(members) = value else {
        return Err(value.invalid_type("a map"));
    };
    let mut pairs: Vec<(String, bool)> = Vec::with_capacity(members.len());
    for (key, v) in members {
        let Json::Bool(b) = v else {
            return Err(v.invalid_type("a boolean"));
        };
        match pairs.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(at) => pairs[at].1 = *b,
            Err(at) => pairs.insert(at, (key.clone(), *b)),
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derive's answer, its message without serde_json's position.
    fn derived(text: &str) -> Result<OfflineOptions> {
        serde_json::from_str::<OfflineOptions>(text).map_err(|e| {
            let message = e.to_string();
            let at = format!(" at line {} column {}", e.line(), e.column());
            message.strip_suffix(&at).unwrap_or(&message).to_owned()
        })
    }

    #[test]
    fn reads_as_the_derive() {
        let rate = r#"{"country_code":"US","country":"United States","region_code":"NJ","region":"New Jersey","minimum_rate":{"label":"State Tax","rate":0.06625},"average_rate":{"label":"Tax","rate":"0.066"}}"#;
        let texts = [
            format!(r#"{{"fetched_at":"2024-05-01","summary_rates":[{rate}]}}"#),
            format!(r#"{{"rates_as_of":1714521600000,"summary_rates":[{rate},{rate}],"x":1}}"#),
            r#"{"date":"2024-05-01T10:00:00Z","fetched_at":null,"shipping_taxable":{"NY":true,"CA":false,"NY":false}}"#.to_owned(),
            r#"{"fetched_at":1.7145216e12}"#.to_owned(),
            r#"{"fetched_at":-5}"#.to_owned(),
            "{}".to_owned(),
            // Errors, each as the derive words it.
            r#"{"summary_rates":null}"#.to_owned(),
            r#"{"summary_rates":[{"average_rate":{"rate":1}}]}"#.to_owned(),
            r#"{"summary_rates":[{"minimum_rate":{"rate":1},"average_rate":{}}]}"#.to_owned(),
            r#"{"summary_rates":[{"minimum_rate":{"rate":"lots"}}]}"#.to_owned(),
            r#"{"summary_rates":[{"country":5}]}"#.to_owned(),
            r#"{"summary_rates":[7]}"#.to_owned(),
            r#"{"fetched_at":"2024","rates_as_of":"2024-01-01"}"#.to_owned(),
            r#"{"fetched_at":"2024-01-01","rates_as_of":"2024-01-01"}"#.to_owned(),
            r#"{"rates_as_of":"2024-01-01","rates_as_of":"2024-01-01"}"#.to_owned(),
            r#"{"date":true}"#.to_owned(),
            r#"{"shipping_taxable":{"NY":1}}"#.to_owned(),
            r#"{"shipping_taxable":[]}"#.to_owned(),
            r#"{"summary_rates":[],"summary_rates":[]}"#.to_owned(),
            "5".to_owned(),
            "null".to_owned(),
        ];
        for text in texts {
            let hand = OfflineOptions::from_json(&crate::json::parse(&text).unwrap());
            assert_eq!(hand, derived(&text), "{text}");
        }
    }
}
