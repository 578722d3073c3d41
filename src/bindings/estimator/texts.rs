//! Cart JSON texts already validated and keyed, so a memo hit skips the
//! copy into the wasm, the parse, the validation and the SHA-256.
//!
//! The texts stay in JS, as the keys of a JS `Map` (V8 hashes a string
//! where it lives); the `Map` gives a slot number, and the slot's key and
//! line ids live here. No answer is kept here: a hit still asks the core
//! memo for the key, which alone decides whether an answer is live (TTL,
//! eviction, `clear()`).

use std::rc::Rc;

use js_sys::{JsString, Map};
use wasm_bindgen::prelude::*;

use crate::estimator::Memo;

/// What a cart text was found to be: valid, due a lookup, with this key.
pub(super) struct KnownText {
    /// The text itself, to remove it from the JS `Map` on eviction.
    text: JsString,
    /// Its `cartKey`.
    pub key: String,
    /// Its line ids, in cart order.
    pub ids: Vec<String>,
    /// The nexus regions version it was planned under.
    pub regions: u32,
}

/// Bounded like the memo: the least recently used text goes first.
pub(super) struct TextIndex {
    /// Cart text → slot number (a JS number).
    slots: Map,
    /// Slot → what the text is. Entries never expire (a text's key does
    /// not change); they are only evicted.
    known: Memo<Rc<KnownText>, u64>,
    next_slot: u64,
}

/// JS numbers hold integers exactly up to 2^53: slots never get near it,
/// and are never reused, so a text can never reach another text's slot.
const MAX_SLOT: u64 = 1 << 53;

impl TextIndex {
    /// An index of at most `max_entries` texts.
    pub fn new(max_entries: usize) -> Self {
        TextIndex {
            slots: Map::new(),
            known: Memo::new(max_entries),
            next_slot: 0,
        }
    }

    /// What `text` was found to be, if it was seen.
    pub fn get(&mut self, text: &JsString) -> Option<Rc<KnownText>> {
        let slot = self.slots.get(text).as_f64()? as u64;
        self.known.get(&slot, 0.0).cloned()
    }

    /// Records that `text` is valid, due a lookup under `regions`, with
    /// this key and these line ids.
    pub fn insert(&mut self, text: JsString, key: String, ids: Vec<String>, regions: u32) {
        let slot = match self.slots.get(&text).as_f64() {
            Some(slot) => slot as u64,
            None => {
                if self.next_slot >= MAX_SLOT {
                    self.clear();
                    self.next_slot = 0;
                }
                self.next_slot += 1;
                self.next_slot
            }
        };
        self.slots.set(&text, &JsValue::from(slot as f64));
        let known = KnownText {
            text,
            key,
            ids,
            regions,
        };
        if let Some((_, evicted)) = self.known.insert(slot, Rc::new(known), f64::INFINITY) {
            self.slots.delete(&evicted.text);
        }
    }

    /// Forgets every text.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.known.clear();
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    // `make test` runs the wasm tests in browsers only.
    wasm_bindgen_test_configure!(run_in_browser);

    fn text(s: &str) -> JsString {
        JsString::from(s)
    }

    fn key(index: &mut TextIndex, s: &str) -> Option<String> {
        index.get(&text(s)).map(|known| known.key.clone())
    }

    #[wasm_bindgen_test]
    fn bounded_and_mirrored_in_the_js_map() {
        let mut index = TextIndex::new(2);
        index.insert(text("a"), "ka".into(), vec![], 0);
        index.insert(text("b"), "kb".into(), vec![], 0);
        assert_eq!(key(&mut index, "a").as_deref(), Some("ka")); // b is now the oldest
        index.insert(text("c"), "kc".into(), vec![], 0);
        assert_eq!(index.slots.size(), 2, "an evicted text leaves the JS Map");
        assert!(index.slots.get(&text("b")).is_undefined());
        assert_eq!(key(&mut index, "b"), None);
        // A text seen again keeps its slot; what it maps to is replaced.
        index.insert(text("a"), "ka".into(), vec!["1".into()], 1);
        assert_eq!(index.slots.size(), 2);
        assert_eq!(index.get(&text("a")).map(|k| k.regions), Some(1));
        index.clear();
        assert_eq!(index.slots.size(), 0);
        assert_eq!(key(&mut index, "c"), None);
    }
}
