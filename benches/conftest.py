"""Benchmarks live in bench_*.py: collect them when pytest is pointed at benches/."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Module | None:
    """Collect bench_*.py like test modules (pytest only looks for test_*.py)."""
    named = file_path.suffix == ".py" and file_path.name.startswith("bench_")
    # Files named on the command line are collected by pytest itself.
    if named and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
