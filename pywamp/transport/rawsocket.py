"""WAMP over RawSocket (TCP, TLS or Unix sockets): the 4-byte handshake, then frames."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pywamp import _native
from pywamp.exception import HandshakeError
from pywamp.transport._framing import WRITE_BATCH
from pywamp.transport.base import MessageHandler, WampTransport, asyncio_info

__all__ = (
    "DEFAULT_MAX_MESSAGE_SIZE",
    "SERIALIZER_IDS",
    "RawSocketClient",
    "RawSocketServer",
    "client_stream",
)

#: What pywamp accepts unless told otherwise: the largest length RawSocket can announce.
DEFAULT_MAX_MESSAGE_SIZE = _native.RAWSOCKET_MAX_LENGTH

#: The serializer ids of the RawSocket handshake, by serializer name.
SERIALIZER_IDS = {"json": 1, "msgpack": 2, "cbor": 3}
_SERIALIZER_NAMES = {v: k for k, v in SERIALIZER_IDS.items()}

# RawSocket handshake error codes (spec: transport_rawsocket.md).
ERROR_SERIALIZER_UNSUPPORTED = 1
ERROR_MAX_LENGTH_UNACCEPTABLE = 2
ERROR_RESERVED_BITS = 3
ERROR_MAX_CONNECTIONS = 4


def client_stream(
    serializer: str, answered_id: int, peer_max: int, max_message_size: int
) -> _native.RawSocket:
    """A client's framer once the router's handshake reply is parsed; HandshakeError
    when the router answered with another serializer than the one asked for."""
    if answered_id != SERIALIZER_IDS[serializer]:
        raise HandshakeError(
            f"router answered with serializer {answered_id}, asked for {serializer}"
        )
    return _native.RawSocket(
        serializer,  # type: ignore[arg-type]
        max_receive=max_message_size,
        max_send=peer_max,
    )


class _RawSocket(WampTransport):
    """The handshake buffer shared by both roles."""

    def __init__(self, handler: MessageHandler, max_message_size: int) -> None:
        super().__init__(handler)
        self.max_message_size = max_message_size
        self._hello = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.info = asyncio_info("rawsocket", transport, isinstance(self, RawSocketServer))

    def _handshake_data(self, data: bytes) -> None:
        self._hello += data
        if len(self._hello) < 4:
            return
        hello, rest = self._hello[:4], self._hello[4:]
        self._hello = b""
        try:
            serializer_id, peer_max = _native.rawsocket_parse_handshake(hello)
        except HandshakeError as error:
            self._refuse(error)
            return
        self._handshake(serializer_id, peer_max, rest)

    def _handshake(self, serializer_id: int, peer_max: int, rest: bytes) -> None:
        raise NotImplementedError

    def _refuse(self, error: HandshakeError) -> None:
        if not self.opened.done():
            self.opened.set_exception(error)
            self.opened.exception()  # retrieved: a server side has nobody waiting
        self.abort()


class RawSocketServer(_RawSocket):
    """The router side: answers the client's hello with the serializer it asked for."""

    def __init__(
        self,
        handler: MessageHandler,
        serializers: Sequence[str] = ("cbor", "msgpack", "json"),
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        super().__init__(handler, max_message_size)
        self.serializers = frozenset(serializers)

    def _handshake(self, serializer_id: int, peer_max: int, rest: bytes) -> None:
        name = _SERIALIZER_NAMES.get(serializer_id)
        assert self.transport is not None
        if name is None or name not in self.serializers:
            self.transport.write(_native.rawsocket_error(ERROR_SERIALIZER_UNSUPPORTED))
            self._refuse(
                HandshakeError(
                    f"RawSocket serializer {serializer_id} not supported",
                    code=ERROR_SERIALIZER_UNSUPPORTED,
                )
            )
            return
        self.transport.write(_native.rawsocket_handshake(serializer_id, self.max_message_size))
        stream = _native.RawSocket(
            name,  # type: ignore[arg-type]
            max_receive=self.max_message_size,
            max_send=peer_max,
        )
        self._opened(stream, rest)


class RawSocketClient(_RawSocket):
    """The client side: sends its hello at once and waits for the router's reply."""

    write_batch = WRITE_BATCH

    def __init__(
        self,
        handler: MessageHandler,
        serializer: str = "cbor",
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        super().__init__(handler, max_message_size)
        if serializer not in SERIALIZER_IDS:
            raise ValueError(f"unknown RawSocket serializer {serializer!r}")
        self.serializer = serializer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport.write(  # type: ignore[union-attr]
            _native.rawsocket_handshake(SERIALIZER_IDS[self.serializer], self.max_message_size)
        )

    def _handshake(self, serializer_id: int, peer_max: int, rest: bytes) -> None:
        try:
            stream = client_stream(self.serializer, serializer_id, peer_max, self.max_message_size)
        except HandshakeError as error:
            self._refuse(error)
            return
        self._opened(stream, rest)
