#!/usr/bin/env bash
# Run every fuzz target of native/fuzz for FUZZ_SECONDS each (default 30).
# Long runs: FUZZ_SECONDS=3600 bash scripts/fuzz.sh (see docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet

# cargo-fuzz needs nightly flags (sanitizers, -Z); use a nightly toolchain when the machine
# has one, otherwise let stable accept them and fuzz without a sanitizer (safe Rust: the
# fuzzer is after panics, overflows and hangs, which need none).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz run)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz run --sanitizer none)
fi

targets=$(cargo fuzz list --fuzz-dir native/fuzz)
for target in $targets; do
    corpus="native/fuzz/corpus/$target"
    mkdir -p "$corpus"
    seeds="native/fuzz/seeds/$target"
    [ -d "$seeds" ] || seeds=""
    echo "== fuzz $target for ${seconds}s"
    log=$(mktemp)
    if ! "${fuzz[@]}" --fuzz-dir native/fuzz "$target" "$corpus" $seeds -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=5 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $target FAILED"
        exit 1
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|INFO: Done)' "$log" || true
    rm -f "$log"
done
