//! A per-thread cache of the Python strings made for dict keys while decoding.
//!
//! Payloads repeat the same keys (every record of a list, every options dict), so a hit
//! saves creating the string and, since a str caches its hash, hashing it on insert.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::ffi::str_utf8;

const SLOTS: usize = 1024;
/// Longer keys are rare and not worth caching.
const MAX_KEY_LEN: usize = 64;

/// A direct-mapped cache from key text to the Python str made for it. A slot holds only
/// the str: its text is compared where the str keeps it.
#[derive(Default)]
pub(crate) struct KeyCache {
    slots: Vec<Option<Py<PyString>>>,
}

/// `N` bytes of `bytes` from `at` as a little-endian word (0 past the end).
fn word<const N: usize>(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let (Some(dst), Some(src)) = (w.get_mut(..N), bytes.get(at..at + N)) {
        dst.copy_from_slice(src);
    }
    u64::from_le_bytes(w)
}

fn slot_of(bytes: &[u8]) -> usize {
    // The length and the first and last 8 (or 4) bytes read as whole words, as wyhash
    // does for short input: a few loads whatever the length, and enough to spread the
    // keys of one payload.
    let n = bytes.len();
    let (head, tail) = if n >= 8 {
        (word::<8>(bytes, 0), word::<8>(bytes, n - 8))
    } else if n >= 4 {
        (word::<4>(bytes, 0), word::<4>(bytes, n - 4))
    } else {
        let at = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        (at(0) | at(n / 2) << 8 | at(n.saturating_sub(1)) << 16, 0)
    };
    let mixed = (head ^ tail.rotate_left(29) ^ (n as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 54) as usize & (SLOTS - 1)
}

/// Byte equality without a library call for the short keys payloads have: up to 16
/// bytes compare as two (overlapping) words each.
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        // The first, middle and last byte are every byte of up to 3.
        0..=3 => a.first() == b.first() && a.get(n / 2) == b.get(n / 2) && a.last() == b.last(),
        _ => a == b,
    }
}

impl KeyCache {
    /// The cached str whose UTF-8 is exactly `raw`, if any. Only checked text is ever
    /// cached, so a hit proves `raw` is valid UTF-8 without checking it again.
    pub(crate) fn hit<'py>(&self, py: Python<'py>, raw: &[u8]) -> Option<Bound<'py, PyString>> {
        if raw.len() > MAX_KEY_LEN {
            return None;
        }
        let s = self.slots.get(slot_of(raw))?.as_ref()?.bind(py);
        same(str_utf8(s)?.as_bytes(), raw).then(|| s.clone())
    }

    /// The str for `key`: a cached one when the same text was seen before.
    pub(crate) fn get<'py>(&mut self, py: Python<'py>, key: &str) -> Bound<'py, PyString> {
        if key.len() > MAX_KEY_LEN {
            return PyString::new(py, key);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let i = slot_of(key.as_bytes());
        if let Some(Some(s)) = self.slots.get(i) {
            let s = s.bind(py);
            if str_utf8(s).is_some_and(|text| same(text.as_bytes(), key.as_bytes())) {
                return s.clone();
            }
        }
        let s = PyString::new(py, key);
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = Some(s.clone().unbind());
        }
        s
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn same_compares_every_byte_of_short_and_long_keys() {
        let keys = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "abcdefghijklmnop",
        ];
        for key in keys {
            assert!(same(key.as_bytes(), key.as_bytes()));
            for at in 0..key.len() {
                let mut other = key.as_bytes().to_vec();
                other[at] ^= 1;
                assert!(!same(key.as_bytes(), &other), "{key} at {at}");
            }
        }
        assert!(!same(b"abcd", b"abcde"));
        let long = "k".repeat(40);
        assert!(same(long.as_bytes(), long.as_bytes()));
        assert!(!same(long.as_bytes(), "k".repeat(39).as_bytes()));
    }

    #[test]
    fn slots_stay_in_range() {
        for n in 0..=MAX_KEY_LEN {
            assert!(slot_of("x".repeat(n).as_bytes()) < SLOTS);
        }
    }
}
