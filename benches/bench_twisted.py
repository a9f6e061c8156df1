"""Twisted client speed, ``pywamp.twisted`` against ``autobahn.twisted``, side by side per
group, without the network in the measured part.

Sessions of both libraries join one ``pywamp router`` (RawSocket, msgpack) on a reactor
running in a thread; each round runs in the reactor thread. "receive": RawSocket frames
of EVENTs are fed to each library's own protocol (``dataReceived``: framing, decoding,
dispatch to a handler). "call": ``call()`` returns a Deferred, RESULTs are fed to the
session, the Deferreds fire. End-to-end numbers through the router: ``e2e_twisted.py``.
"""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import txaio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benches"))

from twisted.internet import defer, reactor, threads  # noqa: E402

from pywamp import _native  # noqa: E402

EVENTS_PER_CHUNK = 100
CHUNKS = 100
BURST = 1000
PAYLOAD = ["hello", 42, {"k": [1.5, True, None]}]


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


@dataclass
class Side:
    """One library's joined sessions and what the benches feed them."""

    caller: Any
    subscriber: Any
    counter: Counter
    subscription: int


@dataclass
class Env:
    pywamp: Side
    autobahn: Side

    def run(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in the reactor thread and wait for its (Deferred) result."""
        return threads.blockingCallFromThread(reactor, lambda: defer.maybeDeferred(fn))


@defer.inlineCallbacks
def join_side(lib: Any, port: int, prefix: str) -> Any:
    caller = yield lib.join(port)
    subscriber = yield lib.join(port)
    counter = Counter()
    subscription = yield subscriber.subscribe(counter, f"bench.{prefix}.topic")
    # Never answer: the call benches feed the RESULTs themselves, and a late answer from
    # the router would be a protocol error for Autobahn's session.
    yield subscriber.register(lambda *args: defer.Deferred(), f"bench.{prefix}.silent")
    return Side(caller, subscriber, counter, subscription.id)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    # Autobahn's Twisted classes need txaio on Twisted; other bench modules use asyncio.
    txaio._explicit_framework = None
    txaio.use_twisted()
    from e2e import PywampRouter
    from e2e_twisted import Library

    router = PywampRouter()
    port = router.start()
    thread = None
    if not reactor.running:  # type: ignore[attr-defined]
        thread = threading.Thread(
            target=reactor.run,  # type: ignore[attr-defined]
            kwargs={"installSignalHandlers": False},
            daemon=True,
        )
        thread.start()
    try:
        py = threads.blockingCallFromThread(reactor, join_side, Library("pywamp"), port, "py")
        ab = threads.blockingCallFromThread(reactor, join_side, Library("autobahn"), port, "ab")
        yield Env(py, ab)
    finally:
        if thread is not None:
            reactor.callFromThread(reactor.stop)  # type: ignore[attr-defined]
            thread.join(5)
        router.stop()
        txaio._explicit_framework = None
        txaio.use_asyncio()


def event_chunk(subscription: int) -> bytes:
    """EVENTS_PER_CHUNK RawSocket frames of one msgpack EVENT each."""
    payload = _native.Codec("msgpack").encode(_native.Event(subscription, 1, {}, PAYLOAD))
    frame = struct.pack(">I", len(payload)) + payload  # type 0 (a message), 24-bit length
    return frame * EVENTS_PER_CHUNK


def receive_events(side: Side, protocol: Any) -> Callable[[], None]:
    chunk = event_chunk(side.subscription)
    counter = side.counter

    def run() -> None:
        counter.count = 0
        for _ in range(CHUNKS):
            protocol.dataReceived(chunk)
        assert counter.count == CHUNKS * EVENTS_PER_CHUNK

    return run


@pytest.mark.benchmark(group="twisted: receive 10000 EVENTs (RawSocket frames in)")
def test_receive_events_pywamp(benchmark: Any, env: Env) -> None:
    side = env.pywamp
    run = receive_events(side, side.subscriber.transport)
    benchmark(lambda: env.run(run))


@pytest.mark.benchmark(group="twisted: receive 10000 EVENTs (RawSocket frames in)")
def test_receive_events_autobahn(benchmark: Any, env: Env) -> None:
    side = env.autobahn
    run = receive_events(side, side.subscriber._transport)
    benchmark(lambda: env.run(run))


@pytest.mark.benchmark(group="twisted: 1000 call() + RESULT, no network")
def test_call_and_result_pywamp(benchmark: Any, env: Env) -> None:
    session = env.pywamp.caller
    peer = session._peer
    receive = session.message_received

    def run() -> Any:
        deferreds = [session.call("bench.py.silent", i) for i in range(BURST)]
        first = peer.last_id - BURST + 1
        for offset in range(BURST):
            receive(_native.Result(first + offset, {}, [offset]))
        return defer.gatherResults(deferreds).addCallback(lambda r: r[-1])

    assert benchmark(lambda: env.run(run)) == BURST - 1


@pytest.mark.benchmark(group="twisted: 1000 call() + RESULT, no network")
def test_call_and_result_autobahn(benchmark: Any, env: Env) -> None:
    from autobahn.wamp import message

    session = env.autobahn.caller
    receive = session.onMessage

    def run() -> Any:
        deferreds = [session.call("bench.ab.silent", i) for i in range(BURST)]
        ids = sorted(session._call_reqs)[-BURST:]
        for offset, request in enumerate(ids):
            receive(message.Result(request, args=[offset]))
        return defer.gatherResults(deferreds).addCallback(lambda r: r[-1])

    assert benchmark(lambda: env.run(run)) == BURST - 1
