"""WebSocket: the upgrade handshake for both ends (checked against the sans-I/O protocols of
the `websockets` package) and the frame stream: masking, fragmentation, control frames,
close codes, UTF-8, limits, and any chunking."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_payloads import SERIALIZERS, decoded, publish, sendable
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader
from websockets.uri import parse_uri

from pywamp import _native
from pywamp.exception import HandshakeError, TransportError

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def wsframe(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    mask: bytes | None = b"\x11\x22\x33\x44",
    rsv: int = 0,
) -> bytes:
    """One frame written from RFC 6455 section 5.2 (masked by default, as a client sends)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    m = 0x80 if mask is not None else 0
    n = len(payload)
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def server_frame(opcode: int, payload: bytes, **kw: Any) -> bytes:
    """A frame as a server sends it (unmasked)."""
    return wsframe(opcode, payload, mask=None, **kw)


def parse_with_websockets(data: bytes, *, mask: bool) -> list[Frame]:
    """Frames parsed by the `websockets` package's own frame parser."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=mask)
        try:
            while True:
                next(parser)
        except StopIteration as done:
            frames.append(done.value)
    return frames


def request_bytes(**replace: str) -> bytes:
    headers = {
        "Host": "example.com:8080",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": KEY,
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": "wamp.2.cbor, wamp.2.json",
    }
    start = replace.pop("start", "GET /ws?realm=r1 HTTP/1.1")
    for name, value in replace.items():
        headers[name.replace("_", "-")] = value
    lines = [start] + [f"{k}: {v}" for k, v in headers.items() if v != "DROP"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- handshake: router side ---------------------------------------------------------------


def test_parse_request() -> None:
    data = request_bytes(Origin="http://example.com", X_Multi="a") + b"\x81\x80rest"
    head_len = data.index(b"\r\n\r\n") + 4
    for cut in range(head_len):
        assert _native.websocket_parse_request(data[:cut]) is None
    parsed = _native.websocket_parse_request(data)
    assert parsed is not None
    request, consumed = parsed
    assert consumed == head_len
    assert (request.method, request.path, request.key) == ("GET", "/ws?realm=r1", KEY)
    assert request.protocols == ["wamp.2.cbor", "wamp.2.json"]
    assert request.headers["host"] == "example.com:8080"
    assert request.headers["origin"] == "http://example.com"
    assert all(name == name.lower() for name in request.headers)


def test_repeated_headers_and_token_lists() -> None:
    data = (
        b"GET / HTTP/1.1\r\nHost: h\r\nupgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
        b"Sec-WebSocket-Key: " + KEY.encode() + b"\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: wamp.2.msgpack\r\nsec-websocket-protocol:  wamp.2.json ,\r\n\r\n"
    )
    parsed = _native.websocket_parse_request(data)
    assert parsed is not None
    request, _ = parsed
    assert request.protocols == ["wamp.2.msgpack", "wamp.2.json"]
    assert request.headers["sec-websocket-protocol"] == "wamp.2.msgpack, wamp.2.json ,"


@pytest.mark.parametrize(
    ("replace", "status", "match"),
    [
        ({"start": "POST /ws HTTP/1.1"}, 405, "GET"),
        ({"start": "GET /ws HTTP/1.0"}, 400, "HTTP/1.1"),
        ({"start": "GET /ws"}, 400, "request line"),
        ({"Host": "DROP"}, 400, "Host"),
        ({"Upgrade": "DROP"}, 400, "Upgrade"),
        ({"Upgrade": "h2c"}, 400, "Upgrade"),
        ({"Connection": "DROP"}, 400, "Connection"),
        ({"Connection": "keep-alive"}, 400, "Connection"),
        ({"Sec_WebSocket_Key": "DROP"}, 400, "Sec-WebSocket-Key"),
        ({"Sec_WebSocket_Key": "dG9vIHNob3J0"}, 400, "16 octets"),
        ({"Sec_WebSocket_Version": "DROP"}, 400, "Sec-WebSocket-Version"),
        ({"Sec_WebSocket_Version": "8"}, 426, "13"),
        ({"X_Bad": "a\x01b"}, 400, "control character"),
    ],
)
def test_request_rejections(replace: dict[str, str], status: int, match: str) -> None:
    with pytest.raises(HandshakeError, match=match) as info:
        _native.websocket_parse_request(request_bytes(**replace))
    assert info.value.code == status


def test_oversized_head_is_431() -> None:
    data = request_bytes()[:-2] + b"X-Pad: " + b"a" * (16 * 1024) + b"\r\n\r\n"
    with pytest.raises(HandshakeError) as info:
        _native.websocket_parse_request(data)
    assert info.value.code == 431
    # Without a blank line, 16 KiB is where waiting stops.
    assert _native.websocket_parse_request(b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 100) is None
    with pytest.raises(HandshakeError):
        _native.websocket_parse_request(b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 3000)


def test_reject_responses() -> None:
    data = _native.websocket_reject(426, "use version 13")
    head, body = data.split(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 426 Upgrade Required\r\n")
    assert b"\r\nSec-WebSocket-Version: 13" in head
    assert b"\r\nContent-Length: 14" in head
    assert body == b"use version 13"
    assert b"\r\nAllow: GET" in _native.websocket_reject(405, "")
    custom = _native.websocket_reject(403, "no", [("X-Reason", "realm closed")])
    assert custom.startswith(b"HTTP/1.1 403 Forbidden\r\n") and b"X-Reason: realm closed" in custom
    with pytest.raises(HandshakeError) as info:
        _native.websocket_parse_response(custom, KEY, ["wamp.2.json"])
    assert info.value.code == 403
    with pytest.raises(ValueError):
        _native.websocket_reject(101, "")
    with pytest.raises(ValueError, match="control character"):
        _native.websocket_reject(400, "", [("X", "a\r\nSet-Cookie: x")])


def test_accept_response() -> None:
    parsed = _native.websocket_parse_request(request_bytes())
    assert parsed is not None
    request, _ = parsed
    data = _native.websocket_accept(request, "wamp.2.json", [("Server", "pywamp")])
    assert data.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert f"\r\nSec-WebSocket-Accept: {ACCEPT}\r\n".encode() in data
    assert b"\r\nSec-WebSocket-Protocol: wamp.2.json\r\n" in data
    assert b"\r\nServer: pywamp\r\n" in data
    assert data.endswith(b"\r\n\r\n")
    assert b"Sec-WebSocket-Protocol" not in _native.websocket_accept(request, None)
    with pytest.raises(ValueError, match="not offered"):
        _native.websocket_accept(request, "wamp.2.msgpack")


def test_websockets_client_request_is_accepted() -> None:
    """The request of the `websockets` client parses, and it accepts our answer."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1:9000/ws"), subprotocols=["wamp.2.msgpack"])
    client.send_request(client.connect())
    parsed = _native.websocket_parse_request(client.data_to_send()[0])
    assert parsed is not None
    request, _ = parsed
    assert request.protocols == ["wamp.2.msgpack"]
    client.receive_data(_native.websocket_accept(request, "wamp.2.msgpack"))
    assert client.handshake_exc is None
    assert client.state is State.OPEN
    assert client.subprotocol == "wamp.2.msgpack"


