"""What every asyncio WAMP transport shares: the handler interface, coalesced writes,
and the dispatch of decoded items.

A transport turns bytes into WAMP messages with one native ``feed()`` call per read and
hands each message to a :class:`MessageHandler` (a client session or a router session).
Writes leave early and together: what the handlers send while one read is dispatched
leaves, per transport, in one write when the dispatch ends (the same loop turn); outside
a dispatch the first write since the last read or flush leaves at once and the writes
right after it leave together at the start of the next loop turn.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pywamp import _native
from pywamp.exception import ProtocolError, TransportError

__all__ = ("MessageHandler", "TransportInfo", "WampTransport")

log = logging.getLogger("pywamp.transport")

#: Bytes asked for per read: under malloc's mmap threshold (128 KiB).
_READ_SIZE = 64 * 1024


class _Batch:
    """The writes of one event loop while a read is dispatched: queued, and every
    transport written to leaves in one write when the outermost dispatch ends."""

    __slots__ = ("dirty", "feeding")

    def __init__(self) -> None:
        self.feeding = 0  # depth of nested dispatches
        self.dirty: list[WampTransport] = []

    def flush(self) -> None:
        """Write out every transport written to during the dispatch."""
        dirty = self.dirty[:]
        self.dirty.clear()
        for transport in dirty:
            transport._flush_now()


_batches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batch] = weakref.WeakKeyDictionary()


def _batch_of(loop: asyncio.AbstractEventLoop) -> _Batch:
    batch = _batches.get(loop)
    if batch is None:
        batch = _batches[loop] = _Batch()
    return batch


@dataclass(slots=True)
class TransportInfo:
    """Facts about one connection, for session details and the router's meta API."""

    kind: str  # "rawsocket" | "websocket" | "inprocess"
    serializer: str
    peer: str  # "tcp4:127.0.0.1:51234", "unix", "process"
    is_server: bool
    is_secure: bool = False
    http_path: str | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    protocol: str | None = None  # the WebSocket subprotocol


class MessageHandler(Protocol):
    """The session (client or router side) that a transport feeds."""

    def transport_open(self, transport: WampTransport) -> None:
        """The handshake is done: ``transport.send`` may be used from now on."""

    def message_received(self, message: Any) -> None:
        """One decoded WAMP message, in arrival order."""

    def protocol_violation(self, error: ProtocolError) -> None:
        """The peer sent a message that breaks WAMP; answer with ABORT and close."""

    def transport_closed(self, error: BaseException | None) -> None:
        """The connection is gone (``error`` is None after a clean close)."""


