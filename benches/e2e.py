"""End to end: the same workload program on pywamp and on Autobahn, against the pywamp
router and against Crossbar.io, in one run; prints rates and ratios.

The workload is written once against Autobahn's API (``ApplicationSession`` and its
RawSocket client factory) and run with either library's classes, so the only difference
is the import. Routers run as separate processes (``pywamp router``; Crossbar from
``.venv-crossbar``, installed by ``scripts/setup-crossbar.sh``). RawSocket + msgpack
everywhere. A minimal asyncio Protocol echo, its server in another process as the routers
are, is the floor for one request/response.

    .venv/bin/python benches/e2e.py [--quick] [--only pywamp-router] [--latency] [--uvloop]

The latency table times single operations (echo, sequential call, acknowledged publish)
with the client on a plain asyncio loop and on ``pywamp.busypoll``'s loop, the echo
server on the same kind of loop as its client (``pywamp router`` polls by default).

``--uvloop`` runs the bench, the echo server and ``pywamp router`` on uvloop (installed
separately: pywamp does not depend on it), to show what the event loop itself costs; the
router then does not poll before it sleeps, as it does on its default loop.
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
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "client"), str(ROOT / "tests")]  # the test routers

from routers import CrossbarNode, free_port, wait_for_port  # noqa: E402

from pywamp.busypoll import DEFAULT_SPIN_US, new_event_loop  # noqa: E402

REALM = "realm1"
#: The client's busy-polling loop in the latency table: the router's default spin.
SPIN_US = DEFAULT_SPIN_US

#: Run every process on uvloop (``--uvloop``).
UVLOOP = False
#: Python code that starts ``pywamp router`` (argv follows) on uvloop.
_UVLOOP_ROUTER = (
    "import sys, uvloop; from pywamp.cli import main; "
    "sys.exit(main(sys.argv[1:], loop_factory=uvloop.new_event_loop))"
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
    routers are) on the same kind of loop as the client: the floor of one request/response
    through another process."""

    async def start(self, spin_us: int, size: int = 32) -> None:
        port = free_port()
        self.server = subprocess.Popen(
            [sys.executable, __file__, "--echo-server", str(port), "--spin", str(spin_us)]
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


#: The single operations of the latency table: an echo round trip, a sequential call
#: (caller -> router -> callee -> router -> caller, callee in the caller's process) and an
#: acknowledged publish (client -> router -> client).
OPERATIONS = ("echo", "publish", "call")


class LatencyProbe:
    """An echo peer and a caller/callee pair on one client loop, timed a round at a time."""

    def __init__(self, label: str, spin_us: int, lib: Library, port: int) -> None:
        self.label, self.spin_us, self.lib, self.port = label, spin_us, lib, port
        self.loop = new_event_loop(spin_us * 1e-6) if spin_us else asyncio.new_event_loop()
        self.times: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        self.procedure = f"bench.echo.{spin_us}"

    def run(self, coro: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coro)

    async def start(self) -> None:
        self.echo = EchoPeer()
        await self.echo.start(self.spin_us)
        self.callee, self.caller = await self.lib.join(self.port), await self.lib.join(self.port)
        await self.callee.register(lambda x: x, self.procedure)

    async def round(self, count: int, keep: bool) -> None:
        """``count`` of each operation, each timed alone; kept unless a warm-up."""
        clock = time.perf_counter
        acknowledge = self.lib.PublishOptions(acknowledge=True)
        echo, caller = self.echo, self.caller
        times: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        for _ in range(count):
            start = clock()
            await echo.round_trip()
            times["echo"].append(clock() - start)
        for i in range(count):
            start = clock()
            await caller.call(self.procedure, i)
            times["call"].append(clock() - start)
        for _ in range(count):
            start = clock()
            await caller.publish("bench.acked", options=acknowledge)
            times["publish"].append(clock() - start)
        if keep:
            for op in OPERATIONS:
                self.times[op] += times[op]

    async def stop(self) -> None:
        self.echo.stop()
        await leave(self.caller, self.callee)
        await asyncio.sleep(0.1)  # the transports' closing callbacks run before the loop closes

    def median(self, op: str) -> float:
        return statistics.median(self.times[op])


def measure_latency(
    lib: Library, port: int, rounds: int, per_round: int = 50
) -> list[LatencyProbe]:
    """Single-operation medians on a plain client loop and on a busy-polling one (the echo
    server on the same kind of loop), in alternating rounds so that all meet one load."""
    kinds = [("uvloop", 0)] if UVLOOP else [("asyncio", 0), (f"busy-poll {SPIN_US} µs", SPIN_US)]
    probes = [LatencyProbe(label, spin, lib, port) for label, spin in kinds]
    try:
        for probe in probes:
            probe.run(probe.start())
        for r in range(rounds + 1):
            for probe in probes:
                probe.run(probe.round(per_round, keep=r > 0))
    finally:
        for probe in probes:
            with suppress(Exception):
                probe.run(probe.stop())
            probe.loop.close()
    return probes


def print_latency(probes: list[LatencyProbe]) -> None:
    floor = probes[0].median("echo")
    print(
        f"\nlatency, medians of {len(probes[0].times['call'])} single operations each, "
        f"alternating rounds; ratios against the {probes[0].label} echo:"
    )
    print("| client loop | echo round trip | acknowledged publish | sequential call |")
    print("|---|---|---|---|")
    for probe in probes:
        cells = []
        for op in OPERATIONS:
            median = probe.median(op)
            cells.append(f"{median * 1e6:.0f} µs ({median / floor:.2f}x)")
        print(f"| {probe.label} | " + " | ".join(cells) + " |")
    best = min(probe.median("call") for probe in probes)
    print(f"sequential call vs raw echo round trip: {best / floor:.2f}x the time (goal <= 2x)")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    parser.add_argument("--only", choices=["pywamp-router", "crossbar"], help="one router")
    parser.add_argument("--latency", action="store_true", help="only the latency table")
    parser.add_argument("--echo-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--spin", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--uvloop", action="store_true", help="every process on uvloop")
    args = parser.parse_args()
    if args.echo_server:
        loop = new_event_loop(args.spin * 1e-6) if args.spin else asyncio.new_event_loop()
        loop.run_until_complete(serve_echo(args.echo_server))
        return
    scale = 0.1 if args.quick else 1.0
    n = lambda base: max(100, int(base * scale))  # noqa: E731
    workloads: dict[str, Callable[[Library, int], Awaitable[float]]] = {
        "rpc sequential (calls/s)": lambda lib, p: rpc_sequential(lib, p, n(2000)),
        "rpc 100 in flight (calls/s)": lambda lib, p: rpc_pipelined(lib, p, n(20000)),
        "pub/sub 1->1 (events/s)": lambda lib, p: pubsub(lib, p, n(20000)),
        "fan-out 1->100 (events/s)": lambda lib, p: pubsub(lib, p, n(500), subscribers=100),
    }
    if args.latency:
        workloads.clear()
    libraries = [Library("pywamp"), Library("autobahn")]
    routers = [r for r in (PywampRouter(), Crossbar()) if args.only in (None, r.name)]
    if args.latency:
        routers = routers[:1]
    rates: dict[tuple[str, str, str], float] = {}
    latency: list[LatencyProbe] = []
    # Both routers run at once and every workload runs its pairs (library, router) in
    # turn, three rounds: a change of the machine's load hits every pair alike.
    ports: dict[str, int] = {}

    async def throughput() -> None:
        for workload, run in workloads.items():
            for _ in range(3):
                for router in routers:
                    for lib in libraries:
                        rate = await run(lib, ports[router.name])
                        key = (workload, lib.name, router.name)
                        rates[key] = max(rates.get(key, 0.0), rate)

    try:
        for router in routers:
            ports[router.name] = router.start()
        if workloads:
            asyncio.run(throughput())
        if "pywamp-router" in ports:
            rounds = max(4, int(40 * scale))
            latency = measure_latency(libraries[0], ports["pywamp-router"], rounds)
    finally:
        for router in routers:
            if router.name in ports:
                router.stop()
    if workloads:
        print_rates(workloads, rates, [(lib.name, r.name) for r in routers for lib in libraries])
    if latency:
        print_latency(latency)


def print_rates(
    workloads: Iterable[str], rates: dict[tuple[str, str, str], float], names: list[tuple[str, str]]
) -> None:
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


if __name__ == "__main__":
    if "--uvloop" in sys.argv:
        import uvloop

        UVLOOP = True
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    main()
