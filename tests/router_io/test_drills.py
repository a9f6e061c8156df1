"""Drills against a router process: bad input on every listener while a healthy session
keeps its rate, a subscriber that never reads while a publisher floods (memory bounded),
and many sessions with many calls in flight (none lost). Scaled to a few seconds each;
``scripts/drills.py`` runs them at full size."""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import time
from collections.abc import Iterator

import pytest
from drill_harness import (
    Client,
    RouterProcess,
    attack,
    bad_inputs,
    call_rate,
    environ_seconds,
    url_of,
)
from io_harness import Collector, Endpoints, Tls, join, wait

from pywamp import _native

# listener name → the wire protocol spoken to it by the attacker
TARGETS = {
    "rawsocket": "rawsocket",
    "rawsocket-unix": "rawsocket",
    "websocket": "websocket",
    "universal": "rawsocket",
    "universal-ws": "websocket",
    "universal-tls": "rawsocket",
    "universal-tls-ws": "websocket",
}


@pytest.fixture(scope="module")
def router_process(tls: Tls) -> Iterator[RouterProcess]:
    router = RouterProcess(
        limits={"max_queued_bytes": 1 << 20, "handshake_timeout": 2.0}, tls_pem=tls.certificate
    ).start()
    yield router
    assert router.alive(), "the router died"
    assert router.stop() == 0


def opener(router: RouterProcess, name: str, client_ssl: ssl.SSLContext):  # type: ignore[no-untyped-def]
    listener = name.removesuffix("-ws")
    where = router.addresses[listener]
    if where.startswith("unix:"):
        return functools.partial(asyncio.open_unix_connection, where[5:])
    host, port = where.rsplit(":", 1)
    if "tls" in name:
        return functools.partial(
            asyncio.open_connection, host, int(port), ssl=client_ssl, server_hostname="localhost"
        )
    return functools.partial(asyncio.open_connection, host, int(port))


@pytest.mark.parametrize("target", list(TARGETS))
async def test_bad_input_spares_the_healthy_session(
    router_process: RouterProcess, tls: Tls, target: str
) -> None:
    healthy = await Client.join(url_of(router_process, "rawsocket"))
    before = await call_rate(healthy, 0.5)
    rng = random.Random(target)
    open_connection = opener(router_process, target, tls.client)
    kinds = bad_inputs(TARGETS[target], rng)
    closed = 0
    sent = 0

    async def attacker(worker: int) -> None:
        nonlocal closed, sent
        for i in range(2 * len(kinds)):
            inputs = bad_inputs(TARGETS[target], rng)
            choice = inputs[(worker + i) % len(inputs)]
            closed += await attack(open_connection, [choice], read_timeout=0.3)
            sent += 1

    attackers = asyncio.gather(*(attacker(w) for w in range(6)))
    during = await call_rate(healthy, 0.5)
    await wait(attackers, 30)
    assert sent == 6 * 2 * len(kinds)
    assert closed > 0  # the router closed the connections it could judge bad at once
    assert during >= before * 0.2, (before, during)
    assert router_process.alive()
    await asyncio.sleep(0.2)  # the attackers' connections are gone: so are their sessions
    count = await wait(healthy.call("wamp.session.count"))
    assert type(count) is _native.Result and count.args == [1]
    healthy.close()


async def test_slow_consumer_keeps_router_memory_bounded(tls: Tls) -> None:
    """A subscriber that never reads, 64 MiB of 64 KiB events: the router's RSS stays
    under its baseline plus a fixed bound; the healthy subscriber gets every event."""
    router = RouterProcess(
        limits={"max_queued_bytes": 4 << 20, "max_queued_messages": 1000}
    ).start()
    try:
        ends = Endpoints({"rawsocket": router.port("rawsocket")}, {}, tls.client)
        healthy = await join(ends, "rawsocket", serializer="msgpack")
        events = Collector()
        await wait(healthy.subscribe(events, "com.flood"))
        stalled = await Client.join(url_of(router, "rawsocket"), "msgpack")
        assert type(await wait(stalled.subscribe("com.flood"))) is _native.Subscribed
        stalled.transport.transport.pause_reading()  # type: ignore[union-attr]
        publisher = await Client.join(url_of(router, "rawsocket"), "msgpack")
        baseline = router.rss()
        payload = b"x" * 65536
        total, peak = int(environ_seconds("DRILL_SLOW_MIB", 64)) * 16, baseline
        for n in range(0, total, 16):
            for i in range(n, n + 15):
                publisher.transport.send(
                    _native.Publish(1_000_000 + i, {}, "com.flood", [i, payload])
                )  # type: ignore[union-attr]
            ack = publisher.request(
                lambda r: _native.Publish(r, {"acknowledge": True}, "com.flood", [-1, payload])
            )
            await wait(ack)
            peak = max(peak, router.rss())
        await events.count(total, timeout=max(30, total / 100))
        assert len(events.items) == total
        stats = await wait(healthy.call("pywamp.router.stats"))
        print(
            f"\nslow consumer: {total * 64 // 1024} MiB of 64 KiB events, RSS baseline "
            f"{baseline >> 20} MiB, peak {peak >> 20} MiB (bound +48 MiB), healthy got "
            f"{len(events.items)}/{total}, dropped for the stalled one {stats['dropped_events']}"
        )
        assert stats["dropped_events"] > 0 and stats["slow_disconnects"] == 0
        assert peak - baseline < 48 << 20, (baseline, peak)
        assert router.alive()
        healthy.leave()
        stalled.close()
        publisher.close()
    finally:
        assert router.stop() == 0


async def test_many_sessions_many_calls_none_lost(router_process: RouterProcess) -> None:
    """200 sessions each subscribed and registered; 10 callers keep 100 calls in flight
    for 2 s: every call gets its RESULT (DRILL_SESSIONS, DRILL_SECONDS: full size)."""
    url = url_of(router_process, "rawsocket")
    count = int(environ_seconds("DRILL_SESSIONS", 200))
    sessions = []
    for start in range(0, count, 100):
        batch = min(100, count - start)
        sessions += await asyncio.gather(*(Client.join(url) for _ in range(batch)))
    for i, client in enumerate(sessions):
        await asyncio.gather(client.subscribe(f"com.load.{i}"), client.register(f"com.load.{i}"))
    callers = sessions[:10]
    sent = answered = 0
    seconds = environ_seconds("DRILL_SECONDS", 2.0)
    stop = time.monotonic() + seconds

    async def worker(client: Client, seed: int) -> None:
        nonlocal sent, answered
        rng = random.Random(seed)
        while time.monotonic() < stop:
            sent += 1
            answer = await wait(client.call(f"com.load.{rng.randrange(count)}", seed))
            assert type(answer) is _native.Result and answer.args == [seed]
            answered += 1

    await wait(
        asyncio.gather(
            *(worker(c, 100 * i + j) for i, c in enumerate(callers) for j in range(100))
        ),
        seconds + 30,
    )
    assert sent == answered > 0
    joined = await wait(callers[0].call("wamp.session.count"))
    assert joined.args == [count]
    print(
        f"\nload: {count} sessions, 1000 calls in flight for {seconds} s: {answered} calls, 0 lost"
    )
    for client in sessions:
        client.close()
