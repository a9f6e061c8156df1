use super::*;
use proptest::prelude::*;

/// The brute-force meaning of the matcher: scan every key.
fn reference(entries: &[(String, Policy, u32)], uri: &str) -> Vec<u32> {
    let mut exact = Vec::new();
    let mut prefix = Vec::new();
    let mut wildcard = Vec::new();
    let parts: Vec<&str> = uri.split('.').collect();
    for (key, policy, value) in entries {
        match policy {
            Policy::Exact if key == uri => exact.push(*value),
            Policy::Prefix if uri.starts_with(key.as_str()) => prefix.push((key.len(), *value)),
            Policy::Wildcard => {
                let pattern: Vec<&str> = key.split('.').collect();
                let matches = pattern.len() == parts.len()
                    && pattern.iter().zip(&parts).all(|(p, u)| {
                        if p.is_empty() {
                            !u.is_empty()
                        } else {
                            p == u
                        }
                    });
                if matches {
                    let literal: Vec<bool> = pattern.iter().map(|p| !p.is_empty()).collect();
                    wildcard.push((literal, *value));
                }
            }
            _ => {}
        }
    }
    prefix.sort_by_key(|p| std::cmp::Reverse(p.0));
    wildcard.sort_by(|a, b| b.0.cmp(&a.0));
    exact
        .into_iter()
        .chain(prefix.into_iter().map(|(_, v)| v))
        .chain(wildcard.into_iter().map(|(_, v)| v))
        .collect()
}

fn found(matcher: &Matcher<u32>, uri: &str) -> Vec<u32> {
    matcher
        .match_all(uri.as_bytes())
        .into_iter()
        .copied()
        .collect()
}

fn best(matcher: &Matcher<u32>, uri: &str) -> Option<u32> {
    matcher.best(uri.as_bytes()).copied()
}

#[test]
fn registration_precedence_follows_the_spec_examples() {
    let mut m = Matcher::new();
    let keys = [
        ("a1.b2.c3.d4.e55", Policy::Exact),
        ("a1.b2.c3", Policy::Prefix),
        ("a1.b2.c3.d4", Policy::Prefix),
        ("a1.b2..d4.e5", Policy::Wildcard),
        ("a1.b2.c33..e5", Policy::Wildcard),
        ("a1.b2..d4.e5..g7", Policy::Wildcard),
        ("a1.b2..d4..f6.g7", Policy::Wildcard),
    ];
    for (n, (uri, policy)) in keys.into_iter().enumerate() {
        m.add(uri, policy, n as u32 + 1).unwrap();
    }
    assert_eq!(best(&m, "a1.b2.c3.d4.e55"), Some(1));
    assert_eq!(best(&m, "a1.b2.c3.d98.e74"), Some(2));
    assert_eq!(best(&m, "a1.b2.c3.d4.e325"), Some(3));
    assert_eq!(best(&m, "a1.b2.c55.d4.e5"), Some(4));
    // The spec's list says "no prefix match" here, but its own prefix sections (and
    // Crossbar) match prefixes by characters, and "a1.b2.c33..." starts with "a1.b2.c3".
    // Among the wildcards alone, the spec's pick stands (below).
    assert_eq!(best(&m, "a1.b2.c33.d4.e5"), Some(2));
    assert_eq!(best(&m, "a1.b2.c88.d4.e5.f6.g7"), Some(6));
    assert_eq!(best(&m, "a2.b2.c2.d2.e2"), None);
    assert_eq!(found(&m, "a1.b2.c3.d4.e55"), vec![1, 3, 2]);
    assert_eq!(found(&m, "a1.b2.c33.d4.e5"), vec![2, 5, 4]);
    assert_eq!(found(&m, "a1.b2.c88.d4.e5.f6.g7"), vec![6, 7]);
    m.remove("a1.b2.c3", Policy::Prefix).unwrap();
    assert_eq!(best(&m, "a1.b2.c33.d4.e5"), Some(5));
    assert_eq!(found(&m, "a1.b2.c33.d4.e5"), vec![5, 4]);
}

