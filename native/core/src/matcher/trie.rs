//! Prefix and wildcard keys in one trie over URI components.
//!
//! A node stands for a run of components from the root. Each node keeps the component
//! on its incoming edge (inline up to [`Label::INLINE`] bytes, so a lookup compares it
//! without another memory access) and its parent's id; the nodes live in one
//! open-addressing table (see `store.rs`) where a node's slot comes from the hash of
//! (parent, component), so finding a child reads the child itself and nothing else. The
//! wildcard child is the child labelled with the empty component.
//!
//! * A **wildcard** key is a path of literal and wildcard edges; its value sits at the
//!   end of the path.
//! * A **prefix** key matches by characters, so it is split at its last dot: the
//!   components before it are a literal path, and the rest (the *tail*, maybe empty) must
//!   begin the URI's next component. Tails live in one hash table keyed by (node, tail);
//!   each node keeps a bit set of its tail lengths, so a lookup probes only lengths that
//!   exist. The value of a key that ends at a dot (an empty tail) sits in the node
//!   itself, so a lookup finds it in the line it reads anyway.
//!
//! A lookup splits the URI into components once and walks: the literal path for prefix
//! keys (shortest key first), then a depth-first search with the literal edge before the
//! wildcard edge for wildcard keys (most specific first), reusing the literal path the
//! first walk found. Counters and bit sets on the nodes stop both walks where no key
//! of the right kind (or, for wildcards, of the right length) lies below.

use hashbrown::HashTable;

use super::hash::{Hashes, Words};
use super::store::{slot_links, Slot, Table, NONE};
use super::Refused;

mod lookup;
mod prefix;

/// Not looked up yet (a component's hash or literal-path node).
const UNKNOWN: u32 = u32::MAX - 1;
/// Lengths (of tails, or of the rest of a wildcard key) from this one up share the last
/// bit of a 64-bit set.
const LONG: usize = 31;
/// URIs with up to this many components are split without allocating.
const INLINE: usize = 10;

/// The component on the edge into a node. 16 bytes: a long component sits behind a
/// thin pointer so that the inline case fits beside the tag, which keeps a node within
/// one cache line.
enum Label {
    Inline(u8, [u8; Label::INLINE]),
    Heap(Box<Box<[u8]>>),
}

impl Label {
    const INLINE: usize = 14;
    const EMPTY: Label = Label::Inline(0, [0; Label::INLINE]);

    fn new(bytes: &[u8]) -> Label {
        let mut inline = [0; Label::INLINE];
        match inline.get_mut(..bytes.len()) {
            Some(head) => {
                head.copy_from_slice(bytes);
                Label::Inline(bytes.len() as u8, inline)
            }
            None => Label::Heap(Box::new(bytes.into())),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Label::Inline(len, bytes) => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Label::Heap(bytes) => bytes,
        }
    }

    /// Whether the label is `probe`'s bytes: an inline label is compared as two words.
    fn matches(&self, probe: &Probe<'_>) -> bool {
        match (self, probe.words) {
            (Label::Inline(len, bytes), Some([w0, w1])) => {
                // Bytes 0..8, and 8..14 from an overlapping load of 6..14.
                let (head, tail) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>());
                let (Some(head), Some(tail)) = (head, tail) else {
                    return false;
                };
                usize::from(*len) == probe.bytes.len()
                    && u64::from_le_bytes(*head) == w0
                    && u64::from_le_bytes(*tail) >> 16 == w1
            }
            _ => self.bytes() == probe.bytes,
        }
    }
}

/// Bytes looked for (a component or the start of one), with their words when they are
/// short and their hash.
#[derive(Clone, Copy)]
struct Probe<'b> {
    bytes: &'b [u8],
    words: Option<Words>,
    hash: u64,
}

