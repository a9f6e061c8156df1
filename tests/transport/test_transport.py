"""asyncio transports over real sockets: every kind, serializer and address family."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from pywamp import _native
from pywamp.exception import HandshakeError, ProtocolError
from pywamp.transport import WampTransport, connect, listen

SERIALIZERS = ["json", "msgpack", "cbor"]


class Recorder:
    """A handler that keeps what happens to it; as a server it echoes every message."""

    def __init__(self, echo: bool = False) -> None:
        self.echo = echo
        self.transport: WampTransport | None = None
        self.messages: list[Any] = []
        self.violations: list[ProtocolError] = []
        self.closed: asyncio.Future[BaseException | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.arrived = asyncio.Event()

    def transport_open(self, transport: WampTransport) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        self.messages.append(message)
        self.arrived.set()
        if self.echo and self.transport is not None:
            self.transport.send(message)

    def protocol_violation(self, error: ProtocolError) -> None:
        self.violations.append(error)
        assert self.transport is not None
        self.transport.send(_native.Abort({}, "wamp.error.protocol_violation", [str(error)]))
        self.transport.close()

    def transport_closed(self, error: BaseException | None) -> None:
        if not self.closed.done():
            self.closed.set_result(error)

    async def wait_for(self, count: int) -> list[Any]:
        while len(self.messages) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)
        return self.messages


def sample_messages() -> list[Any]:
    return [
        _native.Hello("realm1", {"roles": {"caller": {}}}),
        _native.Call(1, {}, "com.example.add", [2, 3]),
        _native.Publish(
            2, {"acknowledge": True}, "com.example.topic", ["x" * 70000], {"b": b"\x00\x01"}
        ),
        _native.Yield(3, {}, [], {"k": 1.5}),
    ]


async def echo_round_trip(url: str, kind: str, serializer: str, **listen_args: Any) -> None:
    servers: list[Recorder] = []

    def make() -> Recorder:
        servers.append(Recorder(echo=True))
        return servers[-1]

    server = await listen(kind, make, **listen_args)
    try:
        if "{port}" in url:
            url = url.format(port=server.sockets[0].getsockname()[1])
        client = Recorder()
        transport = await connect(url, client, serializers=[serializer])
        assert transport.info.serializer == serializer
        for message in sample_messages():
            transport.send(message)
        assert await client.wait_for(4) == sample_messages()
        transport.close()
        await asyncio.wait_for(client.closed, 5)
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("serializer", SERIALIZERS)
@pytest.mark.parametrize(
    ("kind", "scheme"),
    [("rawsocket", "rs"), ("websocket", "ws"), ("universal", "rs"), ("universal", "ws")],
)
async def test_echo_over_tcp(kind: str, scheme: str, serializer: str) -> None:
    await echo_round_trip(f"{scheme}://127.0.0.1:{{port}}/ws", kind, serializer)


@pytest.mark.parametrize("serializer", SERIALIZERS)
async def test_echo_over_unix_socket(tmp_path: Path, serializer: str) -> None:
    path = str(tmp_path / "router.sock")
    await echo_round_trip(f"unix:{path}", "rawsocket", serializer, socket_path=path, host=None)


@pytest.fixture(scope="module")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx


@pytest.mark.parametrize(("kind", "scheme"), [("rawsocket", "rss"), ("websocket", "wss")])
async def test_echo_over_tls(
    tls: tuple[ssl.SSLContext, ssl.SSLContext], kind: str, scheme: str
) -> None:
    server_ctx, client_ctx = tls
    server = await listen(kind, lambda: Recorder(echo=True), ssl=server_ctx)
    try:
        port = server.sockets[0].getsockname()[1]
        client = Recorder()
        transport = await connect(f"{scheme}://127.0.0.1:{port}/", client, ssl=client_ctx)
        assert transport.info.is_secure
        transport.send(_native.Call(7, {}, "com.tls"))
        assert await client.wait_for(1) == [_native.Call(7, {}, "com.tls")]
        transport.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_tcp_nodelay_is_set() -> None:
    server = await listen("rawsocket", lambda: Recorder(echo=True))
    try:
        port = server.sockets[0].getsockname()[1]
        transport = await connect(f"rs://127.0.0.1:{port}", Recorder())
        sock = transport.transport.get_extra_info("socket")  # type: ignore[union-attr]
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        transport.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_unsupported_serializer_is_refused() -> None:
    server = await listen("rawsocket", lambda: Recorder(echo=True), serializers=["cbor"])
    try:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(HandshakeError) as info:
            await connect(f"rs://127.0.0.1:{port}", Recorder(), serializers=["json"])
        assert info.value.code == 1
    finally:
        server.close()
        await server.wait_closed()


async def test_a_router_answering_with_another_serializer_is_refused() -> None:
    async def answer_cbor(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(4)
        writer.write(_native.rawsocket_handshake(3, 1 << 20))
        await writer.drain()
        await reader.read()
        writer.close()

    server = await asyncio.start_server(answer_cbor, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(HandshakeError) as info:
            await connect(f"rs://127.0.0.1:{port}", Recorder(), serializers=["json"])
        assert str(info.value) == "router answered with serializer 3, asked for json"
    finally:
        server.close()
        await server.wait_closed()


async def test_websocket_wrong_path_and_no_common_subprotocol() -> None:
    server = await listen(
        "websocket", lambda: Recorder(echo=True), path="/ws", serializers=["cbor"]
    )
    try:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(HandshakeError) as info:
            await connect(f"ws://127.0.0.1:{port}/other", Recorder())
        assert info.value.code == 404
        with pytest.raises(HandshakeError) as info:
            await connect(f"ws://127.0.0.1:{port}/ws", Recorder(), serializers=["json"])
        assert info.value.code == 400
    finally:
        server.close()
        await server.wait_closed()


async def test_garbage_closes_only_that_connection() -> None:
    server = await listen("universal", lambda: Recorder(echo=True))
    try:
        port = server.sockets[0].getsockname()[1]
        healthy = Recorder()
        transport = await connect(f"rs://127.0.0.1:{port}", healthy, serializers=["msgpack"])
        for garbage in (
            b"\x7f\xf9\x00\x00",
            b"GET / HTTP/1.1\r\n\r\n",
            b"\x7f\x12\x00\x00\xff\xff\xff\xff",
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(garbage)
            await writer.drain()
            await asyncio.wait_for(reader.read(), 5)  # the router closes it
            writer.close()
        transport.send(_native.Call(1, {}, "com.still.alive"))
        assert await healthy.wait_for(1) == [_native.Call(1, {}, "com.still.alive")]
        transport.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_protocol_violation_reaches_the_handler_after_earlier_messages() -> None:
    servers: list[Recorder] = []

    def make() -> Recorder:
        servers.append(Recorder())
        return servers[-1]

    server = await listen("rawsocket", make, serializers=["json"])
    try:
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_native.rawsocket_handshake(1, 1 << 20))
        assert len(await reader.readexactly(4)) == 4
        stream = _native.RawSocket("json")
        good = stream.send(_native.Call(1, {}, "com.ok"))
        bad = stream.frame(b'[48, 0, {}, "com.bad"]')  # request id 0 is not an id
        writer.write(good + bad)
        await writer.drain()
        answer = stream.feed(await asyncio.wait_for(reader.read(), 5))
        assert answer[0].reason == "wamp.error.protocol_violation"
        assert servers[0].messages == [_native.Call(1, {}, "com.ok")]
        assert "request_id" in str(servers[0].violations[0])
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
