//! The trie's nodes in one open-addressing table: a node sits in the slot its key
//! (parent id, label) hashes to, or the next free one (linear probing), and its id is its
//! slot. A lookup finds a child by reading the slots from the child's home on, so a level
//! of a walk is normally one cache line: no separate control bytes or edge slot.
//!
//! A node's slot depends on its parent's id, so ids change only when the table is built
//! again (to grow, or to clear out removed slots), and then top-down: a parent is placed
//! before its children, and the caller gets the map from old ids to new ones. A removed
//! node leaves a tombstone that probes step over (and inserts reuse), unless the slot
//! after it is free, in which case it and the tombstones just before it become free.

/// "No node / no entry" in the index-linked structures.
pub(super) const NONE: u32 = u32::MAX;
/// The parent of a slot that holds no node and never did since the last build: a probe
/// stops here.
const FREE: u32 = NONE;
/// The parent of a slot whose node was removed: a probe goes on.
const TOMB: u32 = u32::MAX - 1;
/// The root's parent (no probe looks for it).
pub(super) const ROOT_PARENT: u32 = u32::MAX - 2;
/// The most slots one table has: ids stay clear of the markers above and counts of
/// nodes fit in 31 bits.
pub(super) const CAPACITY: usize = 1 << 30;
/// The fewest slots.
const MIN: usize = 8;
/// A table is built again when its live nodes and tombstones would fill more than
/// `LOAD_MAX` of it, with `1 / LOAD_AFTER` slots per live node.
const LOAD_MAX: (usize, usize) = (85, 100);
const LOAD_AFTER: (usize, usize) = (60, 100);

/// What the table needs of a node.
pub(super) trait Slot: Sized {
    /// A free slot.
    fn free() -> Self;
    fn parent(&self) -> u32;
    fn set_parent(&mut self, parent: u32);
    /// The reach of the slot (not of the node in it): 0 when no node has its home here,
    /// else one more than the farthest any such node sits from here, at most
    /// [`FAR_REACH`] (which sends a probe on to a free slot). Kept, as an upper bound,
    /// when nodes are removed, until the next build.
    fn reach(&self) -> u8;
    fn set_reach(&mut self, reach: u8);
}

/// The [`Slot`] accessors of a node type that keeps them as `parent: u32` and `reach: u8`
/// fields.
macro_rules! slot_links {
    () => {
        fn parent(&self) -> u32 {
            self.parent
        }

        fn set_parent(&mut self, parent: u32) {
            self.parent = parent;
        }

        fn reach(&self) -> u8 {
            self.reach
        }

        fn set_reach(&mut self, reach: u8) {
            self.reach = reach;
        }
    };
}
pub(super) use slot_links;

/// A reach that bounds nothing.
const FAR_REACH: u8 = u8::MAX;

/// Nodes addressed by their slot.
pub(super) struct Table<N> {
    slots: Vec<N>,
    live: usize,
    tombs: usize,
}

/// The home slot of `hash` in a table of `len` slots.
fn home(hash: u64, len: usize) -> usize {
    ((u128::from(hash) * len as u128) >> 64) as usize
}

fn free_slots<N: Slot>(len: usize) -> Vec<N> {
    (0..len).map(|_| N::free()).collect()
}

impl<N: Slot> Table<N> {
    /// A table holding `root` (at slot 0, id 0).
    pub(super) fn with_root(mut root: N) -> Self {
        root.set_parent(ROOT_PARENT);
        let mut slots = free_slots(MIN);
        if let Some(first) = slots.first_mut() {
            *first = root;
        }
        Table {
            slots,
            live: 1,
            tombs: 0,
        }
    }

    pub(super) fn get(&self, at: u32) -> Option<&N> {
        self.slots.get(at as usize)
    }

    pub(super) fn get_mut(&mut self, at: u32) -> Option<&mut N> {
        self.slots.get_mut(at as usize)
    }

