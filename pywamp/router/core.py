"""The sans-IO router: realms and sessions driven by messages, detaches and timers.

A driver (the asyncio server, a test) owns the transports and the clock::

    core = RouterCore([RealmConfig("realm1")], now=time.time())
    session = core.attach({"type": "rawsocket", "peer": "tcp4:127.0.0.1:5555"}, handle)
    for output in core.receive(session, message, time.time()): ...
    for output in core.detach(session, time.time()): ...   # transport lost
    for output in core.on_timer(time.time()): ...          # a Timer deadline passed

``now`` is POSIX time in seconds (``time.time()``): deadlines come back on that clock,
and it stamps meta API timestamps and event history. The outputs are described in
:mod:`pywamp.router.outputs`. A handler never raises for bad client input: a protocol
violation ABORTs that one session; an exception escaping ``receive`` is a router bug,
after which the driver should drop that connection and call ``detach``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pywamp.router import errors
from pywamp.router.auth import AuthorizationPending
from pywamp.router.callout import callout
from pywamp.router.config import RealmConfig
from pywamp.router.errors import ProtocolViolation
from pywamp.router.outputs import Output
from pywamp.router.realm import Realm
from pywamp.router.session import CLOSED, CLOSING, ESTABLISHED, RouterSession, abort, handshake
from pywamp.router.timers import Timers

if TYPE_CHECKING:
    from pywamp._native import Error, Message, Result


class RouterCore:
    """Realms by name, one timer heap, and the entry points a driver calls."""

    def __init__(
        self,
        realms: Iterable[RealmConfig] | None = None,
        *,
        now: float = 0.0,
        goodbye_timeout: float = 5.0,
    ) -> None:
        self.timers = Timers()
        # Messages of sessions waiting for a dynamic authorizer, in arrival order.
        self.held: dict[RouterSession, tuple[int, list[Message]]] = {}
        self.goodbye_timeout = goodbye_timeout
        self.realms: dict[str, Realm] = {}
        for config in realms if realms is not None else (RealmConfig(),):
            self.add_realm(config, now)

    def add_realm(self, config: RealmConfig, now: float) -> Realm:
        """Start serving a realm."""
        if config.name in self.realms:
            raise ValueError(f"realm {config.name!r} exists")
        realm = Realm(config, self.timers, now, self.goodbye_timeout)
        self.realms[config.name] = realm
        return realm

    def attach(
        self, transport: Mapping[str, Any] | None = None, handle: Any = None
    ) -> RouterSession:
        """A transport connected: the session that will speak over it.

        ``transport`` is plain data about the connection (type, peer, serializer...);
        ``wamp.session.get`` returns it. ``handle`` is the driver's own object.
        """
        return RouterSession(transport, handle)

    def receive(self, session: RouterSession, message: Message, now: float) -> list[Output]:
        """Handle one message from a session."""
        out: list[Output] = []
        session.received += 1
        realm = session.realm
        if session.state == ESTABLISHED and realm is not None:
            if self.held and session in self.held:
                sid, held = self.held[session]
                if sid == session.id:
                    held.append(message)  # behind an action being authorized
                    return out
                del self.held[session]  # left (killed) and joined again meanwhile
            # _dispatch, inlined: this is the path of every message
            handler = realm.handlers.get(type(message))
            try:
                if handler is None:
                    raise ProtocolViolation(f"a client must not send {type(message).__name__}")
                handler(session, message, now, out)
            except ProtocolViolation as exc:
                self._violation(session, str(exc), now, out)
            except AuthorizationPending as pending:
                self._hold(session, realm, message, pending, now, out)
        else:
            handshake(self.realms, session, message, now, out)
        return out

    def _dispatch(
        self, session: RouterSession, realm: Realm, message: Message, now: float, out: list[Output]
    ) -> None:
        """Hand a message of a joined session to its realm (what ``receive`` does inline)."""
        handler = realm.handlers.get(type(message))
        try:
            if handler is None:
                raise ProtocolViolation(f"a client must not send {type(message).__name__}")
            handler(session, message, now, out)
        except ProtocolViolation as exc:
            self._violation(session, str(exc), now, out)
        except AuthorizationPending as pending:
            self._hold(session, realm, message, pending, now, out)

    def _hold(
        self,
        session: RouterSession,
        realm: Realm,
        message: Message,
        pending: AuthorizationPending,
        now: float,
        out: list[Output],
    ) -> None:
        """Ask a dynamic authorizer; the session's messages wait, in order, for the answer."""
        held = [message]
        sid = session.id
        entry = (sid, held)
        self.held[session] = entry
        options = getattr(message, "options", None)
        args = [*pending.arguments, options if isinstance(options, dict) else {}]

        def release(outcome: Result | Error, now: float, out: list[Output]) -> None:
            if self.held.get(session) is not entry:
                return  # the transport is gone, or the session left
            del self.held[session]
            if session.state != ESTABLISHED or session.id != sid or session.realm is not realm:
                return
            pending.decide(outcome, now)
            for i, queued in enumerate(held):
                joined = session.realm
                if session.state == ESTABLISHED and joined is not None:
                    self._dispatch(session, joined, queued, now, out)
                else:  # a GOODBYE was held too: what follows it is a new handshake
                    handshake(self.realms, session, queued, now, out)
                again = self.held.get(session)
                if again is not None:
                    again[1].extend(held[i + 1 :])
                    break

        callout(realm, pending.procedure, args, pending.timeout, release, now, out)

    def receive_many(
        self, session: RouterSession, messages: Iterable[Message], now: float
    ) -> list[Output]:
        """Handle the messages decoded from one read, in order."""
        out: list[Output] = []
        for message in messages:
            out += self.receive(session, message, now)
        return out

    def detach(self, session: RouterSession, now: float) -> list[Output]:
        """The transport is gone: the session leaves its realm (testaments fire)."""
        out: list[Output] = []
        if session.state == ESTABLISHED and session.realm is not None:
            session.realm.leave(session, now, out)
        elif session.state == CLOSING and session.close_timer is not None:
            session.close_timer.cancel()
            session.close_timer = None
        session.state = CLOSED
        session.pending_auth = None
        session.pending_realm = None
        if self.held:
            self.held.pop(session, None)
        return out

    def shutdown(self, now: float, reason: str = errors.CLOSE_SYSTEM_SHUTDOWN) -> list[Output]:
        """Answer every pending call with ERROR ``wamp.error.canceled``, then say GOODBYE
        to every joined session (no meta or testament events)."""
        out: list[Output] = []
        for realm in self.realms.values():
            for session in realm.sessions.values():
                realm.dealer.fail_calls(session, errors.CANCELED, now, out)
        for realm in self.realms.values():
            for session in list(realm.sessions.values()):
                realm.kill(session, reason, None, now, out, quiet=True)
        return out

    def on_timer(self, now: float) -> list[Output]:
        """Fire every timer due at ``now``."""
        out: list[Output] = []
        self.timers.expire(now, out)
        return out

    def next_deadline(self) -> float | None:
        """When ``on_timer`` should next be called, or None."""
        return self.timers.next_deadline()

    def _violation(self, session: RouterSession, text: str, now: float, out: list[Output]) -> None:
        realm = session.realm
        if session.state == ESTABLISHED and realm is not None:
            realm.leave(session, now, out)
        if session.state != CLOSED:
            abort(session, errors.PROTOCOL_VIOLATION, text, out)
