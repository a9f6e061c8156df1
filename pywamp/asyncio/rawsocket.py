"""WAMP over RawSocket for asyncio: protocol factories for ``loop.create_connection`` and
``loop.create_server``, as ``autobahn.asyncio.rawsocket`` offers them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pywamp.asyncio._serializers import serializer_name, serializer_names
from pywamp.transport.rawsocket import DEFAULT_MAX_MESSAGE_SIZE, RawSocketClient, RawSocketServer

__all__ = (
    "WampRawSocketClientFactory",
    "WampRawSocketClientProtocol",
    "WampRawSocketServerFactory",
    "WampRawSocketServerProtocol",
)


class WampRawSocketClientProtocol(RawSocketClient):
    """A RawSocket client connection running one WAMP session."""

    @property
    def _session(self) -> Any:
        return self.handler


class WampRawSocketServerProtocol(RawSocketServer):
    """A RawSocket server connection running one (router) session."""

    @property
    def _session(self) -> Any:
        return self.handler


def _make_session(factory: Any) -> Any:
    return factory() if callable(factory) else factory


class WampRawSocketClientFactory:
    """Builds a client protocol (and its session, from ``factory``) per connection."""

    protocol = WampRawSocketClientProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        serializer: Any = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        self._factory = factory
        self.serializer = "cbor" if serializer is None else serializer_name(serializer)
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter; the message size limit is what RawSocket uses."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def __call__(self) -> WampRawSocketClientProtocol:
        return self.protocol(_make_session(self._factory), self.serializer, self.max_message_size)


class WampRawSocketServerFactory:
    """Builds a server protocol (and its session, from ``factory``) per connection."""

    protocol = WampRawSocketServerProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        serializers: Sequence[Any] | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        self._factory = factory
        self.serializers = serializer_names(serializers, ("cbor", "msgpack", "json"))
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter; the message size limit is what RawSocket uses."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def __call__(self) -> WampRawSocketServerProtocol:
        return self.protocol(_make_session(self._factory), self.serializers, self.max_message_size)
