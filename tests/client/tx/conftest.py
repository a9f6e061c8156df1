"""Twisted tests: one real reactor runs in a thread for the whole test run; each test
runs its Deferred-returning body in it and waits for the outcome (with a deadline)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from twisted.internet import defer, reactor, threads

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
