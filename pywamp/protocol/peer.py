"""The sans-IO state of a WAMP client peer: phase, request ids and the request tables.

No I/O, no clock, no framework: the session asks this object for the messages to send
and records what is pending; it resolves futures itself. Request ids run 1, 2, 3, ...
per session as the spec requires (``building_blocks.md``).
"""

from __future__ import annotations

import enum
from typing import Any

from pywamp import _native
from pywamp.exception import ProtocolError, SessionNotReady
from pywamp.protocol.requests import PendingRequest
from pywamp.protocol.roles import client_roles

__all__ = ("MAX_ID", "ClientPeer", "Phase")

#: Ids are integers in [1, 2**53].
MAX_ID = 2**53


class Phase(enum.IntEnum):
    """Where a client session stands."""

    CLOSED = 0  # no transport
    OPEN = 1  # transport open, no HELLO sent (or the session ended on it)
    JOINING = 2  # HELLO sent: waiting for WELCOME, CHALLENGE or ABORT
    ESTABLISHED = 3  # WELCOME received
    CLOSING = 4  # GOODBYE sent, waiting for the router's GOODBYE


class ClientPeer:
    """Phase, request ids and every table of pending requests and live handlers."""

    __slots__ = (
        "_next_id",
        "_tables",
        "calls",
        "invocations",
        "phase",
        "publishes",
        "realm",
        "registers",
        "registrations",
        "router_roles",
        "session_id",
        "subscribes",
        "subscriptions",
        "unregisters",
        "unsubscribes",
        "welcome_details",
    )

    def __init__(self) -> None:
        self.phase = Phase.CLOSED
        self.realm: str | None = None
        self.session_id: int | None = None
        self.welcome_details: dict[str, Any] = {}
        self.router_roles: dict[str, Any] = {}
        self._next_id = 1
        #: CALL request id -> its future (a plain call) or a PendingCall (with options).
        self.calls: dict[int, Any] = {}
        self.publishes: dict[int, PendingRequest] = {}
        self.subscribes: dict[int, PendingRequest] = {}
        self.unsubscribes: dict[int, PendingRequest] = {}
        self.registers: dict[int, PendingRequest] = {}
        self.unregisters: dict[int, PendingRequest] = {}
        #: INVOCATION request id -> the session's record of the running endpoint.
        self.invocations: dict[int, Any] = {}
        #: subscription id -> the handler handles attached to it (several may share one);
        #: a tuple, replaced on change, so dispatch iterates it without copying.
        self.subscriptions: dict[int, tuple[Any, ...]] = {}
        #: registration id -> the registration handle.
        self.registrations: dict[int, Any] = {}
        self._tables: dict[int, dict[int, Any]] = {
            _native.Call.TYPE: self.calls,
            _native.Publish.TYPE: self.publishes,
            _native.Subscribe.TYPE: self.subscribes,
            _native.Unsubscribe.TYPE: self.unsubscribes,
            _native.Register.TYPE: self.registers,
            _native.Unregister.TYPE: self.unregisters,
        }

    # -- ids ------------------------------------------------------------------------

    def next_id(self) -> int:
        """The next request id of this session: 1, 2, 3, ... (wrapping after 2**53)."""
        request_id = self._next_id
        self._next_id = request_id + 1 if request_id < MAX_ID else 1
        return request_id

    @property
    def last_id(self) -> int:
        """The last request id handed out (0 before the first)."""
        return self._next_id - 1

    # -- session life cycle ---------------------------------------------------------

    def transport_open(self) -> None:
        """A transport is attached: a HELLO may follow."""
        self.phase = Phase.OPEN

    def hello(
        self,
        realm: str,
        *,
        authmethods: list[str] | None = None,
        authid: str | None = None,
        authrole: str | None = None,
        authextra: dict[str, Any] | None = None,
        resumable: bool | None = None,
        resume_session: int | None = None,
        resume_token: str | None = None,
        agent: str | None = None,
    ) -> _native.Hello:
        """The HELLO that opens a session on ``realm``; request ids restart at 1."""
        if self.phase is Phase.CLOSED:
            raise SessionNotReady("cannot join: no transport is connected")
        if self.phase is not Phase.OPEN:
            raise ProtocolError(f"cannot join: session is {self.phase.name.lower()}")
        if type(realm) is not str or not realm:
            raise ValueError(f"realm must be a non-empty str, got {realm!r}")
        details: dict[str, Any] = {"roles": client_roles()}
        if agent is not None:
            details["agent"] = agent
        if authmethods is not None:
            details["authmethods"] = list(authmethods)
        if authid is not None:
            details["authid"] = authid
        if authrole is not None:
            details["authrole"] = authrole
        if authextra is not None:
            details["authextra"] = authextra
        if resumable is not None:
            details["resumable"] = resumable
        if resume_session is not None:
            details["resume-session"] = resume_session
        if resume_token is not None:
            details["resume-token"] = resume_token
        self.realm = realm
        self._next_id = 1
        self.phase = Phase.JOINING
        return _native.Hello(realm, details)

    def welcome(self, message: _native.Welcome) -> None:
        """The router accepted the session."""
        self._expect(Phase.JOINING, "WELCOME")
        self.session_id = message.session
        self.welcome_details = message.details
        roles = message.details.get("roles")
        self.router_roles = roles if isinstance(roles, dict) else {}
        realm = message.details.get("realm")
        if isinstance(realm, str):
            self.realm = realm
        self.phase = Phase.ESTABLISHED

    def challenge(self, message: _native.Challenge) -> None:
        """The router asks the client to authenticate."""
        self._expect(Phase.JOINING, "CHALLENGE")

    def authenticate(self, signature: str, extra: dict[str, Any] | None = None) -> Any:
        """The AUTHENTICATE answering a CHALLENGE."""
        if self.phase is not Phase.JOINING:
            raise ProtocolError(f"cannot authenticate: session is {self.phase.name.lower()}")
        return _native.Authenticate(signature, extra or {})

    def abort(self, reason: str, message: str | None = None) -> _native.Abort:
        """An ABORT (refusing a session during its opening); the session is over."""
        self.phase = Phase.OPEN if self.phase is not Phase.CLOSED else Phase.CLOSED
        self.session_id = None
        return _native.Abort({"message": message} if message else {}, reason)

    def aborted(self) -> None:
        """The router sent ABORT."""
        self.session_id = None
        if self.phase is not Phase.CLOSED:
            self.phase = Phase.OPEN

    def goodbye(self, reason: str, message: str | None = None) -> _native.Goodbye:
        """The GOODBYE that starts closing an established session."""
        if self.phase is not Phase.ESTABLISHED:
            raise SessionNotReady("session is not joined on a realm: nothing to leave")
        self.phase = Phase.CLOSING
        return _native.Goodbye({"message": message} if message else {}, reason)

    def goodbye_received(self) -> _native.Goodbye | None:
        """The router said GOODBYE: the reply to send (None when it answered ours)."""
        if self.phase not in (Phase.ESTABLISHED, Phase.CLOSING):
            raise ProtocolError(f"GOODBYE received while {self.phase.name.lower()}")
        reply = None
        if self.phase is Phase.ESTABLISHED:
            reply = _native.Goodbye({}, "wamp.close.goodbye_and_out")
        self.phase = Phase.OPEN
        self.session_id = None
        return reply

    def transport_closed(self) -> list[Any]:
        """The transport is gone: every pending record, drained from the tables."""
        self.phase = Phase.CLOSED
        self.session_id = None
        return self.drain()

    def drain(self) -> list[Any]:
        """Empty every pending-request table and return what it held."""
        pending: list[Any] = []
        for table in self._tables.values():
            pending.extend(table.values())
            table.clear()
        return pending

    def forget_handlers(self) -> tuple[list[Any], list[Any]]:
        """Drop live subscriptions and registrations (they die with the session)."""
        subscriptions = [h for handlers in self.subscriptions.values() for h in handlers]
        registrations = list(self.registrations.values())
        self.subscriptions.clear()
        self.registrations.clear()
        return subscriptions, registrations

    # -- ERROR routing ----------------------------------------------------------------

    def pop_errored(self, request_type: int, request_id: int) -> Any:
        """The pending record an ERROR answers (None when unknown)."""
        table = self._tables.get(request_type)
        if table is None:
            return None
        return table.pop(request_id, None)

    def _expect(self, phase: Phase, what: str) -> None:
        if self.phase is not phase:
            raise ProtocolError(f"{what} received while session is {self.phase.name.lower()}")
