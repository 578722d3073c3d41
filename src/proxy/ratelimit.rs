//! Rate limiting when the Worker has no `RATE_LIMITER` binding: one token
//! bucket per caller key, per isolate.
//!
//! A bucket holds up to `RATE_LIMIT` tokens and refills at `RATE_LIMIT`
//! per minute; each request takes one. Isolates do not share buckets, so
//! this bounds bursts per isolate, not exactly per caller; the Workers Rate
//! Limiting binding (used when present) is the global limit.

use std::collections::HashMap;

use super::reply::Reply;

/// Buckets kept per isolate; past this, full buckets are dropped (a full
/// bucket is the same as no bucket), then the oldest.
pub(crate) const MAX_BUCKETS: usize = 10_000;
/// The `Retry-After` sent when the binding refuses (its periods are 10 or
/// 60 seconds and it does not say which).
pub(crate) const BINDING_RETRY_AFTER_SECONDS: u32 = 60;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated_ms: f64,
}

/// Token buckets by caller key.
#[derive(Debug)]
pub struct TokenBuckets {
    per_minute: u32,
    buckets: HashMap<String, Bucket>,
}

impl TokenBuckets {
    /// Buckets of `per_minute` tokens; 0 never limits.
    pub fn new(per_minute: u32) -> TokenBuckets {
        TokenBuckets {
            per_minute,
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for `key` at time `now_ms` (ms since the epoch), or
    /// says how many whole seconds until one is free.
    pub fn take(&mut self, key: &str, now_ms: f64) -> Result<(), u32> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = self.per_minute as f64;
        let per_ms = capacity / 60_000.0;
        if !self.buckets.contains_key(key) && self.buckets.len() >= MAX_BUCKETS {
            self.prune(now_ms);
        }
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            updated_ms: now_ms,
        });
        // A clock that goes back refills nothing.
        let elapsed = (now_ms - bucket.updated_ms).max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * per_ms).min(capacity);
        bucket.updated_ms = bucket.updated_ms.max(now_ms);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait_ms = (1.0 - bucket.tokens) / per_ms;
            Err(((wait_ms / 1000.0).ceil() as u32).max(1))
        }
    }

    /// How many buckets are kept.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Whether no bucket is kept.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    fn prune(&mut self, now_ms: f64) {
        let capacity = self.per_minute as f64;
        let per_ms = capacity / 60_000.0;
        self.buckets
            .retain(|_, b| b.tokens + (now_ms - b.updated_ms).max(0.0) * per_ms < capacity);
        if self.buckets.len() >= MAX_BUCKETS {
            // Still full of busy callers: drop the least recently seen half.
            let times: Vec<f64> = self.buckets.values().map(|b| b.updated_ms).collect();
            let order = crate::order::sorted_indices(times.len(), &mut |a, b| {
                times[a].total_cmp(&times[b])
            });
            let cut = times[order[times.len() / 2]];
            self.buckets.retain(|_, b| b.updated_ms > cut);
        }
    }
}

/// The 429 for a caller over its limit, TaxJar-style, with `Retry-After`.
pub fn limited(retry_after_seconds: u32) -> Reply {
    let detail = format!("rate limit reached; retry after {retry_after_seconds} s");
    Reply::error(429, &detail).with_header("Retry-After", retry_after_seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::flow;
    use crate::proxy::ratelimit;
    use crate::proxy::testing::tj;

    #[test]
    fn token_buckets_limit_per_caller() {
        let mut b = TokenBuckets::new(2);
        assert_eq!(
            [b.take("a", 0.0), b.take("a", 10.0), b.take("a", 20.0)],
            [Ok(()), Ok(()), Err(30)]
        );
        assert_eq!(b.take("b", 20.0), Ok(()));
        assert_eq!(b.take("a", 15_020.0), Err(15));
        assert_eq!(b.take("a", 30_020.0), Ok(()));
        assert_eq!(
            b.take("a", 0.0),
            Err(30),
            "a clock going back refills nothing"
        );
        let mut unlimited = TokenBuckets::new(0);
        assert!((0..1000).all(|_| unlimited.take("a", 0.0).is_ok()) && unlimited.is_empty());
        let mut many = TokenBuckets::new(60);
        for i in 0..(MAX_BUCKETS + 5) {
            let _ = many.take(&format!("k{i}"), i as f64);
        }
        assert!(many.len() <= MAX_BUCKETS);
        let r = ratelimit::limited(30);
        assert_eq!(
            tj(&r),
            "429 Too Many Requests: rate limit reached; retry after 30 s"
        );
        assert_eq!(r.header("Retry-After"), Some("30"));
        assert_eq!(flow::binding_refused().header("Retry-After"), Some("60"));
    }
}
