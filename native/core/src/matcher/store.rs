//! Index-addressed storage for the trie: nodes addressed by `u32`, reused when freed.

/// "No node / no entry" in the index-linked structures.
pub(super) const NONE: u32 = u32::MAX;
/// The most nodes one trie indexes with `u32`.
pub(super) const CAPACITY: usize = (u32::MAX - 2) as usize;

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

    /// Every node, released ones included (those hold the empty node).
    pub(super) fn iter(&self) -> impl Iterator<Item = &N> {
        self.nodes.iter()
    }

    /// Nodes in use (allocated and not released).
    #[cfg(test)]
    pub(super) fn live(&self) -> usize {
        self.nodes.len() - self.free.len()
    }
}
