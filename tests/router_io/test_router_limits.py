"""Router limits over real sockets: the slow-consumer policy ``drop`` and its counters,
sessions per realm, the idle bound, keepalive pings, and the graceful shutdown."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions
from io_harness import Collector, Endpoints, join, open_peer, wait

from pywamp.router.server import MAX_REALM_SESSIONS, MAX_SESSIONS, Router
from pywamp.router.settings import ListenerConfig, RouterConfig
from pywamp.router.stats import ROUTER_STATS, SESSION_STATS

HELLO = [1, "realm1", {"roles": {"caller": {}, "subscriber": {}}}]


def rs_frame(payload: bytes, kind: int = 0) -> bytes:
    return bytes([kind]) + len(payload).to_bytes(3, "big") + payload


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    header = await wait(reader.readexactly(4))
    return header[0], await wait(reader.readexactly(int.from_bytes(header[1:], "big")))


async def raw_session(
    port: int, rcvbuf: int | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int]:
    """A JSON RawSocket session joined to realm1 by hand (optionally with a tiny window)."""
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await wait(asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port)))
    reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(b"\x7f\xf1\x00\x00")
    assert (await wait(reader.readexactly(4)))[0] == 0x7F
    writer.write(rs_frame(json.dumps(HELLO).encode()))
    _, welcome = await read_frame(reader)
    return reader, writer, json.loads(welcome)[1]


async def started(rawsocket_sessions: int | None = None, **limits: Any) -> Router:
    config = RouterConfig(
        listeners=[
            ListenerConfig("rawsocket", port=0, path=None, max_sessions=rawsocket_sessions),
            ListenerConfig("websocket", port=0),
        ]
    )
    for key, value in limits.items():
        setattr(config.limits, key, value)
    router = Router(config)
    await router.start()
    return router


def endpoints(router: Router) -> Endpoints:
    return Endpoints({"rawsocket": router.port(0), "websocket": router.port(1)}, {}, None)  # type: ignore[arg-type]


@pytest.fixture
async def dropping() -> AsyncIterator[Router]:
    """Queues of 64 KiB or 400 messages per peer; EVENTs over them are dropped."""
    router = await started(max_queued_bytes=65536, max_queued_messages=400, slow_consumer="drop")
    yield router
    await router.stop()


async def test_slow_subscriber_loses_events_not_its_session_nor_its_results(
    dropping: Router,
) -> None:
    ends = endpoints(dropping)
    fast = await join(ends, "rawsocket", serializer="msgpack")
    events = Collector()
    await wait(fast.subscribe(events, "com.flood"))
    reader, writer, slow_id = await raw_session(ends.ports["rawsocket"], rcvbuf=4096)
    writer.write(rs_frame(json.dumps([32, 1, {}, "com.flood"]).encode()))
    assert json.loads((await read_frame(reader))[1])[0] == 33
    publisher = await join(ends, "websocket", serializer="cbor")
    chunk = "x" * 2000
    sent = 0
    for _ in range(40):  # 4000 events, 8 MB for a subscriber that reads nothing
        for _ in range(100):
            publisher.publish("com.flood", sent, chunk)
            sent += 1
        await wait(publisher.publish("com.flood", -1, options=PublishOptions(acknowledge=True)))
    # the stalled session asks for something: its RESULT is queued despite the bound
    writer.write(rs_frame(json.dumps([48, 7, {}, SESSION_STATS]).encode()))
    await wait(publisher.call("wamp.session.count"))  # the CALL has been routed
    stats = await wait(publisher.call(SESSION_STATS, slow_id))
    assert stats["dropped_events"] > 0
    assert stats["queue_high_water"] > 0
    realm = await wait(publisher.call(ROUTER_STATS))
    assert realm["dropped_events"] >= stats["dropped_events"]
    assert realm["sessions"] == 3 and realm["sessions_per_realm"] == {"realm1": 3}
    # the healthy subscriber got every event, and the slow one is still joined
    assert len(await events.count(sent + 40)) == sent + 40
    assert await wait(publisher.call("wamp.session.get", slow_id))
    # draining the slow session's socket finds the RESULT, after fewer events than sent
    received = 0
    while True:
        _, payload = await read_frame(reader)
        message = json.loads(payload)
        if message[0] == 50:
            assert message[1] == 7 and message[3][0]["session"] == slow_id
            break
        assert message[0] == 36
        received += 1
    assert 0 < received < sent
    assert received + stats["dropped_events"] <= sent + 40
    writer.close()
    await asyncio.gather(fast.close(), publisher.close())


async def test_stats_count_what_a_session_sent_and_received(dropping: Router) -> None:
    peer = await join(endpoints(dropping), "websocket", serializer="json")
    for _ in range(3):
        await wait(peer.call("wamp.session.count"))
    stats = await wait(peer.call(SESSION_STATS))
    # HELLO + 3 calls + this one in; WELCOME + 3 results out (this result not yet)
    assert stats["messages_received"] == 5
    assert stats["messages_sent"] == 4
    assert stats["bytes_received"] > 0 and stats["bytes_sent"] > 0
    assert stats["dropped_events"] == 0
    with pytest.raises(ApplicationError) as raised:
        await wait(peer.call(SESSION_STATS, 12345))
    assert raised.value.error == "wamp.error.no_such_session"
    await peer.close()


async def test_a_realm_full_of_sessions_refuses_one_more() -> None:
    router = await started(max_sessions_per_realm=2)
    ends = endpoints(router)
    first = await join(ends, "rawsocket")
    second = await join(ends, "websocket")
    third = await open_peer(ends, "rawsocket")
    details = await wait(third.left)
    assert details.reason == MAX_REALM_SESSIONS
    assert (await wait(first.call(ROUTER_STATS)))["refused_sessions"] == 1
    await second.close()
    fourth = await join(ends, "rawsocket")  # a place is free again
    await asyncio.gather(first.close(), fourth.close())
    await router.stop()


async def test_a_full_listener_refuses_one_more_and_the_others_serve_on() -> None:
    router = await started(rawsocket_sessions=1)
    ends = endpoints(router)
    first = await join(ends, "rawsocket")
    refused = await open_peer(ends, "rawsocket")
    details = await wait(refused.left)
    assert details.reason == MAX_SESSIONS and "listener serves at most 1" in details.message
    web = [await join(ends, "websocket") for _ in range(2)]  # another listener: not full
    await first.close()
    while await wait(web[0].call("wamp.session.count")) != 2:
        await asyncio.sleep(0.01)  # the router saw the first one go
    second = await join(ends, "rawsocket")  # its place is free again
    assert await wait(second.call("wamp.session.count")) == 3
    await asyncio.gather(second.close(), *(w.close() for w in web))
    await router.stop()


async def test_silent_connection_is_dropped_and_pinged_ones_are_kept() -> None:
    router = await started(
        idle_timeout=0.3, auto_ping_interval=0.1, auto_ping_timeout=1.0, rawsocket_ping=True
    )
    ends = endpoints(router)
    ws = await join(ends, "websocket")  # Autobahn answers WebSocket pings
    reader, writer, _ = await raw_session(ends.ports["rawsocket"])
    kinds = set()
    try:
        while True:  # the router pings the silent peer, then gives up on it
            kind, _ = await read_frame(reader)
            kinds.add(kind)
    except asyncio.IncompleteReadError:
        pass
    assert kinds == {1}  # PING frames only
    await asyncio.sleep(0.5)  # well past the idle bound
    assert ws.is_attached()
    assert await wait(ws.call("wamp.session.count")) == 1
    writer.close()
    await ws.close()
    await router.stop()


async def test_rawsocket_pings_are_off_unless_asked() -> None:
    """Autobahn's asyncio RawSocket client fails on a PING frame: pings go to WebSocket
    peers only unless ``rawsocket_ping`` is set."""
    router = await started(auto_ping_interval=0.05, auto_ping_timeout=0.05)
    ends = endpoints(router)
    rs = await join(ends, "rawsocket")
    ws = await join(ends, "websocket")
    await asyncio.sleep(0.4)
    assert rs.is_attached() and ws.is_attached()
    assert await wait(rs.call("wamp.session.count")) == 2
    await asyncio.gather(rs.close(), ws.close())
    await router.stop()


async def test_missed_pong_drops_the_connection() -> None:
    router = await started(auto_ping_interval=0.1, auto_ping_timeout=0.2, rawsocket_ping=True)
    ends = endpoints(router)
    reader, writer, _ = await raw_session(ends.ports["rawsocket"])
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(asyncio.IncompleteReadError):
        while True:
            kind, _ = await read_frame(reader)
            assert kind == 1
    assert loop.time() - start < 2.0
    writer.close()
    await router.stop()


async def test_shutdown_answers_pending_calls_then_says_goodbye() -> None:
    router = await started()
    ends = endpoints(router)
    callee = await join(ends, "rawsocket", serializer="cbor")
    caller = await join(ends, "websocket", serializer="json")
    started_call = asyncio.get_running_loop().create_future()

    async def never(*args: Any) -> None:
        started_call.set_result(None)
        await asyncio.sleep(3600)

    await wait(callee.register(never, "com.never"))
    calls = [asyncio.ensure_future(caller.call("com.never", i)) for i in range(5)]
    await wait(started_call)
    await router.stop()
    for call in calls:
        with pytest.raises(ApplicationError) as raised:
            await wait(call)
        assert raised.value.error == "wamp.error.canceled"
    for peer in (caller, callee):
        assert (await wait(peer.left)).reason == "wamp.close.system_shutdown"
        await wait(peer.disconnected)


async def test_shutdown_drops_a_peer_that_stopped_reading() -> None:
    """A subscriber that stopped reading holds bytes the router cannot deliver, so its
    connection would never finish closing: stop() drops it and returns in bounded time,
    leaving no connection open."""
    router = await started()
    reader, writer, stalled = await raw_session(router.port(0), rcvbuf=4096)
    writer.write(rs_frame(json.dumps([32, 1, {}, "com.flood"]).encode()))
    assert json.loads((await read_frame(reader))[1])[0] == 33  # SUBSCRIBED; reads no more
    publisher = await join(endpoints(router), "rawsocket", serializer="msgpack")
    payload, queued = "x" * 60000, 0
    for i in range(2000):  # until bytes wait in the router, past the kernel's buffers
        await wait(
            publisher.publish("com.flood", i, payload, options=PublishOptions(acknowledge=True))
        )
        if i % 16 == 15:
            queued = (await wait(publisher.call(SESSION_STATS, stalled)))["queued_bytes"]
            if queued:
                break
    assert queued > 0
    began = asyncio.get_running_loop().time()
    await wait(router.stop(), 10)
    assert asyncio.get_running_loop().time() - began < 5
    assert router.connections == set()  # dropped, not left closing forever
    while await wait(reader.read(1 << 20)):  # what the kernel holds arrives, then the end
        pass
    writer.close()


async def test_client_of_512_bytes_is_told_why_it_cannot_join() -> None:
    """The JSON WELCOME does not fit 512 bytes: ABORT payload_size_exceeded, then close."""
    router = await started()
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", router.port(0)))
    writer.write(b"\x7f\x01\x00\x00")  # JSON, exponent 0: 512 bytes
    assert (await wait(reader.readexactly(4)))[0] == 0x7F
    writer.write(rs_frame(json.dumps(HELLO).encode()))
    _, payload = await read_frame(reader)
    abort = json.loads(payload)
    assert abort[0] == 3 and abort[2] == "wamp.error.payload_size_exceeded"
    assert len(payload) <= 512
    assert await wait(reader.read()) == b""
    writer.close()
    await router.stop()


def test_limit_keys_are_read_from_toml(tmp_path: Any) -> None:
    from pywamp.router.settings import ConfigError, load_config

    path = tmp_path / "router.toml"
    path.write_text(
        '[limits]\nmax_queued_messages = 50\nslow_consumer = "disconnect"\n'
        "max_sessions_per_realm = 3\nidle_timeout = 30\nauto_ping_interval = 5\n"
        "auto_ping_timeout = 2.5\nrawsocket_ping = true\n"
    )
    limits = load_config(path).limits
    assert (limits.max_queued_messages, limits.slow_consumer) == (50, "disconnect")
    assert limits.max_sessions_per_realm == 3 and limits.idle_timeout == 30.0
    assert (limits.auto_ping_interval, limits.auto_ping_timeout) == (5.0, 2.5)
    assert limits.rawsocket_ping is True
    for bad, named in [
        ('slow_consumer = "queue"', "limits.slow_consumer"),
        ("max_queued_messages = 0", "limits.max_queued_messages"),
        ("auto_ping_timeout = 0", "limits.auto_ping_timeout"),
        ("idle_timeout = -1", "limits.idle_timeout"),
    ]:
        path.write_text(f"[limits]\n{bad}\n")
        with pytest.raises(ConfigError, match=named):
            load_config(path)


async def test_stalled_callee_is_cut_and_its_callers_get_an_error() -> None:
    """A session that stops reading while it keeps asking: its RESULTs cannot be dropped,
    so past twice the queue bounds the session is cut; a call routed to it as callee is
    answered with an ERROR to the caller, and the cut is counted."""
    router = await started(max_queued_bytes=65536, max_queued_messages=100)
    ends = endpoints(router)
    caller = await join(ends, "websocket", serializer="json")
    reader, writer, stalled_id = await raw_session(router.port(0), rcvbuf=4096)
    writer.write(rs_frame(json.dumps([64, 1, {}, "com.stalled"]).encode()))
    assert json.loads((await read_frame(reader))[1])[0] == 65  # REGISTERED
    pending = asyncio.ensure_future(caller.call("com.stalled"))
    leaves = Collector()
    await wait(caller.subscribe(leaves, "wamp.session.on_leave"))
    request = 10
    while not leaves.items and request < 20000:  # it never reads what it asks for
        for _ in range(100):
            request += 1
            call = [48, request, {}, "wamp.session.get", [stalled_id]]
            writer.write(rs_frame(json.dumps(call).encode()))
        await asyncio.sleep(0.01)
    [(args, _)] = await leaves.count(1)
    assert args[0] == stalled_id
    with pytest.raises(ApplicationError) as raised:
        await wait(pending)
    assert raised.value.error == "wamp.error.canceled"
    assert (await wait(caller.call(ROUTER_STATS)))["slow_disconnects"] == 1
    writer.close()
    await caller.close()
    await router.stop()
