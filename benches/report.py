"""Print a pytest-benchmark JSON file as a Markdown table of medians and ratios.

Each group holds the contenders of one case, measured back to back in one run; the ratio
is a contender's median over pywamp's (above 1: pywamp is that many times faster).

    .venv/bin/python -m pytest benches --benchmark-json=bench.json
    .venv/bin/python benches/report.py bench.json
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import defaultdict
from typing import Any


def split(name: str) -> tuple[str, str]:
    """A bench name as (function, parameter id)."""
    match = re.fullmatch(r"(.*?)(?:\[(.*)\])?", name)
    assert match is not None
    return match.group(1), match.group(2) or ""


def contenders(names: list[str]) -> list[tuple[str, str]]:
    """(case, contender) of each bench of one group.

    Contenders are told apart by the end of the function name (``test_frame_pywamp``,
    ``test_frame_autobahn``), or, when every function is the same, by the last part of
    the parameter id (``call-1kb-json-pywamp``).
    """
    parts = [split(n) for n in names]
    functions = {f for f, _ in parts}
    if len(functions) == 1:  # a parameter id of one part is the contender alone
        return [(p.rpartition("-")[0], p.rpartition("-")[2]) for _, p in parts]
    prefix = os.path.commonprefix(sorted(functions))  # noqa: RUF071 (names, not paths)
    prefix = prefix[: prefix.rfind("_") + 1]
    return [(p, f[len(prefix) :]) for f, p in parts]


def fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(path: str) -> None:
    with open(path) as file:
        data: dict[str, Any] = json.load(file)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bench in data["benchmarks"]:
        by_group[bench["group"] or bench["name"]].append(bench)
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for group, benches in by_group.items():
        for bench, (case, who) in zip(
            benches, contenders([b["name"] for b in benches]), strict=True
        ):
            key = f"{group} [{case}]" if case and case not in group else group
            groups[key][who] = bench["stats"]["median"]
    print("| group | pywamp | peers (median, peer / pywamp) |")
    print("|---|---|---|")
    for group in sorted(groups):
        medians = groups[group]
        ours = medians.get("pywamp")
        peers = ", ".join(
            f"{name} {fmt(median)} ({median / ours:.1f}x)" if ours else f"{name} {fmt(median)}"
            for name, median in sorted(medians.items())
            if name != "pywamp"
        )
        print(f"| {group} | {fmt(ours) if ours else '-'} | {peers or '-'} |")


if __name__ == "__main__":
    main(sys.argv[1])
