//! Matcher lookups at 1k, 100k and 1M keys of each policy (and mixed), against a naive
//! scan of every key: lookup time should stay flat as the key count grows.
//!
//! `cargo bench -p pywamp-core --bench matcher`; MATCHER_BENCH_SIZES=1000,100000 to
//! choose sizes. MATCHER_BENCH_WORKLOAD=file.json benches the keys and URIs of that file
//! instead (`benches/compare_matcher.py --write-workload` writes the one it gives Crossbar,
//! so the numbers compare directly).

#![allow(clippy::indexing_slicing)]

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pywamp_core::matcher::{Matcher, Policy};

/// A small deterministic generator (xorshift64*), so every run sees the same workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn key(policy: Policy, i: usize) -> String {
    let (a, b) = (i % 97, i % 1009);
    match policy {
        Policy::Exact => format!("com.app{a}.svc{b}.proc{i}"),
        Policy::Prefix => format!("com.app{a}.svc{b}.p{i}."),
        Policy::Wildcard => match i % 3 {
            0 => format!("com.app{a}..proc{i}"),
            1 => format!("com..svc{b}.proc{i}"),
            _ => format!("com.app{a}.svc{b}..ev{i}"),
        },
    }
}

/// Concrete URIs: about half hit some key of a matcher of `n` keys.
fn probes(n: usize, count: usize) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|_| {
            let i = rng.below(2 * n);
            let (a, b) = (i % 97, i % 1009);
            match rng.below(3) {
                0 => format!("com.app{a}.svc{b}.proc{i}"),
                1 => format!("com.app{a}.svc{b}.p{i}.x.y"),
                _ => format!("com.app{a}.svc{b}.x{}.ev{i}", rng.below(100)),
            }
        })
        .collect()
}

fn keys(policy: Option<Policy>, n: usize) -> Vec<(String, Policy)> {
    (0..n)
        .map(|i| {
            let policy = policy.unwrap_or(Policy::ALL[i % 3]);
            (key(policy, i), policy)
        })
        .collect()
}

/// Values are pointer-sized with a niche, as the binding's `Py<PyAny>`, so the nodes have
/// the binding's layout (one cache line each).
fn build(keys: &[(String, Policy)]) -> Matcher<NonZeroUsize> {
    let mut m = Matcher::new();
    for (i, (uri, policy)) in keys.iter().enumerate() {
        let value = NonZeroUsize::MIN.saturating_add(i);
        if m.add(uri, *policy, value).is_err() {
            panic!("bench key refused: {uri}");
        }
    }
    m
}

/// The reference: check every key.
fn naive_match<'a>(keys: &'a [(String, Policy)], uri: &str, out: &mut Vec<&'a str>) {
    let parts: Vec<&str> = uri.split('.').collect();
    for (key, policy) in keys {
        let hit = match policy {
            Policy::Exact => key == uri,
            Policy::Prefix => uri.starts_with(key.as_str()),
            Policy::Wildcard => {
                let mut pattern = key.split('.');
                parts.iter().all(|u| {
                    pattern
                        .next()
                        .is_some_and(|p| if p.is_empty() { !u.is_empty() } else { p == *u })
                }) && pattern.next().is_none()
            }
        };
        if hit {
            out.push(key);
        }
    }
}

fn resident_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

fn sizes() -> Vec<usize> {
    std::env::var("MATCHER_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}

fn bench_policy(c: &mut Criterion, name: &str, policy: Option<Policy>) {
    let mut group = c.benchmark_group(format!("matcher/{name}"));
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for n in sizes() {
        let keys = keys(policy, n);
        let before = resident_kib();
        let m = build(&keys);
        if let (Some(before), Some(after)) = (before, resident_kib()) {
            eprintln!(
                "matcher/{name}/{n}: {} KiB resident for {n} keys ({} bytes per key)",
                after.saturating_sub(before),
                after.saturating_sub(before) * 1024 / n as u64
            );
        }
        let uris = probes(n, 4096);
        let mut at = 0usize;
        group.bench_with_input(BenchmarkId::new("match_all", n), &n, |b, _| {
            b.iter(|| {
                at = (at + 1) % uris.len();
                black_box(m.match_all(uris[at].as_bytes()).len())
            })
        });
        group.bench_with_input(BenchmarkId::new("best", n), &n, |b, _| {
            b.iter(|| {
                at = (at + 1) % uris.len();
                black_box(m.best(uris[at].as_bytes()))
            })
        });
        if n <= 100_000 {
            let mut out = Vec::new();
            group.bench_with_input(BenchmarkId::new("naive_scan", n), &n, |b, _| {
                b.iter(|| {
                    at = (at + 1) % uris.len();
                    out.clear();
                    naive_match(&keys, &uris[at], &mut out);
                    black_box(out.len())
                })
            });
        }
        drop(m);
    }
    group.finish();
}

/// The workload of a JSON file: {"keys": [[uri, match], ...], "uris": [uri, ...]}.
fn bench_file(c: &mut Criterion, path: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let work: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<(String, Policy)> = work["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| {
            let policy = Policy::from_name(k[1].as_str()?)?;
            Some((k[0].as_str()?.to_owned(), policy))
        })
        .collect();
    let uris: Vec<String> = work["uris"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| Some(u.as_str()?.to_owned()))
        .collect();
    let m = build(&keys);
    let n = keys.len();
    let mut group = c.benchmark_group("matcher/workload");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    let mut at = 0usize;
    group.bench_with_input(BenchmarkId::new("match_all", n), &n, |b, _| {
        b.iter(|| {
            at = (at + 1) % uris.len();
            black_box(m.match_all(uris[at].as_bytes()).len())
        })
    });
    // What the binding's `match` runs: the values go to a callback, not a new Vec.
    group.bench_with_input(BenchmarkId::new("for_each_match", n), &n, |b, _| {
        b.iter(|| {
            at = (at + 1) % uris.len();
            let mut count = 0usize;
            m.for_each_match(uris[at].as_bytes(), |value| {
                black_box(value);
                count += 1;
            });
            black_box(count)
        })
    });
    group.bench_with_input(BenchmarkId::new("best", n), &n, |b, _| {
        b.iter(|| {
            at = (at + 1) % uris.len();
            black_box(m.best(uris[at].as_bytes()))
        })
    });
    group.finish();
}

fn matcher(c: &mut Criterion) {
    if let Ok(path) = std::env::var("MATCHER_BENCH_WORKLOAD") {
        return bench_file(c, &path);
    }
    bench_policy(c, "exact", Some(Policy::Exact));
    bench_policy(c, "prefix", Some(Policy::Prefix));
    bench_policy(c, "wildcard", Some(Policy::Wildcard));
    bench_policy(c, "mixed", None);
}

criterion_group!(benches, matcher);
criterion_main!(benches);
