//! Wildcard keys: a trie over interned components with one wildcard edge per node.

use super::store::{Nodes, Slab, CAPACITY, NONE};
use super::{Map, Refused};

// ---------------------------------------------------------------------------------------

struct WildcardNode {
    /// The child through the wildcard edge, or NONE.
    wild: u32,
    /// The value slot of the key that ends here, or NONE.
    value: u32,
    /// How many literal edges leave this node (they live in `WildcardTrie::edges`).
    literals: u32,
}

impl WildcardNode {
    const EMPTY: WildcardNode = WildcardNode {
        wild: NONE,
        value: NONE,
        literals: 0,
    };
}

pub(super) struct WildcardTrie<T> {
    nodes: Nodes<WildcardNode>,
    /// Literal edges: (node, component id) packed in a u64 -> child.
    edges: Map<u64, u32>,
    /// Interned literal components -> (id, number of edges using it).
    components: Map<Box<[u8]>, (u32, u32)>,
    free_ids: Vec<u32>,
    next_id: u32,
    values: Slab<T>,
    /// How many keys have each component count: a URI with a count no key has is done
    /// without a walk.
    by_count: Vec<u32>,
    pub(super) len: usize,
}

fn edge(node: u32, component: u32) -> u64 {
    (u64::from(node) << 32) | u64::from(component)
}

impl<T> WildcardTrie<T> {
    const ROOT: u32 = 0;

    pub(super) fn new() -> Self {
        WildcardTrie {
            nodes: Nodes::with_root(WildcardNode::EMPTY),
            edges: Map::default(),
            components: Map::default(),
            free_ids: Vec::new(),
            next_id: 0,
            values: Slab::new(),
            by_count: Vec::new(),
            len: 0,
        }
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.values.values()
    }

    fn child(&self, node: u32, component: &[u8]) -> Option<u32> {
        if component.is_empty() {
            let wild = self.nodes.get(node)?.wild;
            return (wild != NONE).then_some(wild);
        }
        let &(id, _) = self.components.get(component)?;
        self.edges.get(&edge(node, id)).copied()
    }

    fn find(&self, key: &[u8]) -> Option<u32> {
        key.split(|&b| b == b'.')
            .try_fold(Self::ROOT, |node, component| self.child(node, component))
    }

    pub(super) fn get(&self, key: &[u8]) -> Option<&T> {
        let node = self.find(key)?;
        self.values.get(self.nodes.get(node)?.value)
    }

    pub(super) fn get_mut(&mut self, key: &[u8]) -> Option<&mut T> {
        let node = self.find(key)?;
        let slot = self.nodes.get(node)?.value;
        self.values.get_mut(slot)
    }

    pub(super) fn insert(&mut self, key: &str, value: T) -> Result<(), Refused> {
        let count = key.split('.').count();
        if !self.values.has_room()
            || !self.nodes.room_for(count)
            || self.next_id as usize + count > CAPACITY
        {
            return Err(Refused::Full);
        }
        if self
            .find(key.as_bytes())
            .and_then(|node| self.nodes.get(node))
            .is_some_and(|n| n.value != NONE)
        {
            return Err(Refused::Taken);
        }
        let mut node = Self::ROOT;
        for component in key.split('.') {
            node = match self.child(node, component.as_bytes()) {
                Some(child) => child,
                None => self.add_child(node, component.as_bytes()),
            };
        }
        let slot = self.values.insert(value);
        if let Some(n) = self.nodes.get_mut(node) {
            n.value = slot;
        }
        if self.by_count.len() <= count {
            self.by_count.resize(count + 1, 0);
        }
        if let Some(c) = self.by_count.get_mut(count) {
            *c += 1;
        }
        self.len += 1;
        Ok(())
    }

    fn add_child(&mut self, node: u32, component: &[u8]) -> u32 {
        let child = self.nodes.alloc(WildcardNode::EMPTY);
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

    pub(super) fn remove(&mut self, key: &[u8]) -> Option<T> {
        let components: Vec<&[u8]> = key.split(|&b| b == b'.').collect();
        let mut path = Vec::with_capacity(components.len() + 1);
        path.push(Self::ROOT);
        let mut node = Self::ROOT;
        for component in &components {
            node = self.child(node, component)?;
            path.push(node);
        }
        let slot = std::mem::replace(&mut self.nodes.get_mut(node)?.value, NONE);
        let value = self.values.take(slot)?;
        self.len -= 1;
        if let Some(c) = self.by_count.get_mut(components.len()) {
            *c = c.saturating_sub(1);
        }
        // Drop the nodes that no longer lead to a key, from the leaf up.
        for (depth, component) in components.iter().enumerate().rev() {
            let (Some(&node), Some(&parent)) = (path.get(depth + 1), path.get(depth)) else {
                break;
            };
            let idle = self
                .nodes
                .get(node)
                .is_some_and(|n| n.value == NONE && n.wild == NONE && n.literals == 0);
            if !idle {
                break;
            }
            self.unlink(parent, component);
            self.nodes.release(node, WildcardNode::EMPTY);
        }
        Some(value)
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

    /// Call `f` with the value of every key that matches `uri`, most specific first, until
    /// `f` returns false.
    pub(super) fn walk<'a>(&'a self, uri: &[u8], mut f: impl FnMut(&'a T) -> bool) {
        let count = uri.iter().filter(|&&b| b == b'.').count() + 1;
        if self.by_count.get(count).is_none_or(|&c| c == 0) {
            return;
        }
        // Every literal of a key is non-empty and a wildcard needs a non-empty component,
        // so a URI with an empty component matches nothing.
        let mut ids: Vec<u32> = Vec::with_capacity(count);
        for component in uri.split(|&b| b == b'.') {
            if component.is_empty() {
                return;
            }
            ids.push(self.components.get(component).map_or(NONE, |&(id, _)| id));
        }
        // Depth-first, literal edge before wildcard edge: that is precedence order.
        let mut stack: Vec<(u32, usize)> = vec![(Self::ROOT, 0)];
        while let Some((node, depth)) = stack.pop() {
            let Some(n) = self.nodes.get(node) else {
                continue;
            };
            let Some(&id) = ids.get(depth) else {
                if let Some(value) = self.values.get(n.value) {
                    if !f(value) {
                        return;
                    }
                }
                continue;
            };
            if n.wild != NONE {
                stack.push((n.wild, depth + 1));
            }
            if id != NONE && n.literals > 0 {
                if let Some(&child) = self.edges.get(&edge(node, id)) {
                    stack.push((child, depth + 1));
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