#[test]
fn brief_wildcard_example_prefers_the_longer_first_run() {
    let mut m = Matcher::new();
    m.add("a1...d4", Policy::Wildcard, 1).unwrap();
    m.add("a1.b2..d4", Policy::Wildcard, 2).unwrap();
    assert_eq!(best(&m, "a1.b2.c3.d4"), Some(2));
    assert_eq!(found(&m, "a1.b2.c3.d4"), vec![2, 1]);
    assert_eq!(found(&m, "a1.x.c3.d4"), vec![1]);
}

#[test]
fn prefix_matching_is_by_characters() {
    let mut m = Matcher::new();
    m.add("com.myapp.topic.emergency", Policy::Prefix, 1)
        .unwrap();
    for uri in [
        "com.myapp.topic.emergency.11",
        "com.myapp.topic.emergency-low",
        "com.myapp.topic.emergency.category.severe",
        "com.myapp.topic.emergency",
    ] {
        assert_eq!(found(&m, uri), vec![1], "{uri}");
    }
    assert!(found(&m, "com.myapp.topic.emerge").is_empty());
    let mut m = Matcher::new();
    m.add("com.myapp.myobject1", Policy::Prefix, 1).unwrap();
    assert_eq!(best(&m, "com.myapp.myobject1-mysubobject1"), Some(1));
    assert_eq!(best(&m, "com.myapp.myobject2"), None);
    assert_eq!(best(&m, "com.myapp.myobject"), None);
}

#[test]
fn wildcards_match_whole_non_empty_components() {
    let mut m = Matcher::new();
    m.add("com.myapp..userevent", Policy::Wildcard, 1).unwrap();
    for uri in [
        "com.myapp.foo.userevent",
        "com.myapp.bar.userevent",
        "com.myapp.a12.userevent",
    ] {
        assert_eq!(found(&m, uri), vec![1], "{uri}");
    }
    for uri in [
        "com.myapp.foo.userevent.bar",
        "com.myapp.foo.user",
        "com.myapp2.foo.userevent",
        "com.myapp..userevent",
        "com.myapp.userevent",
    ] {
        assert!(found(&m, uri).is_empty(), "{uri}");
    }
}

#[test]
fn keys_are_checked_per_policy() {
    let mut m: Matcher<u32> = Matcher::new();
    for (uri, policy) in [
        ("", Policy::Exact),
        ("a..b", Policy::Exact),
        ("a.", Policy::Exact),
        ("a b", Policy::Exact),
        ("", Policy::Prefix),
        (".", Policy::Prefix),
        ("a..", Policy::Prefix),
        ("a..b", Policy::Prefix),
        ("", Policy::Wildcard),
        ("a.#", Policy::Wildcard),
    ] {
        let err = m.add(uri, policy, 0).unwrap_err();
        assert!(
            matches!(err, MatcherError::InvalidUri { .. }),
            "{uri:?} {policy}"
        );
    }
    assert!(m.is_empty());
    m.add("a.", Policy::Prefix, 1).unwrap();
    m.add(".", Policy::Wildcard, 2).unwrap();
    m.add("a..", Policy::Wildcard, 3).unwrap();
    let err = m.add("a..b c", Policy::Wildcard, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid wildcard URI \"a..b c\": URI component 3 contains whitespace ' '"
    );
}

#[test]
fn add_remove_get_and_len() {
    let mut m = Matcher::new();
    m.add("a.b", Policy::Exact, 1).unwrap();
    m.add("a.b", Policy::Prefix, 2).unwrap();
    m.add("a.b", Policy::Wildcard, 3).unwrap();
    assert_eq!(m.len(), 3);
    let err = m.add("a.b", Policy::Prefix, 9).unwrap_err();
    assert_eq!(err.to_string(), "(\"a.b\", prefix) is already taken");
    assert_eq!(m.get("a.b", Policy::Prefix), Some(&2));
    *m.get_mut("a.b", Policy::Wildcard).unwrap() = 30;
    assert_eq!(found(&m, "a.b"), vec![1, 2, 30]);
    assert_eq!(m.remove("a.b", Policy::Exact), Some(1));
    assert_eq!(m.remove("a.b", Policy::Exact), None);
    assert!(!m.contains("a.b", Policy::Exact));
    assert!(m.contains("a.b", Policy::Prefix));
    assert_eq!(m.len(), 2);
    let mut values: Vec<u32> = m.values().copied().collect();
    values.sort();
    assert_eq!(values, vec![2, 30]);
    m.clear();
    assert!(m.is_empty());
    assert_eq!(best(&m, "a.b"), None);
}

