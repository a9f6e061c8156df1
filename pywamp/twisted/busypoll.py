"""A Twisted reactor that polls briefly before it sleeps: lower latency on virtual machines.

A vCPU that went idle takes tens of microseconds to be woken by the host, and a WAMP call
waits for such a wake-up at each message it receives. :class:`BusyPollReactor` (Twisted's
epoll reactor) keeps asking epoll for ready sockets, without sleeping, for
``busy_poll_us`` microseconds after its last event: the answer to a call made a moment ago
is caught awake. Past that it sleeps as usual, so an idle program costs nothing and a busy
one spends at most that long per quiet gap. Between polls it yields the core
(``sched_yield``), so a process waiting for the same core runs first. It pays off when
each polling process has a core; where a busy core is shared, the plain reactor is faster.

Opt-in, and installed like Twisted's own reactors, before anything imports
``twisted.internet.reactor``::

    from pywamp.twisted.busypoll import install
    install(busy_poll_us=50)
    from twisted.internet import reactor

Linux only (epoll), as Twisted's ``epollreactor``.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.epollreactor import EPollReactor

from pywamp.busypoll import DEFAULT_SPIN_US, poll_briefly

__all__ = ("DEFAULT_BUSY_POLL_US", "MAX_BUSY_POLL_US", "BusyPollReactor", "install")

#: What ``install()`` polls when not told: the same as ``pywamp router``'s default.
DEFAULT_BUSY_POLL_US = DEFAULT_SPIN_US
#: The longest poll accepted (10 ms): past that, sleeping is cheaper than the CPU burnt.
MAX_BUSY_POLL_US = 10_000


class PollingEpoll:
    """An epoll object whose ``poll`` keeps polling without sleeping for ``spin``
    seconds before it sleeps for the rest of the timeout (0: a plain epoll)."""

    __slots__ = ("_epoll", "spin")

    def __init__(self, epoll: Any, spin: float) -> None:
        self._epoll = epoll
        self.spin = spin

    def poll(self, timeout: float | None = -1, maxevents: int = -1) -> list[tuple[int, int]]:
        epoll = self._epoll

        def poll(wait: float | None) -> list[tuple[int, int]]:
            ready: list[tuple[int, int]] = epoll.poll(-1 if wait is None else wait, maxevents)
            return ready

        wait = None if timeout is None or timeout < 0 else timeout
        return poll_briefly(poll, wait, self.spin)

    def __getattr__(self, name: str) -> Any:
        """register, modify, unregister, fileno, close: the wrapped epoll's own."""
        return getattr(self._epoll, name)


class BusyPollReactor(EPollReactor):
    """Twisted's epoll reactor, polling ``busy_poll_us`` microseconds before each sleep."""

    def __init__(self, busy_poll_us: int = DEFAULT_BUSY_POLL_US) -> None:
        if type(busy_poll_us) is not int:
            raise TypeError(f"busy_poll_us must be an int, got {type(busy_poll_us).__name__}")
        if not 0 <= busy_poll_us <= MAX_BUSY_POLL_US:
            raise ValueError(
                f"busy_poll_us must be between 0 and {MAX_BUSY_POLL_US}, got {busy_poll_us}"
            )
        super().__init__()  # type: ignore[no-untyped-call]
        self.busy_poll_us = busy_poll_us
        self._poller = PollingEpoll(self._poller, busy_poll_us * 1e-6)


def install(busy_poll_us: int = DEFAULT_BUSY_POLL_US) -> BusyPollReactor:
    """Install a :class:`BusyPollReactor` as Twisted's global reactor and return it
    (``ReactorAlreadyInstalledError`` once another reactor was imported)."""
    from twisted.internet.main import installReactor

    reactor = BusyPollReactor(busy_poll_us)
    installReactor(reactor)  # type: ignore[no-untyped-call]
    return reactor
