#!/usr/bin/env bash
# Run the benches (release build) and print medians and ratios against the peers, one run.
# Usage: bash scripts/bench.sh [pytest args, e.g. benches/bench_codec.py]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=$(mktemp --suffix=.json)
.venv/bin/python -m pytest "${@:-benches}" -q -p no:cacheprovider --benchmark-json="$out" >/dev/null
.venv/bin/python benches/report.py "$out"
if [ $# -eq 0 ]; then
    echo
    .venv/bin/python benches/compare_matcher.py --crossbar-python "$(bash scripts/setup-crossbar.sh)"
fi
