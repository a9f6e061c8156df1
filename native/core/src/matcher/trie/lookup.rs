//! Lookups in the trie: the URI split into components once (a word at a time), the walk
//! of the literal path for prefix keys, and the depth-first search for wildcard keys.

use super::{bit, filter_bit, Probe, Trie, INLINE, LONG, UNKNOWN};
use crate::matcher::hash::{truncate, Text, SHORT};
use crate::matcher::store::NONE;

/// One component of a looked-up URI: its byte range, its hash once computed, and the
/// literal-path node after it once the prefix walk found it (NONE: no such node).
#[derive(Clone, Copy)]
struct Comp {
    start: u32,
    end: u32,
    node: u32,
    hashed: bool,
    hash: u64,
}

impl Comp {
    const EMPTY: Comp = Comp {
        start: 0,
        end: 0,
        node: UNKNOWN,
        hashed: false,
        hash: 0,
    };
}

/// The prefix values a walk found, kept on the stack while there are few.
struct Found<'a, T> {
    inline: [Option<&'a T>; 8],
    len: usize,
    spill: Vec<&'a T>,
}

impl<'a, T> Found<'a, T> {
    fn new() -> Self {
        Found {
            inline: [None; 8],
            len: 0,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, value: &'a T) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = Some(value),
            None => self.spill.push(value),
        }
        self.len += 1;
    }

    /// Pass the values to `f` last first; false when `f` asked to stop.
    fn drain_reversed(self, f: &mut dyn FnMut(&'a T) -> bool) -> bool {
        // The spill holds the later (longer) keys.
        self.spill.into_iter().rev().all(&mut *f) && self.inline.into_iter().rev().flatten().all(f)
    }
}

/// Bit 7 of byte `k` of the result is set when byte `k` of `word` is a dot. No carry
/// crosses bytes (each byte of the sum is at most 0x7F + 0x7F), so there are no false hits.
fn dot_mask(word: u64) -> u64 {
    const DOTS: u64 = 0x2E2E_2E2E_2E2E_2E2E;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ DOTS;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// Call `f(base, mask)` for each 8-byte word of `bytes` (the last one zero-padded) with
/// the word's offset and a mask with bit 7 of byte `k` set when byte `base + k` is a dot:
/// a URI is split a word at a time rather than a byte at a time.
fn for_each_dot_mask(bytes: &[u8], mut f: impl FnMut(usize, u64)) {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        f(base, dot_mask(u64::from_le_bytes(word)));
        base += 8;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last 8 bytes, shifted down to the remainder's (one load: a copy into a
        // stack word would stall the load that reads it back); a shorter text, by bytes.
        let last = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..));
        let word = match last.and_then(|last| <[u8; 8]>::try_from(last).ok()) {
            Some(last) => u64::from_le_bytes(last) >> (8 * (8 - rest.len())),
            None => rest
                .iter()
                .rev()
                .fold(0, |word, &byte| (word << 8) | u64::from(byte)),
        };
        f(base, dot_mask(word));
    }
}

