"""Router-side state of one client session, and its opening and closing handshake.

A :class:`RouterSession` exists from the moment a transport attaches. It moves
NEW → (CHALLENGING →) ESTABLISHED on HELLO/WELCOME, back to NEW after a GOODBYE
exchange (the transport may join again), and to CLOSED on ABORT or transport loss.
ESTABLISHED messages are dispatched by the realm; this module handles the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pywamp._native import Abort, Authenticate, Challenge, Goodbye, Hello
from pywamp.router import errors
from pywamp.router.auth import (
    Accept,
    AnonymousAuthenticator,
    Answer,
    Challenged,
    Deny,
    PendingAuth,
)
from pywamp.router.features import client_roles
from pywamp.router.outputs import Close, Output, Send

if TYPE_CHECKING:
    from pywamp._native import Message
    from pywamp.router.broker import Subscription
    from pywamp.router.calls import PendingCall
    from pywamp.router.realm import Realm
    from pywamp.router.registrations import Registration
    from pywamp.router.timers import TimerEntry

NEW = 0
CHALLENGING = 1
ESTABLISHED = 2
CLOSING = 3  # the router sent GOODBYE and waits for the answer
CLOSED = 4

_ANONYMOUS = AnonymousAuthenticator()


class RouterSession:
    """One client as the router sees it: identity, features, and what it owns."""

    __slots__ = (
        "agent",
        "authextra",
        "authid",
        "authmethod",
        "authprovider",
        "authrole",
        "callee_cancel",
        "callee_progress",
        "callee_progressive_calls",
        "caller",
        "caller_progressive_calls",
        "calls",
        "close_timer",
        "disclose_caller",
        "disclose_publisher",
        "finished_progressive",
        "handle",
        "id",
        "invocation_ids",
        "invocations",
        "pending_auth",
        "pending_realm",
        "publisher",
        "realm",
        "received",
        "registrations",
        "roles",
        "state",
        "subscriptions",
        "testaments",
        "timeout_scale",
        "transport",
    )

    def __init__(self, transport: Mapping[str, Any] | None = None, handle: Any = None) -> None:
        self.transport: dict[str, Any] = dict(transport or {})
        self.handle = handle  # the driver's per-connection object; never touched here
        self.state = NEW
        self.received = 0
        self.pending_auth: PendingAuth | None = None
        self.pending_realm: Realm | None = None
        self.close_timer: TimerEntry | None = None
        self.subscriptions: dict[int, Subscription] = {}
        self.registrations: dict[int, Registration] = {}
        self.calls: dict[int, PendingCall] = {}
        self.invocations: dict[int, PendingCall] = {}
        self.finished_progressive: set[int] = set()
        self.testaments: dict[str, list[tuple[str, Any, Any, dict[str, Any]]]] = {
            "detached": [],
            "destroyed": [],
        }
        self.reset()

    def reset(self) -> None:
        """Forget everything of a previous join (the transport may join again)."""
        self.id = 0
        self.realm: Realm | None = None
        self.authid = ""
        self.authrole = ""
        self.authmethod = ""
        self.authprovider = ""
        self.authextra: dict[str, Any] | None = None
        self.agent: str | None = None
        self.roles: dict[str, dict[str, Any]] = {}
        self.callee_cancel = False
        self.callee_progress = False
        self.callee_progressive_calls = False
        self.caller_progressive_calls = False
        self.disclose_caller = True
        self.disclose_publisher = True
        # The identity disclosed in INVOCATION/EVENT details: built once per join and
        # shared by every message (messages are never mutated once built).
        self.caller: dict[str, Any] = {}
        self.publisher: dict[str, Any] = {}
        self.timeout_scale = 0.001
        self.invocation_ids = 0
        # What the session owned: a leaving session's were emptied as it left, and are
        # kept for the next join (a join allocates none); any left over are replaced.
        if self.subscriptions:
            self.subscriptions = {}
        if self.registrations:
            self.registrations = {}
        if self.calls:
            self.calls = {}
        if self.invocations:
            self.invocations = {}
        if self.finished_progressive:
            self.finished_progressive = set()
        testaments = self.testaments
        if testaments["detached"] or testaments["destroyed"]:
            self.testaments = {"detached": [], "destroyed": []}

    def __repr__(self) -> str:
        return f"<RouterSession {self.id} {self.authid!r}/{self.authrole!r} state={self.state}>"

    def next_invocation_id(self) -> int:
        """The next INVOCATION request id toward this callee (session scope, from 1)."""
        n = self.invocation_ids + 1
        if n > 2**53:
            n = 1
        self.invocation_ids = n
        return n

    def details(self) -> dict[str, Any]:
        """The session as ``wamp.session.get`` and ``wamp.session.on_join`` describe it."""
        return {
            "session": self.id,
            "realm": self.realm.name if self.realm is not None else None,
            "authid": self.authid,
            "authrole": self.authrole,
            "authmethod": self.authmethod,
            "authprovider": self.authprovider,
            "authextra": self.authextra,
            "transport": public_transport(self.transport),
        }


def public_transport(transport: Mapping[str, Any]) -> dict[str, Any]:
    """A session's transport as the meta API and dynamic authenticators show it: channel
    ids in hex, as Autobahn's ``TransportDetails.parse`` reads them."""
    shown = dict(transport)
    ids = shown.get("channel_id")
    if isinstance(ids, Mapping):
        shown["channel_id"] = {kind: bytes(value).hex() for kind, value in ids.items()}
    return shown


