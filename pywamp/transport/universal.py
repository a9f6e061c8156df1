"""One port for RawSocket and WebSocket: the first byte tells them apart.

A RawSocket hello starts with 0x7F, which can never start an HTTP request line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from pywamp.transport.base import WampTransport

__all__ = ("UniversalServer",)

RAWSOCKET_MAGIC = 0x7F


class UniversalServer(asyncio.Protocol):
    """Waits for the first byte, then hands the connection to the right protocol."""

    def __init__(
        self,
        rawsocket: Callable[[], WampTransport] | None,
        websocket: Callable[[], WampTransport] | None,
        open_timeout: float | None = None,
    ) -> None:
        self._factories = (rawsocket, websocket)
        self._transport: asyncio.Transport | None = None
        self._open_timeout = open_timeout
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not isinstance(): uvloop's transports are not asyncio.Transport subclasses
        self._transport = transport = cast(asyncio.Transport, transport)
        if self._open_timeout is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._open_timeout, transport.abort)

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        if self._timer is not None:
            self._timer.cancel()  # the chosen protocol bounds its own handshake
            self._timer = None
        rawsocket, websocket = self._factories
        factory = rawsocket if data[0] == RAWSOCKET_MAGIC else websocket
        if factory is None:
            self._transport.abort()
            return
        protocol = factory()
        self._transport.set_protocol(protocol)
        protocol.connection_made(self._transport)
        protocol.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
