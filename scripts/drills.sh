#!/usr/bin/env bash
# The router drills at full size (CI runs them scaled down in tests/router_io/test_drills.py):
# a subscriber that never reads while 1 GiB of 64 KiB events is published (router RSS
# bounded, the healthy subscriber gets every event), and 1,000 sessions each subscribed
# and registered with 10 callers keeping 100 calls in flight for 30 s (none lost), and
# 50,000 short-lived sessions (nothing left behind, router memory flat once warm).
# Then a router fuzz run (FUZZ_SECONDS, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
DRILL_SLOW_MIB="${DRILL_SLOW_MIB:-1024}" DRILL_SESSIONS="${DRILL_SESSIONS:-1000}" \
DRILL_SECONDS="${DRILL_SECONDS:-30}" DRILL_CHURN="${DRILL_CHURN:-50000}" \
    .venv/bin/python -m pytest tests/router_io/test_drills.py -q -s -p no:cacheprovider \
    -k "slow_consumer or many_sessions or churn"
.venv/bin/python scripts/fuzz_router.py --seconds "${FUZZ_SECONDS:-300}"