def abort(session: RouterSession, reason: str, message: str, out: list[Output]) -> None:
    """Send ABORT and close the transport (the session must not be joined any more)."""
    session.state = CLOSED
    session.pending_auth = None
    session.pending_realm = None
    out.append(Send(Abort({"message": message} if message else {}, reason), (session,)))
    out.append(Close(session, reason))


def handshake(
    realms: Mapping[str, Realm], session: RouterSession, msg: Message, now: float, out: list[Output]
) -> None:
    """Handle a message of a session that is not ESTABLISHED."""
    state = session.state
    kind = type(msg)
    if state == NEW:
        if kind is Hello:
            assert isinstance(msg, Hello)
            _hello(realms, session, msg, now, out)
        elif kind is Abort:
            session.state = CLOSED
            out.append(Close(session, msg.reason if isinstance(msg, Abort) else ""))
        else:
            abort(session, errors.PROTOCOL_VIOLATION, f"{kind.__name__} before HELLO", out)
    elif state == CHALLENGING:
        if kind is Authenticate:
            assert isinstance(msg, Authenticate)
            _authenticate(realms, session, msg, now, out)
        elif kind is Abort:
            session.state = CLOSED
            session.pending_auth = None
            out.append(Close(session, msg.reason if isinstance(msg, Abort) else ""))
        else:
            abort(session, errors.PROTOCOL_VIOLATION, f"{kind.__name__} during authentication", out)
    elif state == CLOSING:
        # The router sent GOODBYE; only the answer matters, everything else is dropped.
        if kind is Goodbye:
            if session.close_timer is not None:
                session.close_timer.cancel()
                session.close_timer = None
            session.state = NEW
        elif kind is Abort:
            session.state = CLOSED
            out.append(Close(session, msg.reason if isinstance(msg, Abort) else ""))
    # CLOSED: drop everything


def _hello(
    realms: Mapping[str, Realm], session: RouterSession, msg: Hello, now: float, out: list[Output]
) -> None:
    realm = realms.get(msg.realm)
    if realm is None:
        abort(session, errors.NO_SUCH_REALM, f"no realm {msg.realm!r} on this router", out)
        return
    details = msg.details
    roles = client_roles(details)
    if roles is None:
        abort(session, errors.PROTOCOL_VIOLATION, "HELLO.Details.roles names no client role", out)
        return
    authenticator = realm.config.authenticator or _ANONYMOUS
    session.roles = roles
    agent = details.get("agent")
    session.agent = agent if isinstance(agent, str) else None
    answer = authenticator.hello(realm.name, details, session.transport, now)
    settle(realms, session, realm, answer, now, out)


def settle(
    realms: Mapping[str, Realm],
    session: RouterSession,
    realm: Realm,
    answer: Answer,
    now: float,
    out: list[Output],
) -> None:
    """Carry out an authenticator's answer: join, ABORT, CHALLENGE, or ask a procedure."""
    if isinstance(answer, Accept):
        details = {"agent": session.agent} if session.agent is not None else {}
        realm.join(session, answer, details, session.roles, now, out)
    elif isinstance(answer, Deny):
        abort(session, answer.reason, answer.message, out)
    elif isinstance(answer, Challenged):
        session.state = CHALLENGING
        session.pending_auth = answer.pending
        session.pending_realm = realm
        out.append(Send(Challenge(answer.authmethod, answer.extra), (session,)))
    else:
        from pywamp.router.dynamic import ask  # the dynamic side loads the dealer

        ask(realms, session, realm, answer, now, out)


def _authenticate(
    realms: Mapping[str, Realm],
    session: RouterSession,
    msg: Authenticate,
    now: float,
    out: list[Output],
) -> None:
    pending = session.pending_auth
    realm = session.pending_realm
    session.pending_auth = None
    session.pending_realm = None
    if pending is None or realm is None:
        abort(session, errors.PROTOCOL_VIOLATION, "AUTHENTICATE without CHALLENGE", out)
        return
    settle(realms, session, realm, pending.authenticate(msg.signature, msg.extra, now), now, out)
