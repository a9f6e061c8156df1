"""End to end on Twisted: the same workload program on pywamp's Twisted face and on
Autobahn's Twisted client, against one ``pywamp router`` process; prints medians and
ratios.

The workload is written once against ``autobahn.twisted`` (``ApplicationSession``, the
RawSocket client factory, ``inlineCallbacks``) and run with either library's classes, so
the only difference is the import. RawSocket + msgpack; both libraries share one reactor
and take turns: each round runs every workload with one library, then with the other, so
the two meet the same load on the shared cores. ``--reactor busypoll`` runs both on
``pywamp.twisted.busypoll.BusyPollReactor`` (polls before it sleeps) instead of Twisted's
default reactor.

    .venv/bin/python benches/e2e_twisted.py [--quick] [--rounds 5] [--reactor busypoll]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import txaio

txaio.use_twisted()

from twisted.internet import defer, endpoints, task  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benches"))

from e2e import PywampRouter  # noqa: E402

REALM = "realm1"


def the_reactor() -> Any:
    """The global reactor, looked up late: ``--reactor busypoll`` installs it in main()."""
    from twisted.internet import reactor

    return reactor


class Library:
    """The drop-in surface of one library on Twisted: the same names under another package."""

    def __init__(self, package: str) -> None:
        self.name = package
        wamp = importlib.import_module(f"{package}.twisted.wamp")
        rawsocket = importlib.import_module(f"{package}.twisted.rawsocket")
        types = importlib.import_module(f"{package}.wamp.types")
        self.ApplicationSession = wamp.ApplicationSession
        self.ComponentConfig = types.ComponentConfig
        self.PublishOptions = types.PublishOptions
        self.factory = rawsocket.WampRawSocketClientFactory
        # The serializer as the Autobahn program names it; pywamp takes the same object.
        from autobahn.wamp.serializer import MsgPackSerializer

        self.serializer: Any = MsgPackSerializer()

    @defer.inlineCallbacks
    def join(self, port: int) -> Any:
        """A joined session on the router at 127.0.0.1:port."""
        joined: defer.Deferred[Any] = defer.Deferred()

        class Session(self.ApplicationSession):  # type: ignore[name-defined,misc]
            def onJoin(self, details: Any) -> None:
                if not joined.called:
                    joined.callback(self)

        config = self.ComponentConfig(REALM)
        factory = self.factory(lambda: Session(config), serializer=self.serializer)
        reactor = the_reactor()
        yield endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
        session = yield joined.addTimeout(10, reactor)
        return session


@defer.inlineCallbacks
def leave(*sessions: Any) -> Any:
    for session in sessions:
        try:
            yield session.leave()
        except Exception as e:  # a session the router already closed
            print(f"leave failed: {e!r}", file=sys.stderr)


def turn() -> defer.Deferred[None]:
    """One reactor turn, so written data leaves and answers come in."""
    return task.deferLater(the_reactor(), 0, lambda: None)


class Clock:
    """Wall time and this process's CPU time since it was made."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def rates(self, count: int) -> tuple[float, float]:
        """Operations per second, and client CPU microseconds per operation (both
        sessions of a workload live in this process; the router does not)."""
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        return count / wall, cpu / count * 1e6


# -- workloads: each fires with (operations per second, client CPU us per operation) -------


@defer.inlineCallbacks
def rpc_sequential(lib: Library, port: int, count: int) -> Any:
    callee = yield lib.join(port)
    caller = yield lib.join(port)
    yield callee.register(lambda x: x, "bench.echo")
    for _ in range(50):
        yield caller.call("bench.echo", 1)
    clock = Clock()
    for i in range(count):
        yield caller.call("bench.echo", i)
    result = clock.rates(count)
    yield leave(caller, callee)
    return result


