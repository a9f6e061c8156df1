//! Index-addressed storage shared by the prefix tree and the wildcard trie.

/// "No node / no entry" in the index-linked structures.
pub(super) const NONE: u32 = u32::MAX;
/// The most entries, nodes or key bytes one structure indexes with `u32`.
pub(super) const CAPACITY: usize = (u32::MAX - 2) as usize;

/// A slab of values addressed by `u32`, reusing freed slots.
pub(super) struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    pub(super) fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    pub(super) fn has_room(&self) -> bool {
        !self.free.is_empty() || self.slots.len() < CAPACITY
    }

    /// Store `value`; the caller checked [`Slab::has_room`].
    pub(super) fn insert(&mut self, value: T) -> u32 {
        if let Some(at) = self.free.pop() {
            if let Some(slot) = self.slots.get_mut(at as usize) {
                *slot = Some(value);
                return at;
            }
        }
        self.slots.push(Some(value));
        (self.slots.len() - 1) as u32
    }

    pub(super) fn take(&mut self, at: u32) -> Option<T> {
        let value = self.slots.get_mut(at as usize)?.take()?;
        self.free.push(at);
        Some(value)
    }

    pub(super) fn get(&self, at: u32) -> Option<&T> {
        self.slots.get(at as usize)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, at: u32) -> Option<&mut T> {
        self.slots.get_mut(at as usize)?.as_mut()
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }
}

/// Nodes of a tree addressed by `u32`, reusing freed nodes.
pub(super) struct Nodes<N> {
    nodes: Vec<N>,
    free: Vec<u32>,
}

impl<N> Nodes<N> {
    pub(super) fn with_root(root: N) -> Self {
        Nodes {
            nodes: vec![root],
            free: Vec::new(),
        }
    }

    pub(super) fn room_for(&self, count: usize) -> bool {
        self.free.len() + CAPACITY.saturating_sub(self.nodes.len()) >= count
    }

    /// Store `node`; the caller checked [`Nodes::room_for`].
    pub(super) fn alloc(&mut self, node: N) -> u32 {
        if let Some(at) = self.free.pop() {
            if let Some(slot) = self.nodes.get_mut(at as usize) {
                *slot = node;
                return at;
            }
        }
        self.nodes.push(node);
        (self.nodes.len() - 1) as u32
    }

    /// Give `at` back; its content is replaced by `empty` so that it holds no memory.
    pub(super) fn release(&mut self, at: u32, empty: N) {
        if let Some(slot) = self.nodes.get_mut(at as usize) {
            *slot = empty;
            self.free.push(at);
        }
    }

    pub(super) fn get(&self, at: u32) -> Option<&N> {
        self.nodes.get(at as usize)
    }

    pub(super) fn get_mut(&mut self, at: u32) -> Option<&mut N> {
        self.nodes.get_mut(at as usize)
    }

    /// Nodes in use (allocated and not released).
    #[cfg(test)]
    pub(super) fn live(&self) -> usize {
        self.nodes.len() - self.free.len()
    }
}
