"""Two sessions in one event loop, joined without sockets or serialization.

An embedded router and the application's own sessions exchange message objects
directly: no bytes are framed, encoded or decoded. Messages sent in one loop turn are
delivered together in the next, in order, as a socket would.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pywamp.transport.base import MessageHandler, TransportInfo

__all__ = ("InProcessTransport", "pair")


class InProcessTransport:
    """One end of an in-process pair; the same surface a handler sees on a socket."""

    framing_key = None

    def __init__(self, handler: MessageHandler, info: TransportInfo) -> None:
        self.handler = handler
        self.info = info
        self.peer: InProcessTransport | None = None
        self._inbox: list[Any] = []
        self._scheduled = False
        self._open = True

    @property
    def is_open(self) -> bool:
        """Whether messages can still be sent."""
        return self._open

    def send(self, message: Any) -> None:
        """Hand a message to the other end; it arrives on the next loop turn."""
        peer = self.peer
        if not self._open or peer is None:
            return
        peer._inbox.append(message)
        if not peer._scheduled:
            peer._scheduled = True
            asyncio.get_running_loop().call_soon(peer._deliver)

    def offer(self, message: Any) -> bool:
        """Hand over a message that could be dropped (nothing is: no queue bound here)."""
        self.send(message)
        return True

    def send_encoded(self, payload: bytes) -> None:
        """Not used in process: the router sends message objects here."""
        raise TypeError("an in-process transport carries messages, not encoded bytes")

    send_framed = send_encoded

    def write_buffer_size(self) -> int:
        """Messages the other end has not taken yet (no byte count without encoding)."""
        return len(self.peer._inbox) if self.peer is not None else 0

    def close(self) -> None:
        """Close both ends once queued messages are delivered."""
        if not self._open:
            return
        self._open = False
        loop = asyncio.get_running_loop()
        loop.call_soon(self._closed)
        if self.peer is not None and self.peer._open:
            self.peer._open = False
            loop.call_soon(self.peer._closed)

    abort = close

    def _deliver(self) -> None:
        self._scheduled = False
        inbox, self._inbox = self._inbox, []
        receive = self.handler.message_received
        for message in inbox:
            receive(message)

    def _closed(self) -> None:
        self._deliver()
        self.handler.transport_closed(None)


def pair(
    client: MessageHandler, server: MessageHandler, serializer: str = "none"
) -> tuple[InProcessTransport, InProcessTransport]:
    """Join a client handler and a router handler; both get ``transport_open`` now."""
    a = InProcessTransport(client, TransportInfo("inprocess", serializer, "process", False))
    b = InProcessTransport(server, TransportInfo("inprocess", serializer, "process", True))
    a.peer, b.peer = b, a
    server.transport_open(b)  # type: ignore[arg-type]
    client.transport_open(a)  # type: ignore[arg-type]
    return a, b
