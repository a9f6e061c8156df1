#![no_main]
//! URI validation, decorator patterns and the matcher, each checked against a plain
//! reference on strings built from the fuzz data.

use libfuzzer_sys::fuzz_target;
use pywamp_core::matcher::{check_key, Matcher, Policy};
use pywamp_core::pattern::UriPattern;
use pywamp_core::uri::{check_uri, UriRules};

/// Characters that matter to URIs and patterns; bytes pick from them.
const ALPHABET: [char; 24] = [
    'a', 'b', 'a', 'b', '.', '.', '.', '#', ' ', '\n', '\u{a0}', '\u{1c}', '\u{3000}', 'é', '<',
    '>', ':', 'i', 'n', 't', 's', '0', '-', '_',
];

fn text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
        .collect()
}

/// Python's `\s` for str patterns, written independently of the crate's table.
fn space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn valid(uri: &str, rules: UriRules) -> bool {
    if uri.is_empty() {
        return rules.allow_empty;
    }
    uri.split('.').all(|comp| {
        if comp.is_empty() {
            return rules.allow_empty;
        }
        comp.chars().all(|c| {
            if rules.strict {
                matches!(c, '0'..='9' | 'a'..='z' | '_')
            } else {
                !space(c) && c != '#'
            }
        })
    })
}

fn reference(entries: &[(String, Policy, usize)], uri: &str) -> Vec<usize> {
    let parts: Vec<&str> = uri.split('.').collect();
    let mut exact = Vec::new();
    let mut prefix = Vec::new();
    let mut wildcard = Vec::new();
    for (key, policy, value) in entries {
        match policy {
            Policy::Exact if key == uri => exact.push(*value),
            Policy::Prefix if uri.starts_with(key.as_str()) => prefix.push((key.len(), *value)),
            Policy::Wildcard => {
                let pattern: Vec<&str> = key.split('.').collect();
                if pattern.len() == parts.len()
                    && pattern
                        .iter()
                        .zip(&parts)
                        .all(|(p, u)| if p.is_empty() { !u.is_empty() } else { p == u })
                {
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
        .chain(prefix.into_iter().map(|p| p.1))
        .chain(wildcard.into_iter().map(|w| w.1))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    // Raw text, whatever the bytes are.
    let raw = String::from_utf8_lossy(data);
    for strict in [false, true] {
        for allow_empty in [false, true] {
            let rules = UriRules {
                strict,
                allow_empty,
            };
            assert_eq!(check_uri(&raw, rules).is_ok(), valid(&raw, rules));
        }
    }
    let _ = UriPattern::parse(&raw);

    // Strings from the alphabet, separated by 0xFF bytes.
    let words: Vec<String> = data.split(|&b| b == 0xFF).map(text).collect();
    for word in &words {
        for strict in [false, true] {
            for allow_empty in [false, true] {
                let rules = UriRules {
                    strict,
                    allow_empty,
                };
                assert_eq!(check_uri(word, rules).is_ok(), valid(word, rules), "{word:?}");
            }
        }
        if let Ok(pattern) = UriPattern::parse(word) {
            let mut m = Matcher::new();
            m.add(pattern.uri(), pattern.policy(), ())
                .unwrap_or_else(|e| panic!("{word:?} compiles to a bad key: {e}"));
            for uri in &words {
                let bound = pattern.bind(uri.as_bytes());
                let matched = m.best(uri.as_bytes()).is_some();
                if let Some(values) = &bound {
                    assert!(matched, "{word:?} binds {uri:?} but does not match it");
                    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
                    assert_eq!(names, pattern.names(), "{word:?}");
                } else if !word.contains(":int>") {
                    assert!(!matched, "{word:?} matches {uri:?} but does not bind it");
                }
            }
        }
    }

    // Matcher operations: each word is a key under the policy its first byte picks, or
    // (when the byte says so) removes an earlier entry.
    let mut m = Matcher::new();
    let mut entries: Vec<(String, Policy, usize)> = Vec::new();
    for (n, (word, chunk)) in words.iter().zip(data.split(|&b| b == 0xFF)).enumerate() {
        let selector = chunk.first().copied().unwrap_or(0);
        if selector % 5 == 4 {
            if !entries.is_empty() {
                let (key, policy, value) = entries.swap_remove(usize::from(selector) % entries.len());
                assert_eq!(m.remove(&key, policy), Some(value));
            }
            continue;
        }
        let policy = Policy::ALL[usize::from(selector) % 3];
        let taken = entries.iter().any(|(k, p, _)| k == word && *p == policy);
        let ok = check_key(word, policy).is_ok() && !taken;
        assert_eq!(m.add(word, policy, n).is_ok(), ok, "{word:?} {policy}");
        if ok {
            entries.push((word.clone(), policy, n));
        }
        assert_eq!(m.len(), entries.len());
    }
    for uri in &words {
        let expected = reference(&entries, uri);
        let found: Vec<usize> = m.match_all(uri.as_bytes()).into_iter().copied().collect();
        assert_eq!(found, expected, "{uri:?}");
        assert_eq!(m.best(uri.as_bytes()).copied(), expected.first().copied());
    }
    for (key, policy, value) in &entries {
        assert_eq!(m.get(key, *policy), Some(value));
    }
});
