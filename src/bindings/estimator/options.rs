//! Reading `new Estimator(options)`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::texts::TextIndex;
use super::{Inner, Nexus};
use crate::bindings::convert::{cart_from_js, read_js};
use crate::bindings::options::{wrong_type, Options};
use crate::error::{Code, Error};
use crate::estimator::{Lessons, Memo, Region, Stats};
use crate::money::digits::display;

/// A number option at least zero, or `default` when absent.
fn at_least_zero(value: Option<f64>, default: f64, field: &str) -> Result<f64, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Some(v) => Err(Error::field(
            Code::InvalidValue,
            field,
            format!("{} must be a number ≥ 0", display(v)),
        )),
    }
}

/// Every option of `new Estimator(options)`.
const KNOWN: [&str; 12] = [
    "apiUrl",
    "apiKey",
    "ttlSeconds",
    "maxEntries",
    "timeoutMs",
    "nexusRegions",
    "defaults",
    "plugin",
    "storage",
    "offline",
    "onLog",
    "now",
];

impl Inner {
    /// Reads `new Estimator(options)`.
    pub(super) fn build(options: JsValue) -> Result<Inner, Error> {
        if !options.is_object() {
            return Err(Error::new(
                Code::InvalidType,
                "Estimator options must be an object",
            ));
        }
        let options = Options::new(options, "", "Estimator options", &KNOWN)?;
        let defaults = match options.value("defaults") {
            None => None,
            Some(defaults) => Some(cart_from_js(defaults).map_err(|e| Error {
                field: Some(format!("defaults.{}", e.field.unwrap_or_default())),
                ..e
            })?),
        };
        let on_log = options.function("onLog")?;
        let now = options.function("now")?;
        let api_url = options
            .string("apiUrl")?
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                Error::field(
                    Code::MissingField,
                    "apiUrl",
                    "apiUrl is required (the Worker's base URL)",
                )
            })?;
        let base = api_url.trim().trim_end_matches('/').to_owned();
        let nexus = match options.value("nexusRegions") {
            None => Nexus::Off,
            Some(value) => match value.as_string() {
                Some(word) if word == "fetch" => Nexus::Fetch {
                    regions: None,
                    retry_at: f64::NEG_INFINITY,
                },
                Some(word) => {
                    return Err(Error::field(
                        Code::InvalidValue,
                        "nexusRegions",
                        format!("\"{word}\" is not \"fetch\" or a list of regions"),
                    ))
                }
                None if js_sys::Array::is_array(&value) => Nexus::Known(Rc::new(read_js(
                    &value,
                    "nexusRegions",
                    Region::list_from_json,
                )?)),
                None => return Err(wrong_type("nexusRegions", "\"fetch\" or a list of regions")),
            },
        };
        let storage = options.string("storage")?;
        let session = match storage.as_deref() {
            None | Some("none") => false,
            Some("session") => true,
            Some(other) => {
                return Err(Error::field(
                    Code::InvalidValue,
                    "storage",
                    format!("\"{other}\" is not \"none\" or \"session\""),
                ))
            }
        };
        let max_entries =
            at_least_zero(options.number("maxEntries")?, 200.0, "maxEntries")?.max(1.0) as usize;
        Ok(Inner {
            taxes_url: format!("{base}/v2/taxes"),
            regions_url: format!("{base}/v2/nexus/regions"),
            api_key: options.string("apiKey")?.filter(|k| !k.is_empty()),
            ttl_ms: at_least_zero(options.number("ttlSeconds")?, 900.0, "ttlSeconds")? * 1000.0,
            timeout_ms: at_least_zero(options.number("timeoutMs")?, 5000.0, "timeoutMs")?
                .min(u32::MAX as f64) as u32,
            plugin: options.string("plugin")?,
            defaults,
            session,
            offline: options.bool("offline")?.unwrap_or(false),
            on_log,
            now,
            nexus: RefCell::new(nexus),
            memo: RefCell::new(Memo::new(max_entries)),
            texts: RefCell::new(TextIndex::new(max_entries)),
            regions_version: Cell::new(0),
            in_flight: RefCell::new(Vec::new()),
            stats: RefCell::new(Stats::default()),
            lessons: RefCell::new(Lessons::new()),
            shown: RefCell::new(Vec::new()),
        })
    }
}
