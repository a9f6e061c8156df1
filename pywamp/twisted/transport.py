"""WAMP over RawSocket and WebSocket as Twisted protocols, feeding the native framers.

They implement the transport side of :class:`pywamp.transport.base.MessageHandler`, so
the shared session runs on them unchanged. What the session sends while one chunk of
received bytes is dispatched (answers, calls made from callbacks) is collected and
written once at the end of that chunk: one write instead of one per message. On a plain
socket what it sends at other times (a program's calls and publications) is collected
the same way and written at the start of the next reactor turn.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping, Sequence
from errno import ENOBUFS, EWOULDBLOCK
from typing import Any

from twisted.internet import defer, error, main, protocol
from twisted.internet.interfaces import IHandshakeListener
from twisted.python.failure import Failure
from zope.interface import implementer  # type: ignore[import-untyped]

from pywamp import _native
from pywamp.asyncio._serializers import serializer_name as _serializer_name
from pywamp.exception import HandshakeError, ProtocolError, TransportError
from pywamp.transport._framing import (
    DECODE_SLICE,
    NEVER,
    WRITE_BATCH,
    broken,
    dispatch,
    websocket_answer,
)
from pywamp.transport.base import MessageHandler, TransportInfo, channel_ids
from pywamp.transport.rawsocket import DEFAULT_MAX_MESSAGE_SIZE as RAWSOCKET_MAX
from pywamp.transport.rawsocket import SERIALIZER_IDS, client_stream
from pywamp.transport.url import parse_url
from pywamp.transport.websocket import DEFAULT_MAX_MESSAGE_SIZE as WEBSOCKET_MAX
from pywamp.transport.websocket import subprotocol

__all__ = (
    "WampRawSocketClientFactory",
    "WampRawSocketClientProtocol",
    "WampWebSocketClientFactory",
    "WampWebSocketClientProtocol",
)

CLOSING_TIMEOUT = 5.0


def _peer_of(transport: Any) -> str:
    """A peer address as Autobahn spells it: ``tcp4:127.0.0.1:8080``, ``unix``."""
    address = transport.getPeer()
    kind = getattr(address, "type", None)
    if kind == "TCP":
        family = "tcp6" if ":" in address.host else "tcp4"
        return f"{family}:{address.host}:{address.port}"
    return "unix" if hasattr(address, "name") else "unknown"


#: What :meth:`_WampProtocol._flush` reads of Twisted's FileDescriptor (its write
#: buffer); a Twisted without any of them gets the plain ``transport.write`` path.
_DIRECT_WRITE_NEEDS = (
    "writeSomeData",
    "dataBuffer",
    "offset",
    "_tempDataBuffer",
    "_writeDisconnected",
    "TLS",
    "reactor",
)


def _give_back_reads(transport: Any) -> None:
    """Let the reactor call the transport's own ``doRead`` again."""
    if "doRead" in vars(transport):
        del transport.doRead


