//! A per-thread cache of the Python strings made for dict keys while decoding.
//!
//! Payloads repeat the same keys (every record of a list, every options dict), so a hit
//! saves creating the string and, since a str caches its hash, hashing it on insert.

use pyo3::prelude::*;
use pyo3::types::PyString;

const SLOTS: usize = 1024;
/// Longer keys are rare and not worth caching.
const MAX_KEY_LEN: usize = 64;

/// A direct-mapped cache from key text to the Python str made for it.
#[derive(Default)]
pub(crate) struct KeyCache {
    slots: Vec<Option<(Box<str>, Py<PyString>)>>,
}

fn slot_of(key: &str) -> usize {
    // FNV-1a: cheap and good enough to spread short keys.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash as usize) & (SLOTS - 1)
}

impl KeyCache {
    /// The str for `key`: a cached one when the same text was seen before.
    pub(crate) fn get<'py>(&mut self, py: Python<'py>, key: &str) -> Bound<'py, PyString> {
        if key.len() > MAX_KEY_LEN {
            return PyString::new(py, key);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let i = slot_of(key);
        if let Some(Some((text, s))) = self.slots.get(i) {
            if **text == *key {
                return s.bind(py).clone();
            }
        }
        let s = PyString::new(py, key);
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = Some((key.into(), s.clone().unbind()));
        }
        s
    }
}