/// Where the first dot of `bytes` is, if any (a word at a time, stopping at it).
fn first_dot(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let mask = dot_mask(word);
        if mask != 0 {
            return Some(base + mask.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&b| b == b'.').map(|at| base + at)
}

impl<T> Trie<T> {
    // -- lookups -------------------------------------------------------------------------

    /// Call `f` with the value of every matching prefix key (longest first) when `prefixes`,
    /// then of every matching wildcard key (most specific first) when `wildcards`, until
    /// `f` returns false.
    pub(in crate::matcher) fn lookup<'a>(
        &'a self,
        uri: &[u8],
        prefixes: bool,
        wildcards: bool,
        f: &mut dyn FnMut(&'a T) -> bool,
    ) {
        if u32::try_from(uri.len()).is_err() {
            return;
        }
        let prefixes = prefixes && self.prefixes() > 0;
        let wildcards = wildcards && self.wildcards > 0;
        if !prefixes && !wildcards {
            return;
        }
        // Every key below the root begins with a literal edge unless the root has a
        // wildcard child or prefix tails: a URI whose first component is not one of those
        // edges matches nothing, which one probe tells before the URI is split.
        let mut first = None;
        if let Some(root) = self.nodes.get(Self::ROOT) {
            if root.tail_lengths == 0 && !root.wild {
                let end = first_dot(uri).unwrap_or(uri.len());
                let probe = self.probe_in(uri, 0, end);
                let child = if !self.may_have_literal(root, probe.hash) {
                    None
                } else {
                    self.literal(Self::ROOT, &probe)
                };
                match child {
                    Some(child) => first = Some((probe.hash, child)),
                    None => return,
                }
            }
        }
        // Component `k` runs from the dot before it to the dot after it (or the ends). One
        // pass: the first INLINE components go on the stack, more move to the heap.
        let mut inline = [Comp::EMPTY; INLINE];
        let mut heap: Vec<Comp> = Vec::new();
        let mut count = 0;
        let mut push = |start: u32, end: u32| {
            let comp = Comp {
                start,
                end,
                ..Comp::EMPTY
            };
            match inline.get_mut(count) {
                Some(slot) => *slot = comp,
                None => {
                    if heap.is_empty() {
                        heap.extend_from_slice(&inline);
                    }
                    heap.push(comp);
                }
            }
            count += 1;
        };
        let mut start = 0;
        for_each_dot_mask(uri, |base, mut mask| {
            while mask != 0 {
                let dot = (base + mask.trailing_zeros() as usize / 8) as u32;
                mask &= mask - 1;
                push(start, dot);
                start = dot + 1;
            }
        });
        push(start, uri.len() as u32);
        let wildcards = wildcards && self.by_count.get(count).is_some_and(|&c| c > 0);
        if !prefixes && !wildcards {
            return;
        }
        let comps: &mut [Comp] = if count <= INLINE {
            inline.get_mut(..count).unwrap_or_default()
        } else {
            &mut heap
        };
        if let (Some((hash, child)), Some(comp)) = (first, comps.first_mut()) {
            comp.hash = hash;
            comp.hashed = true;
            comp.node = child;
        }
        if prefixes {
            let mut found = Found::new();
            self.walk_prefixes(uri, comps, &mut found);
            if !found.drain_reversed(f) {
                return;
            }
        }
        if wildcards {
            self.walk_wildcards(uri, comps, f);
        }
    }

    /// Bytes `start..end` of the URI, to look for.
    fn probe_in<'u>(&self, uri: &'u [u8], start: usize, end: usize) -> Probe<'u> {
        let bytes = uri.get(start..end).unwrap_or_default();
        let words = Text(uri).words(start, end);
        let hash = match words {
            Some(words) => self.hashes.short(words, bytes.len()),
            None => self.bytes_hash(bytes),
        };
        Probe { bytes, words, hash }
    }

    /// Component `at` of the URI (its hash computed once).
    fn component<'u>(&self, uri: &'u [u8], comps: &mut [Comp], at: usize) -> Probe<'u> {
        let Some(comp) = comps.get_mut(at) else {
            return Probe {
                bytes: &[],
                words: None,
                hash: 0,
            };
        };
        let (start, end) = (comp.start as usize, comp.end as usize);
        let bytes = uri.get(start..end).unwrap_or_default();
        let words = Text(uri).words(start, end);
        if !comp.hashed {
            comp.hash = match words {
                Some(words) => self.hashes.short(words, bytes.len()),
                None => self.bytes_hash(bytes),
            };
            comp.hashed = true;
        }
        Probe {
            bytes,
            words,
            hash: comp.hash,
        }
    }

    fn walk_prefixes<'a>(&'a self, uri: &[u8], comps: &mut [Comp], found: &mut Found<'a, T>) {
        let mut node = Self::ROOT;
        for at in 0..comps.len() {
            let Some(n) = self.nodes.get(node) else {
                return;
            };
            let next = self.component(uri, comps, at);
            // The key that ends at the dot before `next` is the shortest here.
            if let Some(value) = &n.dot {
                found.push(value);
            }
            if n.tail_lengths != 0 {
                self.tails_at(node, n.tail_lengths, n.filter, &next, found);
            }
            if n.tails_below == 0 || n.literals == 0 || next.bytes.is_empty() {
                return;
            }
            let known = comps.get(at).map_or(UNKNOWN, |c| c.node);
            let child = if known != UNKNOWN {
                (known != NONE).then_some(known)
            } else if !self.may_have_literal(n, next.hash) {
                None
            } else {
                self.literal(node, &next)
            };
            let Some(child) = child else {
                if let Some(comp) = comps.get_mut(at) {
                    comp.node = NONE;
                }
                return;
            };
            if let Some(comp) = comps.get_mut(at) {
                comp.node = child;
            }
            node = child;
        }
    }

    /// The prefix keys with their tail at `node` that `next` (the URI's next component)
    /// starts with, shortest first.
    fn tails_at<'a>(
        &'a self,
        node: u32,
        lengths: u32,
        filter: u64,
        next: &Probe<'_>,
        found: &mut Found<'a, T>,
    ) {
        let mut bits = lengths;
        while bits != 0 {
            let len = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let range = if len == LONG {
                LONG..next.bytes.len() + 1
            } else {
                len..len + 1
            };
            for len in range {
                let Some(bytes) = next.bytes.get(..len) else {
                    return;
                };
                // A short start of the component: its words are the component's, cut.
                let tail = match next.words {
                    Some(words) if len <= SHORT => {
                        let words = truncate(words, len);
                        Probe {
                            bytes,
                            words: Some(words),
                            hash: self.hashes.short(words, len),
                        }
                    }
                    _ => self.probe(bytes),
                };
                if filter & filter_bit(tail.hash, true) == 0 {
                    continue;
                }
                if let Some(hit) = self.tail_at(node, &tail) {
                    found.push(&hit.value);
                }
            }
        }
    }

    fn walk_wildcards<'a>(
        &'a self,
        uri: &[u8],
        comps: &mut [Comp],
        f: &mut dyn FnMut(&'a T) -> bool,
    ) {
        // Every literal of a key is non-empty and a wildcard needs a non-empty component,
        // so a URI with an empty component matches nothing.
        if comps.iter().any(|c| c.start == c.end) {
            return;
        }
        let count = comps.len();
        // Depth-first, literal edge before wildcard edge: that is precedence order. The
        // flag says the node is on the all-literal path, which the prefix walk may know.
        let mut inline = [(0u32, 0u32, false); INLINE + 2];
        let mut heap = Vec::new();
        let mut len = 1;
        if let Some(first) = inline.first_mut() {
            *first = (Self::ROOT, 0, true);
        }
        loop {
            let top = if len <= inline.len() {
                inline.get(..len).and_then(|s| s.last())
            } else {
                heap.last()
            };
            let Some(&(node, depth, literal_path)) = top else {
                return;
            };
            let depth = depth as usize;
            if len > inline.len() {
                heap.pop();
            }
            len -= 1;
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            if n.wild_depths & bit(count - depth) == 0 {
                continue;
            }
            if depth == count {
                if let Some(value) = &n.value {
                    if !f(value) {
                        return;
                    }
                }
                continue;
            }
            let next = (depth + 1) as u32;
            let mut push = |entry: (u32, u32, bool)| {
                match inline.get_mut(len) {
                    Some(slot) => *slot = entry,
                    None => heap.push(entry),
                }
                len += 1;
            };
            if n.wild {
                if let Some(wild) = self.wild_child(node) {
                    push((wild, next, false));
                }
            }
            if n.literals > 0 {
                let known = comps.get(depth).map_or(UNKNOWN, |c| c.node);
                let child = if literal_path && known != UNKNOWN {
                    (known != NONE).then_some(known)
                } else {
                    let component = self.component(uri, comps, depth);
                    if !self.may_have_literal(n, component.hash) {
                        None
                    } else {
                        self.literal(node, &component)
                    }
                };
                if let Some(child) = child {
                    push((child, next, literal_path));
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn dot_masks_find_every_dot_and_nothing_else() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend_from_slice(b"..a.bc..\xae.\x2e\x2f\x2d.");
        for len in 0..bytes.len() {
            let text = &bytes[..len];
            let mut found = Vec::new();
            for_each_dot_mask(text, |base, mut mask| {
                while mask != 0 {
                    found.push(base + mask.trailing_zeros() as usize / 8);
                    mask &= mask - 1;
                }
            });
            let expected: Vec<usize> = (0..len).filter(|&i| text[i] == b'.').collect();
            assert_eq!(found, expected, "{len}");
            for start in 0..len.min(20) {
                let from = &text[start..];
                assert_eq!(first_dot(from), from.iter().position(|&b| b == b'.'));
            }
        }
    }
}
