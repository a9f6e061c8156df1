"""WAMP over WebSocket for asyncio: protocol factories for ``loop.create_connection`` and
``loop.create_server``, as ``autobahn.asyncio.websocket`` offers them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pywamp.asyncio._serializers import serializer_names
from pywamp.transport.url import parse_url
from pywamp.transport.websocket import DEFAULT_MAX_MESSAGE_SIZE, WebSocketClient, WebSocketServer

__all__ = (
    "WampWebSocketClientFactory",
    "WampWebSocketClientProtocol",
    "WampWebSocketServerFactory",
    "WampWebSocketServerProtocol",
)


class WampWebSocketClientProtocol(WebSocketClient):
    """A WebSocket client connection running one WAMP session."""

    @property
    def _session(self) -> Any:
        return self.handler


class WampWebSocketServerProtocol(WebSocketServer):
    """A WebSocket server connection running one (router) session."""

    @property
    def _session(self) -> Any:
        return self.handler


def _make_session(factory: Any) -> Any:
    return factory() if callable(factory) else factory


class WampWebSocketClientFactory:
    """Builds a client protocol (and its session, from ``factory``) per connection.

    ``url`` gives the Host header and the HTTP path of the upgrade request.
    """

    protocol = WampWebSocketClientProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        url: str | None = None,
        serializers: Sequence[Any] | None = None,
        proxy: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        **_: Any,
    ) -> None:
        if proxy is not None:
            raise ValueError("pywamp does not connect through HTTP proxies")
        address = parse_url(url or "ws://localhost")
        if address.kind != "websocket":
            raise ValueError(f"not a WebSocket URL: {url!r}")
        host = address.host or "localhost"
        default_port = 443 if address.secure else 80
        if address.port not in (None, default_port):
            host = f"{host}:{address.port}"
        self._factory = factory
        self.url = url
        self.host = host
        self.path = address.path
        self.serializers = serializer_names(serializers, ("cbor", "msgpack", "json"))
        self.headers = tuple((headers or {}).items())
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter: the message size limit applies; pings and compression
        options are accepted and not used."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def __call__(self) -> WampWebSocketClientProtocol:
        return self.protocol(
            _make_session(self._factory),
            self.host,
            self.path,
            self.serializers,
            self.max_message_size,
            self.headers,
        )


class WampWebSocketServerFactory:
    """Builds a server protocol (and its session, from ``factory``) per connection."""

    protocol = WampWebSocketServerProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        serializers: Sequence[Any] | None = None,
        url: str | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        **_: Any,
    ) -> None:
        self._factory = factory
        self.serializers = serializer_names(serializers, ("cbor", "msgpack", "json"))
        self.url = url  # informational, as in Autobahn: any HTTP path is served
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter: the message size limit applies."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def __call__(self) -> WampWebSocketServerProtocol:
        return self.protocol(
            _make_session(self._factory), self.serializers, None, self.max_message_size
        )