/// Aligned to a cache line so that a lookup touches one line per node it visits (the
/// node is at most 64 bytes for a pointer-sized `T`).
#[repr(align(64))]
struct TrieNode<T> {
    label: Label,
    /// The value of the wildcard key that ends here.
    value: Option<T>,
    /// The value of the prefix key that is this node's path and a dot.
    dot: Option<T>,
    /// The parent's id (its slot); a free slot or a tombstone has a marker here.
    parent: u32,
    /// How many literal edges leave this node.
    literals: u32,
    /// How many prefix keys have their tail below this node.
    tails_below: u32,
    /// Whether this node has a wildcard child.
    wild: bool,
    /// The reach of the node's slot (see `store.rs`).
    reach: u8,
    /// One more than the index of this node's wide filter in `Trie::wide`, or 0.
    wide: u16,
    /// Bit `l`: some tail here has length `l` (the last bit: length >= LONG).
    tail_lengths: u32,
    /// Bit `k`: a wildcard key ends `k` levels below (the last bit: >= LONG). Set on
    /// insert and never cleared while the node lives: a filter that may let a walk in
    /// but never keeps it out of a match.
    wild_depths: u32,
    /// A one-word Bloom filter of what hangs off this node: one bit per literal child's
    /// label and one per prefix tail (see [`filter_bit`]). Set on insert and never
    /// cleared while the node lives: a probe whose bit is clear cannot hit, so a lookup
    /// skips it (and the cache misses of a hash table probe) without changing any answer.
    filter: u64,
}

impl<T> TrieNode<T> {
    const EMPTY: TrieNode<T> = TrieNode {
        label: Label::EMPTY,
        value: None,
        dot: None,
        parent: NONE,
        literals: 0,
        tails_below: 0,
        wild: false,
        reach: 0,
        wide: 0,
        tail_lengths: 0,
        wild_depths: 0,
        filter: 0,
    };

    fn idle(&self) -> bool {
        !self.wild
            && self.value.is_none()
            && self.dot.is_none()
            && self.literals == 0
            && self.tail_lengths == 0
            && self.tails_below == 0
    }
}

impl<T> Slot for TrieNode<T> {
    fn free() -> Self {
        TrieNode::EMPTY
    }

    slot_links!();
}

/// A prefix key: the node at the end of its path, its tail, its value.
struct Tail<T> {
    node: u32,
    tail: Label,
    value: T,
}

/// A node with this many literal children gets a wide filter of them: its one-word
/// filter is then mostly ones.
const WIDE_AT: u32 = 32;
/// Bits of a wide filter.
const WIDE_BITS: usize = 2048;

/// The bit of a wide filter for a literal child whose label hashes to `hash` (bits of the
/// hash that neither the one-word filter nor the slot's position use much).
fn wide_bit(hash: u64) -> usize {
    (hash >> 21) as usize % WIDE_BITS
}

fn bit(len: usize) -> u32 {
    1 << len.min(LONG)
}

/// The bit of a node's `filter` for a literal child (`tail` false) or a prefix tail
/// (`tail` true) whose bytes hash to `hash`. Literals and tails take different bits of
/// the hash, so one does not predict the other.
fn filter_bit(hash: u64, tail: bool) -> u64 {
    let shift = if tail { 52 } else { 58 };
    1 << ((hash >> shift) & 63)
}

/// Split a prefix key at its last dot: (literal path, tail).
fn split_prefix(key: &str) -> (Option<&str>, &str) {
    match key.rsplit_once('.') {
        Some((path, tail)) => (Some(path), tail),
        None => (None, key),
    }
}

/// Whether a prefix key split into `path` and `tail` ends at a dot (its value then sits
/// in the node at the end of `path`).
fn ends_at_dot(path: Option<&str>, tail: &str) -> bool {
    path.is_some() && tail.is_empty()
}

fn components(path: Option<&str>) -> impl Iterator<Item = &[u8]> {
    path.into_iter()
        .flat_map(|p| p.split('.'))
        .map(str::as_bytes)
}

pub(super) struct Trie<T> {
    nodes: Table<TrieNode<T>>,
    /// How many wildcard keys have each component count (a URI with a count no key has
    /// needs no search).
    by_count: Vec<u32>,
    pub(super) wildcards: usize,
    /// How many prefix keys end at a dot (their values sit in the nodes).
    dots: usize,
    /// Prefix keys by (node, tail), and per (node, tail length bucket) counts that keep
    /// the nodes' tail bit sets exact.
    tails: HashTable<Tail<T>>,
    tail_counts: HashTable<(u32, u32, u32)>,
    /// Wide filters of the nodes with many literal children (one bit per child's label;
    /// set on insert, made exact when the node table is built again), and the free ones.
    wide: Vec<[u64; WIDE_BITS / 64]>,
    wide_free: Vec<u16>,
    hashes: Hashes,
    /// The hash of the empty component (the wildcard child's label).
    empty: u64,
}

