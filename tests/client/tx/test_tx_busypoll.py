"""The busy-polling Twisted reactor: its epoll answers at once when a socket is ready,
sleeps the time asked (burning CPU only while it polls) when none is, and a Twisted
session runs on it against a real router."""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from routers import Router

from pywamp.twisted.busypoll import MAX_BUSY_POLL_US, BusyPollReactor, PollingEpoll


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def polling(spin: float, sock: socket.socket) -> PollingEpoll:
    epoll = select.epoll()
    epoll.register(sock.fileno(), select.EPOLLIN)
    return PollingEpoll(epoll, spin)


@pytest.mark.parametrize("spin", [0.0, 50e-6, 0.005])
def test_a_ready_socket_is_reported_at_once(
    spin: float, pair: tuple[socket.socket, socket.socket]
) -> None:
    a, b = pair
    poller = polling(spin, a)
    try:
        b.send(b"x")
        start = time.monotonic()
        assert poller.poll(1.0, 10) == [(a.fileno(), select.EPOLLIN)]
        assert time.monotonic() - start < 0.5
    finally:
        poller.close()


@pytest.mark.parametrize("spin", [0.0, 50e-6, 0.002])
def test_an_idle_poll_sleeps_the_time_asked_without_burning_it(
    spin: float, pair: tuple[socket.socket, socket.socket]
) -> None:
    """Polls ``spin`` at most, then sleeps: even with no polling at all (0) the timeout
    is waited, not returned at once."""
    poller = polling(spin, pair[0])
    try:
        cpu, start = time.process_time(), time.monotonic()
        for _ in range(5):
            assert poller.poll(0.02, 10) == []
        assert time.monotonic() - start >= 0.1
        assert time.process_time() - cpu < 0.05
        assert poller.poll(0, 10) == []
    finally:
        poller.close()


@pytest.mark.parametrize("spin", [0.0, 0.002])
def test_waiting_forever_wakes_for_data_sent_later(
    spin: float, pair: tuple[socket.socket, socket.socket]
) -> None:
    a, b = pair
    poller = polling(spin, a)
    sender = threading.Timer(0.05, b.send, (b"late",))
    sender.start()
    try:
        start = time.monotonic()
        assert poller.poll(-1, 10) == [(a.fileno(), select.EPOLLIN)]
        assert time.monotonic() - start >= 0.04
    finally:
        sender.join()
        poller.close()


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (MAX_BUSY_POLL_US + 1, ValueError), (0.5, TypeError), ("50", TypeError)],
)
def test_the_polling_time_is_checked(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="busy_poll_us"):
        BusyPollReactor(value)  # type: ignore[arg-type]


PROGRAM = """
import sys
from pywamp.twisted.busypoll import install
install({us})
from twisted.internet import defer, reactor
from pywamp.twisted.wamp import ApplicationSession, connect_transport
from pywamp.wamp.types import ComponentConfig

@defer.inlineCallbacks
def main():
    callee = ApplicationSession(ComponentConfig("{realm}"))
    caller = ApplicationSession(ComponentConfig("{realm}"))
    for session in (callee, caller):
        yield connect_transport("{url}", session, serializers=["msgpack"])
        yield session._joined()
    yield callee.register(lambda x: x * 2, "com.example.double")
    results = []
    for i in range(200):
        results.append((yield caller.call("com.example.double", i)))
    timer = defer.Deferred()
    reactor.callLater(0.05, timer.callback, None)
    yield timer
    for session in (caller, callee):
        yield session.leave()
    print(type(reactor).__name__, results == [2 * i for i in range(200)])

def stop(outcome):
    reactor.stop()
    return outcome

reactor.callWhenRunning(lambda: main().addBoth(stop))
reactor.run()
"""


@pytest.mark.parametrize("us", [0, 50])
def test_a_session_calls_through_a_router_on_the_polling_reactor(
    us: int, pywamp_router: Router
) -> None:
    """The global reactor is the polling one (installed before Twisted's default), and
    calls, timers and leaving work on it."""
    program = PROGRAM.format(us=us, realm=pywamp_router.realm, url=pywamp_router.rs_url)
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "BusyPollReactor True", out.stderr
