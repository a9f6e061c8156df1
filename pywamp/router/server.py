"""The embedded router on asyncio: listeners, connections, and the driver of the core.

:class:`Router` owns a :class:`~pywamp.router.core.RouterCore` and carries out what it
returns: a message addressed to many sessions is encoded and framed once per kind of
transport and serializer, then the same bytes are queued to every recipient.
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pywamp import _native
from pywamp.exception import ProtocolError, SerializationError
from pywamp.router import stats
from pywamp.router.core import RouterCore
from pywamp.router.outputs import Close, Output, Send, Timer
from pywamp.router.session import CLOSING as _CLOSING
from pywamp.router.session import ESTABLISHED, NEW, RouterSession
from pywamp.router.settings import ListenerConfig, RouterConfig, load_config
from pywamp.transport import WampTransport, listen
from pywamp.transport.admission import ConnectionRate
from pywamp.transport.base import DISCONNECT, DROP
from pywamp.transport.inprocess import InProcessTransport, pair

__all__ = ("Router",)

log = logging.getLogger("pywamp.router")

_CODECS = {name: _native.Codec(name) for name in ("json", "msgpack", "cbor")}
_PROTOCOL_VIOLATION = "wamp.error.protocol_violation"
_TOO_LARGE = "wamp.error.payload_size_exceeded"
_INVALID_PAYLOAD = "wamp.error.invalid_payload"
_CALL = _native.Call.TYPE
_INVOCATION = _native.Invocation.TYPE
_EVENT = _native.Event
_HELLO = _native.Hello
_time = time.time


def _frame(
    message: Any, transport: WampTransport, serializer: str, encoded: dict[str, bytes | Exception]
) -> bytes | Exception:
    """The frame of a message for every transport with this one's framing key, or the
    reason there is none (the serializer cannot encode it, or it is too large)."""
    payload = encoded.get(serializer)
    if payload is None:
        try:
            payload = encoded[serializer] = _CODECS[serializer].encode(message)
        except SerializationError as error:
            payload = encoded[serializer] = error
    if payload.__class__ is not bytes:
        return payload
    try:
        return transport.stream.frame(payload)  # type: ignore[no-any-return]
    except ProtocolError as error:
        return error


#: ABORT reason when the router is full (``limits.max_sessions``).
MAX_SESSIONS = "pywamp.error.max_sessions_reached"
#: ABORT reason when the realm is full (``limits.max_sessions_per_realm``).
MAX_REALM_SESSIONS = "pywamp.error.max_realm_sessions_reached"


class Seats:
    """The connections one listener may serve at once (``[[listeners]] max_sessions``)."""

    __slots__ = ("limit", "taken")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0


class Connection:
    """The router's handler of one transport: feeds the core, owns one session."""

    __slots__ = ("join_timeout", "listener", "router", "seats", "session", "timer", "transport")

    def __init__(
        self,
        router: Router,
        join_timeout: float | None = None,
        listener: str | None = None,
        seats: Seats | None = None,
    ) -> None:
        self.router = router
        self.listener = listener
        self.seats = seats
        self.join_timeout = join_timeout
        self.transport: WampTransport | InProcessTransport | None = None
        self.session: RouterSession | None = None
        self.timer: asyncio.TimerHandle | None = None

    def transport_open(self, transport: WampTransport | InProcessTransport) -> None:
        self.transport = transport
        limit = self.router.config.limits.max_sessions
        if len(self.router.connections) >= limit:
            reason = f"the router serves at most {limit} sessions at once"
            transport.send(_native.Abort({"message": reason}, MAX_SESSIONS))
            transport.close()
            self.seats = None  # never counted: nothing to give back
            return
        seats = self.seats
        if seats is not None:
            if seats.taken >= seats.limit:
                reason = f"this listener serves at most {seats.limit} sessions at once"
                transport.send(_native.Abort({"message": reason}, MAX_SESSIONS))
                transport.close()
                self.seats = None  # never counted: nothing to give back
                return
            seats.taken += 1
        info = transport.info
        details = {
            "type": info.kind,
            "peer": info.peer,
            "serializer": info.serializer,
            "is_secure": info.is_secure,
        }
        if info.protocol:
            details["protocol"] = info.protocol
        if info.http_path:
            details["http_path"] = info.http_path
        if info.channel_id:
            details["channel_id"] = info.channel_id  # for channel-bound authentication
        if self.listener is not None:
            details["listener"] = self.listener  # per-listener authentication
        self.session = self.router.core.attach(details, self)
        self.router.connections.add(self)
        if self.join_timeout is not None:
            loop = asyncio.get_running_loop()
            self.timer = loop.call_later(self.join_timeout, self._join_expired)

    def _join_expired(self) -> None:
        """A connection must carry a joined session ``join_timeout`` after it opened."""
        self.timer = None
        session, transport = self.session, self.transport
        if transport is not None and session is not None and session.state < ESTABLISHED:
            log.info("no session joined in %s s: closing the connection", self.join_timeout)
            transport.abort()

    def message_received(self, message: Any) -> None:
        router = self.router
        if message.__class__ is _HELLO and router.realm_full(self, message.realm):
            return
        try:
            outputs = router.core.receive(self.session, message, _time())  # type: ignore[arg-type]
        except Exception:
            # a router bug: this connection is dropped, the others are served on
            log.exception("router failed on %s; dropping the connection", type(message).__name__)
            if self.transport is not None:
                self.transport.abort()
            return
        if len(outputs) == 1:
            # the common case (INVOCATION, RESULT, acknowledgements): one message to one
            # session that is not an EVENT, sent without the general driver
            output = outputs[0]
            if output.__class__ is Send:
                recipients = output.recipients
                message = output.message
                if len(recipients) == 1 and message.__class__ is not _EVENT:
                    recipient = recipients[0]
                    transport = recipient.handle.transport
                    if transport is not None:
                        try:
                            transport.send(message)
                        except (ProtocolError, SerializationError) as error:
                            router._undeliverable(recipient, message, error)
                    return
        router.execute(outputs)

    def protocol_violation(self, error: ProtocolError) -> None:
        if self.transport is not None:
            self.transport.send(_native.Abort({"message": str(error)}, _PROTOCOL_VIOLATION))
            self.transport.close()

    def transport_closed(self, error: BaseException | None) -> None:
        router = self.router
        router.connections.discard(self)
        if self.seats is not None:
            self.seats.taken -= 1
            self.seats = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        session = self.session
        if session is not None:
            realm = session.realm
            if realm is not None and self.transport is not None:
                counters = router.counters(realm.name)
                counters.add(self.transport)
                if getattr(self.transport, "too_slow", False):
                    counters.slow_disconnects += 1
            router.execute(router.core.detach(session, time.time()))
        self.transport = None


