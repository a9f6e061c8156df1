//! The hash of a URI component (or of the start of one), cheap for short components.
//!
//! Most components are short (`com`, `myapp`, `on_event`), and a lookup hashes several of
//! them and, for prefix keys, several starts of one. A component of at most
//! [`SHORT`] bytes is read as two zero-padded little-endian words (straight out of the URI,
//! without copying: see [`Text::words`]) and hashed with one seeded 64x64->128-bit
//! multiply; a longer one goes through foldhash. Both paths give the same hash for the
//! same bytes, so keys hashed from their own text are found by lookups hashing the URI.
//! The seeds are random per trie, so keys cannot be chosen to collide.

use std::hash::BuildHasher;

/// Components of up to this many bytes are hashed from two words.
pub(super) const SHORT: usize = 16;

/// A component's bytes, zero-padded to [`SHORT`] bytes as two little-endian words.
pub(super) type Words = [u64; 2];

/// Up to 8 bytes as a zero-padded little-endian word, a byte at a time (no copy to the
/// stack whose read-back would stall).
fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .rev()
        .fold(0, |word, &byte| (word << 8) | u64::from(byte))
}

/// Exactly 8 bytes as a little-endian word: one load.
fn le8(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, u64::from_le_bytes)
}

/// The low `n` bytes of a word (`n` at most 8).
pub(super) fn low_bytes(word: u64, n: usize) -> u64 {
    if n >= 8 {
        word
    } else {
        word & ((1 << (8 * n)) - 1)
    }
}

/// The words of the first `n` bytes of a component whose words are `words` (`n` at most
/// the component's length and at most [`SHORT`]).
pub(super) fn truncate(words: Words, n: usize) -> Words {
    if n <= 8 {
        [low_bytes(words[0], n), 0]
    } else {
        [words[0], low_bytes(words[1], n - 8)]
    }
}

/// The words of `bytes` when it has at most [`SHORT`] bytes (by copying: for keys).
pub(super) fn words_of(bytes: &[u8]) -> Option<Words> {
    if bytes.len() > SHORT {
        return None;
    }
    let (head, tail) = bytes.split_at(bytes.len().min(8));
    Some([le(head), le(tail)])
}

/// A looked-up URI, read a word at a time.
pub(super) struct Text<'u>(pub(super) &'u [u8]);

impl Text<'_> {
    /// Bytes `at..at + n` (`n` at most 8, in bounds) as a zero-padded word: one 8-byte
    /// load, from `at` when 8 bytes follow it, else ending at `at + n` and shifted down.
    fn word(&self, at: usize, n: usize) -> u64 {
        if n == 0 {
            return 0;
        }
        if let Some(bytes) = self.0.get(at..at + 8) {
            return low_bytes(le8(bytes), n);
        }
        let end = at + n;
        if let Some(bytes) = end.checked_sub(8).and_then(|start| self.0.get(start..end)) {
            return le8(bytes) >> (8 * (8 - n));
        }
        self.0.get(at..end).map_or(0, le)
    }

    /// The words of bytes `start..end` (in bounds) when they are at most [`SHORT`].
    pub(super) fn words(&self, start: usize, end: usize) -> Option<Words> {
        let len = end.checked_sub(start)?;
        if len > SHORT {
            return None;
        }
        if len <= 8 {
            Some([self.word(start, len), 0])
        } else {
            Some([self.word(start, 8), self.word(start + 8, len - 8)])
        }
    }
}

/// The seeded hash of components.
pub(super) struct Hashes {
    k0: u64,
    k1: u64,
    long: foldhash::fast::RandomState,
}

fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

impl Hashes {
    pub(super) fn new() -> Self {
        let long = foldhash::fast::RandomState::default();
        Hashes {
            k0: long.hash_one(0x243F_6A88_85A3_08D3u64),
            k1: long.hash_one(0x1319_8A2E_0370_7344u64),
            long,
        }
    }

    /// The hash of a component of `len` bytes (at most [`SHORT`]) whose words are `words`.
    pub(super) fn short(&self, words: Words, len: usize) -> u64 {
        let [w0, w1] = words;
        folded_multiply(w0 ^ self.k0, w1 ^ self.k1 ^ ((len as u64) << 59))
    }

    /// The hash of any component; equal to [`Hashes::short`] for short ones.
    pub(super) fn bytes(&self, bytes: &[u8]) -> u64 {
        match words_of(bytes) {
            Some(words) => self.short(words, bytes.len()),
            None => self.long.hash_one(bytes),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn words_read_from_a_uri_equal_words_copied_from_the_component() {
        let uri: Vec<u8> = (0..40u8).map(|b| b'a' + b % 26).collect();
        let hashes = Hashes::new();
        for len in 0..uri.len() {
            let text = &uri[..len];
            for start in 0..=len {
                for end in start..=len {
                    let bytes = &text[start..end];
                    let words = Text(text).words(start, end);
                    assert_eq!(words, words_of(bytes), "{start}..{end} of {len}");
                    if let Some(words) = words {
                        assert_eq!(hashes.short(words, bytes.len()), hashes.bytes(bytes));
                        for n in 0..=bytes.len() {
                            assert_eq!(Some(truncate(words, n)), words_of(&bytes[..n]));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn lengths_and_padding_change_the_hash() {
        let hashes = Hashes::new();
        let seen: std::collections::HashSet<u64> = [&b""[..], b"\0", b"\0\0", b"a", b"a\0", b"b"]
            .iter()
            .map(|b| hashes.bytes(b))
            .collect();
        assert_eq!(seen.len(), 6);
    }
}
