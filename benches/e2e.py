"""End to end: the same workload program on pywamp and on Autobahn, against the pywamp
router and against Crossbar.io, in one run; prints rates and ratios.

The workload is written once against Autobahn's API (``ApplicationSession`` and its
RawSocket client factory) and run with either library's classes, so the only difference
is the import. Routers run as separate processes (``pywamp router``; Crossbar from
``.venv-crossbar``, installed by ``scripts/setup-crossbar.sh``). RawSocket + msgpack
everywhere. A minimal asyncio Protocol echo, its server in another process as the routers
are, is the floor for one request/response.

    .venv/bin/python benches/e2e.py [--quick] [--only pywamp-router] [--uvloop]

``--uvloop`` runs the bench, the echo server and ``pywamp router`` on uvloop (installed
separately: pywamp does not depend on it), to show what the event loop itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "client"))

from routers import CrossbarNode, free_port, wait_for_port  # noqa: E402

REALM = "realm1"

#: Run every process on uvloop (``--uvloop``).
UVLOOP = False
#: Python code that starts ``pywamp router`` (argv follows) on uvloop.
_UVLOOP_ROUTER = (
    "import asyncio, sys, uvloop; asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); "
    "from pywamp.cli import main; sys.argv[0] = 'pywamp'; sys.exit(main())"
)


def _python(module_args: list[str]) -> list[str]:
    """The command line of ``python -m pywamp.cli ...``, on uvloop when asked."""
    if UVLOOP:
        return [sys.executable, "-c", _UVLOOP_ROUTER, *module_args]
    return [sys.executable, "-m", "pywamp.cli", *module_args]


class Library:
    """The drop-in surface of one library: the same names under another package."""

    def __init__(self, package: str) -> None:
        if package == "autobahn":
            import txaio

            txaio.use_asyncio()
        self.name = "pywamp" if package == "pywamp" else "autobahn"
        wamp = importlib.import_module(f"{package}.asyncio.wamp")
        rawsocket = importlib.import_module(f"{package}.asyncio.rawsocket")
        types = importlib.import_module(f"{package}.wamp.types")
        self.ApplicationSession = wamp.ApplicationSession
        self.ComponentConfig = types.ComponentConfig
        self.PublishOptions = types.PublishOptions
        self.factory = rawsocket.WampRawSocketClientFactory

    async def join(self, port: int) -> Any:
        """A joined session on the router at 127.0.0.1:port."""
        loop = asyncio.get_running_loop()
        joined: asyncio.Future[Any] = loop.create_future()

        class Session(self.ApplicationSession):  # type: ignore[name-defined,misc]
            def onJoin(self, details: Any) -> None:
                if not joined.done():
                    joined.set_result(self)

        config = self.ComponentConfig(REALM)
        factory = self.factory(lambda: Session(config), serializer=_msgpack(self.name))
        await loop.create_connection(factory, "127.0.0.1", port)
        return await asyncio.wait_for(joined, 10)


def _msgpack(library: str) -> Any:
    if library == "pywamp":
        return "msgpack"
    from autobahn.wamp.serializer import MsgPackSerializer

    return MsgPackSerializer()


async def leave(*sessions: Any) -> None:
    for session in sessions:
        with suppress(Exception):
            await session.leave()


# -- workloads: each returns operations per second ------------------------------------------


async def rpc_sequential(lib: Library, port: int, count: int) -> float:
    callee, caller = await lib.join(port), await lib.join(port)
    await callee.register(lambda x: x, "bench.echo")
    for _ in range(50):
        await caller.call("bench.echo", 1)
    start = time.perf_counter()
    for i in range(count):
        await caller.call("bench.echo", i)
    elapsed = time.perf_counter() - start
    await leave(caller, callee)
    return count / elapsed


async def rpc_pipelined(lib: Library, port: int, count: int, in_flight: int = 100) -> float:
    callee, caller = await lib.join(port), await lib.join(port)
    await callee.register(lambda x: x, "bench.echo")
    await caller.call("bench.echo", 0)

    async def worker(n: int) -> None:
        for i in range(n):
            await caller.call("bench.echo", i)

    start = time.perf_counter()
    await asyncio.gather(*(worker(count // in_flight) for _ in range(in_flight)))
    elapsed = time.perf_counter() - start
    await leave(caller, callee)
    return (count // in_flight) * in_flight / elapsed


async def pubsub(lib: Library, port: int, count: int, subscribers: int = 1) -> float:
    """Events delivered per second, from one publisher to ``subscribers`` sessions."""
    publisher = await lib.join(port)
    subs = [await lib.join(port) for _ in range(subscribers)]
    done = asyncio.get_running_loop().create_future()
    expected = count * subscribers
    received = 0

    def on_event(i: int) -> None:
        nonlocal received
        received += 1
        if received == expected and not done.done():
            done.set_result(None)

    for sub in subs:
        await sub.subscribe(on_event, "bench.topic")
    # Make sure subscriptions are in place: an acknowledged publish follows them in order.
    await publisher.publish("bench.warmup", options=lib.PublishOptions(acknowledge=True))
    start = time.perf_counter()
    for i in range(count):
        publisher.publish("bench.topic", i)
        if i % 100 == 99:
            await asyncio.sleep(0)
    await asyncio.wait_for(done, 120)
    elapsed = time.perf_counter() - start
    await leave(publisher, *subs)
    return expected / elapsed


#: Bytes per read, as pywamp's transports ask (asyncio's default 256 KiB buffer is
#: mmap()ed and unmapped by malloc on every read).
READ_SIZE = 64 * 1024


class _Echo(asyncio.Protocol):
    """The echo server: every read written straight back (TCP_NODELAY)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not isinstance(): uvloop's transports are not asyncio.Transport subclasses
        self.transport = transport = cast(asyncio.Transport, transport)
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if hasattr(transport, "max_size"):  # asyncio's transports (not uvloop's)
            transport.max_size = READ_SIZE

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


