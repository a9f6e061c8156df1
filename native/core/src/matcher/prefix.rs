//! Prefix keys: a radix tree over the key bytes (prefix matching is by characters).

use super::store::{Nodes, Slab, CAPACITY, NONE};
use super::Refused;

// ---------------------------------------------------------------------------------------

/// One node of the radix tree. Its edge label is `key(rep)[start..end]`: `rep` is any
/// entry below the node (they all share the bytes up to `end`), so labels need no storage
/// of their own. `end` is also the depth of the node in bytes.
struct PrefixNode {
    rep: u32,
    start: u32,
    end: u32,
    /// The entry whose key ends here, or NONE.
    entry: u32,
    /// (first byte of the child's label, child), sorted by byte.
    children: Vec<(u8, u32)>,
}

impl PrefixNode {
    const EMPTY: PrefixNode = PrefixNode {
        rep: NONE,
        start: 0,
        end: 0,
        entry: NONE,
        children: Vec::new(),
    };

    fn child(&self, byte: u8) -> Option<u32> {
        let at = self
            .children
            .binary_search_by_key(&byte, |&(b, _)| b)
            .ok()?;
        self.children.get(at).map(|&(_, child)| child)
    }

    fn set_child(&mut self, byte: u8, child: u32) {
        match self.children.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(at) => {
                if let Some(slot) = self.children.get_mut(at) {
                    slot.1 = child;
                }
            }
            Err(at) => self.children.insert(at, (byte, child)),
        }
    }

    fn remove_child(&mut self, byte: u8) {
        if let Ok(at) = self.children.binary_search_by_key(&byte, |&(b, _)| b) {
            self.children.remove(at);
        }
    }
}

pub(super) struct PrefixTree<T> {
    nodes: Nodes<PrefixNode>,
    entries: Slab<(Box<str>, T)>,
    pub(super) len: usize,
}

impl<T> PrefixTree<T> {
    const ROOT: u32 = 0;

    pub(super) fn new() -> Self {
        PrefixTree {
            nodes: Nodes::with_root(PrefixNode::EMPTY),
            entries: Slab::new(),
            len: 0,
        }
    }

    fn key(&self, entry: u32) -> &[u8] {
        self.entries
            .get(entry)
            .map_or(&[], |(key, _)| key.as_bytes())
    }

    fn label(&self, node: &PrefixNode) -> &[u8] {
        self.key(node.rep)
            .get(node.start as usize..node.end as usize)
            .unwrap_or_default()
    }

    pub(super) fn value(&self, entry: u32) -> Option<&T> {
        self.entries.get(entry).map(|(_, value)| value)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.values().map(|(_, value)| value)
    }

    /// Call `f` with the entry of every key that `uri` starts with, shortest first.
    pub(super) fn walk(&self, uri: &[u8], mut f: impl FnMut(u32)) {
        let mut node = Self::ROOT;
        let mut pos = 0usize;
        while let Some(n) = self.nodes.get(node) {
            if n.entry != NONE {
                f(n.entry);
            }
            let Some(child) = uri.get(pos).and_then(|&b| n.child(b)) else {
                return;
            };
            let Some(c) = self.nodes.get(child) else {
                return;
            };
            let label = self.label(c);
            let fits = uri.get(pos..).is_some_and(|rest| rest.starts_with(label));
            if !fits || label.is_empty() {
                return;
            }
            pos += label.len();
            node = child;
        }
    }

    /// The node where `key` ends exactly, pushing the nodes on the way (root first).
    fn find(&self, key: &[u8], mut path: Option<&mut Vec<u32>>) -> Option<u32> {
        let mut node = Self::ROOT;
        let mut pos = 0usize;
        loop {
            if let Some(path) = path.as_deref_mut() {
                path.push(node);
            }
            let Some(&byte) = key.get(pos) else {
                return Some(node);
            };
            let child = self.nodes.get(node)?.child(byte)?;
            let label = self.label(self.nodes.get(child)?);
            if label.is_empty() || !key.get(pos..)?.starts_with(label) {
                return None;
            }
            pos += label.len();
            node = child;
        }
    }

    pub(super) fn get(&self, key: &[u8]) -> Option<&T> {
        let node = self.find(key, None)?;
        self.value(self.nodes.get(node)?.entry)
    }

    pub(super) fn get_mut(&mut self, key: &[u8]) -> Option<&mut T> {
        let node = self.find(key, None)?;
        let entry = self.nodes.get(node)?.entry;
        self.entries.get_mut(entry).map(|(_, value)| value)
    }