impl<T> Trie<T> {
    const ROOT: u32 = 0;

    pub(super) fn new() -> Self {
        let hashes = Hashes::new();
        Trie {
            nodes: Table::with_root(TrieNode::EMPTY),
            by_count: Vec::new(),
            wildcards: 0,
            dots: 0,
            tails: HashTable::new(),
            tail_counts: HashTable::new(),
            wide: Vec::new(),
            wide_free: Vec::new(),
            empty: hashes.bytes(&[]),
            hashes,
        }
    }

    pub(super) fn prefixes(&self) -> usize {
        self.tails.len() + self.dots
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.nodes
            .iter()
            .flat_map(|node| node.value.iter().chain(node.dot.iter()))
            .chain(self.tails.iter().map(|tail| &tail.value))
    }

    // -- hashing -------------------------------------------------------------------------

    fn bytes_hash(&self, bytes: &[u8]) -> u64 {
        self.hashes.bytes(bytes)
    }

    fn probe<'b>(&self, bytes: &'b [u8]) -> Probe<'b> {
        Probe {
            bytes,
            words: super::hash::words_of(bytes),
            hash: self.bytes_hash(bytes),
        }
    }

    /// The hash of an edge or tail from its node and the hash of its bytes (seeded, so
    /// keys cannot be chosen to collide).
    fn at_node(node: u32, bytes_hash: u64) -> u64 {
        let mixed = (bytes_hash ^ u64::from(node)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        mixed ^ (mixed >> 29)
    }

    // -- paths ---------------------------------------------------------------------------

    /// The literal child of `node` labelled `component`.
    #[inline]
    fn literal(&self, node: u32, component: &Probe<'_>) -> Option<u32> {
        self.nodes
            .find(Self::at_node(node, component.hash), node, |c| {
                c.label.matches(component)
            })
    }

    /// The wildcard child of `node` (which the caller saw has one).
    fn wild_child(&self, node: u32) -> Option<u32> {
        self.nodes.find(Self::at_node(node, self.empty), node, |c| {
            c.label.bytes().is_empty()
        })
    }

    fn child(&self, node: u32, component: &[u8]) -> Option<u32> {
        if component.is_empty() {
            return if self.nodes.get(node)?.wild {
                self.wild_child(node)
            } else {
                None
            };
        }
        self.literal(node, &self.probe(component))
    }

    /// The nodes along `path` from the root (root first), as far as they exist.
    fn path(&self, path: Option<&str>) -> Vec<u32> {
        let mut nodes = vec![Self::ROOT];
        let mut node = Self::ROOT;
        for component in components(path) {
            match self.child(node, component) {
                Some(child) => node = child,
                None => break,
            }
            nodes.push(node);
        }
        nodes
    }

    /// The node at the end of `path`, if it exists.
    fn find(&self, path: Option<&str>) -> Option<u32> {
        components(path).try_fold(Self::ROOT, |node, component| self.child(node, component))
    }

    /// The nodes along `path` from the root, created as needed; the caller made room
    /// (see [`Trie::has_room`]). None (with the nodes made pruned again) if there was no
    /// room after all.
    fn make(&mut self, path: Option<&str>) -> Option<Vec<u32>> {
        let mut nodes = vec![Self::ROOT];
        let mut node = Self::ROOT;
        for component in components(path) {
            let next = match self.child(node, component) {
                Some(child) => Some(child),
                None => self.add_child(node, component),
            };
            let Some(next) = next else {
                self.prune(path, &nodes);
                return None;
            };
            node = next;
            nodes.push(node);
        }
        Some(nodes)
    }

    fn add_child(&mut self, node: u32, component: &[u8]) -> Option<u32> {
        let bytes_hash = self.bytes_hash(component);
        let child = TrieNode {
            label: Label::new(component),
            parent: node,
            ..TrieNode::EMPTY
        };
        let child = self.nodes.place(Self::at_node(node, bytes_hash), child)?;
        let mut wide = None;
        if let Some(n) = self.nodes.get_mut(node) {
            if component.is_empty() {
                n.wild = true;
            } else {
                n.literals += 1;
                n.filter |= filter_bit(bytes_hash, false);
                if n.wide == 0 && n.literals >= WIDE_AT {
                    // Lets every label through until the next build of the table fills it.
                    n.wide = Self::new_wide(&mut self.wide, &mut self.wide_free, !0);
                }
                wide = usize::from(n.wide).checked_sub(1);
            }
        }
        if let Some(filter) = wide.and_then(|at| self.wide.get_mut(at)) {
            let bit = wide_bit(bytes_hash);
            if let Some(word) = filter.get_mut(bit / 64) {
                *word |= 1 << (bit % 64);
            }
        }
        Some(child)
    }

    /// Drop the idle nodes at the end of `nodes` (a path from the root, labelled by
    /// `path`), from the leaf up.
    fn prune(&mut self, path: Option<&str>, nodes: &[u32]) {
        let components: Vec<&[u8]> = components(path).collect();
        for (depth, component) in components.iter().enumerate().rev() {
            let (Some(&node), Some(&parent)) = (nodes.get(depth + 1), nodes.get(depth)) else {
                continue;
            };
            if !self.nodes.get(node).is_some_and(TrieNode::idle) {
                return;
            }
            if let Some(p) = self.nodes.get_mut(parent) {
                if component.is_empty() {
                    p.wild = false;
                } else {
                    p.literals = p.literals.saturating_sub(1);
                }
            }
            let hashes = &self.hashes;
            let placed_by =
                |n: &TrieNode<T>| Self::at_node(n.parent, hashes.bytes(n.label.bytes()));
            if let Some(gone) = self.nodes.remove(node, placed_by) {
                if gone.wide != 0 {
                    self.wide_free.push(gone.wide);
                }
            }
        }
    }

    /// Make room for `components` more nodes, building the node table again (with new
    /// ids, which the prefix tables follow) if needed; false when the trie is full.
    fn has_room(&mut self, components: usize) -> bool {
        if self.nodes.fits(components) {
            return true;
        }
        let hashes = &self.hashes;
        let rebuilt = self.nodes.rebuild(components, |parent, node| {
            Self::at_node(parent, hashes.bytes(node.label.bytes()))
        });
        let Some(map) = rebuilt else {
            return false;
        };
        self.fill_wide();
        let hashes = &self.hashes;
        let new_id = |old: u32| map.get(old as usize).copied().unwrap_or(NONE);
        let tails: Vec<Tail<T>> = self.tails.drain().collect();
        for mut tail in tails {
            tail.node = new_id(tail.node);
            let hash = Self::at_node(tail.node, hashes.bytes(tail.tail.bytes()));
            self.tails.insert_unique(hash, tail, |t| {
                Self::at_node(t.node, hashes.bytes(t.tail.bytes()))
            });
        }
        let counts: Vec<(u32, u32, u32)> = self.tail_counts.drain().collect();
        for (node, bucket, count) in counts {
            let node = new_id(node);
            self.tail_counts.insert_unique(
                Self::at_node(node, u64::from(bucket)),
                (node, bucket, count),
                |&(n, b, _)| Self::at_node(n, u64::from(b)),
            );
        }
        self.nodes.fits(components)
    }

    /// A wide filter whose words are `fill` (its index plus one), if there is room.
    fn new_wide(wide: &mut Vec<[u64; WIDE_BITS / 64]>, free: &mut Vec<u16>, fill: u64) -> u16 {
        if let Some(at) = free.pop() {
            if let Some(filter) = usize::from(at).checked_sub(1).and_then(|i| wide.get_mut(i)) {
                *filter = [fill; WIDE_BITS / 64];
                return at;
            }
        }
        match u16::try_from(wide.len() + 1) {
            Ok(at) => {
                wide.push([fill; WIDE_BITS / 64]);
                at
            }
            Err(_) => 0,
        }
    }

    /// Make every wide filter exact: the bits of the literal children now in the table.
    fn fill_wide(&mut self) {
        if self.wide.is_empty() {
            return;
        }
        for filter in &mut self.wide {
            *filter = [0; WIDE_BITS / 64];
        }
        for node in self.nodes.iter() {
            let label = node.label.bytes();
            if label.is_empty() {
                continue;
            }
            let Some(parent) = self.nodes.get(node.parent) else {
                continue;
            };
            let Some(filter) = usize::from(parent.wide)
                .checked_sub(1)
                .and_then(|at| self.wide.get_mut(at))
            else {
                continue;
            };
            let bit = wide_bit(self.hashes.bytes(label));
            if let Some(word) = filter.get_mut(bit / 64) {
                *word |= 1 << (bit % 64);
            }
        }
    }

    /// Whether `n` may have a literal child whose label hashes to `hash`: false is sure.
    #[inline]
    fn may_have_literal(&self, n: &TrieNode<T>, hash: u64) -> bool {
        if n.filter & filter_bit(hash, false) == 0 {
            return false;
        }
        let Some(filter) = usize::from(n.wide)
            .checked_sub(1)
            .and_then(|at| self.wide.get(at))
        else {
            return true;
        };
        let bit = wide_bit(hash);
        filter
            .get(bit / 64)
            .is_none_or(|word| word & (1 << (bit % 64)) != 0)
    }

    // -- wildcard keys -------------------------------------------------------------------

    pub(super) fn get_wildcard(&self, key: &str) -> Option<&T> {
        let node = self.find(Some(key))?;
        self.nodes.get(node)?.value.as_ref()
    }

    pub(super) fn get_wildcard_mut(&mut self, key: &str) -> Option<&mut T> {
        let node = self.find(Some(key))?;
        self.nodes.get_mut(node)?.value.as_mut()
    }

    pub(super) fn insert_wildcard(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let count = key.split('.').count();
        if !self.has_room(count) {
            return Err(Refused::Full);
        }
        if self.get_wildcard(key).is_some() {
            return Err(Refused::Taken);
        }
        let Some(nodes) = self.make(Some(key)) else {
            return Err(Refused::Full);
        };
        let mut value = Some(value);
        for (depth, &node) in nodes.iter().enumerate() {
            if let Some(n) = self.nodes.get_mut(node) {
                n.wild_depths |= bit(count - depth);
                if depth == count {
                    n.value = value.take();
                }
            }
        }
        if self.by_count.len() <= count {
            self.by_count.resize(count + 1, 0);
        }
        if let Some(c) = self.by_count.get_mut(count) {
            *c += 1;
        }
        self.wildcards += 1;
        Ok(())
    }

    pub(super) fn remove_wildcard(&mut self, key: &str) -> Option<T> {
        let count = key.split('.').count();
        let nodes = self.path(Some(key));
        if nodes.len() != count + 1 {
            return None;
        }
        let value = self.nodes.get_mut(*nodes.last()?)?.value.take()?;
        self.wildcards -= 1;
        if let Some(c) = self.by_count.get_mut(count) {
            *c = c.saturating_sub(1);
        }
        self.prune(Some(key), &nodes);
        Some(value)
    }

    /// Bytes held by the node table and the prefix tables.
    pub(super) fn table_bytes(&self) -> usize {
        self.nodes.slots() * std::mem::size_of::<TrieNode<T>>()
            + self.tails.allocation_size()
            + self.tail_counts.allocation_size()
            + self.by_count.capacity() * 4
            + self.wide.capacity() * WIDE_BITS / 8
    }

    #[cfg(test)]
    pub(super) fn live_nodes(&self) -> usize {
        self.nodes.live()
    }

    /// Slots of the node table and tombstones among them.
    #[cfg(test)]
    pub(super) fn table_shape(&self) -> (usize, usize) {
        self.nodes.shape()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_node_fills_one_cache_line() {
        // A pointer-sized value with a niche, as the binding's Py<PyAny>.
        assert_eq!(std::mem::size_of::<TrieNode<Box<u8>>>(), 64);
    }

    #[test]
    fn filter_bits_differ_for_literals_and_tails() {
        let hash = 0xfc00_0000_0000_0000u64;
        assert_eq!(filter_bit(hash, false), 1 << 63);
        assert_eq!(filter_bit(hash, true), 1 << 0);
        assert_eq!(filter_bit(0x0050_0000_0000_0000, true), 1 << 5);
    }
}
