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
/// Keys up to this length are compared by their fingerprint alone.
const SHORT: usize = 16;

/// A cached str with the fingerprint of its text, so that a lookup compares words held in
/// the slot and touches the str only to take a reference; and the hash of the last text
/// that missed, which replaces the str if it comes again.
#[derive(Default)]
struct Slot {
    print: (u64, u64),
    len: usize,
    s: Option<Py<PyString>>,
    candidate: u64,
}

/// A direct-mapped cache from key text to the Python str made for it. A text takes an
/// occupied slot the second time in a row it misses there, so a run of distinct strs
/// (ids, say) neither evicts the repeated ones nor pays for churning the slot.
#[derive(Default)]
pub(crate) struct KeyCache {
    slots: Vec<Slot>,
}

/// `N` bytes of `bytes` from `at` as a little-endian word (0 past the end).
fn word<const N: usize>(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let (Some(dst), Some(src)) = (w.get_mut(..N), bytes.get(at..at + N)) {
        dst.copy_from_slice(src);
    }
    u64::from_le_bytes(w)
}

/// Two words read from the first and last 8 (or 4) bytes, as wyhash does for short
/// input: a few loads whatever the length. For a given length up to 16 they hold every
/// byte, so equal length and fingerprint mean equal text.
#[inline(always)]
fn fingerprint(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    if n >= 8 {
        (word::<8>(bytes, 0), word::<8>(bytes, n - 8))
    } else if n >= 4 {
        (word::<4>(bytes, 0), word::<4>(bytes, n - 4))
    } else {
        // The first, middle and last byte are every byte of up to 3.
        let at = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
        (at(0) | at(n / 2) << 8 | at(n.saturating_sub(1)) << 16, 0)
    }
}

#[inline(always)]
fn hash((head, tail): (u64, u64), n: usize) -> u64 {
    (head ^ tail.rotate_left(29) ^ (n as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline(always)]
fn slot_of(hash: u64) -> usize {
    (hash >> 54) as usize & (SLOTS - 1)
}

impl Slot {
    /// Whether this slot's str has the text `raw` (of fingerprint `print`).
    #[inline(always)]
    fn holds<'a, 'py>(
        &'a self,
        py: Python<'py>,
        raw: &[u8],
        print: (u64, u64),
    ) -> Option<&'a Bound<'py, PyString>> {
        let s = self.s.as_ref()?.bind(py);
        (self.len == raw.len()
            && self.print == print
            && (raw.len() <= SHORT || str_utf8(s).map(str::as_bytes) == Some(raw)))
        .then_some(s)
    }
}

impl KeyCache {
    /// The cached str whose UTF-8 is exactly `raw`, if any. Only checked text is ever
    /// cached, so a hit proves `raw` is valid UTF-8 without checking it again.
    #[inline(always)]
    pub(crate) fn hit<'py>(&self, py: Python<'py>, raw: &[u8]) -> Option<Bound<'py, PyString>> {
        if raw.len() > MAX_KEY_LEN {
            return None;
        }
        let print = fingerprint(raw);
        let slot = self.slots.get(slot_of(hash(print, raw.len())))?;
        slot.holds(py, raw, print).cloned()
    }

    /// The str for `key`: a cached one when the same text was seen before.
    pub(crate) fn get<'py>(&mut self, py: Python<'py>, key: &str) -> Bound<'py, PyString> {
        let raw = key.as_bytes();
        if raw.len() > MAX_KEY_LEN {
            return PyString::new(py, key);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, Slot::default);
        }
        let print = fingerprint(raw);
        let h = hash(print, raw.len());
        let Some(slot) = self.slots.get_mut(slot_of(h)) else {
            return PyString::new(py, key);
        };
        if let Some(s) = slot.holds(py, raw, print) {
            return s.clone();
        }
        let s = PyString::new(py, key);
        if slot.s.is_none() || slot.candidate == h {
            *slot = Slot {
                print,
                len: raw.len(),
                s: Some(s.clone().unbind()),
                candidate: 0,
            };
        } else {
            slot.candidate = h;
        }
        s
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_differing_in_any_byte_have_different_fingerprints() {
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
            assert_eq!(fingerprint(key.as_bytes()), fingerprint(key.as_bytes()));
            for at in 0..key.len() {
                let mut other = key.as_bytes().to_vec();
                other[at] ^= 1;
                assert_ne!(
                    fingerprint(key.as_bytes()),
                    fingerprint(&other),
                    "{key} at {at}"
                );
            }
        }
    }

    #[test]
    fn slots_stay_in_range() {
        for n in 0..=MAX_KEY_LEN {
            let key = "x".repeat(n);
            assert!(slot_of(hash(fingerprint(key.as_bytes()), n)) < SLOTS);
        }
    }
}
