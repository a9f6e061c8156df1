//! Path hashes (see `trie.rs`): a node is taken only under the parent the lookup
//! computed, and two nodes never share a path hash. Tests narrow the path hashes to
//! make different paths share homes and hashes, which a random 64-bit seed does not.

use super::*;

/// Path hashes below 2^32: in a table of fewer than 2^32 slots every node's home is slot
/// 0, so every probe reads past nodes of other paths (and only a chance collision of
/// 32-bit hashes, which these few keys do not meet, would refuse a key).
const ONE_HOME: u64 = 0xFFFF_FFFF;

#[test]
fn a_node_with_the_component_as_label_under_another_parent_is_not_taken() {
    let mut m = Matcher::new();
    m.trie.narrow_paths(ONE_HOME);
    m.add("a.x", Policy::Wildcard, 1).unwrap();
    m.add("b.x", Policy::Wildcard, 2).unwrap();
    m.add("c.q", Policy::Prefix, 3).unwrap();
    m.add("a.x.y", Policy::Prefix, 4).unwrap();
    // Probes for `b.x` and `c.x` read `a.x`'s node (label `x`, parent `a`) first.
    assert_eq!(found(&m, "b.x"), [2]);
    assert_eq!(found(&m, "c.x"), Vec::<u32>::new());
    assert_eq!(found(&m, "c.qq"), [3]);
    assert_eq!(found(&m, "a.x"), [1]);
    assert_eq!(found(&m, "a.x.yz"), [4]);
    assert_eq!(found(&m, "b.x.yz"), Vec::<u32>::new());
    assert_eq!(best(&m, "d.x"), None);
    assert_eq!(m.get("b.x", Policy::Wildcard), Some(&2));
    assert_eq!(m.get("c.x", Policy::Wildcard), None);
    assert_eq!(m.remove("a.x", Policy::Wildcard), Some(1));
    assert_eq!(found(&m, "b.x"), [2]);
    assert_eq!(found(&m, "a.x.yz"), [4]);
}

#[test]
fn a_key_whose_new_node_would_share_a_path_hash_is_refused_as_full() {
    let mut m = Matcher::new();
    // Four path hashes: at most four nodes besides the root.
    m.trie.narrow_paths(0b11);
    let mut added = Vec::new();
    let mut full = 0;
    for i in 0..12u32 {
        let key = format!("k{i}");
        match m.add(&key, Policy::Wildcard, i) {
            Ok(()) => added.push((key, i)),
            Err(MatcherError::Full { .. }) => full += 1,
            Err(other) => panic!("{other}"),
        }
        assert_eq!(m.len(), added.len());
        assert_eq!(
            m.trie.live_nodes(),
            1 + added.len(),
            "a refused key left nodes"
        );
    }
    assert!(full >= 8 && added.len() <= 4, "{full} refused");
    // A longer key refused part way leaves no nodes behind either.
    let (first, _) = &added[0];
    assert!(matches!(
        m.add(&format!("{first}.a.b.c.d"), Policy::Prefix, 99),
        Err(MatcherError::Full { .. })
    ));
    assert_eq!(m.trie.live_nodes(), 1 + added.len());
    for (key, value) in &added {
        assert_eq!(found(&m, key), [*value]);
        assert_eq!(best(&m, key), Some(*value));
    }
    for (key, value) in &added {
        assert_eq!(m.remove(key, Policy::Wildcard), Some(*value));
    }
    assert_eq!(m.trie.live_nodes(), 1);
}

/// Apply `ops` to a matcher whose path hashes keep only `mask`'s bits; a key refused as
/// full is left out. Then every lookup agrees with the scan of the keys it took.
fn narrowed_agrees_with_the_reference(
    mask: u64,
    ops: Vec<Op>,
    probes: Vec<String>,
) -> Result<(), TestCaseError> {
    let mut m = Matcher::new();
    m.trie.narrow_paths(mask);
    let mut entries: Vec<(String, Policy, u32)> = Vec::new();
    for (n, op) in ops.into_iter().enumerate() {
        match op {
            Op::Add(uri, policy) => {
                let taken = entries.iter().any(|(k, p, _)| *k == uri && *p == policy);
                let valid = check_key(&uri, policy).is_ok();
                match m.add(&uri, policy, n as u32) {
                    Ok(()) => entries.push((uri, policy, n as u32)),
                    Err(MatcherError::Full { .. }) => prop_assert!(valid && !taken),
                    Err(_) => prop_assert!(!valid || taken),
                }
            }
            Op::Remove(at) if !entries.is_empty() => {
                let (uri, policy, value) = entries.swap_remove(at % entries.len());
                prop_assert_eq!(m.remove(&uri, policy), Some(value));
            }
            Op::Remove(_) => {}
        }
        prop_assert_eq!(m.len(), entries.len());
    }
    for (uri, policy, value) in &entries {
        prop_assert_eq!(m.get(uri, *policy), Some(value));
    }
    for probe in probes.iter().chain(entries.iter().map(|(k, _, _)| k)) {
        let expected = reference(&entries, probe);
        prop_assert_eq!(&found(&m, probe), &expected, "{:?}", probe);
        prop_assert_eq!(best(&m, probe), expected.first().copied(), "{:?}", probe);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn with_every_node_homed_in_one_slot_lookups_agree_with_a_scan(
        ops in ops(),
        probes in prop::collection::vec(uri(), 1..30),
    ) {
        narrowed_agrees_with_the_reference(ONE_HOME, ops, probes)?;
    }

    #[test]
    fn with_colliding_path_hashes_the_keys_taken_agree_with_a_scan(
        ops in ops(),
        probes in prop::collection::vec(uri(), 1..30),
    ) {
        narrowed_agrees_with_the_reference(0x3F, ops, probes)?;
    }
}