#[test]
fn removing_everything_leaves_no_nodes_or_components() {
    let mut m = Matcher::new();
    let keys: Vec<String> = (0..300)
        .map(|i| format!("com.x{}.y{}.z{}", i % 7, i % 13, i))
        .collect();
    for (i, key) in keys.iter().enumerate() {
        m.add(key, Policy::Prefix, i).unwrap();
        let pattern = key.replace(".y", "..y").replacen("y", "", 1);
        m.add(&pattern, Policy::Wildcard, i).unwrap();
    }
    for (i, key) in keys.iter().enumerate().rev() {
        assert_eq!(m.remove(key, Policy::Prefix), Some(i));
        let pattern = key.replace(".y", "..y").replacen("y", "", 1);
        assert_eq!(m.remove(&pattern, Policy::Wildcard), Some(i));
    }
    assert!(m.is_empty());
    assert_eq!(m.trie.live_nodes(), 1);
}

#[test]
fn lookups_take_bytes_that_need_not_be_utf8() {
    let mut m = Matcher::new();
    m.add("a.", Policy::Prefix, 1).unwrap();
    m.add("a..c", Policy::Wildcard, 2).unwrap();
    // "a.\u{d800}.c" as Python's surrogatepass encodes it.
    let uri = b"a.\xed\xa0\x80.c";
    assert_eq!(m.match_all(uri), vec![&1, &2]);
}

#[test]
fn long_and_deep_uris_do_not_overflow_the_stack() {
    let mut m = Matcher::new();
    let deep = vec!["a"; 100_000].join(".");
    m.add(&deep, Policy::Prefix, 1).unwrap();
    let pattern = vec![""; 100_000].join(".");
    m.add(&pattern, Policy::Wildcard, 2).unwrap();
    assert_eq!(found(&m, &deep), vec![1, 2]);
    assert_eq!(m.remove(&pattern, Policy::Wildcard), Some(2));
    assert_eq!(m.remove(&deep, Policy::Prefix), Some(1));
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("ab".to_owned()),
        Just("ba".to_owned()),
        Just("a-b".to_owned()),
    ]
}

/// Components around the word sizes the lookup reads them by (8 and 16 bytes) and the
/// 14 bytes a label keeps inline, several the start of others.
fn long_component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a".to_owned()),
        Just("abcdefg".to_owned()),
        Just("abcdefgh".to_owned()),
        Just("abcdefghi".to_owned()),
        Just("abcdefghijklm".to_owned()),
        Just("abcdefghijklmn".to_owned()),
        Just("abcdefghijklmno".to_owned()),
        Just("abcdefghijklmnop".to_owned()),
        Just("abcdefghijklmnopq".to_owned()),
        Just("abcdefghijklmnopqrstu".to_owned()),
        Just("bbcdefghijklmnop".to_owned()),
    ]
}

fn uri() -> BoxedStrategy<String> {
    uri_of(component().boxed())
}

fn uri_of(component: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop::collection::vec(component, 1..5)
        .prop_map(|parts| parts.join("."))
        .boxed()
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Exact),
        Just(Policy::Prefix),
        Just(Policy::Wildcard)
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Add(String, Policy),
    Remove(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    ops_of(uri())
}

fn ops_of(uri: BoxedStrategy<String>) -> impl Strategy<Value = Vec<Op>> {
    let add = (uri, policy(), any::<u8>()).prop_map(|(uri, policy, cut)| {
        // Prefix keys may end anywhere, not only at a dot.
        let uri = if policy == Policy::Prefix && !uri.is_empty() {
            uri.chars().take(1 + usize::from(cut) % uri.len()).collect()
        } else {
            uri
        };
        Op::Add(uri, policy)
    });
    let remove = any::<usize>().prop_map(Op::Remove);
    prop::collection::vec(prop_oneof![3 => add, 1 => remove], 0..80)
}

