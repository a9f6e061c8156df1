//! Loop matcher lookups over a workload file, for profilers (perf, cachegrind):
//! `cargo run --release -p pywamp-core --example matcher_profile -- FILE [match|best] [ROUNDS]`
//! where FILE is written by `benches/compare_matcher.py --write-workload DIR`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Instant;

use pywamp_core::matcher::{Matcher, Policy};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("workload file");
    let lookup = args.get(2).map_or("match", String::as_str);
    let rounds: usize = args.get(3).map_or(10, |r| r.parse().expect("rounds"));
    let text = std::fs::read_to_string(path).expect("read workload");
    let work: serde_json::Value = serde_json::from_str(&text).expect("parse workload");
    let resident_kib = || -> u64 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: u64 = statm
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        pages * 4
    };
    let before = resident_kib();
    let mut m = Matcher::new();
    for (i, k) in work["keys"].as_array().expect("keys").iter().enumerate() {
        let policy = Policy::from_name(k[1].as_str().expect("policy")).expect("policy");
        let value = NonZeroUsize::MIN.saturating_add(i);
        m.add(k[0].as_str().expect("uri"), policy, value)
            .expect("add");
    }
    eprintln!(
        "matcher: {} KiB resident, tables {} KiB ({:.0} bytes per key)",
        resident_kib().saturating_sub(before),
        m.table_bytes() / 1024,
        m.table_bytes() as f64 / m.len().max(1) as f64
    );
    let uris: Vec<String> = work["uris"]
        .as_array()
        .expect("uris")
        .iter()
        .map(|u| u.as_str().expect("uri").to_owned())
        .collect();
    let mut found = 0usize;
    // EVICT=1: read 64 MB between rounds, so each round starts with cold caches (as
    // when another process ran in between).
    let evict = std::env::var("EVICT").is_ok_and(|v| v == "1");
    let junk: Vec<u64> = if evict { vec![1; 8 << 20] } else { Vec::new() };
    let mut sink = 0u64;
    let mut fastest = std::time::Duration::MAX;
    for _ in 0..rounds {
        if evict {
            sink = sink.wrapping_add(junk.iter().step_by(8).sum::<u64>());
        }
        let start = Instant::now();
        for uri in &uris {
            found += match lookup {
                "best" => usize::from(m.best(black_box(uri.as_bytes())).is_some()),
                _ => m.match_all(black_box(uri.as_bytes())).len(),
            };
        }
        fastest = fastest.min(start.elapsed());
    }
    let per = fastest.as_nanos() as f64 / uris.len() as f64;
    println!(
        "{lookup}: {per:.1} ns per lookup (fastest of {rounds} rounds), {found} found ({sink})"
    );
}