@defer.inlineCallbacks
def rpc_pipelined(lib: Library, port: int, count: int, in_flight: int = 100) -> Any:
    callee = yield lib.join(port)
    caller = yield lib.join(port)
    yield callee.register(lambda x: x, "bench.echo")
    yield caller.call("bench.echo", 0)

    @defer.inlineCallbacks
    def worker(n: int) -> Any:
        for i in range(n):
            yield caller.call("bench.echo", i)

    clock = Clock()
    yield defer.gatherResults([worker(count // in_flight) for _ in range(in_flight)])
    result = clock.rates((count // in_flight) * in_flight)
    yield leave(caller, callee)
    return result


@defer.inlineCallbacks
def pubsub(lib: Library, port: int, count: int) -> Any:
    """Events delivered per second from one publisher to one subscriber session."""
    publisher = yield lib.join(port)
    subscriber = yield lib.join(port)
    done: defer.Deferred[None] = defer.Deferred()
    received = 0

    def on_event(i: int) -> None:
        nonlocal received
        received += 1
        if received == count and not done.called:
            done.callback(None)

    yield subscriber.subscribe(on_event, "bench.topic")
    # The subscription is in place once an acknowledged publication comes back.
    yield publisher.publish("bench.warmup", options=lib.PublishOptions(acknowledge=True))
    clock = Clock()
    for i in range(count):
        publisher.publish("bench.topic", i)
        if i % 100 == 99:
            yield turn()
    yield done.addTimeout(120, the_reactor())
    result = clock.rates(count)
    yield leave(publisher, subscriber)
    return result


Workload = Callable[[Library, int], defer.Deferred[tuple[float, float]]]


@defer.inlineCallbacks
def measure(port: int, scale: float, rounds: int) -> Any:
    n = lambda base: max(100, int(base * scale))  # noqa: E731
    workloads: dict[str, Workload] = {
        "rpc sequential (calls/s)": lambda lib, p: rpc_sequential(lib, p, n(5000)),
        "rpc 100 in flight (calls/s)": lambda lib, p: rpc_pipelined(lib, p, n(30000)),
        "pub/sub 1->1 (events/s)": lambda lib, p: pubsub(lib, p, n(50000)),
    }
    libraries = [Library("pywamp"), Library("autobahn")]
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for index in range(rounds):
        # Alternate which library goes first, so neither always meets a warmer router.
        order = libraries if index % 2 == 0 else libraries[::-1]
        for workload, run in workloads.items():
            for lib in order:
                sample = yield run(lib, port)
                samples.setdefault((workload, lib.name), []).append(sample)
    return workloads, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per cell (the median)")
    parser.add_argument(
        "--reactor",
        choices=["default", "busypoll"],
        default="default",
        help="Twisted's default reactor, or pywamp's BusyPollReactor (50 us), for both",
    )
    args = parser.parse_args()
    if args.reactor == "busypoll":
        from pywamp.twisted.busypoll import install

        install()
    reactor = the_reactor()
    router = PywampRouter()
    port = router.start()
    outcome: dict[str, Any] = {}

    def finished(result: Any) -> None:
        outcome["result"] = result
        reactor.stop()  # type: ignore[attr-defined]

    def failed(failure: Any) -> None:
        outcome["error"] = failure
        reactor.stop()  # type: ignore[attr-defined]

    def start() -> None:
        scale = 0.1 if args.quick else 1.0
        measure(port, scale, args.rounds).addCallbacks(finished, failed)

    try:
        reactor.callWhenRunning(start)  # type: ignore[attr-defined]
        reactor.run()  # type: ignore[attr-defined]
    finally:
        router.stop()
    if "error" in outcome:
        outcome["error"].raiseException()
    workloads, samples = outcome["result"]
    print(
        f"median of {args.rounds} runs, pywamp router, RawSocket + msgpack, "
        f"{type(reactor).__name__}\n"
    )
    print(
        "| workload | pywamp.twisted | autobahn.twisted | ratio | ratio per round "
        "| client CPU us/op pywamp | autobahn | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for workload in workloads:
        ours, theirs = samples[(workload, "pywamp")], samples[(workload, "autobahn")]
        rate, cpu = (statistics.median(r for r, _ in ours), statistics.median(c for _, c in ours))
        peer_rate = statistics.median(r for r, _ in theirs)
        peer_cpu = statistics.median(c for _, c in theirs)
        # Each round's two runs met the same minute's load: their ratio, lowest to highest.
        ratios = sorted(a[0] / b[0] for a, b in zip(ours, theirs, strict=True))
        print(
            f"| {workload} | {rate:,.0f} | {peer_rate:,.0f} | {rate / peer_rate:.1f}x "
            f"| {ratios[0]:.1f}x-{ratios[-1]:.1f}x "
            f"| {cpu:.1f} | {peer_cpu:.1f} | {peer_cpu / cpu:.1f}x |"
        )


if __name__ == "__main__":
    main()
