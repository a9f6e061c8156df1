"""WebSocket against the real `websockets` package over 127.0.0.1: its client against a
server built from the native handshake and stream, and its server against our client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
from wamp_payloads import SUBPROTOCOLS, decoded, publish, same_message, sendable
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from pywamp import _native
from pywamp.exception import HandshakeError, TransportError

SERIALIZER_OF = {v: k for k, v in SUBPROTOCOLS.items()}
MiB = 1 << 20


def run(coro: Coroutine[Any, Any, None]) -> None:
    """Run one test scenario with a deadline, so a broken peer fails instead of hanging."""

    async def bounded() -> None:
        await asyncio.wait_for(coro, 20)

    asyncio.run(bounded())


# --- the `websockets` client against a native server ---------------------------------------


class NativeServer:
    """A WAMP WebSocket server made of the native handshake functions and stream.

    It echoes messages, answers pings, records events, and can ping or close first.
    """

    def __init__(
        self,
        speaks: tuple[str, ...] = ("wamp.2.cbor", "wamp.2.msgpack", "wamp.2.json"),
        *,
        ping_first: bytes | None = None,
        close_after: int | None = None,
    ) -> None:
        self.speaks = speaks
        self.ping_first = ping_first
        self.close_after = close_after
        self.events: list[Any] = []
        self.errors: list[TransportError] = []
        self.port = 0

    async def __aenter__(self) -> NativeServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self.session(reader, writer)
        finally:
            writer.close()

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = b""
        try:
            while (parsed := _native.websocket_parse_request(buffer)) is None:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                buffer += chunk
        except HandshakeError as e:
            writer.write(_native.websocket_reject(e.code or 400, str(e)))
            return
        request, consumed = parsed
        chosen = next((p for p in request.protocols if p in self.speaks), None)
        if chosen is None:
            writer.write(_native.websocket_reject(400, "no WAMP subprotocol in common"))
            return
        writer.write(_native.websocket_accept(request, chosen))
        serializer: Any = SERIALIZER_OF[chosen]
        ws = _native.WebSocket(serializer, client=False, max_message_size=64 * MiB)
        if self.ping_first is not None:
            writer.write(ws.ping(self.ping_first))
        data = buffer[consumed:]
        messages = 0
        while True:
            try:
                items = ws.feed(data)
            except TransportError as e:
                self.errors.append(e)
                writer.write(ws.close(e.close_code, "protocol violation"))
                return
            for item in items:
                self.events.append(item)
                if isinstance(item, _native.Ping):
                    writer.write(ws.pong(item.payload))
                elif isinstance(item, _native.Close):
                    writer.write(ws.close(item.code, item.reason))
                    await writer.drain()
                    return
                elif not isinstance(item, _native.Pong):
                    writer.write(ws.send(item))
                    messages += 1
                    if messages == self.close_after:
                        writer.write(ws.close(4000, "done"))
            await writer.drain()
            data = await reader.read(65536)
            if not data:
                return


def ws_connect(server: NativeServer, *protocols: str) -> Any:
    """The `websockets` client connecting to ``server``, offering ``protocols``."""
    return connect(server.url, subprotocols=list(protocols), max_size=None)


@pytest.mark.parametrize("serializer", ["json", "msgpack", "cbor"])
def test_websockets_client_text_and_binary_messages(serializer: str) -> None:
    async def main() -> None:
        server = NativeServer()
        async with server, ws_connect(server, SUBPROTOCOLS[serializer]) as conn:
            assert conn.subprotocol == SUBPROTOCOLS[serializer]
            for i, size in enumerate([0, 125, 126, 65535, 65536, 3 * MiB]):
                payload = publish(serializer, size, request_id=i + 1)
                await conn.send(payload.decode() if serializer == "json" else payload)
                echo = await conn.recv()
                # JSON goes in text frames (str), msgpack and cbor in binary frames.
                assert isinstance(echo, str if serializer == "json" else bytes)
                raw = echo.encode() if isinstance(echo, str) else echo
                assert same_message(serializer, raw, payload)
        assert server.events[:6] == [
            decoded(serializer, publish(serializer, n, request_id=i + 1))
            for i, n in enumerate([0, 125, 126, 65535, 65536, 3 * MiB])
        ]

    run(main())


def test_websockets_client_fragmented_messages() -> None:
    async def main() -> None:
        text = publish("json", 5000).decode()
        binary = publish("msgpack", 5000)
        async with NativeServer() as server:
            async with ws_connect(server, "wamp.2.json") as conn:
                await conn.send(iter([text[:1], text[1:2000], "", text[2000:]]))
                assert same_message("json", (await conn.recv()).encode(), text.encode())
            async with ws_connect(server, "wamp.2.msgpack") as conn:
                await conn.send(iter([binary[:3], binary[3:]]))
                assert same_message("msgpack", await conn.recv(), binary)
        assert decoded("json", text.encode()) in server.events
        assert decoded("msgpack", binary) in server.events

    run(main())


def test_websockets_client_ping_pong_both_ways() -> None:
    async def main() -> None:
        server = NativeServer(ping_first=b"from-server")
        async with server, ws_connect(server, "wamp.2.json") as conn:
            waiter = await conn.ping(b"from-client")
            await asyncio.wait_for(waiter, 5)
            # A message round trip makes sure the server has seen the client's pong.
            await conn.send(publish("json").decode())
            await conn.recv()
        pings = [e for e in server.events if isinstance(e, _native.Ping)]
        pongs = [e for e in server.events if isinstance(e, _native.Pong)]
        assert [p.payload for p in pings] == [b"from-client"]
        assert [p.payload for p in pongs] == [b"from-server"]

    run(main())


def test_websockets_client_close_handshake() -> None:
    async def main() -> None:
        async with NativeServer() as server:
            async with ws_connect(server, "wamp.2.json") as conn:
                await conn.close(1000, "bye")
                assert (conn.close_code, conn.close_reason) == (1000, "bye")
            closes = [e for e in server.events if isinstance(e, _native.Close)]
            assert [(c.code, c.reason) for c in closes] == [(1000, "bye")]

            # The server closes first with 4000 after one message.
            server.close_after = 1
            async with ws_connect(server, "wamp.2.json") as conn:
                await conn.send(publish("json").decode())
                await conn.recv()
                with pytest.raises(ConnectionClosedError) as info:
                    await conn.recv()
                assert info.value.rcvd is not None
                assert (info.value.rcvd.code, info.value.rcvd.reason) == (4000, "done")

    run(main())


def test_websockets_client_subprotocol_negotiation() -> None:
    async def main() -> None:
        offered = ["wamp.2.json", "wamp.2.cbor"]
        server = NativeServer()
        async with server, ws_connect(server, *offered) as conn:
            assert conn.subprotocol == "wamp.2.json"  # the client's first choice
        async with NativeServer(speaks=("wamp.2.cbor",)) as server:
            async with ws_connect(server, *offered) as conn:
                assert conn.subprotocol == "wamp.2.cbor"
            with pytest.raises(InvalidStatus) as info:
                async with ws_connect(server, "wamp.2.msgpack"):
                    pass
            assert info.value.response.status_code == 400
            with pytest.raises(InvalidStatus) as info:
                async with ws_connect(server):
                    pass
            assert info.value.response.status_code == 400

    run(main())


def test_websockets_client_violations_close_the_connection() -> None:
    async def main() -> None:
        server = NativeServer()
        async with server, ws_connect(server, "wamp.2.msgpack") as conn:
            # `websockets` never sends invalid UTF-8 in a text frame: write one on its
            # socket (masked with a zero key), then expect its close with 1007.
            conn.transport.write(b"\x81\x82\x00\x00\x00\x00\xff\xfe")
            with pytest.raises(ConnectionClosedError) as info:
                await conn.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 1007
        assert [e.close_code for e in server.errors] == [1007]

    run(main())


# --- the native client against the `websockets` server --------------------------------------


class NativeClient:
    """A WebSocket client made of the native handshake functions and stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.ws: _native.WebSocket
        self.pending = b""
        self.protocol: str | None = None

    @classmethod
    async def connect(cls, port: int, protocols: list[str]) -> NativeClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        request, key = _native.websocket_request(f"127.0.0.1:{port}", "/ws", protocols)
        writer.write(request)
        buffer = b""
        try:
            while (answer := _native.websocket_parse_response(buffer, key, protocols)) is None:
                chunk = await reader.read(65536)
                assert chunk, "connection closed during the handshake"
                buffer += chunk
        except BaseException:
            writer.close()
            raise
        client.protocol, consumed = answer
        assert client.protocol is not None
        serializer: Any = SERIALIZER_OF[client.protocol]
        client.ws = _native.WebSocket(serializer, client=True, max_message_size=64 * MiB)
        client.pending = buffer[consumed:]
        return client

    async def items(self, count: int) -> list[Any]:
        """The next ``count`` items; pings are answered (and returned too)."""
        out: list[Any] = []
        while True:
            data, self.pending = self.pending, b""
            for item in self.ws.feed(data):
                if isinstance(item, _native.Ping):
                    self.writer.write(self.ws.pong(item.payload))
                out.append(item)
            if len(out) >= count:
                return out
            self.pending = await self.reader.read(65536)
            assert self.pending, f"connection closed after {out}"

    def close(self) -> None:
        self.writer.close()


