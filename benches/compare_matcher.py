"""Lookups per second: pywamp's Matcher vs Crossbar's UriObservationMap, same workload.

The keys and URIs come from a fixed seed and go to a JSON file; pywamp runs here, and
Crossbar in a subprocess with the python of .venv-crossbar (`bash scripts/setup-crossbar.sh`
creates it and prints that python). Both answers are checked to agree before timing. The
two sides take turns: each timed run of Crossbar over all URIs is followed by the same run
of pywamp, so both meet the same load on a shared machine; each side's rate is its best of
--repeats runs (the run least disturbed by other work).

    .venv/bin/python benches/compare_matcher.py [--sizes 1000,100000] [--crossbar-python PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from matcher_workload import make_keys, make_uris

from pywamp._native import Matcher

ROOT = Path(__file__).resolve().parent.parent

# Runs under Crossbar's python: build the map, report a sample, then time one run of the
# lookup named on each line of stdin and print its rate.
CROSSBAR_SIDE = r"""
import json, sys, time
from crossbar.router.observation import UriObservationMap

work = json.load(open(sys.argv[1]))
observations = UriObservationMap()
start = time.perf_counter()
for i, (uri, match) in enumerate(work["keys"]):
    observations.add_observer(i, uri, match=match)
build = time.perf_counter() - start
uris = work["uris"]

def key(obs):
    return [obs.uri, obs.match]

sample = {
    "match": [sorted(key(o) for o in observations.match_observations(u)) for u in uris[:200]],
    "best": [
        key(o) if (o := observations.best_matching_observation(u)) is not None else None
        for u in uris[:200]
    ],
}

def rate(fn):
    start = time.perf_counter()
    for u in uris:
        fn(u)
    return len(uris) / (time.perf_counter() - start)

lookups = {
    "match": observations.match_observations,
    "best": observations.best_matching_observation,
}
print(json.dumps({"build_s": build, "sample": sample}), flush=True)
for line in sys.stdin:
    print(rate(lookups[line.strip()]), flush=True)
"""


def crossbar_python(explicit: str | None) -> str:
    """The python of the Crossbar venv (created by scripts/setup-crossbar.sh if needed)."""
    if explicit:
        return explicit
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup-crossbar.sh")],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def run_rate(fn: Any, uris: list[str]) -> float:
    """Lookups per second of one run of `fn` over every URI."""
    start = time.perf_counter()
    for u in uris:
        fn(u)
    return len(uris) / (time.perf_counter() - start)


def pywamp_side(work: dict[str, Any]) -> tuple[Matcher[tuple[str, str]], dict[str, Any]]:
    """Build pywamp's Matcher over the workload; its build time and sample lookups."""
    matcher: Matcher[tuple[str, str]] = Matcher()
    start = time.perf_counter()
    for uri, match in work["keys"]:
        matcher.add(uri, match, (uri, match))
    build = time.perf_counter() - start
    uris: list[str] = work["uris"]
    sample = {
        "match": [sorted(list(k) for k in matcher.match(u)) for u in uris[:200]],
        "best": [list(b) if (b := matcher.best(u)) is not None else None for u in uris[:200]],
    }
    return matcher, {"build_s": build, "sample": sample}


def main() -> int:
    """Run the comparison at each size and print lookups/s and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7, help="runs per lookup; the best counts")
    parser.add_argument("--crossbar-python")
    parser.add_argument(
        "--write-workload",
        metavar="DIR",
        help="also keep each workload as DIR/matcher-N.json (for MATCHER_BENCH_WORKLOAD)",
    )
    args = parser.parse_args()
    python = crossbar_python(args.crossbar_python)

    print(f"{'keys':>9} {'lookup':>6} {'pywamp/s':>12} {'crossbar/s':>12} {'ratio':>7}")
    for n in (int(s) for s in args.sizes.split(",")):
        keys = make_keys(n)
        work = {"keys": keys, "uris": make_uris(keys, args.lookups)}
        if args.write_workload:
            Path(args.write_workload, f"matcher-{n}.json").write_text(json.dumps(work))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(work, f)
            path = f.name
        crossbar = subprocess.Popen(
            [python, "-c", CROSSBAR_SIDE, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert crossbar.stdin is not None and crossbar.stdout is not None
        try:
            theirs = json.loads(crossbar.stdout.readline())
            matcher, ours = pywamp_side(work)
            if ours["sample"] != theirs["sample"]:
                print(f"{n}: pywamp and Crossbar disagree on the sample lookups", file=sys.stderr)
                return 1
            for lookup in ("match", "best"):
                fn = getattr(matcher, lookup)
                theirs[lookup] = ours[lookup] = 0.0
                for _ in range(args.repeats):
                    crossbar.stdin.write(f"{lookup}\n")
                    crossbar.stdin.flush()
                    theirs[lookup] = max(theirs[lookup], float(crossbar.stdout.readline()))
                    ours[lookup] = max(ours[lookup], run_rate(fn, work["uris"]))
        finally:
            crossbar.stdin.close()
            crossbar.wait()
            Path(path).unlink()
        for lookup in ("match", "best"):
            ratio = ours[lookup] / theirs[lookup]
            print(
                f"{n:>9} {lookup:>6} {ours[lookup]:>12,.0f} {theirs[lookup]:>12,.0f} {ratio:>6.1f}x"
            )
        print(f"{n:>9} build  {ours['build_s']:>11.3f}s {theirs['build_s']:>11.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
