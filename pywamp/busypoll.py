"""An event loop that polls briefly before it sleeps: lower latency on virtual machines.

A vCPU that went idle takes tens of microseconds to be woken by the host, and a WAMP call
waits for such a wake-up at every hop (caller, router, callee, router, caller). A loop
whose selector keeps polling for a few microseconds after its last event catches the next
message of a request/response exchange awake; past that it sleeps as usual, so an idle
process costs nothing, and a busy one spends at most the polling time per idle gap. The
poll yields the CPU between its checks, so on a machine with more runnable tasks than
cores it does not take the time slice of the very process it waits for.

``pywamp router`` runs on such a loop (``[limits] busy_poll_us``). A client opts in as it
would for uvloop: ``pywamp.busypoll.install()`` before ``asyncio.run``,
``ApplicationRunner.run`` or ``Component``'s ``run`` makes every new loop poll.
"""

from __future__ import annotations

import asyncio
import os
import selectors
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ("DEFAULT_SPIN_US", "BusyPollSelector", "install", "new_event_loop", "poll_briefly")

T = TypeVar("T")

#: Microseconds to poll before sleeping, unless told otherwise: a loopback round trip
#: through another busy process fits in it.
DEFAULT_SPIN_US = 50

sched_yield = getattr(os, "sched_yield", lambda: None)  # not on Windows


class BusyPollSelector(selectors.DefaultSelector):
    """The platform's selector, polling without sleeping for ``spin`` seconds first."""

    def __init__(self, spin: float) -> None:
        super().__init__()
        self.spin = spin

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        return poll_briefly(super().select, timeout, self.spin)


def poll_briefly(
    poll: Callable[[float | None], list[T]], timeout: float | None, spin: float
) -> list[T]:
    """``poll(timeout)`` (None: no limit), after polling without sleeping for up to
    ``spin`` seconds (0: a plain poll); shared by the asyncio selector and the Twisted
    reactor's epoll."""
    if spin <= 0 or (timeout is not None and timeout <= 0):
        return poll(timeout)
    ready = poll(0)
    if ready:
        return ready
    start = now = time.monotonic()
    end = start + (spin if timeout is None else min(spin, timeout))
    while now < end:
        # Another runnable task on this CPU (the peer we wait for, on a busy machine)
        # gets it now; with none, this returns at once and the poll goes on.
        sched_yield()
        ready = poll(0)
        if ready:
            return ready
        now = time.monotonic()
    return poll(None if timeout is None else max(0.0, timeout - (now - start)))


def new_event_loop(spin: float) -> asyncio.AbstractEventLoop:
    """An asyncio loop whose selector polls ``spin`` seconds before sleeping (0: a plain
    loop's behaviour)."""
    return asyncio.SelectorEventLoop(BusyPollSelector(spin))


def install(spin_us: float = DEFAULT_SPIN_US) -> None:
    """Make every loop asyncio creates from now on poll ``spin_us`` µs before sleeping
    (an event loop policy, as ``uvloop.install()`` sets; on Python 3.12+ passing
    ``loop_factory`` to ``asyncio.run`` does the same for one run)."""
    spin = spin_us * 1e-6

    class BusyPollPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return new_event_loop(spin)

    asyncio.set_event_loop_policy(BusyPollPolicy())
