"""Bad input and limits: garbage, truncated and oversized frames, malformed messages and
undeliverable messages end or spare exactly one connection; every other session goes on."""

from __future__ import annotations

import asyncio
import json
import math
import socket

import pytest
import websockets
from autobahn.exception import PayloadExceededError
from autobahn.wamp.exception import SerializationError
from autobahn.wamp.types import PublishOptions
from io_harness import (
    SHORT_HANDSHAKE,
    SMALL_LIMIT,
    Collector,
    Endpoints,
    Peer,
    RawPeer,
    join,
    wait,
)

from pywamp import _native
from pywamp.router.server import MAX_SESSIONS, Router
from pywamp.transport import connect

RS_IDS = {"json": 1, "msgpack": 2, "cbor": 3}
HELLO = [1, "realm1", {"roles": {"caller": {}, "subscriber": {}}}]


def rs_hello(serializer: str = "json", exponent: int = 0xF) -> bytes:
    """A RawSocket client handshake announcing 2**(9+exponent) bytes."""
    return bytes([0x7F, (exponent << 4) | RS_IDS[serializer], 0, 0])


def rs_frame(payload: bytes, kind: int = 0) -> bytes:
    return bytes([kind]) + len(payload).to_bytes(3, "big") + payload


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the router sends until it closes the connection."""
    data = b""
    try:
        while chunk := await wait(reader.read(65536)):
            data += chunk
    except ConnectionResetError:
        pass
    return data


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    header = await wait(reader.readexactly(4))
    return await wait(reader.readexactly(int.from_bytes(header[1:], "big")))


class RawSocketClient:
    """Bytes on a TCP connection to a RawSocket port, nothing else."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.session = 0

    @classmethod
    async def open(cls, port: int, serializer: str = "json") -> RawSocketClient:
        reader, writer = await wait(asyncio.open_connection("127.0.0.1", port))
        writer.write(rs_hello(serializer))
        reply = await wait(reader.readexactly(4))
        assert reply[0] == 0x7F and reply[1] & 0x0F == RS_IDS[serializer], reply
        return cls(reader, writer)

    async def join(self) -> int:
        self.writer.write(rs_frame(json.dumps(HELLO).encode()))
        welcome = json.loads(await read_frame(self.reader))
        assert welcome[0] == 2, welcome
        self.session = welcome[1]
        return self.session


async def healthy(peer: Peer, sessions: int | None = None) -> None:
    """The bystander still gets answers (and sees this many sessions)."""
    count = await wait(peer.call("wamp.session.count"))
    if sessions is not None:
        assert count == sessions


@pytest.mark.parametrize(
    ("listener", "garbage"),
    [
        ("rawsocket", b"\x00\x01\x02\x03 not a handshake"),
        ("rawsocket", b"\x7f\xf9\x00\x00"),  # serializer 9
        ("rawsocket", b"\x7f\xf1\xff\xff"),  # reserved bits set
        ("universal", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),  # HTTP without an upgrade
        ("websocket", b"\xff" * 17000),  # no request head within 16 KiB
    ],
)
async def test_garbage_instead_of_a_handshake(
    endpoints: Endpoints, listener: str, garbage: bytes
) -> None:
    bystander = await join(endpoints, "universal-websocket")
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", endpoints.ports[listener]))
    writer.write(garbage)
    reply = await until_closed(reader)
    if listener == "rawsocket" and garbage[0] == 0x7F and garbage[1] & 0x0F == 9:
        assert reply == b"\x7f\x10\x00\x00"  # error 1: serializer unsupported
    if garbage.startswith(b"GET"):
        assert reply.startswith(b"HTTP/1.1 4")
    writer.close()
    await healthy(bystander, 1)
    await bystander.close()


async def test_bytes_arriving_one_at_a_time(endpoints: Endpoints) -> None:
    """Frames split anywhere are reassembled: handshake, header and body."""
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", endpoints.ports["universal"]))
    data = rs_hello("json") + rs_frame(json.dumps(HELLO).encode())
    for i in range(len(data)):
        writer.write(data[i : i + 1])
        await writer.drain()
        if i % 16 == 0:
            await asyncio.sleep(0)
    assert await wait(reader.readexactly(4)) == b"\x7f\xf1\x00\x00"
    assert json.loads(await read_frame(reader))[0] == 2
    writer.close()


