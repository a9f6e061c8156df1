"""The Twisted face's RawSocket handshake meeting a router that refuses it or answers
wrongly: the connect Deferred fails with a HandshakeError naming the problem. The router
side is a plain Twisted server socket that replies with the given four bytes."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet import defer, endpoints, protocol, reactor

from pywamp import _native
from pywamp.exception import HandshakeError
from pywamp.twisted.wamp import ApplicationSession, connect_transport
from pywamp.wamp.types import ComponentConfig


class Replier(protocol.Protocol):
    """Answers the client's 4-byte hello with ``reply`` and records the hello."""

    def __init__(self, reply: bytes, hellos: list[bytes]) -> None:
        self.reply = reply
        self.hellos = hellos
        self.received = b""

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if len(self.received) >= 4 and not self.hellos:
            self.hellos.append(self.received[:4])
            self.transport.write(self.reply)  # type: ignore[attr-defined]


def connect_to(run: Any, reply: bytes, serializer: str) -> tuple[HandshakeError, bytes]:
    """Connect with ``serializer`` to a server replying ``reply``; (the error, the hello)."""
    hellos: list[bytes] = []

    @defer.inlineCallbacks
    def scenario() -> Any:
        factory = protocol.Factory.forProtocol(lambda: Replier(reply, hellos))  # type: ignore[arg-type]
        port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        session = ApplicationSession(ComponentConfig("realm1"))
        try:
            url = f"rs://127.0.0.1:{port.getHost().port}"
            yield connect_transport(url, session, serializers=[serializer])
        except HandshakeError as error:
            return error
        finally:
            yield port.stopListening()
        raise AssertionError("the handshake was accepted")

    error = run(scenario)
    return error, hellos[0]


def test_a_router_answering_with_another_serializer_is_refused(run: Any) -> None:
    error, hello = connect_to(run, _native.rawsocket_handshake(3, 1 << 20), "json")
    assert _native.rawsocket_parse_handshake(hello)[0] == 1  # json asked for
    assert str(error) == "router answered with serializer 3, asked for json"


@pytest.mark.parametrize(
    ("code", "meaning"), [(1, "serializer"), (2, "length"), (4, "connection count")]
)
def test_a_router_error_reply_names_its_code(run: Any, code: int, meaning: str) -> None:
    error, _ = connect_to(run, _native.rawsocket_error(code), "msgpack")
    assert error.code == code
    assert meaning in str(error)


def test_a_reply_without_the_magic_byte_is_refused(run: Any) -> None:
    error, _ = connect_to(run, b"HTTP", "cbor")
    assert str(error) == "RawSocket handshake must start with 0x7f, got 0x48"