async def echo(conn: ServerConnection) -> None:
    async for message in conn:
        await conn.send(message)


Handler = Callable[[ServerConnection], Awaitable[None]]


async def websockets_server(handler: Handler, protocols: list[str]) -> Any:
    return serve(handler, "127.0.0.1", 0, subprotocols=protocols, max_size=None)


def port_of(server: Any) -> int:
    return int(server.sockets[0].getsockname()[1])


@pytest.mark.parametrize("serializer", ["json", "msgpack", "cbor"])
def test_native_client_messages_against_websockets_server(serializer: str) -> None:
    async def main() -> None:
        async with await websockets_server(echo, [SUBPROTOCOLS[serializer]]) as server:
            client = await NativeClient.connect(port_of(server), list(SUBPROTOCOLS.values()))
            assert client.protocol == SUBPROTOCOLS[serializer]
            sizes = [0, 125, 126, 65535, 65536, 5 * MiB]
            payloads = [publish(serializer, n, request_id=i + 1) for i, n in enumerate(sizes)]
            for p in payloads:
                client.writer.write(client.ws.send(sendable(serializer, p)))
            assert await client.items(len(payloads)) == [decoded(serializer, p) for p in payloads]
            client.close()

    run(main())


def test_native_client_receives_fragmented_messages() -> None:
    text = publish("json", 3000).decode()

    async def fragments(conn: ServerConnection) -> None:
        await conn.send(iter([text[:10], text[10:20], text[20:]]))
        await conn.wait_closed()

    async def main() -> None:
        async with await websockets_server(fragments, ["wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.json"])
            assert await client.items(1) == [decoded("json", text.encode())]
            client.close()

    run(main())


