//! Prefix keys in the trie: a key is split at its last dot into a literal path and a
//! tail; a key ending at a dot keeps its value in the path's last node, any other in the
//! tail table, keyed by (node, tail), with per-node counts of tail lengths that keep each
//! node's `tail_lengths` bit set exact.

use super::{
    bit, components, ends_at_dot, filter_bit, split_prefix, Label, Probe, Tail, Trie, LONG,
};
use crate::matcher::Refused;

impl<T> Trie<T> {
    /// The prefix key with `tail` at `node`.
    pub(super) fn tail_at(&self, node: u32, tail: &Probe<'_>) -> Option<&Tail<T>> {
        self.tails.find(Self::at_node(node, tail.hash), |t| {
            t.node == node && t.tail.matches(tail)
        })
    }

    pub(in crate::matcher) fn get_prefix(&self, key: &str) -> Option<&T> {
        let (path, tail) = split_prefix(key);
        let node = self.find(path)?;
        if ends_at_dot(path, tail) {
            return self.nodes.get(node)?.dot.as_ref();
        }
        Some(&self.tail_at(node, &self.probe(tail.as_bytes()))?.value)
    }

    pub(in crate::matcher) fn get_prefix_mut(&mut self, key: &str) -> Option<&mut T> {
        let (path, tail) = split_prefix(key);
        let node = self.find(path)?;
        if ends_at_dot(path, tail) {
            return self.nodes.get_mut(node)?.dot.as_mut();
        }
        let tail = tail.as_bytes();
        let hash = Self::at_node(node, self.bytes_hash(tail));
        self.tails
            .find_mut(hash, |t| t.node == node && t.tail.bytes() == tail)
            .map(|t| &mut t.value)
    }

    /// Add `delta` to the count of tails of length bucket `bucket` at `node`; returns the
    /// new count.
    fn count_tails(&mut self, node: u32, bucket: u32, delta: i32) -> u32 {
        let hash = Self::at_node(node, u64::from(bucket));
        let hasher = |&(n, b, _): &(u32, u32, u32)| Self::at_node(n, u64::from(b));
        match self
            .tail_counts
            .find_entry(hash, |&(n, b, _)| n == node && b == bucket)
        {
            Ok(mut found) => {
                let count = found.get().2.saturating_add_signed(delta);
                if count == 0 {
                    found.remove();
                } else {
                    found.get_mut().2 = count;
                }
                count
            }
            Err(_) if delta > 0 => {
                self.tail_counts
                    .insert_unique(hash, (node, bucket, delta as u32), hasher);
                delta as u32
            }
            Err(_) => 0,
        }
    }

    pub(in crate::matcher) fn insert_prefix(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let (path, tail) = split_prefix(key);
        let count = components(path).count();
        if !self.has_room(count) {
            return Err(Refused::Full);
        }
        if self.get_prefix(key).is_some() {
            return Err(Refused::Taken);
        }
        let Some(nodes) = self.make(path) else {
            return Err(Refused::Full);
        };
        let node = nodes.last().copied().unwrap_or(Self::ROOT);
        for &above in nodes.iter().rev().skip(1) {
            if let Some(n) = self.nodes.get_mut(above) {
                n.tails_below += 1;
            }
        }
        if ends_at_dot(path, tail) {
            if let Some(n) = self.nodes.get_mut(node) {
                n.dot = Some(value);
                self.dots += 1;
            }
            return Ok(());
        }
        let tail_hash = self.bytes_hash(tail.as_bytes());
        let hash = Self::at_node(node, tail_hash);
        let entry = Tail {
            node,
            tail: Label::new(tail.as_bytes()),
            value,
        };
        let hashes = &self.hashes;
        self.tails.insert_unique(hash, entry, |t| {
            Self::at_node(t.node, hashes.bytes(t.tail.bytes()))
        });
        let bucket = tail.len().min(LONG) as u32;
        self.count_tails(node, bucket, 1);
        if let Some(n) = self.nodes.get_mut(node) {
            n.tail_lengths |= bit(tail.len());
            n.filter |= filter_bit(tail_hash, true);
        }
        Ok(())
    }

    pub(in crate::matcher) fn remove_prefix(&mut self, key: &str) -> Option<T> {
        let (path, tail) = split_prefix(key);
        let nodes = self.path(path);
        if nodes.len() != components(path).count() + 1 {
            return None;
        }
        let node = *nodes.last()?;
        let value = if ends_at_dot(path, tail) {
            let value = self.nodes.get_mut(node)?.dot.take()?;
            self.dots -= 1;
            value
        } else {
            let hash = Self::at_node(node, self.bytes_hash(tail.as_bytes()));
            let found = self.tails.find_entry(hash, |t| {
                t.node == node && t.tail.bytes() == tail.as_bytes()
            });
            let (entry, _) = found.ok()?.remove();
            let bucket = tail.len().min(LONG) as u32;
            let left = self.count_tails(node, bucket, -1);
            if let Some(n) = self.nodes.get_mut(node) {
                if left == 0 {
                    n.tail_lengths &= !bit(tail.len());
                }
            }
            entry.value
        };
        for &above in nodes.iter().rev().skip(1) {
            if let Some(n) = self.nodes.get_mut(above) {
                n.tails_below = n.tails_below.saturating_sub(1);
            }
        }
        self.prune(path, &nodes);
        Some(value)
    }
}