    pub(super) fn insert(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let bytes = key.as_bytes();
        if bytes.len() > CAPACITY || !self.entries.has_room() || !self.nodes.room_for(2) {
            return Err(Refused::Full);
        }
        if let Some(node) = self.find(bytes, None) {
            if self.nodes.get(node).is_some_and(|n| n.entry != NONE) {
                return Err(Refused::Taken);
            }
        }
        let entry = self.entries.insert((key.into(), value));
        let mut node = Self::ROOT;
        let mut pos = 0usize;
        loop {
            let Some(&byte) = bytes.get(pos) else {
                if let Some(n) = self.nodes.get_mut(node) {
                    n.entry = entry;
                }
                break;
            };
            let Some(child) = self.nodes.get(node).and_then(|n| n.child(byte)) else {
                let leaf = self.nodes.alloc(PrefixNode {
                    rep: entry,
                    start: pos as u32,
                    end: bytes.len() as u32,
                    entry,
                    children: Vec::new(),
                });
                if let Some(n) = self.nodes.get_mut(node) {
                    n.set_child(byte, leaf);
                }
                break;
            };
            let Some(c) = self.nodes.get(child) else {
                break;
            };
            let (c_rep, c_start, c_end) = (c.rep, c.start, c.end);
            let label = self.label(c);
            let common = label
                .iter()
                .zip(bytes.get(pos..).unwrap_or_default())
                .take_while(|(a, b)| a == b)
                .count();
            if common == label.len() {
                pos = c_end as usize;
                node = child;
                continue;
            }
            // The key leaves the child's label part way: split the label there.
            let Some(&next) = label.get(common) else {
                break;
            };
            let split = c_start + common as u32;
            let mid = self.nodes.alloc(PrefixNode {
                rep: c_rep,
                start: c_start,
                end: split,
                entry: NONE,
                children: vec![(next, child)],
            });
            if let Some(c) = self.nodes.get_mut(child) {
                c.start = split;
            }
            if let Some(n) = self.nodes.get_mut(node) {
                n.set_child(byte, mid);
            }
            pos = split as usize;
            node = mid;
        }
        self.len += 1;
        Ok(())
    }

    pub(super) fn remove(&mut self, key: &[u8]) -> Option<T> {
        let mut path = Vec::new();
        let target = self.find(key, Some(&mut path))?;
        let entry = std::mem::replace(&mut self.nodes.get_mut(target)?.entry, NONE);
        let (_, value) = self.entries.take(entry)?;
        self.len -= 1;

        // Keep the tree compressed: drop a childless node, and fold a node with neither
        // entry nor siblings into its only child.
        let mut freed = [NONE; 2];
        let depth = path.len();
        let parent = depth.checked_sub(2).and_then(|at| path.get(at)).copied();
        let grandparent = depth.checked_sub(3).and_then(|at| path.get(at)).copied();
        if let (Some(parent), Some(t)) = (parent, self.nodes.get(target)) {
            let first = key.get(t.start as usize).copied();
            match (t.children.len(), first) {
                (0, Some(byte)) => {
                    if let Some(p) = self.nodes.get_mut(parent) {
                        p.remove_child(byte);
                    }
                    self.nodes.release(target, PrefixNode::EMPTY);
                    freed[0] = target;
                    if let Some(grandparent) = grandparent {
                        if self.fold(parent, grandparent, key) {
                            freed[1] = parent;
                        }
                    }
                }
                (1, _) if self.fold(target, parent, key) => freed[0] = target,
                _ => {}
            }
        }
        // Nodes that named the removed key as their label source take another one below.
        for &at in path.iter().rev() {
            if at == Self::ROOT || freed.contains(&at) {
                continue;
            }
            let Some(n) = self.nodes.get(at) else {
                continue;
            };
            if n.rep != entry {
                continue;
            }
            let rep = if n.entry != NONE {
                n.entry
            } else {
                n.children
                    .first()
                    .and_then(|&(_, child)| self.nodes.get(child))
                    .map_or(NONE, |c| c.rep)
            };
            if let Some(n) = self.nodes.get_mut(at) {
                n.rep = rep;
            }
        }
        Some(value)
    }

    /// Fold `node` (no entry, one child) into that child; `key` runs through `node`.
    fn fold(&mut self, node: u32, parent: u32, key: &[u8]) -> bool {
        let Some(n) = self.nodes.get(node) else {
            return false;
        };
        let &[(_, child)] = n.children.as_slice() else {
            return false;
        };
        if n.entry != NONE {
            return false;
        }
        let start = n.start;
        let Some(&byte) = key.get(start as usize) else {
            return false;
        };
        if let Some(c) = self.nodes.get_mut(child) {
            c.start = start;
        }
        if let Some(p) = self.nodes.get_mut(parent) {
            p.set_child(byte, child);
        }
        self.nodes.release(node, PrefixNode::EMPTY);
        true
    }

    #[cfg(test)]
    pub(super) fn live_nodes(&self) -> usize {
        self.nodes.live()
    }
}
