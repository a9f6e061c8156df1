"""RawSocket: the handshake per the spec's tables, negotiation over real sockets (also with
Autobahn's RawSocket protocols as the peer), and the frame stream under any chunking."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from autobahn.asyncio import rawsocket as ab_rawsocket
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_payloads import RAWSOCKET_IDS, SERIALIZERS, decoded, publish, publish_of_length, sendable

from pywamp import _native
from pywamp.exception import HandshakeError, ProtocolError, TransportError

MiB = 1 << 20


def header(frame_type: int, length: int) -> bytes:
    """A frame header written from the spec: RRRR XTTT + 24-bit big-endian length."""
    x = 0x08 if length == 1 << 24 else 0
    return bytes([x | frame_type]) + struct.pack(">I", length & 0xFFFFFF)[1:]


# --- handshake ------------------------------------------------------------------------


@pytest.mark.parametrize("serializer_id", [1, 2, 3, 4, 5, 15])
@pytest.mark.parametrize("exponent", range(16))
def test_handshake_bytes_follow_the_spec_table(serializer_id: int, exponent: int) -> None:
    length = 2 ** (exponent + 9)
    expected = bytes([0x7F, (exponent << 4) | serializer_id, 0, 0])
    assert _native.rawsocket_handshake(serializer_id, length) == expected
    assert _native.rawsocket_parse_handshake(expected) == (serializer_id, length)


@pytest.mark.parametrize(
    ("max_receive", "octet"),
    [(0, 0x01), (1, 0x01), (512, 0x01), (513, 0x11), (1000, 0x11), (65536, 0x71),
     (65537, 0x81), (16 * MiB, 0xF1), (16 * MiB + 1, 0xF1), (2**40, 0xF1)],
)  # fmt: skip
def test_handshake_rounds_the_length_up(max_receive: int, octet: int) -> None:
    assert _native.rawsocket_handshake(1, max_receive) == bytes([0x7F, octet, 0, 0])


def test_handshake_arguments_are_checked() -> None:
    for bad in (0, 16, 255):
        with pytest.raises(ValueError, match="serializer id"):
            _native.rawsocket_handshake(bad, 1024)
    with pytest.raises(ValueError, match="error code"):
        _native.rawsocket_error(0)
    assert 16 * MiB == _native.RAWSOCKET_MAX_LENGTH


@pytest.mark.parametrize("code", [1, 2, 3, 4])
def test_error_replies(code: int) -> None:
    reply = _native.rawsocket_error(code)
    assert reply == bytes([0x7F, code << 4, 0, 0])
    with pytest.raises(HandshakeError) as info:
        _native.rawsocket_parse_handshake(reply)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("data", "code", "match"),
    [
        (b"GET ", None, "0x7f"),
        (b"\x7f\x21\x00\x01", 3, "reserved"),
        (b"\x7f\x21\x01\x00", 3, "reserved"),
        (b"\x7f\x00\x00\x00", None, "illegal"),
        (b"\x7f\x21\x00", None, "4 octets"),
        (b"\x7f\x21\x00\x00\x00", None, "4 octets"),
    ],
)
def test_parse_handshake_refuses(data: bytes, code: int | None, match: str) -> None:
    with pytest.raises(HandshakeError, match=match) as info:
        _native.rawsocket_parse_handshake(data)
    assert info.value.code == code


class Router:
    """A RawSocket router on 127.0.0.1 that negotiates with the native handshake functions."""

    def __init__(self, *, min_length: int = 1024, max_connections: int = 1) -> None:
        self.min_length = min_length
        self.max_connections = max_connections
        self.connections = 0
        self.received: list[Any] = []

    def reply(self, hello: bytes) -> tuple[bytes, str | None]:
        """The answer to a client's hello, and the serializer agreed on (None: refused)."""
        try:
            serializer_id, max_length = _native.rawsocket_parse_handshake(hello)
        except HandshakeError as e:
            return _native.rawsocket_error(3 if e.code == 3 else 1), None
        names = {v: k for k, v in RAWSOCKET_IDS.items()}
        if serializer_id not in names:
            return _native.rawsocket_error(1), None
        if max_length < self.min_length:
            return _native.rawsocket_error(2), None
        if self.connections >= self.max_connections:
            return _native.rawsocket_error(4), None
        return _native.rawsocket_handshake(serializer_id, 64 * 1024), names[serializer_id]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answer, serializer = self.reply(await reader.readexactly(4))
        writer.write(answer)
        if serializer is None:
            writer.close()
            return
        self.connections += 1
        stream = _native.RawSocket(serializer, max_receive=64 * 1024)  # type: ignore[arg-type]
        try:
            while data := await reader.read(65536):
                for item in stream.feed(data):
                    if isinstance(item, _native.Ping):
                        writer.write(stream.pong(item.payload))
                    else:
                        self.received.append(item)
                        writer.write(stream.send(item))  # echo
        finally:
            writer.close()


