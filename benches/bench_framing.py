"""Framing speed: pywamp's native RawSocket and WebSocket streams against the framing code
of Autobahn (RawSocket) and `websockets` (WebSocket), on the same bytes in the same run."""

from __future__ import annotations

import struct
from typing import Any

import pytest
import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import PrefixProtocol  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.protocol import Protocol, Side  # noqa: E402

from pywamp import _native  # noqa: E402

FRAMES = 1000
SMALL = b'[16,1,{},"com.example.topic",["hello"]]'
KB = b'[16,1,{},"com.example.topic",["' + b"x" * (1024 - 35) + b'"]]'


class AutobahnDeframer(PrefixProtocol):
    """Autobahn's asyncio RawSocket frame parser, driven without a socket."""

    def __init__(self, decode: bool) -> None:
        self._buffer = b""
        self._header = None
        self.items: list[Any] = []
        self.serializer = JsonSerializer() if decode else None

    def stringReceived(self, data: bytes) -> None:
        if self.serializer is None:
            self.items.append(data)
        else:
            self.items.extend(self.serializer.unserialize(data))

    def ping(self, data: bytes) -> None:
        self.items.append(data)


def rawsocket_buffer(kind: str) -> bytes:
    rs = _native.RawSocket("json")
    frame = rs.ping(SMALL) if kind == "ping" else rs.frame(SMALL)
    return frame * FRAMES


@pytest.mark.benchmark(group="rawsocket-deframe-1000-pings")
def test_rawsocket_deframe_pywamp(benchmark: Any) -> None:
    data = rawsocket_buffer("ping")
    items = benchmark(lambda: _native.RawSocket("json").feed(data))
    assert len(items) == FRAMES and items[0].payload == SMALL


@pytest.mark.benchmark(group="rawsocket-deframe-1000-pings")
def test_rawsocket_deframe_autobahn(benchmark: Any) -> None:
    data = rawsocket_buffer("ping")

    def run() -> list[Any]:
        proto = AutobahnDeframer(decode=False)
        proto.data_received(data)
        return proto.items

    items = benchmark(run)
    assert len(items) == FRAMES and items[0] == SMALL


@pytest.mark.benchmark(group="rawsocket-receive-1000-messages")
def test_rawsocket_receive_pywamp(benchmark: Any) -> None:
    data = rawsocket_buffer("message")
    items = benchmark(lambda: _native.RawSocket("json").feed(data))
    assert len(items) == FRAMES


@pytest.mark.benchmark(group="rawsocket-receive-1000-messages")
def test_rawsocket_receive_autobahn(benchmark: Any) -> None:
    data = rawsocket_buffer("message")

    def run() -> list[Any]:
        proto = AutobahnDeframer(decode=True)
        proto.data_received(data)
        return proto.items

    items = benchmark(run)
    assert len(items) == FRAMES


def masked_client_frames(payload: bytes) -> bytes:
    ws = _native.WebSocket("json", client=True)
    return b"".join(ws.frame(payload) for _ in range(FRAMES))


@pytest.mark.benchmark(group="websocket-deframe-1000-masked-pings")
def test_websocket_deframe_pywamp(benchmark: Any) -> None:
    ws = _native.WebSocket("json", client=True)
    data = b"".join(ws.ping(SMALL) for _ in range(FRAMES))
    items = benchmark(lambda: _native.WebSocket("json", client=False).feed(data))
    assert len(items) == FRAMES and items[0].payload == SMALL


@pytest.mark.benchmark(group="websocket-deframe-1000-masked-pings")
def test_websocket_deframe_websockets(benchmark: Any) -> None:
    ws = _native.WebSocket("json", client=True)
    data = b"".join(ws.ping(SMALL) for _ in range(FRAMES))

    def run() -> list[Any]:
        proto = Protocol(Side.SERVER, max_size=None)
        proto.receive_data(data)
        return proto.events_received()

    items = benchmark(run)
    assert len(items) == FRAMES and items[0].data == SMALL


@pytest.mark.benchmark(group="websocket-receive-1000-masked-text")
def test_websocket_receive_pywamp(benchmark: Any) -> None:
    data = masked_client_frames(SMALL)
    items = benchmark(lambda: _native.WebSocket("json", client=False).feed(data))
    assert len(items) == FRAMES


@pytest.mark.benchmark(group="websocket-receive-1000-masked-text")
def test_websocket_receive_websockets_autobahn(benchmark: Any) -> None:
    """`websockets` deframes and checks UTF-8, Autobahn's serializer decodes."""
    data = masked_client_frames(SMALL)
    serializer = JsonSerializer()

    def run() -> list[Any]:
        proto = Protocol(Side.SERVER, max_size=None)
        proto.receive_data(data)
        out: list[Any] = []
        for frame in proto.events_received():
            out.extend(serializer.unserialize(frame.data))
        return out

    items = benchmark(run)
    assert len(items) == FRAMES


@pytest.mark.parametrize("payload", [SMALL, KB], ids=["small", "1KB"])
@pytest.mark.benchmark(group="rawsocket-frame")
def test_rawsocket_frame_pywamp(benchmark: Any, payload: bytes) -> None:
    rs = _native.RawSocket("json")
    data = benchmark(rs.frame, payload)
    assert data[4:] == payload


@pytest.mark.parametrize("payload", [SMALL, KB], ids=["small", "1KB"])
@pytest.mark.benchmark(group="rawsocket-frame")
def test_rawsocket_frame_autobahn(benchmark: Any, payload: bytes) -> None:
    """What Autobahn's sendString builds: a struct-packed length, then the payload."""
    data = benchmark(lambda p: struct.pack("!L", len(p)) + p, payload)
    assert data[4:] == payload


@pytest.mark.parametrize("payload", [SMALL, KB], ids=["small", "1KB"])
@pytest.mark.benchmark(group="websocket-frame-masked")
def test_websocket_frame_pywamp(benchmark: Any, payload: bytes) -> None:
    ws = _native.WebSocket("json", client=True)
    data = benchmark(ws.frame, payload)
    assert len(data) == len(payload) + (6 if len(payload) < 126 else 8)


@pytest.mark.parametrize("payload", [SMALL, KB], ids=["small", "1KB"])
@pytest.mark.benchmark(group="websocket-frame-masked")
def test_websocket_frame_websockets(benchmark: Any, payload: bytes) -> None:
    data = benchmark(lambda p: Frame(Opcode.TEXT, p).serialize(mask=True), payload)
    assert len(data) == len(payload) + (6 if len(payload) < 126 else 8)
