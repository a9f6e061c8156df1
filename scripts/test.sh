#!/usr/bin/env bash
# Install everything and run every check: Rust (fmt, clippy, tests, fuzz), Python (ruff,
# stub check, tests, benches once each as tests). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

echo "== build"
bash scripts/setup.sh
py=.venv/bin/python

echo "== rust"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test -p pywamp-core --quiet
cargo test -p pywamp-py --lib --quiet  # the binding's own unit tests

echo "== python lint, types and stub"
$py -m ruff check pywamp tests benches
$py -m ruff format --check pywamp tests benches
$py -m mypy pywamp
$py -m mypy.stubtest pywamp._native --mypy-config-file pyproject.toml \
    --allowlist native/py/stubtest-allowlist.txt

echo "== python tests"
# pytest exits 5 when it collects no test: set -e turns that into a failure too.
$py -m pytest tests -q
$py -m pytest benches -q --benchmark-disable

echo "== fuzz (short; FUZZ_SECONDS=... for long runs)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash scripts/fuzz.sh

echo "== router fuzz through its sockets (short; see docs/fuzzing.md)"
$py scripts/fuzz_router.py --seconds "${ROUTER_FUZZ_SECONDS:-25}"