# --- handshake: client side ---------------------------------------------------------------


def test_request_is_accepted_by_websockets_server() -> None:
    data, key = _native.websocket_request(
        "127.0.0.1:9000", "/ws", ["wamp.2.cbor", "wamp.2.json"], headers=[("Origin", "http://x")]
    )
    assert len(key) == 24
    server = ServerProtocol(subprotocols=["wamp.2.json"])
    server.receive_data(data)
    [request] = server.events_received()
    assert isinstance(request, WsRequest)
    assert request.headers["Sec-WebSocket-Key"] == key
    assert request.headers["Origin"] == "http://x"
    server.send_response(server.accept(request))
    response = server.data_to_send()[0]
    assert _native.websocket_parse_response(response, key, ["wamp.2.cbor", "wamp.2.json"]) == (
        "wamp.2.json",
        len(response),
    )
    # Random keys differ; a given key is used as is.
    assert _native.websocket_request("h", "/", [])[1] != key
    data, given_key = _native.websocket_request("h", "/", [], key=KEY)
    assert given_key == KEY and f"Sec-WebSocket-Key: {KEY}\r\n".encode() in data


def http_response(**replace: str) -> bytes:
    """A 101 answer to KEY choosing wamp.2.json, with headers replaced ("DROP" removes)."""
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": ACCEPT,
        "Sec-WebSocket-Protocol": "wamp.2.json",
    }
    start = replace.pop("start", "HTTP/1.1 101 Switching Protocols")
    for name, value in replace.items():
        headers[name.replace("_", "-")] = value
    lines = [start] + [f"{k}: {v}" for k, v in headers.items() if v != "DROP"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_parse_response() -> None:
    offered = ["wamp.2.cbor", "wamp.2.json"]
    ok = http_response()
    for cut in range(len(ok)):
        assert _native.websocket_parse_response(ok[:cut], KEY, offered) is None
    assert _native.websocket_parse_response(ok + b"\x81\x00", KEY, offered) == (
        "wamp.2.json",
        len(ok),
    )
    no_protocol = http_response(Sec_WebSocket_Protocol="DROP")
    assert _native.websocket_parse_response(no_protocol, KEY, offered) == (None, len(no_protocol))


@pytest.mark.parametrize(
    ("replace", "code", "match"),
    [
        ({"Sec_WebSocket_Accept": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, 101, "Sec-WebSocket-Accept"),
        ({"Sec_WebSocket_Accept": "DROP"}, 101, "Sec-WebSocket-Accept"),
        ({"Sec_WebSocket_Protocol": "wamp.2.msgpack"}, 101, "not offered"),
        ({"Sec_WebSocket_Extensions": "permessage-deflate"}, 101, "extensions"),
        ({"Upgrade": "DROP"}, 101, "Upgrade"),
        ({"Connection": "close"}, 101, "Connection"),
        ({"start": "HTTP/1.1 403 Forbidden"}, 403, "403 Forbidden"),
        ({"start": "HTTP/1.1 200 OK"}, 200, "refused"),
        ({"start": "HTTP/1.1 1O1 Switching"}, None, "status line"),
        ({"start": "ICY 200 OK"}, None, "status line"),
    ],
)
def test_parse_response_refusals(replace: dict[str, str], code: int | None, match: str) -> None:
    with pytest.raises(HandshakeError, match=match) as info:
        _native.websocket_parse_response(http_response(**replace), KEY, ["wamp.2.json"])
    assert info.value.code == code


def test_build_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="path"):
        _native.websocket_request("h", "ws", [])
    with pytest.raises(ValueError, match="host"):
        _native.websocket_request("a b", "/", [])
    with pytest.raises(ValueError, match="16 octets"):
        _native.websocket_request("h", "/", [], key="short")
    with pytest.raises(ValueError, match="subprotocol"):
        _native.websocket_request("h", "/", ["wamp 2"])
    with pytest.raises(ValueError, match="header name"):
        _native.websocket_request("h", "/", [], headers=[("Bad Name", "x")])
    with pytest.raises(HandshakeError, match="exceeds"):
        _native.websocket_parse_response(b"HTTP/1.1 101 OK\r\n" + b"X: y\r\n" * 3000, KEY, [])


# --- frames ---------------------------------------------------------------------------------


def server(serializer: str = "json", **kw: Any) -> _native.WebSocket:
    return _native.WebSocket(serializer, client=False, **kw)  # type: ignore[arg-type]


def client(serializer: str = "json", **kw: Any) -> _native.WebSocket:
    return _native.WebSocket(serializer, client=True, **kw)  # type: ignore[arg-type]


def test_attributes() -> None:
    ws = client("cbor", max_message_size=1000)
    assert (ws.serializer, ws.client, ws.max_message_size) == ("cbor", True, 1000)
    assert server().max_message_size == 16 * 1024 * 1024
    with pytest.raises(ValueError, match="serializer"):
        _native.WebSocket("xml", client=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("serializer", SERIALIZERS)
@pytest.mark.parametrize("size", [0, 100, 126, 70000])
def test_client_frames_are_masked_and_server_frames_not(serializer: str, size: int) -> None:
    payload = publish(serializer, size)
    opcode = Opcode.TEXT if serializer == "json" else Opcode.BINARY
    sent = [
        client(serializer).frame(payload),
        client(serializer).send(sendable(serializer, payload)),
    ]
    for data in sent:
        assert data[1] & 0x80  # MASK bit
        [frame] = parse_with_websockets(data, mask=True)
        assert frame.opcode is opcode and frame.fin
        [item] = server(serializer).feed(data)
        assert item == decoded(serializer, payload)
    # Keys are random per frame.
    ws = client(serializer)
    assert len({ws.frame(payload)[:14] for _ in range(8)}) > 1
    data = server(serializer).frame(payload)
    assert not data[1] & 0x80
    [frame] = parse_with_websockets(data, mask=False)
    assert frame.data == payload
    [item] = client(serializer).feed(server(serializer).send(sendable(serializer, payload)))
    assert item == decoded(serializer, payload)


def test_masking_roles_are_enforced() -> None:
    payload = publish("json", 3)
    with pytest.raises(TransportError, match="not masked") as info:
        server().feed(server_frame(TEXT, payload))
    assert info.value.close_code == 1002
    with pytest.raises(TransportError, match="must not be masked") as info:
        client().feed(wsframe(TEXT, payload))
    assert info.value.close_code == 1002


def test_fragmentation_with_interleaved_control_frames() -> None:
    payload = publish("msgpack", 3000)
    parts = [payload[:1], payload[1:1000], b"", payload[1000:]]
    data = (
        wsframe(BINARY, parts[0], fin=False)
        + wsframe(PING, b"mid-message")
        + wsframe(CONT, parts[1], fin=False)
        + wsframe(CONT, parts[2], fin=False)
        + wsframe(PONG, b"")
        + wsframe(CONT, parts[3])
    )
    items = server("msgpack").feed(data)
    assert isinstance(items[0], _native.Ping) and items[0].payload == b"mid-message"
    assert isinstance(items[1], _native.Pong) and items[1].payload == b""
    assert items[2] == decoded("msgpack", payload)
    assert len(items) == 3


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (wsframe(CONT, b"x"), "continuation"),
        (wsframe(TEXT, b"[", fin=False) + wsframe(TEXT, b"]"), "expected a continuation"),
        (wsframe(PING, b"x", fin=False), "fragmented"),
        (wsframe(PING, b"x" * 126), "125"),
        (wsframe(CLOSE, b"\x03\xe8" + b"x" * 124), "125"),
        (wsframe(TEXT, b"[]", rsv=4), "reserved bits"),
        (wsframe(TEXT, b"[]", rsv=1), "reserved bits"),
        (wsframe(0x3, b""), "reserved"),
        (wsframe(0xB, b""), "reserved"),
        (b"\x82\xff\x80" + b"\x00" * 11, "most significant bit"),
    ],
)
def test_protocol_violations_close_with_1002(data: bytes, match: str) -> None:
    with pytest.raises(TransportError, match=match) as info:
        server().feed(data)
    assert info.value.close_code == 1002