    /// The live node whose parent is `parent` and for which `is` holds, looked for from
    /// the home of `hash` (the hash it was placed by).
    #[inline]
    pub(super) fn find(&self, hash: u64, parent: u32, is: impl Fn(&N) -> bool) -> Option<u32> {
        let len = self.slots.len();
        let mut at = home(hash, len);
        // A probe reads no further than the farthest node with the same home: a miss
        // stops after a slot or two instead of running to the next free one.
        let steps = match self.slots.get(at)?.reach() {
            0 => return None,
            FAR_REACH => len,
            reach => usize::from(reach),
        };
        for _ in 0..steps {
            let node = self.slots.get(at)?;
            let p = node.parent();
            if p == parent && is(node) {
                return Some(at as u32);
            }
            if p == FREE {
                return None;
            }
            at += 1;
            if at == len {
                at = 0;
            }
        }
        None
    }

    /// Whether `count` more nodes go in without building the table again.
    pub(super) fn fits(&self, count: usize) -> bool {
        let used = self.live + self.tombs;
        used.saturating_add(count).saturating_mul(LOAD_MAX.1)
            <= self.slots.len().saturating_mul(LOAD_MAX.0)
    }

    /// Store `node` (whose key hashes to `hash`) in the first free slot or tombstone from
    /// its home; None when there is none (the caller checked [`Table::fits`], so never).
    pub(super) fn place(&mut self, hash: u64, mut node: N) -> Option<u32> {
        let len = self.slots.len();
        let home = home(hash, len);
        let mut at = home;
        for distance in 0..len {
            let slot = self.slots.get_mut(at)?;
            let p = slot.parent();
            if p == FREE || p == TOMB {
                if p == TOMB {
                    self.tombs -= 1;
                }
                node.set_reach(slot.reach());
                *slot = node;
                self.live += 1;
                let reach = u8::try_from(distance + 1).unwrap_or(FAR_REACH);
                if let Some(home) = self.slots.get_mut(home) {
                    home.set_reach(home.reach().max(reach));
                }
                return Some(at as u32);
            }
            at += 1;
            if at == len {
                at = 0;
            }
        }
        None
    }

    /// Take the node at `at` out (never the root's slot 0, which stays).
    pub(super) fn remove(&mut self, at: u32) -> Option<N> {
        let len = self.slots.len();
        let at = at as usize;
        if at == 0 {
            return None;
        }
        let slot = self.slots.get_mut(at)?;
        if matches!(slot.parent(), FREE | TOMB) {
            return None;
        }
        let reach = slot.reach();
        let node = std::mem::replace(slot, N::free());
        slot.set_reach(reach);
        self.live -= 1;
        let next = if at + 1 == len { 0 } else { at + 1 };
        if self.slots.get(next).is_some_and(|n| n.parent() == FREE) {
            // No probe needs to pass this slot, nor the tombstones just before it.
            let mut before = at;
            for _ in 0..len {
                before = before.checked_sub(1).unwrap_or(len - 1);
                match self.slots.get_mut(before) {
                    Some(slot) if slot.parent() == TOMB => {
                        slot.set_parent(FREE);
                        self.tombs -= 1;
                    }
                    _ => break,
                }
            }
        } else if let Some(slot) = self.slots.get_mut(at) {
            slot.set_parent(TOMB);
            self.tombs += 1;
        }
        Some(node)
    }

