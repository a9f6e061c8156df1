//! Prefix and wildcard keys in one trie over interned URI components.
//!
//! A node stands for a run of literal components from the root. Its literal children
//! live in one hash map keyed by (node, component id); its wildcard child is a field.
//!
//! * A **wildcard** key is a path of literal and wildcard edges; its value sits at the
//!   end of the path.
//! * A **prefix** key matches by characters, so it is split at its last dot: the
//!   components before it are a literal path, and the rest (the *tail*, maybe empty) must
//!   begin the URI's next component. Tails live in one hash table keyed by (node, tail);
//!   each node keeps a bit set of its tail lengths, so a lookup probes only lengths that
//!   exist (`prefix key = path + "." + tail`).
//!
//! A lookup splits the URI into components once, interns them lazily, and walks: the
//! literal path for prefix keys (shortest key first), and a depth-first search with the
//! literal edge before the wildcard edge for wildcard keys (most specific first).

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::store::{Nodes, Slab, CAPACITY, NONE};
use super::{Map, Refused};

/// A component id not looked up yet.
const UNKNOWN: u32 = u32::MAX - 1;
/// Tail lengths from this one up share the last bit of a node's tail bit set.
const LONG_TAIL: usize = 63;
/// URIs with up to this many components are split without allocating.
const INLINE: usize = 16;

struct TrieNode {
    /// The child through the wildcard edge, or NONE.
    wild: u32,
    /// The slot of the wildcard key that ends here, or NONE.
    value: u32,
    /// How many literal edges leave this node (they live in `Trie::edges`).
    literals: u32,
    /// How many prefix keys have their tail here.
    tails: u32,
    /// Bit `l` set: some tail here has length `l` (the last bit: length >= LONG_TAIL).
    tail_lengths: u64,
}

impl TrieNode {
    const EMPTY: TrieNode = TrieNode {
        wild: NONE,
        value: NONE,
        literals: 0,
        tails: 0,
        tail_lengths: 0,
    };

    fn idle(&self) -> bool {
        self.wild == NONE && self.value == NONE && self.literals == 0 && self.tails == 0
    }
}

struct PrefixEntry<T> {
    key: Box<str>,
    /// Where the tail starts in `key` (after the last dot, or 0).
    tail: u32,
    node: u32,
    value: T,
}

impl<T> PrefixEntry<T> {
    fn tail(&self) -> &[u8] {
        self.key
            .as_bytes()
            .get(self.tail as usize..)
            .unwrap_or_default()
    }
}

/// One component of a looked-up URI: its byte range and its id once known.
#[derive(Clone, Copy)]
struct Comp {
    start: usize,
    end: usize,
    id: u32,
}

impl Comp {
    const EMPTY: Comp = Comp {
        start: 0,
        end: 0,
        id: UNKNOWN,
    };
}

pub(super) struct Trie<T> {
    nodes: Nodes<TrieNode>,
    /// Literal edges: (node, component id) packed in a u64 -> child.
    edges: Map<u64, u32>,
    /// Interned literal components -> (id, number of edges using it).
    components: Map<Box<[u8]>, (u32, u32)>,
    free_ids: Vec<u32>,
    next_id: u32,
    /// Wildcard values, and how many wildcard keys have each component count (a URI
    /// with a count no key has needs no search).
    wild_values: Slab<T>,
    by_count: Vec<u32>,
    pub(super) wildcards: usize,
    /// Prefix entries, the (node, tail) table over them, and per (node, tail length
    /// bucket) counts that keep the nodes' bit sets exact.
    prefixes: Slab<PrefixEntry<T>>,
    tails: HashTable<u32>,
    tail_counts: Map<u64, u32>,
    hasher: foldhash::fast::RandomState,
}

fn edge(node: u32, component: u32) -> u64 {
    (u64::from(node) << 32) | u64::from(component)
}

fn bucket(len: usize) -> u32 {
    len.min(LONG_TAIL) as u32
}

/// Split a prefix key at its last dot: (literal path, tail).
fn split_prefix(key: &str) -> (Option<&str>, &str) {
    match key.rsplit_once('.') {
        Some((path, tail)) => (Some(path), tail),
        None => (None, key),
    }
}

impl<T> Trie<T> {
    const ROOT: u32 = 0;

