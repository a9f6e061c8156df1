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
import hashlib
import logging
import socket
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from pywamp import _native
from pywamp.exception import ProtocolError, TransportError
from pywamp.transport._framing import DECODE_SLICE, NEVER, broken, dispatch

__all__ = ("DISCONNECT", "DROP", "MessageHandler", "TransportInfo", "WampTransport")

#: Slow-consumer policies (``WampTransport.slow_policy``): over the queue bound, a
#: droppable message (an EVENT) is dropped and counted, or the connection is dropped.
DROP = "drop"
DISCONNECT = "disconnect"

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
        """Write out every transport written to during the dispatch; one that fails to
        write is dropped and does not hold up the others' bytes."""
        dirty = self.dirty
        if len(dirty) == 1:  # the common case: one reply to one peer
            dirty.pop()._flush_safely()
            return
        self.dirty = []
        for transport in dirty:
            transport._flush_safely()


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
    #: Channel ids by binding type (``tls-unique``) for authenticators that bind to TLS.
    channel_id: dict[str, bytes] = field(default_factory=dict)


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
    #: Bytes that may wait for a peer that does not read (a slow consumer must not hold
    #: the router's memory); None: no bound. What happens over it: ``slow_policy``.
    max_queued: int | None = None
    #: Messages that may wait for such a peer (counted only while bytes wait at all).
    max_queued_messages: int = 10000
    #: DISCONNECT: over either bound the connection is dropped. DROP: over it a message
    #: offered with :meth:`offer_framed` is dropped and counted; the others are still
    #: queued up to twice the bounds, past which the connection is dropped.
    slow_policy: str = DISCONNECT
    #: Seconds between keepalive pings (WebSocket or RawSocket PING); None: none sent.
    ping_interval: float | None = None
    #: Answers to a read held back before the first of them leave: by default all of
    #: them, to its end (the router: one system call per peer and dispatch, which is most
    #: of what a message costs it); a client: ``WRITE_BATCH``.
    write_batch: int = NEVER
    #: Seconds a ping may wait for its pong before the connection is dropped.
    ping_timeout: float = 10.0
    #: Seconds without any byte from the peer before the connection is dropped; None: no bound.
    idle_timeout: float | None = None

    def __init__(self, handler: MessageHandler) -> None:
        self.handler = handler
        self.transport: asyncio.Transport | None = None
        self.stream: Any = None
        self._loop = asyncio.get_running_loop()
        self._batch = _batch_of(self._loop)
        self.opened: asyncio.Future[None] = self._loop.create_future()
        self.opened.add_done_callback(self._handshake_abandoned)
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._corked = False  # a write left at once: the next ones wait for a flush
        self._early = NEVER  # answers held before the first early write (while reading)
        self._closing = False
        self._open_timer: asyncio.TimerHandle | None = None
        self._ping_timer: asyncio.TimerHandle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        self._awaiting_pong = False
        self._heard_at = 0.0  # loop time of the last bytes from the peer
        # Counters (the router's stats): messages and bytes each way, EVENTs dropped for
        # a slow reader, and the most bytes that ever waited for the peer.
        self.messages_in = 0
        self.bytes_in = 0
        self.messages_out = 0
        self.bytes_out = 0
        self.dropped = 0
        self.queue_high_water = 0
        #: Set when the connection was dropped for reading too slowly.
        self.too_slow = False
        # While bytes wait in the asyncio buffer: where each message ends in the stream
        # of bytes written (``bytes_out``), so the messages still waiting can be counted.
        self._ends: deque[int] = deque()
        self._pending = 0  # bytes of EVENTs queued this loop turn while bytes wait
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
        # not isinstance(): uvloop's transports are not asyncio.Transport subclasses
        self.transport = transport = cast(asyncio.Transport, transport)
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
        if self.max_queued is not None and self.slow_policy == DISCONNECT:
            transport.set_write_buffer_limits(high=self.max_queued)

    def eof_received(self) -> None:
        """The peer hung up: nothing more is queued for it (asyncio then closes the
        transport, so :meth:`_flush_now` drops what was queued before, and
        ``connection_lost`` follows)."""
        self._closing = True

    def pause_writing(self) -> None:
        """More bytes wait for the peer than it may hold back: drop it (policy DISCONNECT;
        under DROP the bound is checked as messages are queued)."""
        if self.max_queued is not None and self.slow_policy == DISCONNECT and self.transport:
            self._too_slow(f"over {self.transport.get_write_buffer_size()} bytes queued")

    def _too_slow(self, why: str) -> None:
        self.too_slow = True
        log.warning(
            "%s: peer %s reads too slowly (%s): connection dropped",
            self.info.kind,
            self.info.peer,
            why,
        )
        self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._out.clear()
        self._ends.clear()
        for timer in (self._open_timer, self._ping_timer, self._idle_timer):
            if timer is not None:
                timer.cancel()
        self._open_timer = self._ping_timer = self._idle_timer = None
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

    def offer_framed(self, frame: bytes) -> bool:
        """Queue a frame that may be dropped for a slow reader (an EVENT): False if it was
        not queued because the queue is at its bound (the connection may be dropped)."""
        if self._ends:
            if self.congested():
                return self._over_bound()
            self._pending += len(frame)
        if self.transport is None or self._closing:
            return True
        self._write(frame)
        return True

    def offer(self, message: Any) -> bool:
        """:meth:`offer_framed` for a message not framed yet (not framed when dropped)."""
        if self._ends and self.congested():
            return self._over_bound()
        if self.transport is None or self._closing:
            return True
        return self.offer_framed(self.stream.send(message))

    def _over_bound(self) -> bool:
        """A droppable message meets a full queue: count it (DROP) or drop the peer."""
        if self.slow_policy == DROP:
            self.dropped += 1
        else:
            self._too_slow(f"over {self.max_queued} bytes or {self.max_queued_messages} messages")
        return False

    def congested(self) -> bool:
        """Whether the messages or bytes the kernel would not take yet are at their bound
        (counted only once bytes wait: one loop turn's burst to a fast reader is not)."""
        if self.max_queued is None or self.transport is None:
            return False
        queued = self.transport.get_write_buffer_size() + self._pending
        return queued >= self.max_queued or (
            self._waiting() + len(self._out) >= self.max_queued_messages
        )

    def queued_messages(self) -> int:
        """Messages queued but not yet taken by the kernel (counted when bounded)."""
        return self._waiting() + len(self._out) if self.transport is not None else 0

    def _waiting(self) -> int:
        ends = self._ends
        if ends:
            assert self.transport is not None
            sent = self.bytes_out - self.transport.get_write_buffer_size()
            while ends and ends[0] <= sent:
                ends.popleft()
        return len(ends)

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

    def _handshake_abandoned(self, opened: asyncio.Future[None]) -> None:
        """Whoever waited for the handshake gave up (a timeout, a cancel): the half-open
        connection must not stay behind."""
        if opened.cancelled():
            self.abort()

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
        self._start_timers()
        self.handler.transport_open(self)
        if rest:
            self._feed(rest)

    def data_received(self, data: bytes) -> None:
        """Decode every complete item in ``data`` and dispatch it in order; what the
        handlers send leaves when the dispatch ends, one write per transport."""
        stream = self.stream
        if stream is None:
            self._handshake_data(data)
            return
        self._corked = False
        self.bytes_in += len(data)
        if self.idle_timeout is not None:
            self._heard_at = self._loop.time()
        batch = self._batch
        batch.feeding += 1
        self._early = self.write_batch
        try:
            size = len(data)
            for start in range(0, size, DECODE_SLICE):  # once, unless over DECODE_SLICE
                try:
                    items = stream.feed(
                        data if size <= DECODE_SLICE else data[start : start + DECODE_SLICE]
                    )
                except (ProtocolError, TransportError) as error:
                    broken(self, error)
                    return
                self._dispatch(items)
                if self.transport is None:
                    return  # closed by what was dispatched: the rest is not read
        finally:
            self._early = NEVER
            batch.feeding -= 1
            if not batch.feeding and batch.dirty:
                batch.flush()

    def _feed(self, data: bytes) -> None:
        """Bytes that came with the end of the opening handshake (the stream is set)."""
        WampTransport.data_received(self, data)

    def _handshake_data(self, data: bytes) -> None:
        """Bytes of the opening handshake (before :meth:`_opened`)."""
        raise NotImplementedError

    def _dispatch(self, items: list[Any]) -> None:
        """Each decoded item to its event hook or to the handler, counted."""
        self.messages_in += len(items)
        dispatch(items, self._events, self.handler.message_received)

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
        """The answer to a keepalive ping: the peer is alive; the next ping is due
        ``ping_interval`` from now."""
        if not self._awaiting_pong:
            return  # unsolicited (a heartbeat): nothing to do
        self._awaiting_pong = False
        if self._ping_timer is not None:
            self._ping_timer.cancel()
        if self.ping_interval is not None and self.transport is not None:
            self._ping_timer = self._loop.call_later(self.ping_interval, self._ping_due)

    # -- keepalive and idle bound ---------------------------------------------------

    def _start_timers(self) -> None:
        """Arm the keepalive ping and the idle bound of an open connection (if set)."""
        if self.ping_interval is not None:
            self._ping_timer = self._loop.call_later(self.ping_interval, self._ping_due)
        if self.idle_timeout is not None:
            self._heard_at = self._loop.time()
            self._idle_timer = self._loop.call_later(self.idle_timeout, self._idle_due)

    def _ping_due(self) -> None:
        """Send a ping; if the last one is still unanswered, the peer is gone."""
        if self.transport is None or self.ping_interval is None:
            return
        if self._awaiting_pong:
            log.info("%s: peer %s missed a keepalive pong", self.info.kind, self.info.peer)
            self.abort()
            return
        self._awaiting_pong = True
        self._write(self.stream.ping(b"pywamp"))
        self._ping_timer = self._loop.call_later(self.ping_timeout, self._pong_due)

    def _pong_due(self) -> None:
        """The ping got no pong in ``ping_timeout`` seconds (a pong cancels this)."""
        self._ping_timer = None
        self._ping_due()  # aborts

    def _idle_due(self) -> None:
        """No byte from the peer in ``idle_timeout`` seconds: drop it."""
        if self.transport is None or self.idle_timeout is None:
            return
        due = self._heard_at + self.idle_timeout
        if self._loop.time() < due:
            self._idle_timer = self._loop.call_at(due, self._idle_due)
            return
        log.info(
            "%s: peer %s silent for %s s: connection dropped",
            self.info.kind,
            self.info.peer,
            self.idle_timeout,
        )
        self.abort()

    def _on_close(self, close: Any) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        out = self._out
        if self._batch.feeding:
            if not out:
                self._batch.dirty.append(self)
            out.append(data)
            if len(out) >= self._early:
                self._early = NEVER
                self._flush_safely()
        elif out or self._corked:
            # a burst: the writes after the first leave together, next loop turn
            out.append(data)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
        else:
            # the first write since the last read or flush leaves at once
            transport = self.transport
            assert transport is not None
            transport.write(data)
            self._corked = True
            self._sent(transport, (data,), len(data))

    def _flush(self) -> None:
        self._flush_scheduled = False
        self._corked = False
        self._flush_now()

    def _flush_now(self) -> None:
        transport = self.transport
        if transport is None or not self._out:
            return
        out, self._out = self._out, []
        if transport.is_closing():
            return  # closed under us (the peer hung up): connection_lost is on its way
        if len(out) == 1:
            size = len(out[0])
            transport.write(out[0])
        else:
            size = sum(map(len, out))
            transport.writelines(out)
        self._sent(transport, out, size)

    def _flush_safely(self) -> None:
        """:meth:`_flush_now` for the batch: a write that raises drops this connection."""
        try:
            self._flush_now()
        except Exception:
            log.exception(
                "%s: write to peer %s failed: connection dropped", self.info.kind, self.info.peer
            )
            self.abort()

    def _sent(self, transport: asyncio.WriteTransport, out: Sequence[bytes], size: int) -> None:
        """Count what was handed to the kernel and, when bytes wait, track it against the
        slow-consumer bounds (nothing stays queued in ``_out`` after a write)."""
        self._pending = 0
        self.messages_out += len(out)
        self.bytes_out += size
        if self.max_queued is not None and self.transport is not None:
            buffered = transport.get_write_buffer_size()
            if buffered or self._ends:
                self._track(out, size, buffered)

    def _track(self, out: Sequence[bytes], size: int, buffered: int) -> None:
        """Bytes wait for the peer: remember where this batch's messages end, forget the
        messages the kernel took, and drop a peer over the bounds (under DROP: twice the
        bounds, reached by messages that cannot be dropped while it was already behind)."""
        ends = self._ends
        if not buffered:
            ends.clear()
            return
        behind = bool(ends)
        if buffered > self.queue_high_water:
            self.queue_high_water = buffered
        end = self.bytes_out - size
        for data in out:
            end += len(data)
            ends.append(end)
        sent = self.bytes_out - buffered
        while ends and ends[0] <= sent:
            ends.popleft()
        if self.slow_policy == DISCONNECT:
            if len(ends) > self.max_queued_messages:
                self._too_slow(f"over {self.max_queued_messages} messages queued")
        elif (
            behind
            and self.max_queued is not None
            and (len(ends) > 2 * self.max_queued_messages or buffered > 2 * self.max_queued)
        ):
            self._too_slow(f"{len(ends)} messages, {buffered} bytes queued")


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


def channel_ids(tls_unique: object) -> dict[str, bytes]:
    """The channel ids of a TLS connection, given its ``tls-unique`` binding data (the
    first Finished message, RFC 5929): its SHA-256, as Autobahn and Crossbar bind to."""
    if not isinstance(tls_unique, bytes):
        return {}
    return {"tls-unique": hashlib.sha256(tls_unique).digest()}


def asyncio_info(kind: str, transport: asyncio.BaseTransport, is_server: bool) -> TransportInfo:
    """What an asyncio connection is, once open (a TLS handshake is done by then)."""
    ssl_object = transport.get_extra_info("ssl_object")
    binding = getattr(ssl_object, "get_channel_binding", None)
    return TransportInfo(
        kind=kind,
        serializer="",
        peer=peer_of(transport),
        is_server=is_server,
        is_secure=transport.get_extra_info("sslcontext") is not None,
        channel_id=channel_ids(binding("tls-unique")) if binding is not None else {},
    )
