//! The memo's JS side: serving a hit as a (frozen, shared) JS object, and
//! keeping answers in memory and in sessionStorage.

use wasm_bindgen::prelude::*;

use super::answer::{deep_freeze, estimate_object};
use super::storage::{Saved, STORAGE_PREFIX};
use super::{Inner, Stored};
use crate::bindings::convert::js_error;
use crate::error::Error;

impl Inner {
    /// A memo hit for `key`, shaped for a caller whose lines are `ids`.
    pub(super) fn hit(&self, key: &str, ids: &[String]) -> Option<Result<JsValue, JsValue>> {
        let found = self.lookup(key, ids)?;
        self.count(|s| &mut s.cache_hits);
        self.log("info", "cache_hit", Some(key), None, None);
        Some(match found {
            Ok(object) => Ok(object),
            Err(error) => {
                self.count(|s| &mut s.errors);
                Err(js_error(&error))
            }
        })
    }

    /// The memoized answer for `key`, for a caller whose lines are `ids`:
    /// from memory, else from sessionStorage.
    pub(super) fn lookup(&self, key: &str, ids: &[String]) -> Option<Result<JsValue, Error>> {
        let now = self.now();
        if let Some(stored) = self.memo.borrow_mut().get_mut(key, now) {
            return Some(match stored {
                Stored::Estimate {
                    json,
                    ids: stored_ids,
                    frozen,
                } if stored_ids.as_slice() == ids => Ok(frozen
                    .get_or_insert_with(|| {
                        deep_freeze(estimate_object(json, "cache", stored_ids, ids))
                    })
                    .clone()),
                Stored::Estimate {
                    json,
                    ids: stored_ids,
                    ..
                } => Ok(deep_freeze(estimate_object(json, "cache", stored_ids, ids))),
                Stored::Failure(error) => Err(error.clone()),
            });
        }
        let text = self
            .storage()?
            .get_item(&format!("{STORAGE_PREFIX}{key}"))
            .ok()??;
        let saved = Saved::from_json(&text)?;
        if saved.expires_at <= now {
            return None;
        }
        let stored = Stored::Estimate {
            json: saved.estimate,
            ids: saved.ids,
            frozen: None,
        };
        self.memo
            .borrow_mut()
            .insert(key.to_owned(), stored, saved.expires_at);
        self.lookup(key, ids)
    }

    /// Keeps `stored` for `ttl_ms` (an estimate also in sessionStorage).
    pub(super) fn remember(&self, key: &str, stored: Stored, ttl_ms: f64) {
        let expires_at = self.now() + ttl_ms;
        if let (Stored::Estimate { json, ids, .. }, Some(storage)) = (&stored, self.storage()) {
            let saved = Saved {
                expires_at,
                estimate: json.clone(),
                ids: ids.clone(),
            };
            // A full storage only costs the reload its saving.
            let _ = storage.set_item(&format!("{STORAGE_PREFIX}{key}"), &saved.to_json());
        }
        self.memo
            .borrow_mut()
            .insert(key.to_owned(), stored, expires_at);
    }
}
