"""Matcher lookups from Python: pywamp's Matcher vs a dict+scan reference, by key count.

Sizes: 1k and 100k keys; 1M too with PYWAMP_BENCH_LARGE=1.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from matcher_workload import ReferenceMatcher, make_keys, make_uris

from pywamp._native import Matcher

BATCH = 64  # URIs looked up per round: one round is long enough to time precisely
SIZES = [1_000, 100_000] + ([1_000_000] if os.environ.get("PYWAMP_BENCH_LARGE") == "1" else [])


class Workload:
    """Both matchers built over the same keys, and the URIs to look up."""

    def __init__(self, n: int) -> None:
        self.keys = make_keys(n)
        self.uris = make_uris(self.keys, 32 * BATCH)
        self.native: Matcher[int] = Matcher()
        self.reference = ReferenceMatcher()
        for i, (uri, match) in enumerate(self.keys):
            self.native.add(uri, match, i)  # type: ignore[arg-type]
            self.reference.add(uri, match, i)


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}keys")
def workload(request: pytest.FixtureRequest) -> Workload:
    return Workload(request.param)


def test_native_agrees_with_reference(workload: Workload) -> None:
    for uri in workload.uris[:50]:
        assert workload.native.match(uri) == workload.reference.match(uri)
        assert workload.native.best(uri) == workload.reference.best(uri)


def _lookup(benchmark: Any, group: str, fn: Any, workload: Workload) -> None:
    benchmark.group = f"{group}-{len(workload.keys)}keys ({BATCH} lookups)"
    # Each round takes the next batch of URIs, so caches stay as cold as in real use.
    batches = itertools.cycle(
        [workload.uris[at : at + BATCH] for at in range(0, len(workload.uris), BATCH)]
    )

    def run() -> None:
        for uri in next(batches):
            fn(uri)

    # The scan takes milliseconds per lookup at 100k keys: a few rounds say enough.
    slow = fn.__self__ is workload.reference
    rounds = max(3, 2_000_000 // (len(workload.keys) * BATCH)) if slow else 500
    benchmark.pedantic(run, rounds=rounds, warmup_rounds=1)


@pytest.mark.benchmark(group="matcher-match")
def test_match_pywamp(benchmark: Any, workload: Workload) -> None:
    _lookup(benchmark, "matcher-match", workload.native.match, workload)


@pytest.mark.benchmark(group="matcher-match")
def test_match_reference(benchmark: Any, workload: Workload) -> None:
    _lookup(benchmark, "matcher-match", workload.reference.match, workload)


@pytest.mark.benchmark(group="matcher-best")
def test_best_pywamp(benchmark: Any, workload: Workload) -> None:
    _lookup(benchmark, "matcher-best", workload.native.best, workload)


@pytest.mark.benchmark(group="matcher-best")
def test_best_reference(benchmark: Any, workload: Workload) -> None:
    _lookup(benchmark, "matcher-best", workload.reference.best, workload)