@implementer(IHandshakeListener)
class _WampProtocol(protocol.Protocol):
    """Dispatch of decoded items and the life cycle shared by RawSocket and WebSocket."""

    kind = ""
    #: Twisted's transport (typed loosely: its zope interfaces do not type-check well).
    transport: Any

    def __init__(self, handler: MessageHandler) -> None:
        self.handler: Any = handler
        self.stream: Any = None
        #: Fires once the handshake is done (fails if it is refused or the link drops);
        #: cancelling it (a timeout, a cancel) drops the connection.
        self.opened: defer.Deferred[None] = defer.Deferred(lambda _: self.abort())
        self._closing = False
        self._buffer = b""
        #: Frames sent while a received chunk is dispatched, or (on a plain socket) within
        #: one reactor turn; written once after the chunk or at the next turn.
        self._pending: list[bytes] | None = None
        self._write_now = False
        #: A flush of ``_pending`` is scheduled for the next reactor turn.
        self._flush_scheduled = False
        self._dispatching = False
        self._early = NEVER  # answers held before the first early write (while dispatching)
        #: The socket's ``send`` and ``recv`` when this protocol uses them directly (TCP).
        self._send: Callable[[bytes], int] | None = None
        self._recv: Callable[[int], bytes] | None = None
        self._read_size = 0
        self._events: dict[type, Callable[[Any], None]] = {
            _native.Ping: self._on_ping,
            _native.Pong: self._on_pong,
            _native.Close: self._on_close,
        }

    @property
    def _session(self) -> Any:
        return self.handler

    # -- twisted.internet.protocol.Protocol ---------------------------------------------

    def connectionMade(self) -> None:
        from twisted.internet.abstract import FileDescriptor

        # A plain socket (TCP, Unix) sends what a dispatched chunk answered right away
        # rather than one reactor turn later: one poll less per round trip.
        self._write_now = (
            isinstance(self.transport, FileDescriptor)
            and all(hasattr(self.transport, name) for name in _DIRECT_WRITE_NEEDS)
            and not getattr(self.transport, "TLS", False)
        )
        if self._write_now:
            self._take_reads()
        set_nodelay = getattr(self.transport, "setTcpNoDelay", None)
        if set_nodelay is not None and _peer_of(self.transport).startswith("tcp"):
            set_nodelay(True)
        self.info = TransportInfo(
            kind=self.kind,
            serializer="",
            peer=_peer_of(self.transport),
            is_server=False,
            is_secure=self._is_secure(),
        )
        self._start()

    def handshakeCompleted(self) -> None:
        """TLS is up: the channel id an authenticator may bind to (``tls-unique``: this
        client's Finished message, as for a client Python's ``ssl`` and Autobahn take it)."""
        connection = getattr(self.transport, "getHandle", lambda: None)()
        finished = getattr(connection, "get_finished", lambda: None)()
        self.info.channel_id = channel_ids(finished)

    def _is_secure(self) -> bool:
        from twisted.internet.interfaces import ISSLTransport

        return ISSLTransport.providedBy(self.transport) or hasattr(
            self.transport, "getPeerCertificate"
        )

    def _take_reads(self) -> None:
        """On a TCP connection, use the socket directly: the reactor calls :meth:`_read`
        in place of the transport's ``doRead`` (which would reach ``dataReceived``
        through three more calls, one of them an endpoint's wrapper), and writes call
        the socket's ``send``."""
        from twisted.internet import tcp

        transport = self.transport
        kind = type(transport)
        sock = getattr(transport, "socket", None)
        if not isinstance(sock, socket.socket):
            return
        if kind.writeSomeData is tcp.Connection.writeSomeData:
            self._send = sock.send
        if (
            kind.doRead is tcp.Connection.doRead
            and kind._dataReceived is tcp.Connection._dataReceived
            and type(getattr(transport, "bufferSize", None)) is int
        ):
            self._recv = sock.recv
            self._read_size = transport.bufferSize
            transport.doRead = self._read

    def _read(self) -> Any:
        """The transport's ``doRead``: what Twisted's does (receive, report the end of the
        stream or a failed ``recv`` to the reactor), with the chunk handed straight to
        :meth:`dataReceived`."""
        transport = self.transport
        if transport.TLS:  # startTLS on this connection: Twisted's read and write from now on
            _give_back_reads(transport)
            self._write_now = False
            return transport.doRead()
        try:
            data = self._recv(self._read_size)  # type: ignore[misc]
        except OSError as e:
            return None if e.args[0] == EWOULDBLOCK else main.CONNECTION_LOST
        if not data:
            return main.CONNECTION_DONE
        self.dataReceived(data)
        return None

    def dataReceived(self, data: bytes) -> None:
        """Decode a received chunk and dispatch its messages in order; what they answer
        leaves in one write."""
        stream = self.stream
        if stream is None:
            self._buffer += data
            self._handshake()
            return
        if self._dispatching:  # nested in another chunk's dispatch: it flushes
            self._receive(data)
            return
        self._dispatching = True
        self._early = WRITE_BATCH
        if self._pending is None:
            self._pending = []
        try:
            if len(data) > DECODE_SLICE:
                self._receive(data)
            else:  # _receive and dispatch, inlined: this is the path of every read
                try:
                    items = stream.feed(data)
                except (ProtocolError, TransportError) as e:
                    broken(self, e)
                else:
                    events = self._events
                    deliver = self.handler.message_received
                    for item in items:
                        on_event = events.get(type(item))
                        if on_event is None:
                            deliver(item)
                        else:
                            on_event(item)
        finally:
            self._dispatching = False
            self._early = NEVER
            self._flush()

    def _receive(self, data: bytes) -> None:
        """Feed ``data`` to the native stream and dispatch the items, at most
        ``DECODE_SLICE`` bytes at a time."""
        if len(data) > DECODE_SLICE:
            for start in range(0, len(data), DECODE_SLICE):
                if self._closing or self.transport is None:
                    return  # the connection is being closed: the rest is not read
                self._receive(data[start : start + DECODE_SLICE])
            return
        try:
            items = self.stream.feed(data)
        except (ProtocolError, TransportError) as error:
            broken(self, error)
            return
        self._dispatch(items)

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        was_open = self.stream is not None and self.opened.called
        if not self.opened.called:
            self.opened.errback(
                ConnectionError(f"connection closed during handshake: {reason.value}")
            )
            self.opened.addErrback(lambda _: None)  # nobody may be waiting
        transport, self.transport = self.transport, None
        if transport is not None:
            _give_back_reads(transport)  # the transport and this protocol let go of each other
        del transport
        if was_open:
            clean = isinstance(reason.value, error.ConnectionDone)
            self.handler.transport_closed(None if clean else reason.value)

    # -- the session's side ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether messages can still be sent."""
        return self.transport is not None and self.stream is not None and not self._closing

    def send(self, message: Any) -> None:
        """Encode, frame and write one message."""
        if self.transport is None or self._closing:
            return
        self._write(self.stream.send(message))

    def send_encoded(self, payload: bytes) -> None:
        """Write a message already encoded with this transport's serializer."""
        if self.transport is not None and not self._closing:
            self._write(self.stream.frame(payload))

    def _write(self, data: bytes) -> None:
        """Write now, or after the chunk being dispatched (the first
        :data:`WRITE_BATCH` answers as soon as they are made) or at the next turn,
        keeping the order."""
        pending = self._pending
        if pending is not None:
            pending.append(data)
            if len(pending) >= self._early:
                self._early = NEVER
                self._flush()
                self._pending = []
        elif self._write_now:
            self._pending = [data]
            self._schedule_flush()
        else:
            self.transport.write(data)

    def _schedule_flush(self) -> None:
        """Write what is sent during this reactor turn at the start of the next one, in
        one ``send`` (Twisted's own buffer would cost a poll for writability and two
        epoll_ctl calls per turn)."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.transport.reactor.callLater(0, self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._flush_scheduled = False
        if not self._dispatching:
            self._flush()

    def _flush(self) -> None:
        """Write the frames collected while a chunk was dispatched or during a turn; on a
        plain socket, send them now when nothing is queued before them, so the bytes leave
        without registering the socket for writing and unregistering it again (two
        epoll_ctl calls per write); what the socket does not take is queued as usual."""
        pending, self._pending = self._pending, None
        transport = self.transport
        if not pending or transport is None:
            return
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        if (
            self._write_now
            and transport.connected
            and not transport.disconnecting
            and not transport.TLS  # started on this connection: Twisted's write encrypts
            and not transport._writeDisconnected
            and not transport._tempDataBuffer
            and transport.offset == len(transport.dataBuffer)
        ):
            send = self._send
            if send is None:
                sent = transport.writeSomeData(data)
            else:
                # On TCP, Twisted's writeSomeData without its two calls and memoryview.
                try:
                    sent = send(data)
                except OSError as e:
                    sent = 0 if e.args[0] in (EWOULDBLOCK, ENOBUFS) else None
            if not isinstance(sent, int):
                # An error: queued, the reactor's doWrite meets it again and closes the
                # connection as usual.
                transport.write(data)
                return
            if sent >= len(data):
                return
            data = data[sent:]
        transport.write(data)

    def close(self) -> None:
        """Flush what is written and close the connection."""
        if self.transport is None or self._closing:
            return
        self._flush()
        self._closing = True
        self.transport.loseConnection()

    def abort(self) -> None:
        """Drop the connection at once."""
        self._pending = None
        if self.transport is not None:
            self._closing = True
            self.transport.abortConnection()

    # -- subclasses --------------------------------------------------------------------

    def _start(self) -> None:
        raise NotImplementedError

    def _handshake(self) -> None:
        raise NotImplementedError

    def _opened(self, stream: Any, rest: bytes) -> None:
        """The handshake is done: start framing and hand the transport to the handler."""
        self.stream = stream
        self.info.serializer = stream.serializer
        self.handler.transport_open(self)
        if not self.opened.called:
            self.opened.callback(None)
        if rest:
            self.dataReceived(rest)

    def _refuse(self, refusal: HandshakeError) -> None:
        if not self.opened.called:
            self.opened.errback(refusal)
        self.abort()

    def _dispatch(self, items: list[Any]) -> None:
        dispatch(items, self._events, self.handler.message_received)

    def _fail(self, failure: TransportError) -> None:
        self.abort()

    def _on_ping(self, ping: Any) -> None:
        if self.transport is not None:
            self._write(self.stream.pong(ping.payload))

    def _on_pong(self, pong: Any) -> None:
        """Keepalive answers need no action."""

    def _on_close(self, close: Any) -> None:
        self.close()


class WampRawSocketClientProtocol(_WampProtocol):
    """The client side of RawSocket: the 4-byte handshake, then length-prefixed frames."""

    kind = "rawsocket"

    def __init__(
        self,
        handler: MessageHandler,
        serializer: str = "cbor",
        max_message_size: int = RAWSOCKET_MAX,
    ) -> None:
        super().__init__(handler)
        self.serializer = _serializer_name(serializer)
        self.max_message_size = max_message_size

    def _start(self) -> None:
        hello = _native.rawsocket_handshake(SERIALIZER_IDS[self.serializer], self.max_message_size)
        self.transport.write(hello)

    def _handshake(self) -> None:
        if len(self._buffer) < 4:
            return
        hello, rest, self._buffer = self._buffer[:4], self._buffer[4:], b""
        try:
            serializer_id, peer_max = _native.rawsocket_parse_handshake(hello)
            stream = client_stream(self.serializer, serializer_id, peer_max, self.max_message_size)
        except HandshakeError as refusal:
            self._refuse(refusal)
            return
        self._opened(stream, rest)


class WampWebSocketClientProtocol(_WampProtocol):
    """The client side of WebSocket: the HTTP upgrade, then frames and the closing handshake."""

    kind = "websocket"

    def __init__(
        self,
        handler: MessageHandler,
        host: str,
        path: str = "/",
        serializers: Sequence[str] = ("cbor", "msgpack", "json"),
        max_message_size: int = WEBSOCKET_MAX,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(handler)
        self.host = host
        self.path = path
        self.offered = [subprotocol(_serializer_name(s)) for s in serializers]
        self.max_message_size = max_message_size
        self.headers = tuple(headers)
        self._key = ""
        self._close_sent = False

    def _start(self) -> None:
        request, self._key = _native.websocket_request(
            self.host, self.path, self.offered, headers=self.headers
        )
        self.transport.write(request)

    def _handshake(self) -> None:
        try:
            answer = websocket_answer(self._buffer, self._key, self.offered, self.max_message_size)
        except HandshakeError as refusal:
            self._refuse(refusal)
            return
        if answer is None:
            return
        stream, self.info.protocol, rest = answer
        self._buffer = b""
        self._opened(stream, rest)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake; the TCP connection follows the router's answer."""
        if self.transport is None or self._closing:
            return
        if self.stream is None or self._close_sent:
            super().close()
            return
        self._close_sent = True
        self._write(self.stream.close(code, reason))
        from pywamp.twisted._adapter import get_reactor

        get_reactor().callLater(CLOSING_TIMEOUT, self._close_timed_out)

    def _close_timed_out(self) -> None:
        if self.transport is not None:
            self.abort()

    def _on_close(self, close: Any) -> None:
        if not self._close_sent and self.transport is not None:
            code = getattr(close, "code", None)
            self._close_sent = True
            self._write(self.stream.close(code if code is not None else 1000, ""))
        super().close()

    def _fail(self, failure: TransportError) -> None:
        if self.stream is not None and not self._close_sent and self.transport is not None:
            self._close_sent = True
            self._write(self.stream.close(failure.close_code or 1002, str(failure)[:100]))
        super().close()


