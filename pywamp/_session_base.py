"""The life cycle of a client session: transport events, joining, authentication, leaving.

This is the framework-agnostic core of :class:`pywamp.session.Session`. Futures, timers
and tasks come from the face's adapter (asyncio here, Twisted elsewhere); application
hooks (``onJoin`` ...) may be plain functions or coroutines and run in spawned tasks
so a slow hook never stalls message dispatch.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from pywamp._adapter import Adapter
from pywamp._errors import ErrorMapping
from pywamp._log import Failure, make_logger
from pywamp._observable import Observable, Raised
from pywamp.exception import (
    ApplicationError,
    Error,
    ProtocolError,
    SessionNotReady,
    TransportLost,
)
from pywamp.protocol import ClientPeer, PendingCall, PendingRequest, Phase
from pywamp.wamp.types import (
    Challenge,
    CloseDetails,
    ComponentConfig,
    SessionDetails,
    TransportDetails,
)

__all__ = ("SessionBase", "transport_details_of")

_SIMPLE_TYPES = frozenset({type(None), bool, int, float, str, bytes, list, dict, tuple})
_SESSION_EVENTS = ("join", "leave", "ready", "connect", "disconnect")
_FRAMING = {"websocket": 2, "rawsocket": 3}
_SERIALIZER_IDS = {"json": 1, "msgpack": 2, "cbor": 3}


class SessionBase(Observable):
    """State shared by the caller, callee, publisher and subscriber parts of a session."""

    #: The face's adapter class (asyncio: ``AsyncioAdapter``); set by each face.
    adapter_class: ClassVar[Callable[[], Adapter] | None] = None
    log = make_logger("pywamp.session")
    #: Send the traceback of endpoint errors to callers (as Autobahn's ``traceback_app``).
    traceback_app = False

    _transport: Any
    _adapter: Adapter
    _dispatch: dict[type, Callable[[Any], None]]
    _when_joining: dict[type, Callable[[Any], None]]
    _when_established: dict[type, Callable[[Any], None]]
    _on_call_cancelled: Callable[[int], None]

    def __init__(self, config: ComponentConfig | None = None) -> None:
        self._config = config if config is not None else ComponentConfig(realm="realm1")
        self._peer = ClientPeer()
        self._transport = None
        self._errors = ErrorMapping()
        self._session_details: SessionDetails | None = None
        self._join_waiter: Any = None
        #: How the last join ended (SessionDetails or an exception), once it has.
        self._join_outcome: Any = None
        self._leave_waiter: Any = None
        self._closed_waiter: Any = None
        self._dispatch = {}
        #: The router broke the protocol on this connection: nothing more is dispatched.
        self._broken_off = False
        self.set_valid_events(_SESSION_EVENTS)

    # -- properties (Autobahn's names) ------------------------------------------------

    @property
    def config(self) -> ComponentConfig:
        """The component configuration the session was created with."""
        return self._config

    @property
    def transport(self) -> Any:
        """The WAMP transport the session runs on (None when disconnected)."""
        return self._transport

    @property
    def transport_details(self) -> TransportDetails | None:
        """What the current transport is (kind, serializer, peer, TLS)."""
        return transport_details_of(self._transport)

    @property
    def session_id(self) -> int | None:
        """The WAMP session id while joined."""
        return self._peer.session_id

    @property
    def realm(self) -> str | None:
        """The realm joined (or being joined)."""
        return self._peer.realm

    @property
    def session_details(self) -> SessionDetails | None:
        """Details of the current (or last) joined session."""
        return self._session_details

    def _welcome_detail(self, name: str) -> Any:
        details = self._session_details
        return getattr(details, name, None) if details is not None else None

    @property
    def authid(self) -> str | None:
        """The authid the router assigned."""
        return self._welcome_detail("authid")  # type: ignore[no-any-return]

    @property
    def authrole(self) -> str | None:
        """The authrole the router assigned."""
        return self._welcome_detail("authrole")  # type: ignore[no-any-return]

    @property
    def authmethod(self) -> str | None:
        """The authentication method used."""
        return self._welcome_detail("authmethod")  # type: ignore[no-any-return]

    @property
    def authprovider(self) -> str | None:
        """The authentication provider used."""
        return self._welcome_detail("authprovider")  # type: ignore[no-any-return]

    @property
    def authextra(self) -> dict[str, Any] | None:
        """The router's authextra from WELCOME."""
        return self._welcome_detail("authextra")  # type: ignore[no-any-return]

    def is_connected(self) -> bool:
        """Whether a transport is attached and open."""
        transport = self._transport
        return transport is not None and bool(getattr(transport, "is_open", True))

    def is_attached(self) -> bool:
        """Whether the session has joined a realm (and is still connected)."""
        return self._peer.session_id is not None and self.is_connected()

    # -- helpers ----------------------------------------------------------------------

    def _bind_adapter(self) -> None:
        if getattr(self, "_adapter", None) is None:
            factory = type(self).adapter_class
            if factory is None:
                raise RuntimeError(
                    f"{type(self).__name__} has no adapter: use the session class of a face "
                    "(pywamp.asyncio.wamp.ApplicationSession, ...)"
                )
            self._adapter = factory()
        adapter = self._adapter
        self._resolve = adapter.resolve
        self._reject = adapter.reject
        self._spawn = adapter.spawn

    def _not_ready(self, what: str) -> Error:
        """The error for a WAMP action that the session cannot do now."""
        phase = self._peer.phase
        if phase is Phase.CLOSED or not self.is_connected():
            return TransportLost(f"cannot {what}: the session is not connected")
        if phase is Phase.CLOSING:
            return SessionNotReady(f"cannot {what}: the session is leaving the realm")
        return SessionNotReady(f"cannot {what}: the session has not joined a realm")

    @staticmethod
    def _is_awaitable(value: Any) -> bool:
        """Whether a handler's return value must be awaited (cheap for plain values)."""
        return type(value) not in _SIMPLE_TYPES and inspect.isawaitable(value)

    def _user_error(self, error: BaseException, message: str) -> None:
        """Report an exception raised by application code to ``onUserError``."""
        try:
            self.onUserError(Failure(error), message)
        except Exception as e:  # a broken onUserError must not break dispatch
            self.log.error(
                "onUserError raised {error!r} while reporting {message}", error=e, message=message
            )

    async def _guard(self, awaitable: Awaitable[Any], message: str) -> Any:
        """Await application code; its errors go to ``onUserError``."""
        try:
            return await awaitable
        except Exception as e:
            self._user_error(e, message)
            return None

    async def _hook(self, fn: Callable[..., Any], message: str, *args: Any) -> Any:
        """Run an application hook (plain or async); its errors go to ``onUserError``."""
        try:
            result = fn(*args)
            if self._is_awaitable(result):
                result = await result
            return result
        except Exception as e:
            self._user_error(e, message)
            return None

    async def _notify(self, event: str, *args: Any, **kwargs: Any) -> None:
        """Fire an event to the session's (and its parent's) listeners and await them."""
        waits = []
        message = f"While notifying '{event}'"
        for result in self._call_listeners(event, args, kwargs):
            if isinstance(result, Raised):
                self._user_error(result.error, message)
            elif self._is_awaitable(result):
                waits.append(self._guard(result, message))
        if waits:
            await self._adapter.gather(waits)

    def fire(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Fire ``event`` to every listener; a future that resolves once they finished."""
        return self._spawn(self._notify(event, *args, **kwargs))

    def _send(self, message: Any) -> None:
        transport = self._transport
        if transport is not None:
            transport.send(message)

    def _fail_pending(self, error: BaseException) -> None:
        """Fail every request still waiting for the router, and stop running endpoints."""
        peer = self._peer
        for record in peer.drain():
            if type(record) is PendingCall:
                if record.timer is not None:
                    record.timer.cancel()
                self._reject(record.future, error)
            elif type(record) is PendingRequest:
                self._reject(record.future, error)
            else:  # a plain call's bare future
                self._reject(record, error)
        running = list(peer.invocations.values())
        peer.invocations.clear()
        for invocation in running:
            if invocation.task is not None:
                self._adapter.cancel(invocation.task)
        subscriptions, registrations = peer.forget_handlers()
        for handle in subscriptions:
            handle.active = False
        for handle in registrations:
            handle.active = False

    def _finish_waiters(self, join_outcome: Any) -> None:
        if self._join_waiter is not None:
            self._resolve(self._join_waiter, join_outcome)
            self._join_waiter = None
            self._join_outcome = join_outcome
        if self._leave_waiter is not None:
            self._resolve(self._leave_waiter, None)
            self._leave_waiter = None

    # -- transport events (pywamp.transport.MessageHandler) ---------------------------

    def transport_open(self, transport: Any) -> None:
        """A transport is connected and its handshake done."""
        self._bind_adapter()
        self._transport = transport
        self._peer.transport_open()
        self._dispatch = {}
        self._broken_off = False
        self._closed_waiter = self._adapter.create_future()
        self.onOpen(transport)

    def message_received(self, message: Any) -> None:
        """One WAMP message from the router (the hot path: a table lookup and a call)."""
        handler = self._dispatch.get(type(message))
        if handler is None:
            if self._broken_off:
                return  # the rest of a read that broke the protocol: not dispatched
            self._violation(
                f"{type(message).__name__} received while the session is "
                f"{self._peer.phase.name.lower()}"
            )
            return
        try:
            handler(message)
        except ProtocolError as e:
            self._violation(str(e))

    def protocol_violation(self, error: ProtocolError) -> None:
        """The transport could not decode what the router sent."""
        self._violation(str(error))

    def transport_closed(self, error: BaseException | None) -> None:
        """The connection is gone: fail what is pending, then run the leave/disconnect hooks."""
        peer = self._peer
        session_id = peer.session_id
        self._transport = None
        self._dispatch = {}
        why = f": {error}" if error is not None else ""
        lost = TransportLost(f"WAMP transport was lost{why}")
        self._fail_pending(lost)
        peer.transport_closed()
        self._finish_waiters(lost)
        # Clean: the connection closed without an error and no session was cut short.
        self._spawn(self._closed(session_id, error is None and session_id is None))

    # Autobahn's ITransportHandler names.
    def onMessage(self, msg: Any) -> None:
        """Autobahn's name for :meth:`message_received`."""
        self.message_received(msg)

    def onClose(self, wasClean: bool) -> None:
        """Autobahn's name for :meth:`transport_closed`."""
        self.transport_closed(None if wasClean else TransportLost("connection lost"))

    def _violation(self, text: str) -> None:
        """The router broke the protocol: ABORT and close the connection. What else it sent
        in the same read is dropped: the session is over, and its pending requests fail
        with the connection."""
        transport = self._transport
        if transport is None or self._broken_off:
            return
        self._broken_off = True
        self._dispatch = {}
        self.log.error("WAMP protocol violation by the router: {text}", text=text)
        session_id = self._peer.session_id
        try:
            transport.send(self._peer.abort(ApplicationError.PROTOCOL_VIOLATION, text[:500]))
        finally:
            transport.close()
        if session_id is not None:  # a joined session ended: onLeave, as for any other end
            self._spawn(self._left(CloseDetails(ApplicationError.PROTOCOL_VIOLATION, text)))

    async def _closed(self, session_id: int | None, was_clean: bool) -> None:
        if session_id is not None:
            details = CloseDetails(
                CloseDetails.REASON_TRANSPORT_LOST,
                f"WAMP transport was lost without closing the session {session_id} before",
            )
            await self._left(details)
        await self._hook(self.onDisconnect, "While firing onDisconnect")
        await self._notify("disconnect", self, was_clean=was_clean)
        waiter, self._closed_waiter = self._closed_waiter, None
        if waiter is not None:
            self._resolve(waiter, None)

    def onOpen(self, transport: Any) -> None:
        """The transport is open: fire ``connect``, then ``onConnect``."""
        self._spawn(self._opened(transport))

    async def _opened(self, transport: Any) -> None:
        await self._notify("connect", self, transport)
        await self._hook(self.onConnect, "While calling 'onConnect'")

    # -- leaving ------------------------------------------------------------------------

    def leave(self, reason: str | None = None, message: str | None = None) -> Any:
        """Send GOODBYE; a future that resolves once the router answered."""
        peer = self._peer
        if peer.phase is Phase.CLOSING and self._leave_waiter is not None:
            return self._leave_waiter
        if peer.phase is not Phase.ESTABLISHED:
            self.log.warn("session is not joined on a realm - no session to leave")
            adapter = getattr(self, "_adapter", None)
            return adapter.succeed(None) if adapter is not None else None
        goodbye = peer.goodbye(reason or CloseDetails.REASON_DEFAULT, message)
        self._leave_waiter = self._adapter.create_future()
        waiter = self._leave_waiter
        self._transport.send(goodbye)
        self._shutting_down()
        return waiter

    def _shutting_down(self) -> None:
        """Our GOODBYE is out: the roles stop what they must not do until the answer."""

    def disconnect(self) -> Any:
        """Close the transport; a future that resolves once it is closed."""
        transport = self._transport
        waiter = self._closed_waiter
        if transport is not None:
            transport.close()
        return waiter

    def _on_goodbye(self, message: Any) -> None:
        reply = self._peer.goodbye_received()
        if reply is not None:
            self._send(reply)
        self._dispatch = {}
        text = message.details.get("message")
        self._fail_pending(
            ApplicationError(message.reason, text) if text else ApplicationError(message.reason)
        )
        self._finish_waiters(ApplicationError(message.reason, text or "session closed"))
        self._spawn(self._left(CloseDetails(message.reason, text)))

    def _on_abort(self, message: Any) -> None:
        self._peer.aborted()
        self._dispatch = {}
        text = message.details.get("message")
        if text is None and message.args:
            text = str(message.args[0])
        error = ApplicationError(message.reason, text) if text else ApplicationError(message.reason)
        self._fail_pending(error)
        self._finish_waiters(error)
        self._spawn(self._left(CloseDetails(message.reason, text)))

    async def _left(self, details: CloseDetails) -> None:
        await self._hook(
            self.onLeave, f'While firing onLeave for reason "{details.reason}"', details
        )
        await self._notify("leave", self, details)

    # -- application hooks (override these) ---------------------------------------------

    def onConnect(self) -> Any:
        """The transport is open (the session joins its realm here)."""

    def onChallenge(self, challenge: Challenge) -> Any:
        """Answer an authentication challenge with a signature (str)."""
        raise RuntimeError("received authentication challenge, but onChallenge not implemented")

    def onWelcome(self, welcome: Any) -> Any:
        """Inspect WELCOME; returning a str aborts the session (mutual authentication)."""
        return None

    def onJoin(self, details: SessionDetails) -> Any:
        """The session joined its realm."""

    def onLeave(self, details: CloseDetails) -> Any:
        """The session left its realm: by default, close the transport."""
        if (
            details.reason != CloseDetails.REASON_DEFAULT
            and details.reason != "wamp.close.goodbye_and_out"
        ):
            self.log.warn(
                "session closed with reason {reason} [{message}]",
                reason=details.reason,
                message=details.message,
            )
        if self._transport is not None:
            self.disconnect()

    def onDisconnect(self) -> Any:
        """The transport is closed."""

    def onUserError(self, fail: Any, msg: str) -> None:
        """Application code raised: log it (override to handle differently)."""
        value = getattr(fail, "value", fail)
        if isinstance(value, ApplicationError):
            self.log.warn(
                '{klass}.onUserError(): "{msg}"',
                klass=type(self).__name__,
                msg=value.error_message(),
            )
        else:
            self.log.error(
                '{klass}.onUserError(): "{msg}"\n{traceback}',
                klass=type(self).__name__,
                msg=msg,
                traceback=fail.getTraceback() if isinstance(fail, Failure) else repr(value),
            )

    def define(self, exception: type, error: str | None = None) -> None:
        """Map an exception class to an error URI (both directions)."""
        self._errors.define(exception, error)


def transport_details_of(transport: Any) -> TransportDetails | None:
    """What SessionDetails.transport reports about a pywamp transport."""
    info = getattr(transport, "info", None)
    if info is None:
        return None
    secure = bool(info.is_secure)
    return TransportDetails(
        channel_type=TransportDetails.CHANNEL_TYPE_TLS
        if secure
        else TransportDetails.CHANNEL_TYPE_TCP,
        channel_framing=_FRAMING.get(info.kind),
        channel_serializer=_SERIALIZER_IDS.get(info.serializer),
        peer=info.peer,
        is_server=info.is_server,
        is_secure=secure,
        own_pid=os.getpid(),
        websocket_protocol=info.protocol,
        channel_id=dict(info.channel_id) if info.channel_id else None,
    )