def test_control_payload_limits_on_send() -> None:
    ws = client()
    assert len(ws.ping(b"x" * 125)) == 2 + 4 + 125
    with pytest.raises(ValueError, match="125"):
        ws.ping(b"x" * 126)
    with pytest.raises(ValueError, match="125"):
        ws.pong(b"x" * 126)
    assert server().ping() == b"\x89\x00"
    assert server().pong(b"ab") == b"\x8a\x02ab"


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999])
def test_valid_close_codes(code: int) -> None:
    data = wsframe(CLOSE, struct.pack(">H", code) + "ça va".encode())
    [close] = server().feed(data)
    assert isinstance(close, _native.Close)
    assert (close.code, close.reason) == (code, "ça va")
    # Our own close frames parse the same way in the `websockets` package.
    [frame] = parse_with_websockets(client().close(code, "ça va"), mask=True)
    assert frame.opcode is Opcode.CLOSE and frame.data == struct.pack(">H", code) + "ça va".encode()


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000])
def test_invalid_close_codes(code: int) -> None:
    with pytest.raises(TransportError, match=str(code)) as info:
        server().feed(wsframe(CLOSE, struct.pack(">H", code)))
    assert info.value.close_code == 1002
    with pytest.raises(ValueError):
        server().close(code)


def test_close_frames() -> None:
    [close] = server().feed(wsframe(CLOSE, b""))
    assert isinstance(close, _native.Close) and (close.code, close.reason) == (None, "")
    with pytest.raises(TransportError) as info:
        server().feed(wsframe(CLOSE, b"\x03"))
    assert info.value.close_code == 1002
    with pytest.raises(TransportError, match="UTF-8") as info:
        server().feed(wsframe(CLOSE, b"\x03\xe8\xff"))
    assert info.value.close_code == 1007
    assert server().close() == b"\x88\x02\x03\xe8"
    assert server().close(None) == b"\x88\x00"
    assert server().close(4000, "bye") == b"\x88\x05\x0f\xa0bye"
    with pytest.raises(ValueError, match="123"):
        server().close(1000, "x" * 124)
    with pytest.raises(ValueError, match="code"):
        server().close(None, "reason")


