"""Client session speed, pywamp against Autobahn|Python, side by side per group.

End to end through one router (WebSocket, msgpack, both clients alike), a Crossbar.io node
and then ``pywamp router`` (each a process serving the client tests' config): a sequential
call round trip, a burst of concurrent calls, and a burst of events from a publisher to a
subscriber. The router's own cost is in every number, so these ratios understate the
client's speed-up; the "dispatch" groups take the network and the router
out: EVENT bytes are decoded and dispatched to a handler, and calls are issued and answered
with RESULT messages fed straight into joined sessions.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationRunner as AbRunner  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession as AbSession  # noqa: E402
from autobahn.wamp import message as ab_message  # noqa: E402
from autobahn.wamp.serializer import MsgPackSerializer  # noqa: E402

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path[:0] = [str(TESTS / "client"), str(TESTS)]  # the test routers and their helpers
from routers import CrossbarNode, PywampNode, Router  # noqa: E402

import pywamp  # noqa: E402
from pywamp import _native  # noqa: E402
from pywamp.asyncio.wamp import Session  # noqa: E402

CALLS = 200
BURST = 1000
EVENTS = 2000
DISPATCH = 10000
PAYLOAD = ["hello", 42, {"k": [1.5, True, None]}]


class AbJoined(AbSession):
    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self.joined: asyncio.Future[None] = asyncio.get_event_loop().create_future()

    def onJoin(self, details: Any) -> None:
        self.joined.set_result(None)


async def autobahn_session(router: Router) -> AbJoined:
    made: list[AbJoined] = []

    def make(config: Any) -> AbJoined:
        made.append(AbJoined(config))
        return made[-1]

    runner = AbRunner(router.ws_url, router.realm, serializers=[MsgPackSerializer()])
    await runner.run(make, start_loop=False)
    while not made:
        await asyncio.sleep(0.005)
    await made[0].joined
    return made[0]


class Counter:
    """Counts events and wakes a waiter at a target."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.done: asyncio.Future[None] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1
        if self.count == self.target and self.done is not None:
            self.done.set_result(None)

    def expect(self, n: int) -> asyncio.Future[None]:
        self.count = 0
        self.target = n
        self.done = asyncio.get_running_loop().create_future()
        return self.done


@dataclass
class Env:
    router: str
    loop: asyncio.AbstractEventLoop
    py_caller: Session
    py_callee: Session
    ab_caller: AbJoined
    ab_callee: AbJoined
    py_counter: Counter
    ab_counter: Counter
    py_subscription: int
    ab_subscription: int
    closers: list[Callable[[], Any]]

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)


async def setup(router: Router) -> Env:
    py_caller = await pywamp.connect(router.ws_url, router.realm, serializer="msgpack")
    py_callee = await pywamp.connect(router.ws_url, router.realm, serializer="msgpack")
    ab_caller = await autobahn_session(router)
    ab_callee = await autobahn_session(router)
    await py_callee.register(lambda *a, **k: a[0] if a else None, "bench.py.echo")
    await ab_callee.register(lambda *a, **k: a[0] if a else None, "bench.ab.echo")
    # Never answer: the "no network" call benches feed the RESULTs themselves, and a late
    # answer from the router would be a protocol error for Autobahn's session.
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def silent(*args: Any, **kwargs: Any) -> None:
        await asyncio.shield(never)

    await py_callee.register(silent, "bench.py.silent")
    await ab_callee.register(silent, "bench.ab.silent")
    py_counter, ab_counter = Counter(), Counter()
    py_sub = await py_callee.subscribe(py_counter, "bench.py.topic")
    ab_sub = await ab_callee.subscribe(ab_counter, "bench.ab.topic")
    return Env(
        router.name,
        asyncio.get_running_loop(),
        py_caller,
        py_callee,
        ab_caller,
        ab_callee,
        py_counter,
        ab_counter,
        py_sub.id,
        ab_sub.id,
        [py_caller.leave, py_callee.leave, ab_caller.leave, ab_callee.leave],
    )


NODES = {"crossbar": CrossbarNode, "pywamp": PywampNode}