    /// Build the table again with room for `count` more nodes beyond the live ones,
    /// placing every node by `hash(new parent id, node)`, parents before children.
    /// Returns the new id of each old id (NONE for slots that held no node), or None
    /// (and changes nothing) when the table would pass [`CAPACITY`].
    pub(super) fn rebuild(
        &mut self,
        count: usize,
        hash: impl Fn(u32, &N) -> u64,
    ) -> Option<Vec<u32>> {
        let need = self.live.checked_add(count)?;
        let len = need
            .checked_mul(LOAD_AFTER.1)?
            .div_ceil(LOAD_AFTER.0)
            .max(MIN);
        if len > CAPACITY {
            return None;
        }
        let mut old = std::mem::replace(&mut self.slots, free_slots(len));
        let mut map = vec![NONE; old.len()];
        self.live = 0;
        self.tombs = 0;
        // The root keeps slot 0.
        if let (Some(root), Some(first)) = (old.first_mut(), self.slots.first_mut()) {
            *first = std::mem::replace(root, N::free());
            first.set_reach(0);
            self.live = 1;
            if let Some(m) = map.first_mut() {
                *m = 0;
            }
        }
        let mut chain = Vec::new();
        for start in 1..old.len() {
            // Place the node at `start` after its unplaced ancestors, top-down.
            let mut at = start;
            chain.clear();
            while let Some(node) = old.get(at) {
                if matches!(node.parent(), FREE | TOMB) || map.get(at) != Some(&NONE) {
                    break;
                }
                chain.push(at);
                if chain.len() > old.len() {
                    break;
                }
                at = node.parent() as usize;
            }
            for &at in chain.iter().rev() {
                let Some(slot) = old.get_mut(at) else {
                    continue;
                };
                let parent = map.get(slot.parent() as usize).copied().unwrap_or(NONE);
                let mut node = std::mem::replace(slot, N::free());
                node.set_parent(parent);
                let placed = self.place(hash(parent, &node), node).unwrap_or(NONE);
                if let Some(m) = map.get_mut(at) {
                    *m = placed;
                }
            }
        }
        Some(map)
    }

    /// How many slots the table has.
    pub(super) fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Every slot, free ones and tombstones included (those hold the free node).
    pub(super) fn iter(&self) -> impl Iterator<Item = &N> {
        self.slots.iter()
    }

    /// Nodes in use.
    #[cfg(test)]
    pub(super) fn live(&self) -> usize {
        self.live
    }

