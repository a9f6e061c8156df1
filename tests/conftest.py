"""Shared fixtures: where the WAMP test vectors live."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def txaio_follows_each_test_loop() -> Iterator[None]:
    """Autobahn's ApplicationRunner pins txaio to the loop it ran; every test has its own
    loop, so unpin it, or Autobahn sessions of later tests make futures on a closed loop."""
    import txaio

    txaio.use_asyncio()
    txaio.config.loop = None
    yield
    txaio.config.loop = None