async def _wait_until(done: Callable[[], bool], timeout: float) -> None:
    """Until ``done()`` or ``timeout`` seconds have passed, checking every 10 ms."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


class Router:
    """An embedded WAMP router: ``await router.start()`` in the application's loop."""

    def __init__(self, config: RouterConfig | None = None) -> None:
        self.config = config if config is not None else RouterConfig()
        self.core = RouterCore(self.config.realms, now=time.time())
        self.connections: set[Connection] = set()
        self.servers: list[asyncio.Server] = []
        #: The connection-rate bounds of the listeners that have one.
        self.admission: list[ConnectionRate] = []
        self._counters: dict[str, stats.RealmCounters] = {}
        for realm in self.core.realms.values():
            stats.install(self, realm)
        self._timer: asyncio.TimerHandle | None = None
        self._timer_deadline: float | None = None

    @classmethod
    def from_config(cls, path: str | Path) -> Router:
        """A router configured by a TOML file or a Crossbar ``config.json``."""
        return cls(load_config(path))

    def counters(self, realm: str) -> stats.RealmCounters:
        """The counters a realm keeps across the sessions that left it."""
        counters = self._counters.get(realm)
        if counters is None:
            counters = self._counters[realm] = stats.RealmCounters()
        return counters

    def realm_full(self, connection: Connection, name: Any) -> bool:
        """Refuse a HELLO with ABORT when its realm holds ``max_sessions_per_realm``."""
        limit = self.config.limits.max_sessions_per_realm
        realm = self.core.realms.get(name) if isinstance(name, str) else None
        session = connection.session
        if not limit or realm is None or len(realm.sessions) < limit:
            return False
        if session is None or session.state != NEW or connection.transport is None:
            return False  # not a first HELLO: the core answers it
        self.counters(realm.name).refused += 1
        reason = f"realm {name!r} serves at most {limit} sessions at once"
        connection.transport.send(_native.Abort({"message": reason}, MAX_REALM_SESSIONS))
        connection.transport.close()
        return True

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Open every configured listener (none stays open when one cannot be opened)."""
        try:
            for listener in self.config.listeners:
                self.servers.append(await self._listen(listener))
        except BaseException:
            for server in self.servers:
                server.close()
            self.servers.clear()
            raise

    async def stop(self, timeout: float = 1.0) -> None:
        """Shut down gracefully: stop accepting, answer every pending call with an ERROR,
        say GOODBYE (``wamp.close.system_shutdown``) to every session, wait up to
        ``timeout`` seconds for their answers, then close every connection."""
        for server in self.servers:
            server.close()
        for rate in self.admission:
            rate.stop()
        self.execute(self.core.shutdown(time.time()))
        await asyncio.sleep(0)  # let the ERRORs and GOODBYEs leave
        await _wait_until(
            lambda: (
                not any(
                    c.session is not None
                    and c.session.state == _CLOSING
                    and c.transport is not None
                    for c in self.connections
                )
            ),
            timeout,
        )
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
        # A peer that stopped reading never lets a close finish (the bytes queued for it
        # wait): what is still open at the deadline is dropped, and (Python 3.13+) so is
        # what is still in its opening handshake, since from 3.12 wait_closed() waits
        # for every connection of the listener.
        await _wait_until(lambda: not self.connections, timeout)
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        for server in self.servers:
            abort_clients = getattr(server, "abort_clients", None)
            if abort_clients is not None:
                abort_clients()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(s.wait_closed() for s in self.servers)), timeout
            )
        except asyncio.TimeoutError:
            log.warning("listeners still had connections %s s after the shutdown", timeout)
        self.servers.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def __aenter__(self) -> Router:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def addresses(self) -> list[str]:
        """What the listeners serve, as ``kind host:port`` or ``kind unix:path``."""
        out = []
        for listener, server in zip(self.config.listeners, self.servers, strict=False):
            for sock in server.sockets:
                name = sock.getsockname()
                if isinstance(name, str):
                    where = f"unix:{name}"
                elif ":" in name[0]:
                    where = f"[{name[0]}]:{name[1]}"  # IPv6
                else:
                    where = f"{name[0]}:{name[1]}"
                out.append(f"{listener.kind} {where}")
        return out

    def port(self, index: int = 0) -> int:
        """The TCP port of a listener (useful with port 0)."""
        name = self.servers[index].sockets[0].getsockname()
        if isinstance(name, str):
            raise ValueError(f"listener {index} is the Unix socket {name}: it has no port")
        return int(name[1])

    def connect_inprocess(self, handler: Any) -> InProcessTransport:
        """Join a client-side handler to this router without a socket."""
        client, _ = pair(handler, Connection(self))
        return client

    # -- the driver ---------------------------------------------------------------------

    def execute(self, outputs: list[Output]) -> None:
        """Carry out what the core asked for, in order."""
        for output in outputs:
            kind = type(output)
            if kind is Send:
                self._send(output)  # type: ignore[arg-type]
            elif kind is Close:
                connection = output.session.handle  # type: ignore[union-attr]
                if connection.transport is not None:
                    connection.transport.close()
            elif kind is Timer:
                self._arm(output.deadline)  # type: ignore[union-attr]

    def _send(self, output: Send) -> None:
        recipients = output.recipients
        message = output.message
        droppable = message.__class__ is _EVENT
        if len(recipients) == 1:
            transport = recipients[0].handle.transport
            if transport is not None:
                try:
                    if droppable:
                        transport.offer(message)
                    else:
                        transport.send(message)
                except (ProtocolError, SerializationError) as error:
                    self._undeliverable(recipients[0], message, error)
            return
        frames: dict[Any, bytes | Exception] = {}
        encoded: dict[str, bytes | Exception] = {}
        for recipient in recipients:
            transport = recipient.handle.transport
            if transport is None:
                continue
            key = transport.framing_key
            if key is None:
                transport.send(message)
                continue
            frame = frames.get(key)
            if frame is None:
                frame = frames[key] = _frame(message, transport, key[1], encoded)
            if frame.__class__ is bytes:
                if droppable:
                    transport.offer_framed(frame)
                else:
                    transport.send_framed(frame)
            else:
                self._undeliverable(recipient, message, frame)  # type: ignore[arg-type]

    def _undeliverable(self, session: RouterSession, message: Any, error: Exception) -> None:
        """A message that this recipient's serializer cannot encode or that exceeds the
        size it accepts: it never reaches the peer; a call it belongs to ends in an ERROR."""
        kind = type(message)
        uri = _TOO_LARGE if isinstance(error, ProtocolError) else _INVALID_PAYLOAD
        text = str(error)
        log.warning("not delivered to session %s: %s: %s", session.id, kind.__name__, text)
        transport = session.handle.transport
        if kind is _native.Invocation:
            # as if the callee had failed: the dealer answers the caller and cleans up
            failed = _native.Error(_INVOCATION, message.request_id, {}, uri, [text])
            self.execute(self.core.receive(session, failed, time.time()))
        elif kind is _native.Event or (kind is _native.Result and message.details.get("progress")):
            pass  # a subscriber misses this event; a caller this progressive result
        elif kind is _native.Result or (kind is _native.Error and message.request_type == _CALL):
            transport.send(_native.Error(_CALL, message.request_id, {}, uri, [text]))
        else:
            transport.send(_native.Abort({"message": text}, uri))
            transport.close()

    def _arm(self, deadline: float) -> None:
        if self._timer_deadline is not None and self._timer_deadline <= deadline:
            return
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer_deadline = deadline
        self._timer = loop.call_later(max(0.0, deadline - time.time()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_deadline = None
        self.execute(self.core.on_timer(time.time()))
        deadline = self.core.next_deadline()
        if deadline is not None:
            self._arm(deadline)

    async def _listen(self, listener: ListenerConfig) -> asyncio.Server:
        context = None
        if listener.tls_certificate is not None:
            context = _ssl.create_default_context(_ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(listener.tls_certificate, listener.tls_key)
        limits = self.config.limits
        seats = None if listener.max_sessions is None else Seats(listener.max_sessions)
        rate = None
        if listener.max_connection_rate is not None:
            rate = ConnectionRate(listener.max_connection_rate)
            self.admission.append(rate)
        return await listen(
            listener.kind,
            lambda: Connection(self, limits.handshake_timeout, listener.name, seats),
            host=listener.host,
            port=listener.port,
            socket_path=listener.socket_path,
            serializers=listener.serializers,
            path=listener.path,
            ssl=context,
            max_message_size=limits.max_message_size,
            open_timeout=limits.handshake_timeout,
            max_queued=limits.max_queued_bytes,
            max_queued_messages=limits.max_queued_messages,
            slow_policy=DROP if limits.slow_consumer == "drop" else DISCONNECT,
            ping_interval=_either(listener.auto_ping_interval, limits.auto_ping_interval) or None,
            ping_timeout=_either(listener.auto_ping_timeout, limits.auto_ping_timeout),
            idle_timeout=limits.idle_timeout or None,
            rawsocket_ping=limits.rawsocket_ping,
            connection_rate=rate,
        )


def _either(own: float | None, default: float) -> float:
    """A listener's own setting, or the router-wide one."""
    return default if own is None else own
