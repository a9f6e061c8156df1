//! The trie's nodes in one open-addressing table: a node sits in the slot its key
//! (parent id, label) hashes to, or the next free one (linear probing), and its id is its
//! slot. A lookup finds a child by reading the slots from the child's home on, so a level
//! of a walk is normally one cache line: no separate control bytes or edge slot.
//!
//! A node's slot depends on its parent's id, so ids change only when the table is built
//! again (to grow), and then top-down: a parent is placed before its children, and the
//! caller gets the map from old ids to new ones.
//!
//! Each slot records how far the nodes whose home it is reach, and a probe reads no
//! further, so a removed node's slot simply becomes free: probes step over free slots
//! inside that reach, and inserts reuse them. Churn at a steady size therefore never
//! builds the table again (no pause of a whole rebuild on an unsubscribe). Only a home
//! whose nodes lie [`FAR_REACH`] slots or more away (which a seeded hash all but never
//! makes) needs probes that stop at the first free slot; while one exists, removals
//! leave tombstones instead, as in classic linear probing, until the next build.

/// "No node / no entry" in the index-linked structures.
pub(super) const NONE: u32 = u32::MAX;
/// The parent of a slot that holds no node: a probe bounded by its home's reach steps
/// over it, one of a far home stops here.
const FREE: u32 = NONE;
/// The parent of a slot whose node was removed while a far home existed: every probe
/// goes on.
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
    /// [`FAR_REACH`] (which sends a probe on to a free slot). Lowered again when the
    /// farthest such node is removed.
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
    /// Homes whose reach is [`FAR_REACH`]: while there are any, removals leave tombstones.
    far_homes: usize,
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
            far_homes: 0,
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
        // stops after a slot or two, and free slots inside that reach (nodes removed) are
        // stepped over. A far home's probe runs on to the next free slot instead.
        let (steps, far) = match self.slots.get(at)?.reach() {
            0 => return None,
            FAR_REACH => (len, true),
            reach => (usize::from(reach), false),
        };
        for _ in 0..steps {
            let node = self.slots.get(at)?;
            let p = node.parent();
            if p == parent && is(node) {
                return Some(at as u32);
            }
            if far && p == FREE {
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
                    if reach == FAR_REACH && home.reach() != FAR_REACH {
                        self.far_homes += 1;
                    }
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

    /// Take the node at `at` out (never the root's slot 0, which stays); `hash` gives a
    /// live node's hash (the one it was placed by), to lower its home's reach.
    pub(super) fn remove(&mut self, at: u32, hash: impl Fn(&N) -> u64) -> Option<N> {
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
        if self.far_homes == 0 {
            self.lower_reach(home(hash(&node), len), at, hash);
            return Some(node);
        }
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

    /// After the node at `gone` (homed at `home`) was removed: if it was the farthest of
    /// its home's nodes, lower the home's reach to the farthest one left.
    fn lower_reach(&mut self, home: usize, gone: usize, hash: impl Fn(&N) -> u64) {
        let len = self.slots.len();
        let distance = (gone + len - home) % len;
        let Some(reach) = self.slots.get(home).map(Slot::reach) else {
            return;
        };
        if usize::from(reach) != distance + 1 {
            return;
        }
        let mut new_reach = 0;
        for d in (0..distance).rev() {
            let at = (home + d) % len;
            let Some(node) = self.slots.get(at) else {
                continue;
            };
            if !matches!(node.parent(), FREE | TOMB | ROOT_PARENT)
                && self::home(hash(node), len) == home
            {
                new_reach = u8::try_from(d + 1).unwrap_or(FAR_REACH);
                break;
            }
        }
        if let Some(slot) = self.slots.get_mut(home) {
            slot.set_reach(new_reach);
        }
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
        self.far_homes = 0;
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

    /// Remove the node at `id` of a table whose nodes were placed by `hash`.
    fn remove(table: &mut Table<Node>, hash: fn(u32, &Node) -> u64, id: u32) -> Option<Node> {
        table.remove(id, |n| hash(n.parent, n))
    }

    /// `count` nodes under the root that all share home slot 0; their ids.
    fn one_chain(table: &mut Table<Node>, count: u32) -> Vec<u32> {
        let mut ids = Vec::new();
        for key in 0..count {
            let (id, map) = add(table, same, 0, key);
            if let Some(map) = map {
                ids = ids.iter().map(|&id: &u32| map[id as usize]).collect();
            }
            ids.push(id);
        }
        ids
    }

    #[test]
    fn removal_in_one_long_probe_chain_frees_slots_and_keeps_the_others_found() {
        let mut table = Table::with_root(Node::free());
        let ids = one_chain(&mut table, 200);
        // Remove every third node: free slots now sit inside the chain.
        for key in (0..200).step_by(3) {
            assert!(remove(&mut table, same, ids[key]).is_some());
            assert!(
                remove(&mut table, same, ids[key]).is_none(),
                "removed twice"
            );
        }
        assert_eq!(table.shape().1, 0, "no tombstones");
        for key in 0..200u32 {
            let found = find(&table, same, 0, key);
            if key % 3 == 0 {
                assert_eq!(found, None, "{key}");
            } else {
                assert_eq!(found, Some(ids[key as usize]), "{key}");
            }
        }
        // An insert takes the first free slot of the chain, without a build.
        let (id, map) = add(&mut table, same, 0, 1000);
        assert!(map.is_none());
        assert_eq!(id, ids[0]);
        assert_eq!(find(&table, same, 0, 1000), Some(id));
        assert_eq!(table.live(), 1 + 200 - 67 + 1);
        // The root's slot never goes.
        assert!(remove(&mut table, same, 0).is_none());
    }

    #[test]
    fn removing_the_farthest_node_of_a_home_lowers_its_reach() {
        let mut table = Table::with_root(Node::free());
        let ids = one_chain(&mut table, 4);
        // The chain from slot 0: root, then keys 0..4 at 1..=4; home 0 reaches 5 slots.
        assert_eq!(ids, [1, 2, 3, 4]);
        assert_eq!(table.get(0).unwrap().reach, 5);
        remove(&mut table, same, 2);
        assert_eq!(table.get(0).unwrap().reach, 5, "a node further out is left");
        remove(&mut table, same, 4);
        assert_eq!(table.get(0).unwrap().reach, 4);
        remove(&mut table, same, 3);
        assert_eq!(table.get(0).unwrap().reach, 2);
        assert_eq!(find(&table, same, 0, 0), Some(1));
        assert_eq!(find(&table, same, 0, 3), None);
        remove(&mut table, same, 1);
        assert_eq!(table.get(0).unwrap().reach, 0);
        assert_eq!(find(&table, same, 0, 0), None);
    }

    #[test]
    fn a_home_reaching_far_makes_removals_leave_tombstones_until_the_next_build() {
        let mut table = Table::with_root(Node::free());
        let ids = one_chain(&mut table, 300);
        assert_eq!(table.get(0).unwrap().reach, FAR_REACH);
        for key in (0..300).step_by(3) {
            assert!(remove(&mut table, same, ids[key]).is_some());
        }
        assert!(table.shape().1 > 0, "tombstones while a home reaches far");
        for key in 0..300u32 {
            let found = find(&table, same, 0, key);
            assert_eq!(found.is_some(), key % 3 != 0, "{key}");
        }
        let map = table.rebuild(0, same).unwrap();
        assert_eq!(table.shape().1, 0);
        for key in (0..300u32).filter(|k| k % 3 != 0) {
            assert_eq!(
                find(&table, same, 0, key),
                Some(map[ids[key as usize] as usize])
            );
        }
    }

    #[test]
    fn churn_at_a_steady_size_never_builds_the_table_again() {
        let mut table = Table::with_root(Node::free());
        let mut live: Vec<(u32, u32)> = Vec::new();
        for key in 0..2000u32 {
            let (id, map) = add(&mut table, spread, 0, key);
            if let Some(map) = map {
                live = live.iter().map(|&(k, id)| (k, map[id as usize])).collect();
            }
            live.push((key, id));
        }
        let slots = table.slots();
        for key in 2000..40_000u32 {
            let (old_key, old_id) = live.swap_remove((key as usize * 7919) % live.len());
            assert_eq!(remove(&mut table, spread, old_id).unwrap().key, old_key);
            let (id, map) = add(&mut table, spread, 0, key);
            assert!(map.is_none(), "a build during churn at {key}");
            live.push((key, id));
        }
        assert_eq!(table.slots(), slots);
        for &(key, id) in &live {
            assert_eq!(find(&table, spread, 0, key), Some(id));
        }
        assert_eq!(find(&table, spread, 0, 5), None);
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
            assert!(remove(&mut table, spread, id_of[key as usize]).is_some());
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
