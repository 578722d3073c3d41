//! A memo with a lifetime per entry and a least-recently-used bound.

use std::borrow::Borrow;

/// Entries keyed by `cartKey` (or any other key `K`), each with its own
/// expiry. Time is whatever clock the caller passes (milliseconds), so
/// tests can drive it.
///
/// A list searched from the back (newest first), not a hash map: the
/// bound is small (200 by default), a lookup compares keys that differ
/// within their first bytes, and a hash table's code was about 4 KB of the
/// browser's `.wasm` (gzip). A hit on the newest of 200 entries costs what
/// it did with a hash map (~11 µs in Node); on the oldest, ~2 µs more.
#[derive(Debug)]
pub struct Memo<V, K = String> {
    entries: Vec<(K, Entry<V>)>,
    max_entries: usize,
    tick: u64,
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    expires_at: f64,
    used: u64,
}

impl<V, K: Eq> Memo<V, K> {
    /// A memo holding at most `max_entries` (at least 1).
    pub fn new(max_entries: usize) -> Self {
        Memo {
            entries: Vec::new(),
            max_entries: max_entries.max(1),
            tick: 0,
        }
    }

    /// The live value for `key` at time `now`, marking it recently used.
    /// An expired entry is dropped and reads as absent.
    pub fn get<Q>(&mut self, key: &Q, now: f64) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.get_mut(key, now).map(|v| &*v)
    }

    /// [`Memo::get`], for a value the caller updates in place.
    pub fn get_mut<Q>(&mut self, key: &Q, now: f64) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let at = self.position(key)?;
        if self.entries[at].1.expires_at <= now {
            self.entries.swap_remove(at);
            return None;
        }
        self.tick += 1;
        let entry = &mut self.entries[at].1;
        entry.used = self.tick;
        Some(&mut entry.value)
    }

    /// Where `key` is, searched from the newest entry back: the cart asked
    /// for again is most often the one just estimated.
    fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.entries.iter().rposition(|(k, _)| k.borrow() == key)
    }

    /// Stores `value` until `expires_at`, evicting the least recently used
    /// entry when full. Answers the evicted entry, so a caller that mirrors
    /// the memo elsewhere can drop it there too.
    pub fn insert(&mut self, key: K, value: V, expires_at: f64) -> Option<(K, V)> {
        self.tick += 1;
        let entry = Entry {
            value,
            expires_at,
            used: self.tick,
        };
        if let Some(at) = self.position(&key) {
            self.entries[at].1 = entry;
            return None;
        }
        let mut evicted = None;
        if self.entries.len() >= self.max_entries {
            // Linear scan: the bound is small (hundreds).
            let oldest = (0..self.entries.len()).min_by_key(|&i| self.entries[i].1.used);
            evicted = oldest.map(|i| {
                let (k, e) = self.entries.swap_remove(i);
                (k, e.value)
            });
        }
        self.entries.push((key, entry));
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