/// Apply `ops`, then check every lookup of `probes` and of every key against the scan.
fn agrees_with_the_reference(ops: Vec<Op>, probes: Vec<String>) -> Result<(), TestCaseError> {
    let mut m = Matcher::new();
    let mut entries: Vec<(String, Policy, u32)> = Vec::new();
    for (n, op) in ops.into_iter().enumerate() {
        match op {
            Op::Add(uri, policy) => {
                let taken = entries.iter().any(|(k, p, _)| *k == uri && *p == policy);
                let valid = check_key(&uri, policy).is_ok();
                let result = m.add(&uri, policy, n as u32);
                prop_assert_eq!(result.is_ok(), valid && !taken, "{:?} {}", uri, policy);
                if result.is_ok() {
                    entries.push((uri, policy, n as u32));
                }
            }
            Op::Remove(at) if !entries.is_empty() => {
                let (uri, policy, value) = entries.swap_remove(at % entries.len());
                prop_assert_eq!(m.remove(&uri, policy), Some(value));
                prop_assert_eq!(m.remove(&uri, policy), None);
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
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn agrees_with_a_scan_of_every_key(ops in ops(), probes in prop::collection::vec(uri(), 1..30)) {
        agrees_with_the_reference(ops, probes)?;
    }

    #[test]
    fn agrees_with_a_scan_for_components_of_every_length(
        ops in ops_of(uri_of(long_component().boxed())),
        probes in prop::collection::vec(uri_of(long_component().boxed()), 1..30),
    ) {
        agrees_with_the_reference(ops, probes)?;
    }
}

#[test]
fn long_tails_of_every_length_match() {
    let mut m = Matcher::new();
    let mut entries = Vec::new();
    for len in 0..100u32 {
        for head in ["", "x."] {
            let key = format!("{head}{}", "a".repeat(len as usize));
            if m.add(&key, Policy::Prefix, len).is_ok() {
                entries.push((key, Policy::Prefix, len));
            }
        }
    }
    for uri in [
        "x.".to_owned() + &"a".repeat(120),
        "a".repeat(80),
        "x.".to_owned() + &"a".repeat(70) + ".b",
    ] {
        assert_eq!(found(&m, &uri), reference(&entries, &uri), "{uri}");
    }
    for len in (0..100).step_by(3) {
        let key = format!("x.{}", "a".repeat(len));
        assert_eq!(m.remove(&key, Policy::Prefix), Some(len as u32));
        entries.retain(|(k, _, _)| *k != key);
    }
    let uri = "x.".to_owned() + &"a".repeat(99);
    assert_eq!(found(&m, &uri), reference(&entries, &uri));
}

#[test]
fn deep_searches_keep_precedence_order() {
    // Every level offers a literal and a wildcard edge, so the search keeps one pending
    // branch per level: more than the inline stack holds.
    let mut m = Matcher::new();
    let mut entries = Vec::new();
    let parts = vec!["a"; 40];
    for hole in 0..=40 {
        let mut key = parts.clone();
        if let Some(part) = key.get_mut(hole) {
            *part = "";
        }
        let key = key.join(".");
        m.add(&key, Policy::Wildcard, hole as u32).unwrap();
        entries.push((key, Policy::Wildcard, hole as u32));
    }
    let uri = parts.join(".");
    let expected = reference(&entries, &uri);
    assert_eq!(expected.len(), 41);
    assert_eq!(found(&m, &uri), expected);
    assert_eq!(best(&m, &uri), Some(40));
}

#[test]
fn exact_keys_inline_and_on_the_heap_match_only_themselves() {
    assert_eq!(std::mem::size_of::<Key>(), 40);
    let mut m = Matcher::new();
    let short = "com.a".to_owned();
    let edge = format!("com.{}", "x".repeat(Key::INLINE - 4));
    let long = format!("com.{}", "y".repeat(Key::INLINE));
    assert_eq!(edge.len(), Key::INLINE);
    for (i, uri) in [&short, &edge, &long].into_iter().enumerate() {
        m.add(uri, Policy::Exact, i as u32).unwrap();
    }
    assert_eq!(found(&m, &short), vec![0]);
    assert_eq!(found(&m, &edge), vec![1]);
    assert_eq!(found(&m, &long), vec![2]);
    assert_eq!(found(&m, &format!("{edge}x")), Vec::<u32>::new());
    assert_eq!(found(&m, &long[..long.len() - 1]), Vec::<u32>::new());
    assert!(m.add(&long, Policy::Exact, 9).is_err());
    assert_eq!(m.remove(&edge, Policy::Exact), Some(1));
    assert_eq!(found(&m, &edge), Vec::<u32>::new());
}

/// Keys that share parents by the thousand: the node table is built again many times
/// while they go in (new ids for every node, the prefix tables following), tombstones
/// pile up in its probe chains while they go out, and new keys reuse them.
#[test]
fn growth_removal_and_reuse_keep_every_answer() {
    let key = |i: usize| -> (String, Policy) {
        let (a, b) = (i % 7, i % 13);
        match i % 5 {
            0 => (format!("a{a}.b{b}.c{i}"), Policy::Wildcard),
            1 => (format!("a{a}..c{i}"), Policy::Wildcard),
            2 => (format!("a{a}.b{b}.p{i}"), Policy::Prefix),
            3 => (format!("a{a}.b{b}.q{i}."), Policy::Prefix),
            _ => (format!("a{a}.b{b}"), Policy::Exact),
        }
    };
    let probes: Vec<String> = (0..4000)
        .step_by(37)
        .flat_map(|i| {
            let (a, b) = (i % 7, i % 13);
            [
                format!("a{a}.b{b}.c{i}"),
                format!("a{a}.x.c{i}"),
                format!("a{a}.b{b}.p{i}7"),
                format!("a{a}.b{b}.q{i}.z"),
                format!("a{a}.b{b}.q{i}"),
            ]
        })
        .collect();
    let check = |m: &Matcher<u32>, entries: &[(String, Policy, u32)]| {
        for probe in &probes {
            assert_eq!(found(m, probe), reference(entries, probe), "{probe}");
        }
        for (uri, policy, value) in entries {
            assert_eq!(m.get(uri, *policy), Some(value));
        }
    };
    let mut m = Matcher::new();
    let mut entries = Vec::new();
    for i in 0..4000 {
        let (uri, policy) = key(i);
        if m.add(&uri, policy, i as u32).is_ok() {
            entries.push((uri, policy, i as u32));
        }
    }
    check(&m, &entries);
    let (slots, _) = m.trie.table_shape();
    // Remove two of every three, in an order unrelated to insertion.
    let mut kept = Vec::new();
    for (n, (uri, policy, value)) in entries.into_iter().enumerate() {
        if (n * 7919) % 3 == 0 {
            kept.push((uri, policy, value));
        } else {
            assert_eq!(m.remove(&uri, policy), Some(value));
        }
    }
    check(&m, &kept);
    // New keys under the same parents fill the freed slots without growing the table.
    for i in 4000..5000 {
        let (uri, policy) = key(i);
        if m.add(&uri, policy, i as u32).is_ok() {
            kept.push((uri, policy, i as u32));
        }
    }
    check(&m, &kept);
    assert!(m.trie.table_shape().0 <= slots);
    for (uri, policy, value) in kept.iter().rev() {
        assert_eq!(m.remove(uri, *policy), Some(value).copied());
    }
    assert!(m.is_empty());
    assert_eq!(m.trie.live_nodes(), 1);
    // Adding and removing one key over and over keeps the table small.
    for round in 0..10_000u32 {
        let uri = format!("x{round}.y.z{round}");
        m.add(&uri, Policy::Wildcard, round).unwrap();
        assert_eq!(m.remove(&uri, Policy::Wildcard), Some(round));
    }
    assert!(m.trie.table_shape().0 <= slots);
}

/// A node with hundreds of literal children gets a wide filter of them: every child is
/// still found before and after the node table is built again, after removals, and when
/// the filter's slot is reused by another node.
#[test]
fn nodes_with_many_children_find_every_one() {
    let mut m = Matcher::new();
    let mut entries = Vec::new();
    for i in 0..600u32 {
        let key = format!("hub.c{i}");
        m.add(&key, Policy::Wildcard, i).unwrap();
        entries.push((key, Policy::Wildcard, i));
        if i % 50 == 0 {
            for j in (0..=i).step_by(7) {
                assert_eq!(found(&m, &format!("hub.c{j}")), vec![j], "{i} {j}");
            }
        }
    }
    let probes: Vec<String> = (0..700).map(|i| format!("hub.c{i}")).collect();
    for probe in &probes {
        assert_eq!(found(&m, probe), reference(&entries, probe), "{probe}");
    }
    // Remove most of them: the hub's filter keeps their bits until a build clears them.
    for i in (0..600u32).filter(|i| i % 5 != 0) {
        assert_eq!(m.remove(&format!("hub.c{i}"), Policy::Wildcard), Some(i));
    }
    entries.retain(|(_, _, v)| v % 5 == 0);
    for probe in &probes {
        assert_eq!(found(&m, probe), reference(&entries, probe), "{probe}");
    }
    // Another hub, while the first empties and gives its filter back.
    for i in 0..200u32 {
        let key = format!("other.d{i}");
        m.add(&key, Policy::Wildcard, 1000 + i).unwrap();
        entries.push((key, Policy::Wildcard, 1000 + i));
    }
    for i in (0..600u32).step_by(5) {
        assert_eq!(m.remove(&format!("hub.c{i}"), Policy::Wildcard), Some(i));
    }
    entries.retain(|(k, _, _)| !k.starts_with("hub."));
    for i in 0..100u32 {
        let key = format!("third.e{i}");
        m.add(&key, Policy::Wildcard, 2000 + i).unwrap();
        entries.push((key, Policy::Wildcard, 2000 + i));
    }
    for i in 0..250 {
        for probe in [
            format!("hub.c{i}"),
            format!("other.d{i}"),
            format!("third.e{i}"),
        ] {
            assert_eq!(found(&m, &probe), reference(&entries, &probe), "{probe}");
        }
    }
}

/// A million keys of every policy, shaped like the benchmarks' (shared components, a third
/// of each policy): every key is stored, the tables stay under 128 bytes per key, and
/// lookups of each kind agree with a scan of all of them.
#[test]
fn a_million_keys_fit_and_answer_as_a_scan() {
    const N: u32 = 1_000_000;
    let key = |i: u32| -> (String, Policy) {
        let (a, s) = (i % 100, i % 1009);
        match i % 6 {
            0 | 1 => (format!("com.app{a}.svc{s}.proc{i}"), Policy::Exact),
            2 => (format!("com.app{a}.svc{s}.p{i}."), Policy::Prefix),
            3 => (format!("com.app{a}.svc{s}.p{i}"), Policy::Prefix),
            4 => (format!("com.app{a}..proc{i}"), Policy::Wildcard),
            _ => (format!("com..svc{s}.ev{i}"), Policy::Wildcard),
        }
    };
    let mut m = Matcher::new();
    let mut entries = Vec::with_capacity(N as usize);
    for i in 0..N {
        let (uri, policy) = key(i);
        m.add(&uri, policy, i).unwrap();
        entries.push((uri, policy, i));
    }
    assert_eq!(m.len(), N as usize);
    let per_key = m.table_bytes() / N as usize;
    assert!(per_key < 128, "{per_key} bytes per key");
    for (uri, policy, value) in entries.iter().step_by(9973) {
        assert_eq!(m.get(uri, *policy), Some(value));
    }
    // A hit on a key of each kind, spread over the whole range, and near misses of it.
    for i in (0..N).step_by(76_919) {
        let (uri, policy) = key(i);
        let hit = match policy {
            Policy::Exact => uri,
            Policy::Prefix if uri.ends_with('.') => uri + "x.y",
            Policy::Prefix => uri + "7",
            Policy::Wildcard => uri.replace("..", ".w."),
        };
        assert!(reference(&entries, &hit).contains(&i), "{hit}");
        for probe in [hit.replacen("com.", "org.", 1), hit.clone() + ".z", hit] {
            let expected = reference(&entries, &probe);
            assert_eq!(found(&m, &probe), expected, "{probe}");
            assert_eq!(best(&m, &probe), expected.first().copied(), "{probe}");
        }
    }
}
