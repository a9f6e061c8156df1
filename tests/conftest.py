"""Shared fixtures: where the WAMP test vectors live."""

from __future__ import annotations

from pathlib import Path

import pytest
from wamp_messages import vectors_dir


@pytest.fixture(scope="session")
def testvectors() -> Path:
    """The test-vector directory; fails (never skips) when it is missing."""
    path = vectors_dir()
    if not (path / "singlemessage").is_dir():
        pytest.fail(f"WAMP test vectors not found at {path} (set PYWAMP_TESTVECTORS)")
    return path