    pub(super) fn new() -> Self {
        Trie {
            nodes: Nodes::with_root(TrieNode::EMPTY),
            edges: Map::default(),
            components: Map::default(),
            free_ids: Vec::new(),
            next_id: 0,
            wild_values: Slab::new(),
            by_count: Vec::new(),
            wildcards: 0,
            prefixes: Slab::new(),
            tails: HashTable::new(),
            tail_counts: Map::default(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    pub(super) fn prefixes(&self) -> usize {
        self.tails.len()
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.wild_values
            .values()
            .chain(self.prefixes.values().map(|entry| &entry.value))
    }

    fn tail_hash(&self, node: u32, tail: &[u8]) -> u64 {
        self.hasher.hash_one((node, tail))
    }

    // -- paths ---------------------------------------------------------------------------

    fn child(&self, node: u32, component: &[u8]) -> Option<u32> {
        if component.is_empty() {
            let wild = self.nodes.get(node)?.wild;
            return (wild != NONE).then_some(wild);
        }
        let &(id, _) = self.components.get(component)?;
        self.edges.get(&edge(node, id)).copied()
    }

    /// The node at the end of `path` (components split on dots), if it exists.
    fn find(&self, path: Option<&str>) -> Option<u32> {
        let Some(path) = path else {
            return Some(Self::ROOT);
        };
        path.split('.').try_fold(Self::ROOT, |node, component| {
            self.child(node, component.as_bytes())
        })
    }

    /// The node at the end of `path`, created as needed; the caller checked for room.
    fn make(&mut self, path: Option<&str>) -> u32 {
        let mut node = Self::ROOT;
        for component in path.into_iter().flat_map(|p| p.split('.')) {
            node = match self.child(node, component.as_bytes()) {
                Some(child) => child,
                None => self.add_child(node, component.as_bytes()),
            };
        }
        node
    }

    fn add_child(&mut self, node: u32, component: &[u8]) -> u32 {
        let child = self.nodes.alloc(TrieNode::EMPTY);
        if component.is_empty() {
            if let Some(n) = self.nodes.get_mut(node) {
                n.wild = child;
            }
            return child;
        }
        let id = match self.components.get_mut(component) {
            Some((id, uses)) => {
                *uses += 1;
                *id
            }
            None => {
                let id = self.free_ids.pop().unwrap_or_else(|| {
                    self.next_id += 1;
                    self.next_id - 1
                });
                self.components.insert(component.into(), (id, 1));
                id
            }
        };
        self.edges.insert(edge(node, id), child);
        if let Some(n) = self.nodes.get_mut(node) {
            n.literals += 1;
        }
        child
    }

    fn has_room(&self, components: usize) -> bool {
        self.nodes.room_for(components) && self.next_id as usize + components <= CAPACITY
    }

    /// Drop the nodes at the end of `path` that no longer lead to any key.
    fn prune(&mut self, path: Option<&str>) {
        let Some(path) = path else {
            return;
        };
        let components: Vec<&str> = path.split('.').collect();
        let mut nodes = Vec::with_capacity(components.len() + 1);
        let mut node = Self::ROOT;
        nodes.push(node);
        for component in &components {
            match self.child(node, component.as_bytes()) {
                Some(child) => node = child,
                None => return,
            }
            nodes.push(node);
        }
        for (depth, component) in components.iter().enumerate().rev() {
            let (Some(&node), Some(&parent)) = (nodes.get(depth + 1), nodes.get(depth)) else {
                return;
            };
            if !self.nodes.get(node).is_some_and(TrieNode::idle) {
                return;
            }
            self.unlink(parent, component.as_bytes());
            self.nodes.release(node, TrieNode::EMPTY);
        }
    }

    /// Remove the edge from `parent` labelled `component`, releasing the component's id
    /// when no edge uses it any more.
    fn unlink(&mut self, parent: u32, component: &[u8]) {
        if component.is_empty() {
            if let Some(p) = self.nodes.get_mut(parent) {
                p.wild = NONE;
            }
            return;
        }
        let Some((id, uses)) = self.components.get_mut(component) else {
            return;
        };
        let id = *id;
        *uses -= 1;
        if *uses == 0 {
            self.components.remove(component);
            self.free_ids.push(id);
        }
        self.edges.remove(&edge(parent, id));
        if let Some(p) = self.nodes.get_mut(parent) {
            p.literals = p.literals.saturating_sub(1);
        }
    }

    // -- wildcard keys -------------------------------------------------------------------

    fn wild_slot(&self, key: &str) -> Option<u32> {
        let node = self.find(Some(key))?;
        let slot = self.nodes.get(node)?.value;
        (slot != NONE).then_some(slot)
    }

    pub(super) fn get_wildcard(&self, key: &str) -> Option<&T> {
        self.wild_values.get(self.wild_slot(key)?)
    }

    pub(super) fn get_wildcard_mut(&mut self, key: &str) -> Option<&mut T> {
        let slot = self.wild_slot(key)?;
        self.wild_values.get_mut(slot)
    }

    pub(super) fn insert_wildcard(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let count = key.split('.').count();
        if !self.has_room(count) || !self.wild_values.has_room() {
            return Err(Refused::Full);
        }
        if self.wild_slot(key).is_some() {
            return Err(Refused::Taken);
        }
        let node = self.make(Some(key));
        let slot = self.wild_values.insert(value);
        if let Some(n) = self.nodes.get_mut(node) {
            n.value = slot;
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
        let node = self.find(Some(key))?;
        let slot = std::mem::replace(&mut self.nodes.get_mut(node)?.value, NONE);
        let value = self.wild_values.take(slot)?;
        self.wildcards -= 1;
        if let Some(c) = self.by_count.get_mut(key.split('.').count()) {
            *c = c.saturating_sub(1);
        }
        self.prune(Some(key));
        Some(value)
    }

    // -- prefix keys ---------------------------------------------------------------------

    fn prefix_entry(&self, key: &str) -> Option<u32> {
        let (path, tail) = split_prefix(key);
        let node = self.find(path)?;
        let hash = self.tail_hash(node, tail.as_bytes());
        self.tails
            .find(hash, |&at| {
                self.prefixes
                    .get(at)
                    .is_some_and(|e| e.node == node && e.tail() == tail.as_bytes())
            })
            .copied()
    }

    pub(super) fn get_prefix(&self, key: &str) -> Option<&T> {
        let at = self.prefix_entry(key)?;
        self.prefixes.get(at).map(|e| &e.value)
    }

    pub(super) fn get_prefix_mut(&mut self, key: &str) -> Option<&mut T> {
        let at = self.prefix_entry(key)?;
        self.prefixes.get_mut(at).map(|e| &mut e.value)
    }

    pub(super) fn insert_prefix(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let (path, tail) = split_prefix(key);
        let count = path.map_or(0, |p| p.split('.').count());
        if key.len() > CAPACITY || !self.has_room(count) || !self.prefixes.has_room() {
            return Err(Refused::Full);
        }
        if self.prefix_entry(key).is_some() {
            return Err(Refused::Taken);
        }
        let node = self.make(path);
        let at = self.prefixes.insert(PrefixEntry {
            key: key.into(),
            tail: (key.len() - tail.len()) as u32,
            node,
            value,
        });
        let hash = self.tail_hash(node, tail.as_bytes());
        let (prefixes, hasher) = (&self.prefixes, &self.hasher);
        self.tails.insert_unique(hash, at, |&at| {
            prefixes
                .get(at)
                .map_or(0, |e| hasher.hash_one((e.node, e.tail())))
        });
        let bucket = bucket(tail.len());
        *self.tail_counts.entry(edge(node, bucket)).or_insert(0) += 1;
        if let Some(n) = self.nodes.get_mut(node) {
            n.tails += 1;
            n.tail_lengths |= 1 << bucket;
        }
        Ok(())
    }

    pub(super) fn remove_prefix(&mut self, key: &str) -> Option<T> {
        let (path, tail) = split_prefix(key);
        let node = self.find(path)?;
        let hash = self.tail_hash(node, tail.as_bytes());
        let prefixes = &self.prefixes;
        let found = self.tails.find_entry(hash, |&at| {
            prefixes
                .get(at)
                .is_some_and(|e| e.node == node && e.tail() == tail.as_bytes())
        });
        let (at, _) = found.ok()?.remove();
        let entry = self.prefixes.take(at)?;
        let bucket = bucket(tail.len());
        let emptied = match self.tail_counts.get_mut(&edge(node, bucket)) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                self.tail_counts.remove(&edge(node, bucket));
                true
            }
        };
        if let Some(n) = self.nodes.get_mut(node) {
            n.tails = n.tails.saturating_sub(1);
            if emptied {
                n.tail_lengths &= !(1 << bucket);
            }
        }
        self.prune(path);
        Some(entry.value)
    }

    // -- lookups -------------------------------------------------------------------------

    /// Call `f` with the value of every matching prefix key (longest first) when `prefixes`,
    /// then of every matching wildcard key (most specific first) when `wildcards`, until
    /// `f` returns false.
    pub(super) fn lookup<'a>(
        &'a self,
        uri: &[u8],
        prefixes: bool,
        wildcards: bool,
        f: &mut dyn FnMut(&'a T) -> bool,
    ) {
        let prefixes = prefixes && !self.tails.is_empty();
        let count = uri.iter().filter(|&&b| b == b'.').count() + 1;
        let wildcards = wildcards && self.by_count.get(count).is_some_and(|&c| c > 0);
        if !prefixes && !wildcards {
            return;
        }
        let mut inline = [Comp::EMPTY; INLINE];
        let mut heap = Vec::new();
        let comps: &mut [Comp] = if count <= INLINE {
            inline.get_mut(..count).unwrap_or_default()
        } else {
            heap.resize(count, Comp::EMPTY);
            &mut heap
        };
        let mut start = 0;
        for (comp, part) in comps.iter_mut().zip(uri.split(|&b| b == b'.')) {
            *comp = Comp {
                start,
                end: start + part.len(),
                id: UNKNOWN,
            };
            start += part.len() + 1;
        }
        if prefixes {
            let mut found = Vec::new();
            self.walk_prefixes(uri, comps, &mut found);
            for value in found.into_iter().rev() {
                if !f(value) {
                    return;
                }
            }
        }
        if wildcards {
            self.walk_wildcards(uri, comps, f);
        }
    }

    /// The id of component `at` of the URI (NONE when no key uses it), looked up once.
    fn id(&self, uri: &[u8], comps: &mut [Comp], at: usize) -> u32 {
        let Some(comp) = comps.get_mut(at) else {
            return NONE;
        };
        if comp.id == UNKNOWN {
            comp.id = uri
                .get(comp.start..comp.end)
                .and_then(|bytes| self.components.get(bytes))
                .map_or(NONE, |&(id, _)| id);
        }
        comp.id
    }

    fn walk_prefixes<'a>(&'a self, uri: &[u8], comps: &mut [Comp], found: &mut Vec<&'a T>) {
        let mut node = Self::ROOT;
        for at in 0..comps.len() {
            let Some(n) = self.nodes.get(node) else {
                return;
            };
            if n.tail_lengths != 0 {
                let Some(&Comp { start, end, .. }) = comps.get(at) else {
                    return;
                };
                let next = uri.get(start..end).unwrap_or_default();
                self.tails_at(node, n.tail_lengths, next, found);
            }
            if n.literals == 0 {
                return;
            }
            let id = self.id(uri, comps, at);
            match self.edges.get(&edge(node, id)) {
                Some(&child) if id != NONE => node = child,
                _ => return,
            }
        }
    }

    /// The prefix keys with their tail at `node` that `next` (the URI's next component)
    /// starts with, shortest first.
    fn tails_at<'a>(&'a self, node: u32, lengths: u64, next: &[u8], found: &mut Vec<&'a T>) {
        let mut bits = lengths;
        while bits != 0 {
            let len = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let range = if len == LONG_TAIL {
                LONG_TAIL..next.len() + 1
            } else {
                len..len + 1
            };
            for len in range {
                let Some(tail) = next.get(..len) else {
                    return;
                };
                let hash = self.tail_hash(node, tail);
                let hit = self.tails.find(hash, |&at| {
                    self.prefixes
                        .get(at)
                        .is_some_and(|e| e.node == node && e.tail() == tail)
                });
                if let Some(entry) = hit.and_then(|&at| self.prefixes.get(at)) {
                    found.push(&entry.value);
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
        // Depth-first, literal edge before wildcard edge: that is precedence order.
        let mut stack: Vec<(u32, usize)> = Vec::with_capacity(2 * comps.len());
        stack.push((Self::ROOT, 0));
        while let Some((node, depth)) = stack.pop() {
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            if depth == comps.len() {
                if let Some(value) = self.wild_values.get(n.value) {
                    if !f(value) {
                        return;
                    }
                }
                continue;
            }
            if n.wild != NONE {
                stack.push((n.wild, depth + 1));
            }
            if n.literals > 0 {
                let id = self.id(uri, comps, depth);
                if id != NONE {
                    if let Some(&child) = self.edges.get(&edge(node, id)) {
                        stack.push((child, depth + 1));
                    }
                }
            }
        }
    }

    #[cfg(test)]
    pub(super) fn live_nodes(&self) -> usize {
        self.nodes.live()
    }

    #[cfg(test)]
    pub(super) fn interned(&self) -> usize {
        self.components.len()
    }
}