@pytest.fixture(scope="module", params=list(NODES))
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    node = NODES[request.param](Path(tempfile.mkdtemp(prefix=f"bench-{request.param}-")))
    router = node.start()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        environment = loop.run_until_complete(setup(router))
        yield environment

        async def close_all() -> None:
            for close in environment.closers:
                close()
            await asyncio.sleep(0.1)

        loop.run_until_complete(close_all())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        node.stop()


# -- end to end through a router (the group names it) -----------------------------------


async def sequential(session: Any, procedure: str) -> None:
    for i in range(CALLS):
        assert await session.call(procedure, i) == i


def test_sequential_calls_pywamp(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {CALLS} sequential calls ({env.router})"
    benchmark(lambda: env.run(sequential(env.py_caller, "bench.py.echo")))


def test_sequential_calls_autobahn(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {CALLS} sequential calls ({env.router})"
    benchmark(lambda: env.run(sequential(env.ab_caller, "bench.ab.echo")))


async def burst(session: Any, procedure: str) -> None:
    results = await asyncio.gather(*[session.call(procedure, i) for i in range(BURST)])
    assert results[-1] == BURST - 1


def test_concurrent_calls_pywamp(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {BURST} concurrent calls ({env.router})"
    benchmark(lambda: env.run(burst(env.py_caller, "bench.py.echo")))


def test_concurrent_calls_autobahn(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {BURST} concurrent calls ({env.router})"
    benchmark(lambda: env.run(burst(env.ab_caller, "bench.ab.echo")))


async def events(session: Any, counter: Counter, topic: str) -> None:
    done = counter.expect(EVENTS)
    for _ in range(EVENTS):
        session.publish(topic, *PAYLOAD)
    await asyncio.wait_for(done, 30)


def test_events_pywamp(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {EVENTS} events published and received ({env.router})"
    benchmark(lambda: env.run(events(env.py_caller, env.py_counter, "bench.py.topic")))


def test_events_autobahn(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: {EVENTS} events published and received ({env.router})"
    benchmark(lambda: env.run(events(env.ab_caller, env.ab_counter, "bench.ab.topic")))


# -- dispatch inside one client (no network, no router) --------------------------------------


def test_event_dispatch_pywamp(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: receive 10000 EVENTs (decode + dispatch) ({env.router} session)"
    codec = _native.Codec("msgpack")
    data = codec.encode(_native.Event(env.py_subscription, 1, {}, PAYLOAD))
    decode = codec.decode
    receive = env.py_callee.message_received
    counter = env.py_counter

    def run() -> None:
        counter.count = 0
        for _ in range(DISPATCH):
            receive(decode(data))
        assert counter.count == DISPATCH

    benchmark(run)


def test_event_dispatch_autobahn(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: receive 10000 EVENTs (decode + dispatch) ({env.router} session)"
    serializer = MsgPackSerializer()
    data, _ = serializer.serialize(ab_message.Event(env.ab_subscription, 1, args=list(PAYLOAD)))
    unserialize = serializer.unserialize
    receive = env.ab_callee.onMessage
    counter = env.ab_counter

    def run() -> None:
        counter.count = 0
        for _ in range(DISPATCH):
            for message in unserialize(data):
                receive(message)
        assert counter.count == DISPATCH

    benchmark(run)


def test_call_and_result_pywamp(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: 1000 call() + RESULT dispatch, no network ({env.router} session)"
    session = env.py_caller
    peer = session._peer
    receive = session.message_received

    async def run() -> None:
        futures = [session.call("bench.py.silent", i) for i in range(BURST)]
        first = peer.last_id - BURST + 1
        for offset in range(BURST):
            receive(_native.Result(first + offset, {}, [offset]))
        assert (await asyncio.gather(*futures))[-1] == BURST - 1

    benchmark(lambda: env.run(run()))


def test_call_and_result_autobahn(benchmark: Any, env: Env) -> None:
    benchmark.group = f"session: 1000 call() + RESULT dispatch, no network ({env.router} session)"
    session = env.ab_caller
    receive = session.onMessage

    async def run() -> None:
        futures = [session.call("bench.ab.silent", i) for i in range(BURST)]
        ids = sorted(session._call_reqs)[-BURST:]
        for offset, request in enumerate(ids):
            receive(ab_message.Result(request, args=[offset]))
        assert (await asyncio.gather(*futures))[-1] == BURST - 1

    benchmark(lambda: env.run(run()))