class _EchoClient(asyncio.Protocol):
    """Sends a request and resolves ``reply`` when the whole echo is back."""

    def __init__(self) -> None:
        self.reply: asyncio.Future[None] | None = None
        self.pending = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not isinstance(): uvloop's transports are not asyncio.Transport subclasses
        self.transport = transport = cast(asyncio.Transport, transport)
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if hasattr(transport, "max_size"):  # asyncio's transports (not uvloop's)
            transport.max_size = READ_SIZE

    def data_received(self, data: bytes) -> None:
        self.pending -= len(data)
        if self.pending <= 0 and self.reply is not None:
            self.reply.set_result(None)


async def serve_echo(port: int) -> None:
    """Run the echo server (in its own process, as the routers are) until killed."""
    loop = asyncio.get_running_loop()
    await loop.create_server(_Echo, "127.0.0.1", port)
    print("listening", flush=True)
    await asyncio.Event().wait()


class EchoPeer:
    """A minimal asyncio Protocol echo over loopback, its server in its own process (as the
    routers are): the floor of one request/response through another process."""

    async def start(self, size: int = 32) -> None:
        port = free_port()
        self.server = subprocess.Popen(
            [sys.executable, __file__, "--echo-server", str(port)]
            + (["--uvloop"] if UVLOOP else []),
            stdout=subprocess.PIPE,
        )
        assert self.server.stdout is not None
        self.server.stdout.readline()
        self.loop = asyncio.get_running_loop()
        _, self.client = await self.loop.create_connection(_EchoClient, "127.0.0.1", port)
        self.request = b"x" * size

    async def round_trip(self) -> None:
        client = self.client
        client.reply = self.loop.create_future()
        client.pending = len(self.request)
        client.transport.write(self.request)
        await client.reply

    def stop(self) -> None:
        self.client.transport.close()
        self.server.kill()
        self.server.wait()


async def echo_vs_call(lib: Library, port: int, rounds: int, per_round: int = 50) -> float:
    """Median time of a sequential call over the median time of an echo round trip, the two
    measured in alternating rounds (each op timed alone) so that both see the same load."""
    echo = EchoPeer()
    await echo.start()
    callee, caller = await lib.join(port), await lib.join(port)
    try:
        await callee.register(lambda x: x, "bench.echo")
        echo_times: list[float] = []
        call_times: list[float] = []
        ack_times: list[float] = []  # acknowledged publish: one exchange with the router
        acknowledge = lib.PublishOptions(acknowledge=True)
        clock = time.perf_counter
        for r in range(rounds + 1):
            for _ in range(per_round):
                start = clock()
                await echo.round_trip()
                echo_times.append(clock() - start)
            for i in range(per_round):
                start = clock()
                await caller.call("bench.echo", i)
                call_times.append(clock() - start)
            for _ in range(per_round):
                start = clock()
                await caller.publish("bench.acked", options=acknowledge)
                ack_times.append(clock() - start)
            if r == 0:  # warm-up round
                echo_times.clear()
                call_times.clear()
                ack_times.clear()
    finally:
        echo.stop()
        await leave(caller, callee)
    echo_median = statistics.median(echo_times)
    call_median = statistics.median(call_times)
    ack_median = statistics.median(ack_times)
    print(
        f"medians of {len(call_times)} single operations each, in alternating rounds: echo "
        f"round trip {echo_median * 1e6:.0f} µs, sequential call {call_median * 1e6:.0f} µs "
        f"({call_median / echo_median:.2f}x), acknowledged publish {ack_median * 1e6:.0f} µs "
        f"({ack_median / echo_median:.2f}x)"
    )
    return call_median / echo_median


