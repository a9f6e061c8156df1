"""WAMP over WebSocket (RFC 6455) with the subprotocols wamp.2.json/msgpack/cbor."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pywamp import _native
from pywamp.exception import HandshakeError, TransportError
from pywamp.transport._framing import WRITE_BATCH, websocket_answer
from pywamp.transport.base import MessageHandler, WampTransport, asyncio_info

__all__ = ("DEFAULT_MAX_MESSAGE_SIZE", "WebSocketClient", "WebSocketServer")

DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024
_PREFIX = "wamp.2."
CLOSING_TIMEOUT = 5.0


def subprotocol(serializer: str) -> str:
    """The subprotocol name of a serializer: ``cbor`` -> ``wamp.2.cbor``."""
    return _PREFIX + serializer


class _WebSocket(WampTransport):
    """Closing handshake and error replies shared by both roles."""

    def __init__(self, handler: MessageHandler, max_message_size: int) -> None:
        super().__init__(handler)
        self.max_message_size = max_message_size
        self._request = b""
        self._close_sent = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.info = asyncio_info("websocket", transport, isinstance(self, WebSocketServer))

    def _handshake_data(self, data: bytes) -> None:
        self._request += data
        self._handshake()

    def _handshake(self) -> None:
        raise NotImplementedError

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake; the TCP connection follows the peer's answer."""
        if self.transport is None or self._closing:
            return
        if self.stream is None or self._close_sent:
            super().close()
            return
        self._close_sent = True
        self._write(self.stream.close(code, reason))
        self._flush()
        self._loop.call_later(CLOSING_TIMEOUT, self.abort)

    def _on_close(self, close: object) -> None:
        if not self._close_sent:
            code = getattr(close, "code", None)
            self._close_sent = True
            self._write(self.stream.close(code if code is not None else 1000, ""))
        super().close()

    def _fail(self, error: TransportError) -> None:
        if self.stream is not None and not self._close_sent and self.transport is not None:
            self._close_sent = True
            self._write(self.stream.close(error.close_code or 1002, str(error)[:100]))
        super().close()

    def _refuse(self, error: HandshakeError, response: bytes | None = None) -> None:
        if response is not None and self.transport is not None:
            self.transport.write(response)
        if not self.opened.done():
            self.opened.set_exception(error)
            self.opened.exception()  # retrieved: a server side has nobody waiting
        if self.transport is not None:
            self.transport.close()


class WebSocketServer(_WebSocket):
    """The router side: checks the upgrade request and picks the client's first
    subprotocol that it speaks."""

    def __init__(
        self,
        handler: MessageHandler,
        serializers: Sequence[str] = ("cbor", "msgpack", "json"),
        path: str | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        super().__init__(handler, max_message_size)
        self.protocols = {subprotocol(s): s for s in serializers}
        self.path = path

    def _handshake(self) -> None:
        try:
            parsed = _native.websocket_parse_request(self._request)
        except HandshakeError as error:
            self._refuse(error, _native.websocket_reject(error.code or 400, str(error)))
            return
        if parsed is None:
            return
        request, consumed = parsed
        rest, self._request = self._request[consumed:], b""
        if self.path is not None and request.path.split("?", 1)[0] != self.path:
            refusal = HandshakeError(f"no WebSocket endpoint at {request.path}", code=404)
            self._refuse(refusal, _native.websocket_reject(404, str(refusal)))
            return
        chosen = next((p for p in request.protocols if p in self.protocols), None)
        if chosen is None:
            offered = ", ".join(request.protocols) or "none"
            refusal = HandshakeError(
                f"no WAMP subprotocol in common (offered: {offered}; "
                f"spoken: {', '.join(self.protocols)})",
                code=400,
            )
            self._refuse(refusal, _native.websocket_reject(400, str(refusal)))
            return
        assert self.transport is not None
        self.transport.write(_native.websocket_accept(request, chosen))
        self.info.http_path = request.path
        self.info.http_headers = request.headers
        self.info.protocol = chosen
        stream = _native.WebSocket(
            self.protocols[chosen],  # type: ignore[arg-type]
            client=False,
            max_message_size=self.max_message_size,
        )
        self._opened(stream, rest)


class WebSocketClient(_WebSocket):
    """The client side: offers its serializers in order of preference."""

    write_batch = WRITE_BATCH

    def __init__(
        self,
        handler: MessageHandler,
        host: str,
        path: str = "/",
        serializers: Sequence[str] = ("cbor", "json"),
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(handler, max_message_size)
        self.host = host
        self.path = path
        self.offered = [subprotocol(s) for s in serializers]
        self.headers = tuple(headers)
        self._key = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        request, self._key = _native.websocket_request(
            self.host, self.path, self.offered, headers=self.headers
        )
        self.transport.write(request)  # type: ignore[union-attr]

    def _handshake(self) -> None:
        try:
            answer = websocket_answer(self._request, self._key, self.offered, self.max_message_size)
        except HandshakeError as error:
            self._refuse(error)
            return
        if answer is None:
            return
        stream, self.info.protocol, rest = answer
        self._request = b""
        self._opened(stream, rest)
