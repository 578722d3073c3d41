//! The sign-in attempt limiter: at most `MAX_FAILURES` failed attempts per
//! client address in `WINDOW_SECONDS`; the next is refused with 429 until
//! the oldest leaves the window.
//!
//! The failures are kept in KV (the `CONSOLE` binding), so the limit holds
//! across isolates: the value is the unix seconds of each recent failure,
//! comma-separated. The Worker reads it, asks [`check`], and writes what
//! `after_failure` or `after_success` say. Nothing here does I/O.

use crate::proxy::short_hash;

/// Failed attempts allowed in the window; the next one is refused.
pub(crate) const MAX_FAILURES: usize = 5;
/// The window: 10 minutes.
pub(crate) const WINDOW_SECONDS: u64 = 600;

/// The KV key of a client address (hashed: KV never holds the address).
pub fn key(client_ip: Option<&str>) -> String {
    format!(
        "console:failures:{}",
        short_hash(client_ip.unwrap_or("-"), 32)
    )
}

/// The failures in `stored` still inside the window at `now`.
fn recent(stored: Option<&str>, now: u64) -> Vec<u64> {
    stored
        .unwrap_or("")
        .split(',')
        .filter_map(|t| t.trim().parse::<u64>().ok())
        .filter(|&t| t <= now && now - t < WINDOW_SECONDS)
        .collect()
}

/// `Err(retry_after_seconds)` when the client already failed
/// `MAX_FAILURES` times in the window at `now`, else `Ok(())`.
pub fn check(stored: Option<&str>, now: u64) -> Result<(), u64> {
    let failures = recent(stored, now);
    if failures.len() < MAX_FAILURES {
        return Ok(());
    }
    let oldest = failures.iter().copied().min().unwrap_or(now);
    Err((oldest + WINDOW_SECONDS).saturating_sub(now).max(1))
}

/// What to keep after a failed attempt at `now`: the recent failures and
/// this one (the Worker stores it for [`WINDOW_SECONDS`]).
pub(crate) fn after_failure(stored: Option<&str>, now: u64) -> String {
    let mut failures = recent(stored, now);
    failures.push(now);
    let kept = failures.len().saturating_sub(MAX_FAILURES);
    let texts: Vec<String> = failures[kept..].iter().map(u64::to_string).collect();
    texts.join(",")
}

/// What to keep after a successful sign-in: nothing (the key is deleted).
pub(crate) fn after_success() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_in_ten_minutes_is_refused() {
        let mut stored: Option<String> = None;
        for at in 0..5 {
            assert_eq!(check(stored.as_deref(), 1_000 + at), Ok(()));
            stored = Some(after_failure(stored.as_deref(), 1_000 + at));
        }
        assert_eq!(stored.as_deref(), Some("1000,1001,1002,1003,1004"));
        assert_eq!(check(stored.as_deref(), 1_005), Err(595));
        assert_eq!(check(stored.as_deref(), 1_599), Err(1));
        // The first failure has left the window.
        assert_eq!(check(stored.as_deref(), 1_600), Ok(()));
        assert_eq!(
            after_failure(stored.as_deref(), 1_600),
            "1001,1002,1003,1004,1600"
        );
    }

    #[test]
    fn old_and_garbled_entries_do_not_count() {
        assert_eq!(check(Some("1,2,3,4,5"), 10_000), Ok(()));
        assert_eq!(check(Some("x,,9999999999"), 10), Ok(()));
        assert_eq!(after_failure(Some("junk,1"), 10_000), "10000");
        assert_eq!(after_success(), None);
    }

    #[test]
    fn keys_hash_the_address() {
        let k = key(Some("203.0.113.7"));
        assert!(k.starts_with("console:failures:"));
        assert_eq!(k.len(), "console:failures:".len() + 32);
        assert!(!k.contains("203.0.113.7"));
        assert_ne!(k, key(Some("203.0.113.8")));
        assert_eq!(key(None), key(Some("-")));
    }
}