def test_data_after_close_is_ignored() -> None:
    payload = publish("json", 1)
    ws = server()
    items = ws.feed(wsframe(TEXT, payload) + wsframe(CLOSE, b"\x03\xe8") + wsframe(TEXT, payload))
    assert items[0] == decoded("json", payload)
    assert isinstance(items[1], _native.Close)
    assert len(items) == 2
    assert ws.feed(wsframe(TEXT, payload) + b"\xff garbage") == []


def test_invalid_utf8_fails_fast_across_fragments() -> None:
    # "€" is e2 82 ac: the first fragment ends inside it, the second breaks it. The error
    # comes before the message could ever be complete.
    ws = server()
    assert ws.feed(wsframe(TEXT, b'["\xe2\x82', fin=False)) == []
    with pytest.raises(TransportError, match="UTF-8") as info:
        ws.feed(wsframe(CONT, b"A", fin=False))
    assert info.value.close_code == 1007
    # A sequence split across fragments is fine when it completes.
    payload = '[16,1,{},"t",["€"]]'.encode()
    cut = payload.index(b"\x82")
    data = wsframe(TEXT, payload[:cut], fin=False) + wsframe(CONT, payload[cut:])
    assert server().feed(data) == [decoded("json", payload)]
    # A message that ends inside a sequence.
    with pytest.raises(TransportError) as info:
        server().feed(wsframe(TEXT, b"[1]\xe2", fin=False) + wsframe(CONT, b"\x82"))
    assert info.value.close_code == 1007
    # Binary messages are not text.
    with pytest.raises(TransportError):
        client().feed(server_frame(TEXT, b"\xc0\xaf"))