async def serve(router: Router) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(router.handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def hello(port: int, data: bytes) -> tuple[bytes, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    return await reader.readexactly(4), writer


def test_negotiation_and_every_error_reply_over_a_socket() -> None:
    async def main() -> None:
        router = Router(min_length=1024, max_connections=1)
        server, port = await serve(router)
        async with server:
            cases = [
                (_native.rawsocket_handshake(4, 1 << 20), 1),  # ubjson: unsupported
                (_native.rawsocket_handshake(1, 512), 2),  # too small for the router
                (b"\x7f\xf1\x00\x01", 3),  # reserved bits
            ]
            for data, code in cases:
                answer, writer = await hello(port, data)
                with pytest.raises(HandshakeError) as info:
                    _native.rawsocket_parse_handshake(answer)
                assert info.value.code == code
                writer.close()
            answer, first = await hello(port, _native.rawsocket_handshake(2, 1 << 20))
            assert _native.rawsocket_parse_handshake(answer) == (2, 64 * 1024)
            await asyncio.sleep(0.05)
            answer, second = await hello(port, _native.rawsocket_handshake(2, 1 << 20))
            with pytest.raises(HandshakeError) as info:
                _native.rawsocket_parse_handshake(answer)
            assert info.value.code == 4
            first.close()
            second.close()

    asyncio.run(main())


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_messages_pings_and_echo_over_a_socket(serializer: str) -> None:
    async def main() -> None:
        router = Router()
        server, port = await serve(router)
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(_native.rawsocket_handshake(RAWSOCKET_IDS[serializer], 1 << 20))
            ser_id, max_send = _native.rawsocket_parse_handshake(await reader.readexactly(4))
            assert (ser_id, max_send) == (RAWSOCKET_IDS[serializer], 64 * 1024)
            client = _native.RawSocket(serializer, max_send=max_send)  # type: ignore[arg-type]
            payloads = [
                publish(serializer, n, request_id=i + 1) for i, n in enumerate([0, 10, 50000])
            ]
            writer.write(b"".join(client.frame(p) for p in payloads) + client.ping(b"hi"))
            items: list[Any] = []
            while len(items) < 4:
                items += client.feed(await reader.read(65536))
            assert items[:3] == [decoded(serializer, p) for p in payloads]
            assert isinstance(items[3], _native.Pong) and items[3].payload == b"hi"
            assert router.received == items[:3]
            writer.close()

    asyncio.run(main())


# --- Autobahn's RawSocket protocols as the peer ------------------------------------------


class AutobahnClient(ab_rawsocket.RawSocketClientProtocol):
    """Autobahn's asyncio RawSocket client, collecting what it receives."""

    def __init__(self, serializer_id: int, done: asyncio.Future[None], expect: int) -> None:
        super().__init__()
        self._serializer_id = serializer_id
        self.done = done
        self.expect = expect
        self.strings: list[bytes] = []
        self.handshake_done = asyncio.get_running_loop().create_future()

    @property
    def serializer_id(self) -> int:
        return self._serializer_id

    def _on_handshake_complete(self) -> None:
        self.handshake_done.set_result(None)

    def stringReceived(self, data: bytes) -> None:
        self.strings.append(data)
        if len(self.strings) == self.expect:
            self.done.set_result(None)


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_autobahn_client_against_native_router(serializer: str) -> None:
    async def main() -> None:
        router = Router()
        server, port = await serve(router)
        async with server:
            loop = asyncio.get_running_loop()
            done: asyncio.Future[None] = loop.create_future()
            payloads = [
                publish(serializer, n, request_id=i + 1) for i, n in enumerate([1, 300, 40000])
            ]
            _, proto = await loop.create_connection(
                lambda: AutobahnClient(RAWSOCKET_IDS[serializer], done, len(payloads)),
                "127.0.0.1",
                port,
            )
            await asyncio.wait_for(proto.handshake_done, 5)
            assert proto.max_length_send == 64 * 1024  # from our reply
            for p in payloads:
                proto.sendString(p)
            await asyncio.wait_for(done, 5)
            # The router decoded Autobahn's frames and echoed them in frames Autobahn reads.
            assert router.received == [decoded(serializer, p) for p in payloads]
            assert [decoded(serializer, s) for s in proto.strings] == router.received
            proto.transport.close()

    asyncio.run(main())


class AutobahnServer(ab_rawsocket.RawSocketServerProtocol):
    """Autobahn's asyncio RawSocket server speaking json/msgpack/cbor, echoing strings."""

    def supports_serializer(self, ser_id: int) -> bool:
        return ser_id in (1, 2, 3)

    def _on_handshake_complete(self) -> None:
        pass

    def stringReceived(self, data: bytes) -> None:
        self.sendString(data)


def test_native_client_against_autobahn_server() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(AutobahnServer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            # Autobahn refuses ubjson with error reply 1.
            answer, writer = await hello(port, _native.rawsocket_handshake(4, 1 << 20))
            with pytest.raises(HandshakeError) as info:
                _native.rawsocket_parse_handshake(answer)
            assert info.value.code == 1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(_native.rawsocket_handshake(2, 1 << 20))
            ser_id, max_send = _native.rawsocket_parse_handshake(await reader.readexactly(4))
            assert (ser_id, max_send) == (2, 16 * MiB)
            client = _native.RawSocket("msgpack", max_send=max_send)
            payloads = [publish("msgpack", n, request_id=i + 1) for i, n in enumerate([5, 70000])]
            for p in payloads:
                writer.write(client.send(sendable("msgpack", p)))
            items: list[Any] = []
            while len(items) < 2:
                items += client.feed(await reader.read(65536))
            assert items == [decoded("msgpack", p) for p in payloads]
            writer.close()

    asyncio.run(main())


# --- the frame stream ---------------------------------------------------------------------


def conversation(serializer: str) -> tuple[bytes, list[Any]]:
    """A byte stream of messages and control frames, and the items it must yield."""
    sender = _native.RawSocket(serializer)  # type: ignore[arg-type]
    payloads = [publish(serializer, n, request_id=i + 1) for i, n in enumerate([0, 3, 600, 5000])]
    data = (
        sender.frame(payloads[0])
        + sender.ping(b"")
        + sender.frame(payloads[1])
        + sender.pong(b"pong!")
        + sender.frame(payloads[2])
        + sender.ping(b"\x00" * 100)
        + sender.frame(payloads[3])
    )
    return data, payloads


def check_items(serializer: str, items: list[Any], payloads: list[bytes]) -> None:
    messages = [decoded(serializer, p) for p in payloads]
    assert items[0] == messages[0]
    assert isinstance(items[1], _native.Ping) and items[1].payload == b""
    assert items[2] == messages[1]
    assert isinstance(items[3], _native.Pong) and items[3].payload == b"pong!"
    assert items[4] == messages[2]
    assert isinstance(items[5], _native.Ping) and items[5].payload == b"\x00" * 100
    assert items[6] == messages[3]
    assert len(items) == 7


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_feed_one_byte_at_a_time(serializer: str) -> None:
    data, payloads = conversation(serializer)
    stream = _native.RawSocket(serializer)  # type: ignore[arg-type]
    items: list[Any] = []
    for i in range(len(data)):
        items += stream.feed(data[i : i + 1])
    check_items(serializer, items, payloads)
    assert stream.feed(b"") == []


def splits(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    start = 0
    for p in [*points, len(data)]:
        yield data[start:p]
        start = p


@settings(max_examples=200, deadline=None)
@given(serializer=st.sampled_from(SERIALIZERS), cuts=st.lists(st.integers(0, 10**6), max_size=20))
def test_any_split_yields_the_same_items(serializer: str, cuts: list[int]) -> None:
    data, payloads = conversation(serializer)
    stream = _native.RawSocket(serializer)  # type: ignore[arg-type]
    items: list[Any] = []
    for chunk in splits(data, cuts):
        items += stream.feed(chunk)
    check_items(serializer, items, payloads)


def test_ping_is_an_event_and_pong_echoes_it() -> None:
    stream = _native.RawSocket("json")
    ping = header(1, 5) + b"hello"
    assert stream.ping(b"hello") == ping
    [event] = stream.feed(ping)
    assert isinstance(event, _native.Ping)
    assert event.payload == b"hello"
    pong = stream.pong(event.payload)
    assert pong == header(2, 5) + b"hello"
    [answer] = _native.RawSocket("json").feed(pong)
    assert isinstance(answer, _native.Pong) and answer.payload == b"hello"
    assert stream.ping() == header(1, 0)


def test_oversize_is_refused_from_the_header_alone() -> None:
    stream = _native.RawSocket("json", max_receive=1024)
    ok = publish_of_length("json", 1024)
    assert stream.feed(stream.frame(ok)) == [decoded("json", ok)]
    # Only the 4 header octets arrive: the announced length alone is refused.
    with pytest.raises(TransportError, match="1025 octets exceeds the maximum of 1024") as info:
        stream.feed(header(0, 1025))
    assert info.value.messages == []
    # The stream stays failed.
    with pytest.raises(TransportError):
        stream.feed(stream.frame(ok))


def test_sixteen_mib_uses_the_x_bit() -> None:
    big = publish_of_length("json", 16 * MiB)
    stream = _native.RawSocket("json")
    framed = stream.frame(big)
    assert framed[:4] == b"\x08\x00\x00\x00"
    assert framed[4:] == big
    items: list[Any] = []
    for i in range(0, len(framed), MiB):
        items += stream.feed(framed[i : i + MiB])
    assert items == [decoded("json", big)]
    with pytest.raises(ProtocolError, match="exceeds"):
        stream.frame(big + b" ")
    # 16 MiB - 1 keeps the X bit clear.
    assert stream.frame(big[:-1])[:4] == b"\x00\xff\xff\xff"
    # X with a non-zero length is invalid, and over 16 MiB can never be announced.
    with pytest.raises(TransportError, match="25th length bit"):
        _native.RawSocket("json").feed(b"\x08\x00\x00\x01")
    with pytest.raises(TransportError, match="exceeds"):
        _native.RawSocket("json", max_receive=16 * MiB - 1).feed(b"\x08\x00\x00\x00")


@pytest.mark.parametrize("first", [0x03, 0x04, 0x07, 0x10, 0x80, 0xF0])
def test_reserved_types_and_bits_fail(first: int) -> None:
    with pytest.raises(TransportError, match="reserved") as info:
        _native.RawSocket("json").feed(bytes([first, 0, 0, 0]))
    assert info.value.close_code is None


def test_error_keeps_the_items_decoded_before_it() -> None:
    payload = publish("cbor", 7)
    stream = _native.RawSocket("cbor")
    with pytest.raises(TransportError) as info:
        stream.feed(stream.frame(payload) + stream.ping(b"p") + b"\x05\x00\x00\x00")
    first, ping = info.value.messages
    assert first == decoded("cbor", payload)
    assert isinstance(ping, _native.Ping) and ping.payload == b"p"


def test_send_limits_and_attributes() -> None:
    stream = _native.RawSocket("msgpack", max_receive=4096, max_send=600)
    assert (stream.serializer, stream.max_receive, stream.max_send) == ("msgpack", 4096, 600)
    payload = publish("msgpack", 100)
    [item] = _native.RawSocket("msgpack").feed(stream.send(sendable("msgpack", payload)))
    assert item == decoded("msgpack", payload)
    with pytest.raises(ProtocolError, match="exceeds the peer's maximum of 600"):
        stream.send(sendable("msgpack", publish("msgpack", 1000)))
    with pytest.raises(ProtocolError):
        stream.ping(b"x" * 601)
    for bad in ({"max_receive": 0}, {"max_send": 16 * MiB + 1}):
        with pytest.raises(ValueError):
            _native.RawSocket("json", **bad)
    with pytest.raises(ValueError, match="serializer"):
        _native.RawSocket("ubjson")  # type: ignore[arg-type]
