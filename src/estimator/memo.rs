//! A memo with a lifetime per entry and a least-recently-used bound.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// Entries keyed by `cartKey` (or any other key `K`), each with its own
/// expiry. Time is whatever clock the caller passes (milliseconds), so
/// tests can drive it.
#[derive(Debug)]
pub struct Memo<V, K = String> {
    entries: HashMap<K, Entry<V>>,
    max_entries: usize,
    tick: u64,
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    expires_at: f64,
    used: u64,
}

impl<V, K: Hash + Eq + Clone> Memo<V, K> {
    /// A memo holding at most `max_entries` (at least 1).
    pub fn new(max_entries: usize) -> Self {
        Memo {
            entries: HashMap::new(),
            max_entries: max_entries.max(1),
            tick: 0,
        }
    }

    /// The live value for `key` at time `now`, marking it recently used.
    /// An expired entry is dropped and reads as absent.
    pub fn get<Q>(&mut self, key: &Q, now: f64) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_mut(key, now).map(|v| &*v)
    }

    /// [`Memo::get`], for a value the caller updates in place.
    pub fn get_mut<Q>(&mut self, key: &Q, now: f64) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let expired = self.entries.get(key)?.expires_at <= now;
        if expired {
            self.entries.remove(key);
            return None;
        }
        self.tick += 1;
        let entry = self.entries.get_mut(key)?;
        entry.used = self.tick;
        Some(&mut entry.value)
    }

    /// Stores `value` until `expires_at`, evicting the least recently used
    /// entry when full. Answers the evicted entry, so a caller that mirrors
    /// the memo elsewhere can drop it there too.
    pub fn insert(&mut self, key: K, value: V, expires_at: f64) -> Option<(K, V)> {
        let mut evicted = None;
        if !self.entries.contains_key(&key) && self.entries.len() >= self.max_entries {
            // Linear scan: the bound is small (hundreds), and this keeps the
            // structure a plain map.
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            {
                evicted = self
                    .entries
                    .remove_entry(&oldest)
                    .map(|(k, e)| (k, e.value));
            }
        }
        self.tick += 1;
        let used = self.tick;
        self.entries.insert(
            key,
            Entry {
                value,
                expires_at,
                used,
            },
        );
        evicted
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// How many entries are held (expired ones included until read).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_by_the_given_clock() {
        let mut memo: Memo<i32> = Memo::new(10);
        memo.insert("a".into(), 1, 1000.0);
        assert_eq!(memo.get("a", 999.0), Some(&1));
        assert_eq!(memo.get("a", 1000.0), None);
        assert!(memo.is_empty());
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut memo: Memo<i32> = Memo::new(2);
        memo.insert("a".into(), 1, 10.0);
        memo.insert("b".into(), 2, 10.0);
        assert_eq!(memo.get("a", 0.0), Some(&1)); // b is now the oldest
        assert_eq!(memo.insert("c".into(), 3, 10.0), Some(("b".into(), 2)));
        assert_eq!(memo.get("b", 0.0), None);
        assert_eq!(memo.get("a", 0.0), Some(&1));
        assert_eq!(memo.get("c", 0.0), Some(&3));
        assert_eq!(memo.len(), 2);
        // Replacing a key does not evict another.
        assert_eq!(memo.insert("a".into(), 4, 10.0), None);
        assert_eq!(memo.len(), 2);
        assert_eq!(memo.get("a", 0.0), Some(&4));
    }

    #[test]
    fn any_key_type() {
        let mut memo: Memo<&str, u32> = Memo::new(1);
        assert_eq!(memo.insert(7, "seven", f64::INFINITY), None);
        assert_eq!(memo.insert(8, "eight", f64::INFINITY), Some((7, "seven")));
        assert_eq!(memo.get(&7, 0.0), None);
        assert_eq!(memo.get(&8, 0.0), Some(&"eight"));
    }
}