async def test_truncated_frame_then_disconnect(endpoints: Endpoints) -> None:
    watcher = await join(endpoints)
    leaves = Collector()
    await wait(watcher.subscribe(leaves, "wamp.session.on_leave"))
    client = await RawSocketClient.open(endpoints.ports["rawsocket"])
    sid = await client.join()
    call = rs_frame(json.dumps([48, 1, {}, "wamp.session.count"]).encode())
    client.writer.write(call[:2])  # half a header
    await asyncio.sleep(0.02)
    client.writer.write(call[2:10])  # the header and part of the body
    await asyncio.sleep(0.02)
    client.writer.close()
    [(args, _)] = await leaves.count(1)
    assert args[0] == sid
    await healthy(watcher, 1)
    await watcher.close()


async def test_oversized_length_prefix_is_refused_before_buffering(
    small_endpoints: Endpoints,
) -> None:
    bystander = await join(small_endpoints, "websocket")
    reader, writer = await wait(
        asyncio.open_connection("127.0.0.1", small_endpoints.ports["rawsocket"])
    )
    writer.write(rs_hello("cbor"))
    reply = await wait(reader.readexactly(4))
    assert 2 ** ((reply[1] >> 4) + 9) == SMALL_LIMIT  # the router announces its limit
    writer.write(bytes([0]) + (2**20).to_bytes(3, "big"))  # 1 MiB announced, none sent
    assert await until_closed(reader) == b""
    writer.close()
    await healthy(bystander, 1)
    await bystander.close()


async def test_rawsocket_message_over_the_limit_closes_that_connection(
    small_endpoints: Endpoints,
) -> None:
    bystander = await join(small_endpoints)
    leaves = Collector()
    await wait(bystander.subscribe(leaves, "wamp.session.on_leave"))
    client = await RawSocketClient.open(small_endpoints.ports["universal"])
    sid = await client.join()
    publish = json.dumps([16, 1, {}, "com.big", ["x" * SMALL_LIMIT]]).encode()
    client.writer.write(rs_frame(publish))
    await until_closed(client.reader)
    client.writer.close()
    [(args, _)] = await leaves.count(1)
    assert args[0] == sid
    # just under the limit is fine
    fits = json.dumps([16, 1, {}, "com.big", ["x" * (SMALL_LIMIT - 40)]]).encode()
    assert len(fits) <= SMALL_LIMIT
    ok = await RawSocketClient.open(small_endpoints.ports["rawsocket"])
    await ok.join()
    ok.writer.write(rs_frame(fits))
    ok.writer.write(rs_frame(json.dumps([48, 2, {}, "wamp.session.count"]).encode()))
    assert json.loads(await read_frame(ok.reader)) == [50, 2, {}, [2]]
    ok.writer.close()
    await bystander.close()


