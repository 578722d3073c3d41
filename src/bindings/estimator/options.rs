//! Reading `new Estimator(options)`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Reflect;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::texts::TextIndex;
use super::{Estimator, Inner, Nexus};
use crate::bindings::convert::{cart_from_js, from_js, function_option};
use crate::error::{Code, Error};
use crate::estimator::{Memo, Region, Stats};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    api_url: Option<String>,
    api_key: Option<String>,
    ttl_seconds: Option<f64>,
    max_entries: Option<f64>,
    timeout_ms: Option<f64>,
    nexus_regions: Option<NexusOption>,
    plugin: Option<String>,
    storage: Option<String>,
    offline: Option<bool>,
}

/// `nexusRegions`: a word (`"fetch"`) or a list of regions.
enum NexusOption {
    Fetch(String),
    List(Vec<Region>),
}

// By hand, not `#[serde(untagged)]`: that buffers the value first and
// brings serde's buffering code into the wasm.
impl<'de> Deserialize<'de> for NexusOption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NexusOption;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"fetch\" or a list of regions")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NexusOption, E> {
                Ok(NexusOption::Fetch(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<NexusOption, A::Error> {
                let list =
                    Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq));
                list.map(NexusOption::List)
            }
        }
        d.deserialize_any(V)
    }
}

fn number_option(value: Option<f64>, default: f64, field: &str) -> Result<f64, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Some(v) => Err(Error::field(
            Code::InvalidValue,
            field,
            format!("{v} must be a number ≥ 0"),
        )),
    }
}

impl Estimator {
    pub(super) fn build(options: JsValue) -> Result<Estimator, Error> {
        if !options.is_object() {
            return Err(Error::new(
                Code::InvalidType,
                "Estimator options must be an object",
            ));
        }
        let defaults =
            Reflect::get(&options, &JsValue::from_str("defaults")).unwrap_or(JsValue::UNDEFINED);
        let defaults = if defaults.is_undefined() || defaults.is_null() {
            None
        } else {
            Some(cart_from_js(defaults).map_err(|e| Error {
                field: Some(format!("defaults.{}", e.field.unwrap_or_default())),
                ..e
            })?)
        };
        let on_log = function_option(&options, "onLog")?;
        let now = function_option(&options, "now")?;
        let o: Options = from_js(options, "options")?;
        let api_url = o.api_url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            Error::field(
                Code::MissingField,
                "apiUrl",
                "apiUrl is required (the Worker's base URL)",
            )
        })?;
        let base = api_url.trim().trim_end_matches('/').to_owned();
        let nexus = match o.nexus_regions {
            None => Nexus::Off,
            Some(NexusOption::List(list)) => Nexus::Known(Rc::new(list)),
            Some(NexusOption::Fetch(word)) if word == "fetch" => Nexus::Fetch {
                regions: None,
                retry_at: f64::NEG_INFINITY,
                pending: None,
            },
            Some(NexusOption::Fetch(word)) => {
                return Err(Error::field(
                    Code::InvalidValue,
                    "nexusRegions",
                    format!("\"{word}\" is not \"fetch\" or a list of regions"),
                ))
            }
        };
        let session = match o.storage.as_deref() {
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
        let max_entries = number_option(o.max_entries, 200.0, "maxEntries")?.max(1.0) as usize;
        Ok(Estimator {
            inner: Rc::new(Inner {
                taxes_url: format!("{base}/v2/taxes"),
                regions_url: format!("{base}/v2/nexus/regions"),
                api_key: o.api_key.filter(|k| !k.is_empty()),
                ttl_ms: number_option(o.ttl_seconds, 900.0, "ttlSeconds")? * 1000.0,
                timeout_ms: number_option(o.timeout_ms, 5000.0, "timeoutMs")?.min(u32::MAX as f64)
                    as u32,
                plugin: o.plugin,
                defaults,
                session,
                offline: o.offline.unwrap_or(false),
                on_log,
                now,
                nexus: RefCell::new(nexus),
                memo: RefCell::new(Memo::new(max_entries)),
                texts: RefCell::new(TextIndex::new(max_entries)),
                regions_version: Cell::new(0),
                in_flight: RefCell::new(HashMap::new()),
                stats: RefCell::new(Stats::default()),
            }),
        })
    }
}