def test_max_message_size_closes_with_1009() -> None:
    ok = publish("msgpack", 900)
    limit = len(ok)
    ws = server("msgpack", max_message_size=limit)
    assert ws.feed(wsframe(BINARY, ok)) == [decoded("msgpack", ok)]
    # Across fragments, refused from the header of the fragment that goes over.
    first = wsframe(BINARY, ok[: limit - 1], fin=False)
    second = wsframe(CONT, ok[limit - 1 :] + b"!")
    with pytest.raises(TransportError, match="exceeds") as info:
        ws.feed(first + second[:6])  # 2 octets + masking key: no payload
    assert info.value.close_code == 1009
    # A 64-bit length is refused before any payload arrives.
    with pytest.raises(TransportError) as info:
        server(max_message_size=1 << 20).feed(b"\x82\xff" + struct.pack(">Q", 1 << 40) + b"mask")
    assert info.value.close_code == 1009


def test_error_keeps_the_items_decoded_before_it() -> None:
    payload = publish("json", 5)
    with pytest.raises(TransportError) as info:
        server().feed(wsframe(TEXT, payload) + wsframe(PING, b"p") + wsframe(TEXT, b"[]", rsv=2))
    message, ping = info.value.messages
    assert message == decoded("json", payload)
    assert isinstance(ping, _native.Ping)
    # The stream stays failed.
    with pytest.raises(TransportError):
        server().feed(b"\x81\x00")