# -- routers ---------------------------------------------------------------------------------


class PywampRouter:
    """``pywamp router`` in its own process."""

    name = "pywamp-router"

    def start(self) -> int:
        self.port = free_port()
        self.process = subprocess.Popen(
            _python(["router", "--port", str(self.port)]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for_port(self.port, self.process, 30)
        return self.port

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(10)


class Crossbar:
    """A Crossbar.io node in its own process."""

    name = "crossbar"

    def start(self) -> int:
        self.dir = tempfile.TemporaryDirectory()
        self.node = CrossbarNode(Path(self.dir.name))
        router = self.node.start()
        return int(router.rs_url.rsplit(":", 1)[1].split("/")[0])

    def stop(self) -> None:
        self.node.stop()
        self.dir.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    parser.add_argument("--only", choices=["pywamp-router", "crossbar"], help="one router")
    parser.add_argument("--echo-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--uvloop", action="store_true", help="every process on uvloop")
    args = parser.parse_args()
    if args.echo_server:
        await serve_echo(args.echo_server)
        return
    scale = 0.1 if args.quick else 1.0
    n = lambda base: max(100, int(base * scale))  # noqa: E731
    workloads: dict[str, Callable[[Library, int], Awaitable[float]]] = {
        "rpc sequential (calls/s)": lambda lib, p: rpc_sequential(lib, p, n(2000)),
        "rpc 100 in flight (calls/s)": lambda lib, p: rpc_pipelined(lib, p, n(20000)),
        "pub/sub 1->1 (events/s)": lambda lib, p: pubsub(lib, p, n(20000)),
        "fan-out 1->100 (events/s)": lambda lib, p: pubsub(lib, p, n(500), subscribers=100),
    }
    libraries = [Library("pywamp"), Library("autobahn")]
    routers = [r for r in (PywampRouter(), Crossbar()) if args.only in (None, r.name)]
    rates: dict[tuple[str, str, str], float] = {}
    latency: float | None = None
    # Both routers run at once and every workload runs its pairs (library, router) in
    # turn, three rounds: a change of the machine's load hits every pair alike.
    ports: dict[str, int] = {}
    try:
        for router in routers:
            ports[router.name] = router.start()
        for workload, run in workloads.items():
            for _ in range(3):
                for router in routers:
                    for lib in libraries:
                        rate = await run(lib, ports[router.name])
                        key = (workload, lib.name, router.name)
                        rates[key] = max(rates.get(key, 0.0), rate)
        if "pywamp-router" in ports:
            latency = await echo_vs_call(
                libraries[0], ports["pywamp-router"], rounds=max(4, int(40 * scale))
            )
    finally:
        for router in routers:
            if router.name in ports:
                router.stop()
    names = [(lib.name, r.name) for r in routers for lib in libraries]
    print("| workload | " + " | ".join(f"{c} + {r}" for c, r in names) + " |")
    print("|---|" + "---|" * len(names))
    for workload in workloads:
        cells = " | ".join(f"{rates[(workload, c, r)]:,.0f}" for c, r in names)
        print(f"| {workload} | {cells} |")
    print()
    comparisons = [
        ("client on the pywamp router", ("pywamp", "pywamp-router"), ("autobahn", "pywamp-router")),
        ("client on Crossbar", ("pywamp", "crossbar"), ("autobahn", "crossbar")),
        (
            "client+router vs Autobahn+Crossbar",
            ("pywamp", "pywamp-router"),
            ("autobahn", "crossbar"),
        ),
    ]
    for workload in workloads:
        line = [f"{workload}:"]
        for label, ours, theirs in comparisons:
            if ours in names and theirs in names:
                ratio = rates[(workload, *ours)] / rates[(workload, *theirs)]
                line.append(f"{label} {ratio:.1f}x")
        print("  ".join(line))
    if latency is not None:
        print(f"\nsequential call vs raw echo round trip: {latency:.2f}x the time (goal <= 2x)")


if __name__ == "__main__":
    if "--uvloop" in sys.argv:
        import uvloop

        UVLOOP = True
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(main())