    /// Slots in the table and tombstones among them.
    #[cfg(test)]
    pub(super) fn shape(&self) -> (usize, usize) {
        (self.slots.len(), self.tombs)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A node keyed by (parent, key).
    #[derive(Debug, PartialEq)]
    struct Node {
        parent: u32,
        key: u32,
        reach: u8,
    }

    impl Slot for Node {
        fn free() -> Self {
            Node {
                parent: FREE,
                key: 0,
                reach: 0,
            }
        }

        slot_links!();
    }

    /// Every key hashes alike: all nodes share one probe chain.
    fn same(_: u32, _: &Node) -> u64 {
        0
    }

    /// Spread by (parent, key).
    fn spread(parent: u32, node: &Node) -> u64 {
        (u64::from(parent) << 32 | u64::from(node.key)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn find(
        table: &Table<Node>,
        hash: fn(u32, &Node) -> u64,
        parent: u32,
        key: u32,
    ) -> Option<u32> {
        let probe = Node {
            parent,
            key,
            reach: 0,
        };
        table.find(hash(parent, &probe), parent, |n| n.key == key)
    }

    /// Add `(parent, key)`, building the table again first when it is full; returns the
    /// id map of the rebuild, if any.
    fn add(
        table: &mut Table<Node>,
        hash: fn(u32, &Node) -> u64,
        parent: u32,
        key: u32,
    ) -> (u32, Option<Vec<u32>>) {
        let map = if table.fits(1) {
            None
        } else {
            Some(table.rebuild(1, hash).unwrap())
        };
        let parent = map.as_ref().map_or(parent, |m| m[parent as usize]);
        let node = Node {
            parent,
            key,
            reach: 0,
        };
        (table.place(hash(parent, &node), node).unwrap(), map)
    }

    #[test]
    fn removal_in_one_long_probe_chain_keeps_the_others_found() {
        let mut table = Table::with_root(Node::free());
        let mut ids = Vec::new();
        for key in 0..200 {
            let (id, map) = add(&mut table, same, 0, key);
            if let Some(map) = map {
                ids = ids.iter().map(|&id: &u32| map[id as usize]).collect();
            }
            ids.push(id);
        }
        // Remove every third node: the chain now has tombstones in it.
        for key in (0..200).step_by(3) {
            assert!(table.remove(ids[key]).is_some());
            assert!(table.remove(ids[key]).is_none(), "removed twice");
        }
        assert!(table.shape().1 > 0);
        for key in 0..200u32 {
            let found = find(&table, same, 0, key);
            if key % 3 == 0 {
                assert_eq!(found, None, "{key}");
            } else {
                assert_eq!(found, Some(ids[key as usize]), "{key}");
            }
        }
        // Inserts reuse the tombstones.
        let tombs = table.shape().1;
        let (id, map) = add(&mut table, same, 0, 1000);
        assert!(map.is_none());
        assert_eq!(table.shape().1, tombs - 1);
        assert_eq!(find(&table, same, 0, 1000), Some(id));
        assert_eq!(table.live(), 1 + 200 - 67 + 1);
        // The root's slot never goes.
        assert!(table.remove(0).is_none());
    }

    #[test]
    fn a_removal_before_a_free_slot_frees_the_tombstones_before_it() {
        let mut table = Table::with_root(Node::free());
        let ids: Vec<u32> = (0..4).map(|key| add(&mut table, same, 0, key).0).collect();
        // The chain from slot 0: root, 1, 2, 3, 4; then free slots.
        assert_eq!(ids, [1, 2, 3, 4]);
        table.remove(2);
        table.remove(3);
        assert_eq!(table.shape().1, 2);
        table.remove(4);
        assert_eq!(table.shape().1, 0, "slots 2..=4 are free again");
        assert_eq!(find(&table, same, 0, 0), Some(1));
        assert_eq!(find(&table, same, 0, 3), None);
    }

    #[test]
    fn rebuilds_place_parents_first_and_map_every_id() {
        // A tree: node k's parent is node k / 3 (by key), root's children are keys 0..3.
        let mut table = Table::with_root(Node::free());
        let mut id_of: Vec<u32> = Vec::new();
        let mut rebuilds = 0;
        for key in 0..3000u32 {
            let parent = if key < 3 {
                0
            } else {
                id_of[(key / 3 - 1) as usize]
            };
            let (id, map) = add(&mut table, spread, parent, key);
            if let Some(map) = map {
                rebuilds += 1;
                id_of = id_of.iter().map(|&id| map[id as usize]).collect();
            }
            id_of.push(id);
        }
        assert!(rebuilds > 5);
        for key in 0..3000u32 {
            let parent = if key < 3 {
                0
            } else {
                id_of[(key / 3 - 1) as usize]
            };
            assert_eq!(find(&table, spread, parent, key), Some(id_of[key as usize]));
            assert_eq!(table.get(id_of[key as usize]).unwrap().parent, parent);
        }
        // Remove the deepest half, leaves first; a rebuild to clear the tombstones keeps
        // the rest findable.
        for key in (1500..3000u32).rev() {
            assert!(table.remove(id_of[key as usize]).is_some());
        }
        let map = table.rebuild(0, spread).unwrap();
        assert_eq!(table.shape().1, 0);
        assert_eq!(table.live(), 1501);
        for key in 0..1500u32 {
            let id = map[id_of[key as usize] as usize];
            let parent = if key < 3 {
                0
            } else {
                map[id_of[(key / 3 - 1) as usize] as usize]
            };
            assert_eq!(find(&table, spread, parent, key), Some(id));
        }
    }

    #[test]
    fn probes_of_a_home_no_node_has_read_one_slot() {
        let mut table = Table::with_root(Node::free());
        assert_eq!(find(&table, same, 0, 7), None);
        // Homes 1 and 2 (of 8 slots) hold nodes; 3 is nobody's home.
        let at = |slot: u64| slot << 61;
        let home_of = |key: u32| if key < 3 { at(1) } else { at(2) };
        for key in 0..5 {
            let node = Node {
                parent: 0,
                key,
                reach: 0,
            };
            table.place(home_of(key), node).unwrap();
        }
        // Slots 1..=5 are full: home 1's nodes sit in 1..=3, home 2's in 4..=5.
        assert_eq!(table.get(1).unwrap().reach, 3);
        assert_eq!(table.get(2).unwrap().reach, 4);
        assert_eq!(table.get(3).unwrap().reach, 0);
        for key in 0..5 {
            assert_eq!(table.find(home_of(key), 0, |n| n.key == key), Some(key + 1));
        }
        assert_eq!(table.find(at(3), 0, |_| true), None, "nobody's home");
        assert_eq!(table.find(at(1), 0, |n| n.key == 3), None, "out of reach");
    }
}