async def test_websocket_message_over_the_limit_is_closed_with_1009(
    small_endpoints: Endpoints,
) -> None:
    bystander = await join(small_endpoints, "rawsocket")
    url = f"ws://127.0.0.1:{small_endpoints.ports['websocket']}/ws"
    async with websockets.connect(url, subprotocols=["wamp.2.json"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps(HELLO))
        assert json.loads(await wait(ws.recv()))[0] == 2
        await ws.send(json.dumps([16, 1, {}, "com.big", ["x" * SMALL_LIMIT]]))
        with pytest.raises(websockets.ConnectionClosed):
            await wait(ws.recv())
        assert ws.close_code == 1009
    # an Autobahn WebSocket session that sends too much is cut off too
    big = await join(small_endpoints, "universal-websocket")
    big.publish("com.big", "x" * (2 * SMALL_LIMIT))
    await wait(big.disconnected)
    await healthy(bystander, 1)
    await bystander.close()


@pytest.mark.parametrize(
    ("serializer", "garbage"),
    [
        ("json", b"[48, 1, {}, "),
        ("json", b"\xff\xfe not utf-8"),
        ("msgpack", b"\xc1"),  # a byte msgpack never uses
        ("msgpack", b"\x93\x30\x01"),  # an array that ends early
        ("cbor", b"\xff"),  # a break outside an indefinite item
        ("cbor", b"\x9f\x18\x30"),  # an indefinite array that never ends
    ],
)
async def test_malformed_message_is_aborted(
    endpoints: Endpoints, serializer: str, garbage: bytes
) -> None:
    bystander = await join(endpoints, "websocket", serializer="cbor")
    client = await RawSocketClient.open(endpoints.ports["rawsocket"], serializer)
    codec = _native.Codec(serializer)  # type: ignore[arg-type]
    client.writer.write(rs_frame(codec.encode(_native.Hello("realm1", HELLO[2]))))  # type: ignore[arg-type]
    assert isinstance(codec.decode(await read_frame(client.reader)), _native.Welcome)
    client.writer.write(rs_frame(garbage))
    abort = codec.decode(await read_frame(client.reader))
    assert isinstance(abort, _native.Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    await until_closed(client.reader)
    client.writer.close()
    await healthy(bystander, 1)
    await bystander.close()


async def test_websocket_framing_violation_is_closed_with_1002(endpoints: Endpoints) -> None:
    bystander = await join(endpoints)
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", endpoints.ports["universal"]))
    request, _ = _native.websocket_request("127.0.0.1", "/ws", ["wamp.2.json"])
    writer.write(request)
    response = b""
    while b"\r\n\r\n" not in response:
        response += await wait(reader.read(4096))
    assert response.startswith(b"HTTP/1.1 101")
    writer.write(b"\x81\x05hello")  # a client frame without a mask
    data = await until_closed(reader)
    assert data[:1] == b"\x88"  # a close frame
    assert int.from_bytes(data[2:4], "big") == 1002
    writer.close()
    await healthy(bystander, 1)
    await bystander.close()


async def test_connections_cut_at_every_stage_leave_no_session_behind(
    endpoints: Endpoints,
) -> None:
    watcher = await join(endpoints, "websocket")
    hello = rs_frame(json.dumps(HELLO).encode())
    stages = [b"", rs_hello()[:2], rs_hello(), rs_hello() + hello[:3], rs_hello() + hello[:9]]
    for round_ in range(4):
        for stage in stages:
            _, writer = await wait(
                asyncio.open_connection("127.0.0.1", endpoints.ports["rawsocket"])
            )
            writer.write(stage)
            await writer.drain()
            if round_ % 2:
                writer.transport.abort()
            else:
                writer.close()
        joined = await RawSocketClient.open(endpoints.ports["universal"])
        await joined.join()
        sock = joined.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        joined.writer.transport.abort()  # a reset, not a FIN
    for _ in range(50):
        if await wait(watcher.call("wamp.session.count")) == 1:
            break
        await asyncio.sleep(0.02)
    await healthy(watcher, 1)
    await watcher.close()


@pytest.mark.parametrize(
    ("listener", "sent"),
    [
        ("universal", b""),  # connects and says nothing
        ("universal", b"\x16\x03\x01\x02\x00\x01"),  # TLS to a plain port, incomplete
        ("websocket", b"GET /ws HTTP/1.1\r\nHost: x\r\n"),  # a request head never finished
        ("rawsocket", b"\x7f"),  # half a RawSocket handshake
        ("rawsocket", rs_hello()),  # a finished handshake, then no HELLO
        ("rawsocket", rs_hello() + rs_frame(b"[1, ")),  # a HELLO never finished
    ],
    ids=["silent", "tls-hello", "http-head", "half-handshake", "no-hello", "half-hello"],
)
async def test_connections_that_do_not_join_in_time_are_dropped(
    small_endpoints: Endpoints, listener: str, sent: bytes
) -> None:
    loop = asyncio.get_running_loop()
    reader, writer = await wait(
        asyncio.open_connection("127.0.0.1", small_endpoints.ports[listener])
    )
    started = loop.time()
    writer.write(sent)
    await until_closed(reader)
    assert loop.time() - started < SHORT_HANDSHAKE * 2 + 1.0
    writer.close()


async def test_joined_sessions_outlive_the_handshake_timeout(small_endpoints: Endpoints) -> None:
    peer = await join(small_endpoints, "universal-websocket")
    client = await RawSocketClient.open(small_endpoints.ports["rawsocket"])
    await client.join()
    await asyncio.sleep(SHORT_HANDSHAKE * 2)
    await healthy(peer, 2)
    client.writer.write(rs_frame(json.dumps([48, 9, {}, "wamp.session.count"]).encode()))
    assert json.loads(await read_frame(client.reader)) == [50, 9, {}, [2]]
    client.writer.close()
    await peer.close()


async def test_slow_consumer_is_dropped_and_the_others_get_everything(
    small_endpoints: Endpoints,
) -> None:
    watcher = await join(small_endpoints, "websocket")
    leaves = Collector()
    await wait(watcher.subscribe(leaves, "wamp.session.on_leave"))
    fast = await join(small_endpoints, "rawsocket", serializer="msgpack")
    events = Collector()
    await wait(fast.subscribe(events, "com.flood"))
    # a subscriber with a tiny receive window that stops reading after SUBSCRIBED
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await wait(
        asyncio.get_running_loop().sock_connect(
            sock, ("127.0.0.1", small_endpoints.ports["rawsocket"])
        )
    )
    reader, writer = await asyncio.open_connection(sock=sock)
    slow = RawSocketClient(reader, writer)
    writer.write(rs_hello("json"))
    await wait(reader.readexactly(4))
    slow_id = await slow.join()
    writer.write(rs_frame(json.dumps([32, 1, {}, "com.flood"]).encode()))
    assert json.loads(await read_frame(reader))[0] == 33

    publisher = await join(small_endpoints, "rawsocket", serializer="msgpack")
    chunk = "x" * 3000
    sent = 0
    while not leaves.items and sent < 8000:  # at most 24 MB
        for _ in range(100):
            publisher.publish("com.flood", sent, chunk)
            sent += 1
        await wait(publisher.publish("com.flood", -1, options=PublishOptions(acknowledge=True)))
    [(args, _)] = await leaves.count(1)
    assert args[0] == slow_id
    assert len(await events.count(sent + sent // 100)) == sent + sent // 100
    assert publisher.is_attached() and fast.is_attached()
    writer.close()
    await asyncio.gather(watcher.close(), fast.close(), publisher.close())


# -- messages a recipient cannot take -------------------------------------------------


async def test_value_a_subscriber_serializer_cannot_encode(endpoints: Endpoints) -> None:
    """NaN exists in msgpack and CBOR but not in JSON: the JSON subscriber misses that one
    event; the publisher and the other subscribers are not affected."""
    pub = await join(endpoints, "rawsocket", serializer="msgpack")
    json_sub = await join(endpoints, "websocket", serializer="json")
    json_rs_sub = await join(endpoints, "rawsocket", serializer="json")
    cbor_sub = await join(endpoints, "websocket", serializer="cbor")
    got = {name: Collector() for name in ("json", "json-rs", "cbor")}
    await wait(json_sub.subscribe(got["json"], "com.float"))
    await wait(json_rs_sub.subscribe(got["json-rs"], "com.float"))
    await wait(cbor_sub.subscribe(got["cbor"], "com.float"))
    ack = PublishOptions(acknowledge=True)
    await wait(pub.publish("com.float", float("nan"), options=ack))
    await wait(pub.publish("com.float", 1.5, options=ack))
    [(first, _), (second, _)] = await got["cbor"].count(2)
    assert math.isnan(first[0]) and second == (1.5,)
    assert [a for a, _ in await got["json"].count(1)] == [(1.5,)]
    assert [a for a, _ in await got["json-rs"].count(1)] == [(1.5,)]
    # a lone JSON recipient (the single-recipient path) is spared the same way
    callee = await join(endpoints, "websocket", serializer="json")
    await wait(callee.register(lambda x: x, "com.echo"))
    with pytest.raises(SerializationError, match="NaN"):  # Autobahn's class for invalid_payload
        await wait(pub.call("com.echo", float("nan")))
    assert await wait(pub.call("com.echo", 2.5)) == 2.5
    for peer in (pub, json_sub, json_rs_sub, cbor_sub, callee):
        assert peer.is_attached()
        await peer.close()


async def small_peer(endpoints: Endpoints, limit: int = 1024) -> RawPeer:
    """A bare peer that announces a RawSocket limit of ``limit`` bytes."""
    peer = RawPeer()
    url = f"rs://127.0.0.1:{endpoints.ports['rawsocket']}"
    await connect(url, peer, serializers=("msgpack",), max_message_size=limit)
    await peer.join()
    return peer


async def test_event_larger_than_a_subscriber_accepts(endpoints: Endpoints) -> None:
    small = await small_peer(endpoints)
    small.send(_native.Subscribe(1, {}, "com.size"))
    subscription = (await small.next(_native.Subscribed)).subscription
    big_sub = await join(endpoints, "rawsocket", serializer="msgpack")
    events = Collector()
    await wait(big_sub.subscribe(events, "com.size"))
    pub = await join(endpoints, "websocket", serializer="msgpack")
    await wait(pub.publish("com.size", "x" * 2000, options=PublishOptions(acknowledge=True)))
    await wait(pub.publish("com.size", "small", options=PublishOptions(acknowledge=True)))
    event = await small.next(_native.Event)
    assert (event.subscription, event.args) == (subscription, ["small"])
    assert [a[0][:5] for a, _ in await events.count(2)] == ["xxxxx", "small"]
    small.close()
    await big_sub.close()
    await pub.close()


async def test_call_answers_larger_than_the_peer_accepts(endpoints: Endpoints) -> None:
    small = await small_peer(endpoints)
    callee = await join(endpoints, "websocket", serializer="msgpack")
    await wait(callee.register(lambda n: "y" * n, "com.bytes"))
    small.send(_native.Call(1, {}, "com.bytes", [2000]))
    error = await small.next(_native.Error)
    assert (error.request_id, error.error) == (1, "wamp.error.payload_size_exceeded")
    small.send(_native.Call(2, {}, "com.bytes", [10]))
    assert (await small.next(_native.Result)).args == ["y" * 10]

    # as callee: an invocation too large for it fails the call, the callee stays
    small.send(_native.Register(3, {}, "com.small"))
    await small.next(_native.Registered)
    caller = await join(endpoints, "rawsocket", serializer="cbor")
    # Autobahn raises its PayloadExceededError for wamp.error.payload_size_exceeded
    with pytest.raises(PayloadExceededError, match="exceeds the peer's maximum"):
        await wait(caller.call("com.small", "z" * 2000))
    reply = asyncio.ensure_future(caller.call("com.small", "fits"))
    invocation = await small.next(_native.Invocation)
    assert invocation.args == ["fits"]
    small.send(_native.Yield(invocation.request_id, {}, ["done"]))
    assert await wait(reply) == "done"
    small.close()
    await callee.close()
    await caller.close()


async def test_sessions_over_the_limit_are_aborted_and_the_others_kept(
    small_router: Router, small_endpoints: Endpoints
) -> None:
    small_router.config.limits.max_sessions = 2
    first = await join(small_endpoints, "universal-websocket")
    second = await join(small_endpoints, "universal-rawsocket")
    client = await RawSocketClient.open(small_endpoints.ports["rawsocket"])
    abort = json.loads(await read_frame(client.reader))
    assert abort[0] == 3 and abort[2] == MAX_SESSIONS
    assert "at most 2 sessions" in abort[1]["message"]
    await until_closed(client.reader)
    client.writer.close()
    await healthy(first, 2)
    await second.close()
    while len(small_router.connections) >= 2:  # the router saw the second one go
        await asyncio.sleep(0.01)
    third = await join(small_endpoints, "universal-rawsocket")  # a place is free again
    await healthy(third, 2)
    await third.close()
    await first.close()