class WampTransport(asyncio.Protocol):
    """Base of the RawSocket and WebSocket protocols: writes, dispatch, life cycle.

    Subclasses run their opening handshake, then call :meth:`_opened` with the native
    stream (``_native.RawSocket`` or ``_native.WebSocket``) that frames messages.
    """

    info: TransportInfo
    #: Seconds a connection may take to finish its opening handshake before it is
    #: dropped (``listen`` sets it on server connections; None: no bound).
    open_timeout: float | None = None
    #: Bytes that may wait for a peer that does not read before its connection is
    #: dropped (a slow consumer must not hold the router's memory); None: no bound.
    max_queued: int | None = None

    def __init__(self, handler: MessageHandler) -> None:
        self.handler = handler
        self.transport: asyncio.Transport | None = None
        self.stream: Any = None
        self._loop = asyncio.get_running_loop()
        self._batch = _batch_of(self._loop)
        self.opened: asyncio.Future[None] = self._loop.create_future()
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._corked = False  # a write left at once: the next ones wait for a flush
        self._closing = False
        self._open_timer: asyncio.TimerHandle | None = None
        #: Transports with the same key frame a message to the same bytes and accept the
        #: same sizes (router side: no masking; RawSocket: the peer's announced maximum),
        #: so a fan-out frames once per key; None when frames differ.
        self.framing_key: tuple[type, str, int | None] | None = None
        self._events: dict[type, Callable[[Any], None]] = {
            _native.Ping: self._on_ping,
            _native.Pong: self._on_pong,
            _native.Close: self._on_close,
        }

    # -- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if getattr(transport, "max_size", 0) > _READ_SIZE:
            # asyncio reads up to 256 KiB at a time; a buffer that large is mmap()ed
            # by malloc and unmapped after every read: three system calls per message
            transport.max_size = _READ_SIZE  # type: ignore[attr-defined]
        if self.open_timeout is not None:
            loop = asyncio.get_running_loop()
            self._open_timer = loop.call_later(self.open_timeout, self._open_expired)
        if self.max_queued is not None:
            transport.set_write_buffer_limits(high=self.max_queued)

    def pause_writing(self) -> None:
        """The peer lets more than ``max_queued`` bytes pile up: drop it (when bounded)."""
        if self.max_queued is not None and self.transport is not None:
            log.warning(
                "%s: peer %s reads too slowly (over %d bytes queued): connection dropped",
                self.info.kind,
                self.info.peer,
                self.max_queued,
            )
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._out.clear()
        if self._open_timer is not None:
            self._open_timer.cancel()
            self._open_timer = None
        was_open = self.stream is not None and self.opened.done()
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("connection closed during handshake"))
            self.opened.exception()  # retrieved: nobody may be waiting
        if was_open:
            self.handler.transport_closed(exc)

    # -- the session's side ---------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether messages can still be sent."""
        return self.transport is not None and self.stream is not None and not self._closing

    def send(self, message: Any) -> None:
        """Encode, frame and write (or queue) one message."""
        if self.transport is None or self._closing:
            return
        self._write(self.stream.send(message))

    def send_encoded(self, payload: bytes) -> None:
        """Queue a message already encoded with this transport's serializer."""
        if self.transport is None or self._closing:
            return
        self._write(self.stream.frame(payload))

    def send_framed(self, frame: bytes) -> None:
        """Queue bytes framed by a transport with the same ``framing_key``."""
        if self.transport is None or self._closing:
            return
        self._write(frame)

    def write_buffer_size(self) -> int:
        """Bytes queued but not yet taken by the kernel (slow-consumer accounting)."""
        queued = sum(map(len, self._out))
        return queued + (self.transport.get_write_buffer_size() if self.transport else 0)

    def close(self) -> None:
        """Flush what is queued and close the connection."""
        if self.transport is None or self._closing:
            return
        self._closing = True
        self._flush()
        self.transport.close()

    def abort(self) -> None:
        """Drop the connection at once, discarding queued bytes."""
        if self.transport is not None:
            self._out.clear()
            self.transport.abort()

    # -- subclasses -----------------------------------------------------------------

    def _opened(self, stream: Any, rest: bytes) -> None:
        """The handshake is done: start framing and hand the transport to the handler."""
        self.stream = stream
        if self._open_timer is not None:
            self._open_timer.cancel()
            self._open_timer = None
        self.info.serializer = stream.serializer
        if self.info.is_server:
            self.framing_key = (type(stream), stream.serializer, getattr(stream, "max_send", None))
        if not self.opened.done():
            self.opened.set_result(None)
        self.handler.transport_open(self)
        if rest:
            self._feed(rest)

    def _feed(self, data: bytes) -> None:
        """Decode every complete item in ``data`` and dispatch it in order; what the
        handlers send leaves when the dispatch ends, one write per transport."""
        self._corked = False
        batch = self._batch
        batch.feeding += 1
        try:
            self._feed_items(data)
        finally:
            batch.feeding -= 1
            if not batch.feeding and batch.dirty:
                batch.flush()

    def _feed_items(self, data: bytes) -> None:
        try:
            items = self.stream.feed(data)
        except ProtocolError as error:
            self._dispatch(error.messages)
            if self.transport is not None:
                self.handler.protocol_violation(error)
            return
        except TransportError as error:
            self._dispatch(error.messages)
            self._fail(error)
            return
        self._dispatch(items)

    def _dispatch(self, items: list[Any]) -> None:
        deliver = self.handler.message_received
        events = self._events
        for item in items:
            on_event = events.get(type(item))
            if on_event is None:
                deliver(item)
            else:
                on_event(item)

    def _fail(self, error: TransportError) -> None:
        """A framing violation: close the connection (subclasses say why on the wire)."""
        self.abort()

    def _open_expired(self) -> None:
        """The peer did not finish the opening handshake in time (or never spoke)."""
        self._open_timer = None
        if self.stream is None:
            self.abort()

    def _on_ping(self, ping: Any) -> None:
        self._write(self.stream.pong(ping.payload))

    def _on_pong(self, pong: Any) -> None:
        """Keepalive answers need no action yet."""

    def _on_close(self, close: Any) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        out = self._out
        if self._batch.feeding:
            if not out:
                self._batch.dirty.append(self)
            out.append(data)
        elif out or self._corked:
            # a burst: the writes after the first leave together, next loop turn
            out.append(data)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
        else:
            # the first write since the last read or flush leaves at once
            self.transport.write(data)  # type: ignore[union-attr]
            self._corked = True

    def _flush(self) -> None:
        self._flush_scheduled = False
        self._corked = False
        self._flush_now()

    def _flush_now(self) -> None:
        if self.transport is None or not self._out:
            return
        out, self._out = self._out, []
        if len(out) == 1:
            self.transport.write(out[0])
        else:
            self.transport.writelines(out)


def peer_of(transport: asyncio.BaseTransport) -> str:
    """A peer address as Autobahn spells it: ``tcp4:127.0.0.1:8080``, ``unix``."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return "unknown"
    if sock.family == socket.AF_INET:
        host, port = transport.get_extra_info("peername")[:2]
        return f"tcp4:{host}:{port}"
    if sock.family == socket.AF_INET6:
        host, port = transport.get_extra_info("peername")[:2]
        return f"tcp6:{host}:{port}"
    return "unix"
