//! The nexus gate's regions: known up front, or fetched once and kept.

use std::rc::Rc;

use super::{Inner, Nexus};
use crate::error::Error;
use crate::estimator::nexus::RegionsResponse;
use crate::estimator::{Region, NEXUS_RETRY_MS};
use crate::model::{check_not_redirect, parse_answer};

/// The regions to gate a cart on, or a fetch to make first.
pub(super) enum Regions {
    /// Gate on these (`None`: no gate).
    Use(Option<Rc<Vec<Region>>>),
    /// Fetch the regions from this URL, then plan again.
    Fetch,
}

impl Inner {
    /// The regions to gate on now. `fetched`: a fetch has just been made
    /// for this cart, so use whatever it left (even a list that expired at
    /// once) and never ask for another.
    pub(super) fn regions(&self, fetched: bool) -> Regions {
        match &*self.nexus.borrow() {
            Nexus::Off => Regions::Use(None),
            Nexus::Known(list) => Regions::Use(Some(list.clone())),
            Nexus::Fetch { regions, retry_at } => {
                let now = self.now();
                if let Some((list, expires)) = regions {
                    if fetched || *expires > now {
                        return Regions::Use(Some(list.clone()));
                    }
                }
                if fetched || *retry_at > now {
                    // A failed fetch waits NEXUS_RETRY_MS: carts go ungated.
                    return Regions::Use(None);
                }
                Regions::Fetch
            }
        }
    }

    /// Takes the answer of `GET /v2/nexus/regions` (or its failure).
    pub(super) fn take_regions(&self, answer: Result<(u16, &str), Error>) {
        let result = answer.and_then(|(status, body)| {
            if self.api_key.is_some() {
                check_not_redirect(status)?;
            }
            parse_answer(status, body, RegionsResponse::from_json)
        });
        let now = self.now();
        let mut nexus = self.nexus.borrow_mut();
        let Nexus::Fetch { regions, retry_at } = &mut *nexus else {
            return;
        };
        match result {
            Ok(body) => {
                *regions = Some((Rc::new(body.regions), now + self.ttl_ms));
                self.regions_version.set(self.regions_version.get() + 1);
            }
            Err(error) => {
                *retry_at = now + NEXUS_RETRY_MS;
                drop(nexus);
                self.log("warn", "nexus_fetch_failed", None, None, error.status);
            }
        }
    }
}