def _make_session(factory: Any) -> Any:
    return factory() if callable(factory) else factory


class WampRawSocketClientFactory(protocol.ClientFactory):
    """Builds a RawSocket client protocol (and its session, from ``factory``) per connection."""

    protocol = WampRawSocketClientProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        serializer: Any = None,
        max_message_size: int = RAWSOCKET_MAX,
    ) -> None:
        self._factory = factory
        self.serializer = "cbor" if serializer is None else _serializer_name(serializer)
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter; the message size limit is what RawSocket uses."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def buildProtocol(self, addr: Any) -> WampRawSocketClientProtocol:
        proto = WampRawSocketClientProtocol(
            _make_session(self._factory), self.serializer, self.max_message_size
        )
        proto.factory = self
        return proto


class WampWebSocketClientFactory(protocol.ClientFactory):
    """Builds a WebSocket client protocol (and its session) per connection; ``url`` gives
    the Host header and HTTP path of the upgrade request."""

    protocol = WampWebSocketClientProtocol

    def __init__(
        self,
        factory: Callable[[], Any] | Any,
        url: str | None = None,
        serializers: Sequence[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_message_size: int = WEBSOCKET_MAX,
        **_: Any,
    ) -> None:
        address = parse_url(url or "ws://localhost")
        if address.kind != "websocket":
            raise ValueError(f"not a WebSocket URL: {url!r}")
        host = address.host or "localhost"
        if address.port not in (None, 443 if address.secure else 80):
            host = f"{host}:{address.port}"
        self._factory = factory
        self.url = url
        self.host = host
        self.path = address.path
        self.serializers = [_serializer_name(s) for s in serializers or ("cbor", "msgpack", "json")]
        self.headers = tuple((headers or {}).items())
        self.max_message_size = max_message_size

    def setProtocolOptions(self, maxMessagePayloadSize: int | None = None, **_: Any) -> None:
        """Autobahn's option setter: the message size limit applies; others are accepted."""
        if maxMessagePayloadSize:
            self.max_message_size = maxMessagePayloadSize

    def buildProtocol(self, addr: Any) -> WampWebSocketClientProtocol:
        proto = WampWebSocketClientProtocol(
            _make_session(self._factory),
            self.host,
            self.path,
            self.serializers,
            self.max_message_size,
            self.headers,
        )
        proto.factory = self
        return proto
