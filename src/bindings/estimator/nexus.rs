//! The nexus gate's regions: known up front, or fetched once and kept.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{Inner, Nexus};
use crate::bindings::transport::send;
use crate::estimator::nexus::RegionsResponse;
use crate::estimator::Region;
use crate::model::parse_body;

/// How long a failed `GET /v2/nexus/regions` waits before it is tried again.
const NEXUS_RETRY_MS: f64 = 60_000.0;

impl Inner {
    /// The nexus regions to gate on, fetching them once when asked to.
    pub(super) async fn regions(self: Rc<Self>) -> Option<Rc<Vec<Region>>> {
        let pending = {
            let mut nexus = self.nexus.borrow_mut();
            match &mut *nexus {
                Nexus::Off => return None,
                Nexus::Known(list) => return Some(list.clone()),
                Nexus::Fetch {
                    regions,
                    retry_at,
                    pending,
                } => {
                    let now = self.now();
                    if let Some((list, expires)) = regions {
                        if *expires > now {
                            return Some(list.clone());
                        }
                    }
                    if pending.is_none() && *retry_at > now {
                        return None;
                    }
                    pending
                        .get_or_insert_with(|| future_to_promise(self.clone().fetch_regions()))
                        .clone()
                }
            }
        };
        let _ = JsFuture::from(pending).await;
        match &*self.nexus.borrow() {
            Nexus::Fetch {
                regions: Some((list, _)),
                ..
            } => Some(list.clone()),
            _ => None,
        }
    }

    async fn fetch_regions(self: Rc<Self>) -> Result<JsValue, JsValue> {
        let result = match send(
            &self.regions_url,
            None,
            self.api_key.as_deref(),
            self.timeout_ms,
        )
        .await
        {
            Ok((status, text)) => parse_body::<RegionsResponse>(status, &text),
            Err(e) => Err(e),
        };
        let now = self.now();
        if let Nexus::Fetch {
            regions,
            retry_at,
            pending,
        } = &mut *self.nexus.borrow_mut()
        {
            *pending = None;
            match result {
                Ok(body) => {
                    *regions = Some((Rc::new(body.regions), now + self.ttl_ms));
                    self.regions_version.set(self.regions_version.get() + 1);
                }
                Err(ref error) => {
                    *retry_at = now + NEXUS_RETRY_MS;
                    self.log("warn", "nexus_fetch_failed", None, None, error.status);
                }
            }
        }
        Ok(JsValue::UNDEFINED)
    }
}