def conversation(serializer: str) -> tuple[bytes, list[Any]]:
    """Client frames of every kind and the items a server must yield for them."""
    opcode = TEXT if serializer == "json" else BINARY
    p = [publish(serializer, n, request_id=i + 1) for i, n in enumerate([0, 200, 70000, 10])]
    data = (
        wsframe(opcode, p[0])
        + wsframe(PING, b"ping")
        + wsframe(opcode, p[1][:7], fin=False, mask=b"\x00\xff\x0f\xf0")
        + wsframe(PONG, b"")
        + wsframe(CONT, p[1][7:])
        + wsframe(opcode, p[2])
        + wsframe(opcode, b"", fin=False)
        + wsframe(CONT, p[3])
        + wsframe(CLOSE, b"\x03\xe9going")
    )
    expected = [
        decoded(serializer, p[0]),
        ("ping", b"ping"),
        ("pong", b""),
        decoded(serializer, p[1]),
        decoded(serializer, p[2]),
        decoded(serializer, p[3]),
        ("close", 1001, "going"),
    ]
    return data, expected


def comparable(item: Any) -> Any:
    if isinstance(item, _native.Ping):
        return ("ping", item.payload)
    if isinstance(item, _native.Pong):
        return ("pong", item.payload)
    if isinstance(item, _native.Close):
        return ("close", item.code, item.reason)
    return item


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_feed_one_byte_at_a_time(serializer: str) -> None:
    data, expected = conversation(serializer)
    ws = server(serializer)
    items: list[Any] = []
    for i in range(len(data)):
        items += ws.feed(data[i : i + 1])
    assert [comparable(i) for i in items] == expected


def splits(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    start = 0
    for p in [*points, len(data)]:
        yield data[start:p]
        start = p


@settings(max_examples=200, deadline=None)
@given(serializer=st.sampled_from(SERIALIZERS), cuts=st.lists(st.integers(0, 10**6), max_size=20))
def test_any_split_yields_the_same_items(serializer: str, cuts: list[int]) -> None:
    data, expected = conversation(serializer)
    ws = server(serializer)
    items: list[Any] = []
    for chunk in splits(data, cuts):
        items += ws.feed(chunk)
    assert [comparable(i) for i in items] == expected


def test_websockets_frames_decode() -> None:
    """Frames serialized by the `websockets` package, fragmented, decode on both ends."""
    payload = publish("cbor", 5000)
    frames = [
        Frame(Opcode.BINARY, payload[:100], fin=False),
        Frame(Opcode.PING, b"x"),
        Frame(Opcode.CONT, payload[100:]),
    ]
    to_server = b"".join(f.serialize(mask=True) for f in frames)
    to_client = b"".join(f.serialize(mask=False) for f in frames)
    for ws, data in ((server("cbor"), to_server), (client("cbor"), to_client)):
        items = ws.feed(data)
        assert comparable(items[0]) == ("ping", b"x")
        assert items[1] == decoded("cbor", payload)


def test_response_objects_are_websockets_compatible() -> None:
    """Our refusal parses as an HTTP response in the `websockets` client."""
    client_proto = ClientProtocol(parse_uri("ws://h/ws"))
    client_proto.send_request(client_proto.connect())
    client_proto.receive_data(_native.websocket_reject(403, "realm closed"))
    [response] = client_proto.events_received()
    assert isinstance(response, WsResponse)
    assert response.status_code == 403
    assert response.body == b"realm closed"
