"""Twisted tests: one real reactor runs in a thread for the whole test run; each test
runs its Deferred-returning body in it and waits for the outcome (with a deadline).

``router`` runs a test against Crossbar.io and against pywamp's own router."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from routers import Router
from twisted.internet import defer, reactor, threads
from tx_routers import PywampNode

TIMEOUT = 20.0


@pytest.fixture(scope="session")
def reactor_thread() -> Iterator[Any]:
    """The global Twisted reactor, running in a daemon thread."""
    thread = threading.Thread(
        target=reactor.run,  # type: ignore[attr-defined]
        kwargs={"installSignalHandlers": False},
        daemon=True,
    )
    thread.start()
    try:
        yield reactor
    finally:
        reactor.callFromThread(reactor.stop)  # type: ignore[attr-defined]
        thread.join(5)


@pytest.fixture
def run(reactor_thread: Any) -> Callable[..., Any]:
    """``run(fn, *args)``: call ``fn`` in the reactor thread and wait for its Deferred."""

    def run_in_reactor(fn: Callable[..., Any], *args: Any, timeout: float = TIMEOUT) -> Any:
        def start() -> defer.Deferred[Any]:
            d = defer.maybeDeferred(fn, *args)
            return d.addTimeout(timeout, reactor_thread)

        return threads.blockingCallFromThread(reactor_thread, start)

    return run_in_reactor


@pytest.fixture(scope="session")
def pywamp_router() -> Iterator[Router]:
    """``pywamp router`` for the whole test run (a short directory: it holds a Unix socket)."""
    directory = Path(tempfile.mkdtemp(prefix="pw-tx-"))
    node = PywampNode(directory)
    try:
        yield node.start()
    finally:
        node.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=["crossbar", "pywamp_router"])
def router(request: pytest.FixtureRequest) -> Router:
    """Each router under test in turn: Crossbar.io, then pywamp's."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
