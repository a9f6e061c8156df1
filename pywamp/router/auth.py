"""Hooks for authentication and authorization, with the permissive defaults.

An :class:`Authenticator` sees each HELLO and answers :class:`Accept`, :class:`Deny`
or :class:`Challenged` (the router sends CHALLENGE and hands the AUTHENTICATE to the
pending object). An :class:`Authorizer` decides each publish/subscribe/call/register;
a realm without one allows everything. Both are synchronous: the sans-IO core never
waits. When the answer lies with a WAMP procedure (a dynamic authenticator), a hook
answers :class:`Ask`: the core invokes that procedure on its callee and hands the
outcome (a RESULT or an ERROR message) to ``Ask.then``, which answers again. A dynamic
authorizer raises :class:`AuthorizationPending`: the core holds the session's messages
until the procedure answered, then replays them (see :mod:`pywamp.router.dynamic`).

Both hooks get ``now`` (the core's clock, POSIX seconds) so a challenge can be stamped
and expire. An ``Accept`` may name the session id the router must assign (WAMP-CRA
signs the session id inside its challenge, before the session exists).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from pywamp.router import errors

if TYPE_CHECKING:
    from pywamp._native import Error, Result
    from pywamp.router.session import RouterSession

Action = Literal["publish", "subscribe", "call", "register"]


@dataclass(frozen=True)
class Accept:
    """Join the realm with this identity."""

    authid: str
    authrole: str
    authmethod: str = "anonymous"
    authprovider: str = "static"
    authextra: dict[str, Any] | None = None
    session: int | None = None


@dataclass(frozen=True)
class Deny:
    """Refuse the join: ABORT with this reason."""

    reason: str = errors.NOT_AUTHORIZED
    message: str = ""


@dataclass(frozen=True)
class Ask:
    """Call ``procedure`` (in ``realm``, default the HELLO's) and go on with ``then``.

    ``then`` gets the callee's RESULT, or an ERROR (the callee's, or one of the router:
    ``wamp.error.timeout`` after ``timeout`` seconds, ``wamp.error.no_such_procedure``).
    """

    procedure: str
    args: list[Any] = field(repr=False)  # may hold a ticket: never in a repr
    then: Callable[[Result | Error, float], Answer]
    realm: str | None = None
    timeout: float = 10.0


class PendingAuth(Protocol):
    """A challenge in flight; gets the client's AUTHENTICATE."""

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Answer:
        """Check the signature."""
        ...


@dataclass(frozen=True)
class Challenged:
    """Send CHALLENGE(authmethod, extra) and wait for AUTHENTICATE."""

    authmethod: str
    extra: dict[str, Any]
    pending: PendingAuth


Answer: TypeAlias = "Accept | Deny | Challenged | Ask"


class AuthorizationPending(Exception):
    """Raised by an authorizer that must ask ``procedure`` first.

    The core calls it with ``arguments + [options of the message]``, hands the outcome to
    ``decide`` (which records the decision), then replays the held message, so that the
    authorizer answers from the decision this time.
    """

    def __init__(
        self,
        procedure: str,
        args: list[Any],
        decide: Callable[[Result | Error, float], None],
        timeout: float = 10.0,
    ) -> None:
        super().__init__(procedure)
        self.procedure = procedure
        self.arguments = args
        self.decide = decide
        self.timeout = timeout


class Authenticator(Protocol):
    """Decides who a HELLO is."""

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged | Ask:
        """Answer one HELLO."""
        ...


class Authorizer(Protocol):
    """Decides whether a joined session may act on a URI."""

    def authorize(self, session: RouterSession, uri: str, action: Action) -> bool:
        """True to allow (or raise AuthorizationPending to ask a procedure first).

        Allowing a call or publish, it may set ``session.disclose_caller`` or
        ``disclose_publisher`` for that one action: the dealer and broker read them next.
        """
        ...


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters: 5 random bits each


def _serial() -> str:
    """A random readable authid such as ``K3WQ-7HNA-XV2C`` (60 random bits)."""
    chars = [_ALPHABET[b & 31] for b in secrets.token_bytes(12)]
    return f"{''.join(chars[0:4])}-{''.join(chars[4:8])}-{''.join(chars[8:12])}"


@dataclass(frozen=True)
class AnonymousAuthenticator:
    """Let everyone in as ``authrole`` with a random authid (or the HELLO's, if allowed)."""

    authrole: str = "anonymous"
    accept_authid: bool = False
    authextra: dict[str, Any] = field(default_factory=dict)

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged:
        """Accept every HELLO."""
        authid = details.get("authid") if self.accept_authid else None
        if not isinstance(authid, str) or not authid:
            authid = _serial()
        return Accept(authid, self.authrole, "anonymous", "static", dict(self.authextra) or None)