def test_native_client_ping_pong_both_ways() -> None:
    async def pinger(conn: ServerConnection) -> None:
        waiter = await conn.ping(b"server-ping")
        await asyncio.wait_for(waiter, 5)  # our client answered
        await conn.send(publish("json").decode())
        await conn.wait_closed()

    async def main() -> None:
        async with await websockets_server(pinger, ["wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.json"])
            ping, message = await client.items(2)
            assert isinstance(ping, _native.Ping) and ping.payload == b"server-ping"
            assert message == decoded("json", publish("json"))
            client.writer.write(client.ws.ping(b"client-ping"))
            [pong] = await client.items(1)
            assert isinstance(pong, _native.Pong) and pong.payload == b"client-ping"
            client.close()

    run(main())


def test_native_client_close_handshake() -> None:
    closed: list[tuple[int | None, str | None]] = []

    async def record(conn: ServerConnection) -> None:
        await conn.wait_closed()
        closed.append((conn.close_code, conn.close_reason))

    async def closer(conn: ServerConnection) -> None:
        await conn.close(4001, "server done")

    async def main() -> None:
        async with await websockets_server(record, ["wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.json"])
            client.writer.write(client.ws.close(1000, "bye"))
            [close] = await client.items(1)
            assert isinstance(close, _native.Close)
            assert (close.code, close.reason) == (1000, "bye")  # the server echoes the code
            assert await client.reader.read() == b""  # then it closes TCP
            client.close()
        assert closed == [(1000, "bye")]
        async with await websockets_server(closer, ["wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.json"])
            [close] = await client.items(1)
            assert isinstance(close, _native.Close)
            assert (close.code, close.reason) == (4001, "server done")
            client.writer.write(client.ws.close(close.code))
            assert await client.reader.read() == b""
            client.close()

    run(main())


def test_native_client_subprotocol_negotiation() -> None:
    async def main() -> None:
        async with await websockets_server(echo, ["wamp.2.msgpack", "wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.cbor", "wamp.2.json"])
            assert client.protocol == "wamp.2.json"
            client.close()
            with pytest.raises(HandshakeError) as info:
                await NativeClient.connect(port_of(server), ["wamp.2.cbor"])
            assert info.value.code == 400

    run(main())


def test_native_client_text_is_json_and_checked() -> None:
    """JSON travels in text frames that the `websockets` server decodes as str."""
    received: list[Any] = []

    async def collect(conn: ServerConnection) -> None:
        received.append(await conn.recv())
        await conn.send(json.dumps([3, {}, "wamp.close.normal"]))
        await conn.wait_closed()

    async def main() -> None:
        async with await websockets_server(collect, ["wamp.2.json"]) as server:
            client = await NativeClient.connect(port_of(server), ["wamp.2.json"])
            payload = publish("json", 10)
            client.writer.write(client.ws.frame(payload))
            [abort] = await client.items(1)
            assert abort == decoded("json", b'[3, {}, "wamp.close.normal"]')
            client.close()
        assert received == [payload.decode()]

    run(main())
