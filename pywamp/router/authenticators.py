"""Static authenticators of the router core: principals known in advance, one per method.

The data a config loader builds (plain frozen dataclasses)::

    Principal(authid, role, secret=None, ticket=None, pubkeys=(), salt=None,
              iterations=1000, keylen=32, kdf="pbkdf2", memory=None,
              stored_key=None, server_key=None)

* ``ticket``: the ticket the client must send (``TicketAuthenticator``).
* ``secret``: the WAMP-CRA shared secret (``WampCraAuthenticator``). With ``salt``, it
  is the derived key ``derive_key(password, salt, iterations, keylen)`` (base64 text,
  what Autobahn's ``derive_key`` returns), so the password itself is never stored;
  ``salt``/``iterations``/``keylen`` go to the client in CHALLENGE.extra.
* ``pubkeys``: hex Ed25519 public keys of the principal (``CryptosignAuthenticator``).
* ``salt``/``kdf``/``iterations``/``memory``/``stored_key``/``server_key``: WAMP-SCRAM
  (:mod:`pywamp.router.scram`; ``scram_principal`` computes them from a password).

:class:`Authentication` is the realm's ``authenticator``: it takes the methods the realm
allows (``{"ticket": TicketAuthenticator(...), "anonymous": AnonymousAuthenticator()}``),
walks ``HELLO.Details.authmethods`` in the client's order (``["anonymous"]`` when absent)
and lets the first allowed method decide. Nothing offered is allowed → ABORT
``wamp.error.no_auth_method``. A wrong secret and an unknown authid both end in ABORT
``wamp.error.authentication_failed`` with the same message, after the same CHALLENGE (a
decoy for unknown authids), so a client cannot tell which part was wrong. Secrets never
appear in error texts. Given ``roles``, a principal whose role the realm lacks is refused
with ``wamp.error.no_such_role``.

A challenge is valid for ``challenge_timeout`` seconds of the core's clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pywamp._ids import session_id
from pywamp.router import errors
from pywamp.router.auth import (
    Accept,
    AnonymousAuthenticator,
    Answer,
    Ask,
    Authenticator,
    Challenged,
    Deny,
    PendingAuth,
)
from pywamp.router.history import rfc3339

__all__ = (
    "AnonymousAuthenticator",
    "Authentication",
    "CryptosignAuthenticator",
    "ListenerAuthentication",
    "Principal",
    "TicketAuthenticator",
    "WampCraAuthenticator",
    "failed",
)

FAILED_MESSAGE = "authentication failed"
CHANNEL_BINDINGS = ("tls-unique",)


@dataclass(frozen=True)
class Principal:
    """A client the router knows in advance: its authid, role and credentials."""

    authid: str
    role: str
    secret: str | None = None
    ticket: str | None = None
    pubkeys: tuple[str, ...] = ()
    salt: str | None = None
    iterations: int = 1000
    keylen: int = 32
    kdf: str = "pbkdf2"
    memory: int | None = None
    stored_key: str | None = None
    server_key: str | None = None

    def __repr__(self) -> str:
        return f"Principal(authid={self.authid!r}, role={self.role!r})"  # never the secrets


def failed() -> Deny:
    """The one answer for every wrong credential (no hint which part was wrong)."""
    return Deny(errors.AUTHENTICATION_FAILED, FAILED_MESSAGE)


def text_bytes(value: object) -> bytes | None:
    """A str as UTF-8 bytes, None for anything else."""
    if not isinstance(value, str):
        return None
    return value.encode("utf-8", "surrogatepass")


def b64decode(value: object) -> bytes | None:
    """Strict base64 of a str, None when it is not."""
    data = text_bytes(value)
    if data is None:
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def channel_id(transport: Mapping[str, Any], binding: str) -> bytes | None:
    """The transport's channel id for a binding (``transport["channel_id"][binding]``)."""
    ids = transport.get("channel_id")
    value = ids.get(binding) if isinstance(ids, Mapping) else None
    return value if isinstance(value, bytes) and len(value) == 32 else None


def hello_authid(details: Mapping[str, Any]) -> str | None:
    """HELLO.Details.authid when it is a non-empty string."""
    authid = details.get("authid")
    return authid if isinstance(authid, str) and authid else None


def hello_authextra(details: Mapping[str, Any]) -> Mapping[str, Any]:
    """HELLO.Details.authextra, or an empty mapping."""
    extra = details.get("authextra")
    return extra if isinstance(extra, Mapping) else {}


class _Expiring:
    """A pending challenge with a deadline on the core's clock."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.used = False

    def live(self, now: float) -> bool:
        """True once, and only before the deadline (a challenge answers one AUTHENTICATE)."""
        ok = not self.used and now <= self.deadline
        self.used = True
        return ok


# -- ticket ---------------------------------------------------------------------------


class TicketAuthenticator:
    """Ticket: the client sends a shared ticket in AUTHENTICATE (use TLS)."""

    def __init__(
        self,
        principals: Iterable[Principal],
        authprovider: str = "static",
        challenge_timeout: float = 60.0,
    ) -> None:
        self.principals = {p.authid: p for p in principals if p.ticket is not None}
        self.authprovider = authprovider
        self.challenge_timeout = challenge_timeout

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged:
        """CHALLENGE for any authid (the answer is checked later, known or not)."""
        authid = hello_authid(details)
        if authid is None:
            return Deny(errors.AUTHENTICATION_FAILED, "ticket needs HELLO.Details.authid")
        pending = _TicketPending(self, self.principals.get(authid), now + self.challenge_timeout)
        return Challenged("ticket", {}, pending)


class _TicketPending(_Expiring):
    def __init__(self, owner: TicketAuthenticator, who: Principal | None, deadline: float) -> None:
        super().__init__(deadline)
        self.owner = owner
        self.who = who

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Accept | Deny:
        """Compare the ticket in constant time."""
        live = self.live(now)
        who = self.who
        expected = text_bytes(who.ticket) if who is not None else None
        given = text_bytes(signature) or b""
        match = hmac.compare_digest(given, expected or secrets.token_bytes(32))
        if not (live and match and who is not None and expected is not None):
            return failed()
        return Accept(who.authid, who.role, "ticket", self.owner.authprovider)


# -- WAMP-CRA ---------------------------------------------------------------------------


class WampCraAuthenticator:
    """WAMP-CRA: the client signs a JSON challenge with HMAC-SHA256 under the shared secret."""

    def __init__(
        self,
        principals: Iterable[Principal],
        authprovider: str = "static",
        challenge_timeout: float = 60.0,
    ) -> None:
        self.principals = {p.authid: p for p in principals if p.secret is not None}
        self.authprovider = authprovider
        self.challenge_timeout = challenge_timeout
        self._decoy_key = secrets.token_bytes(32)
        known = list(self.principals.values())
        salted = [p for p in known if p.salt is not None]
        # Unknown authids get a challenge shaped like a real one: the commonest role and,
        # when principals are salted, a salt that is always the same for that authid.
        self._decoy_role = known[0].role if known else "user"
        self._decoy_salted: Principal | None = salted[0] if salted else None

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged:
        """CHALLENGE with the signed JSON text (a decoy one for unknown authids)."""
        authid = hello_authid(details)
        if authid is None:
            return Deny(errors.AUTHENTICATION_FAILED, "wampcra needs HELLO.Details.authid")
        who = self.principals.get(authid)
        sid = session_id()
        role = who.role if who is not None else self._decoy_role
        challenge = json.dumps(
            {
                "nonce": secrets.token_urlsafe(16),
                "authprovider": self.authprovider,
                "authid": authid,
                "timestamp": rfc3339(now),
                "authrole": role,
                "authmethod": "wampcra",
                "session": sid,
            }
        )
        extra: dict[str, Any] = {"challenge": challenge}
        salted = who if who is not None else self._decoy_salted
        if salted is not None and salted.salt is not None:
            salt = salted.salt
            if who is None:
                digest = hmac.new(self._decoy_key, authid.encode(), hashlib.sha256).digest()
                salt = base64.b64encode(digest[:12]).decode("ascii")
            extra.update(salt=salt, iterations=salted.iterations, keylen=salted.keylen)
        deadline = now + self.challenge_timeout
        return Challenged("wampcra", extra, _CraPending(self, who, challenge, sid, deadline))


class _CraPending(_Expiring):
    def __init__(
        self,
        owner: WampCraAuthenticator,
        who: Principal | None,
        challenge: str,
        sid: int,
        deadline: float,
    ) -> None:
        super().__init__(deadline)
        self.owner = owner
        self.who = who
        self.challenge = challenge
        self.sid = sid

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Accept | Deny:
        """Recompute the HMAC and compare in constant time."""
        live = self.live(now)
        who = self.who
        key = text_bytes(who.secret) if who is not None else None
        expected = hmac.new(
            key or secrets.token_bytes(32), self.challenge.encode("utf-8"), hashlib.sha256
        ).digest()
        given = b64decode(signature) or b""
        match = hmac.compare_digest(given, expected)
        if not (live and match and who is not None and key is not None):
            return failed()
        return Accept(who.authid, who.role, "wampcra", self.owner.authprovider, session=self.sid)


# -- cryptosign -------------------------------------------------------------------------


def _hex32(value: object) -> bytes | None:
    """32 bytes from 64 hex digits, None otherwise."""
    if not isinstance(value, str) or len(value) != 64:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


class CryptosignAuthenticator:
    """WAMP-cryptosign: the client signs a random 32-byte challenge with its Ed25519 key.

    With ``channel_binding: "tls-unique"`` in HELLO.authextra, the signed message is the
    challenge XOR the transport's ``channel_id["tls-unique"]``; a transport without one
    refuses the binding. Router authentication (a client ``challenge``) is not offered.
    """

    def __init__(
        self,
        principals: Iterable[Principal],
        authprovider: str = "static",
        challenge_timeout: float = 60.0,
        challenge: Callable[[], bytes] | None = None,
    ) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        self._load = Ed25519PublicKey.from_public_bytes
        self.principals: dict[bytes, Principal] = {}
        for p in principals:
            for pubkey in p.pubkeys:
                raw = _hex32(pubkey)
                if raw is None:
                    raise ValueError(f"principal {p.authid!r}: pubkey must be 64 hex digits")
                self.principals[raw] = p
        self.authprovider = authprovider
        self.challenge_timeout = challenge_timeout
        self.challenge = challenge or (lambda: secrets.token_bytes(32))

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged:
        """CHALLENGE with 32 random bytes (also for unknown keys: they fail later)."""
        authextra = hello_authextra(details)
        pubkey = _hex32(authextra.get("pubkey"))
        if pubkey is None:
            return Deny(
                errors.AUTHENTICATION_FAILED,
                "cryptosign needs HELLO.Details.authextra.pubkey (32 bytes, hex)",
            )
        binding = authextra.get("channel_binding")
        bound: bytes | None = None
        if binding is not None:
            if binding not in CHANNEL_BINDINGS:
                return Deny(errors.AUTHENTICATION_FAILED, "unsupported channel_binding")
            bound = channel_id(transport, binding)
            if bound is None:
                return Deny(
                    errors.AUTHENTICATION_FAILED, f"no {binding} channel id on this transport"
                )
        who = self.principals.get(pubkey)
        authid = hello_authid(details)
        if who is not None and authid is not None and authid != who.authid:
            who = None  # the key belongs to someone else: fail like an unknown key
        challenge = self.challenge()
        if len(challenge) != 32:
            raise ValueError("a cryptosign challenge is 32 bytes")
        message = challenge
        if bound is not None:
            message = bytes(a ^ b for a, b in zip(challenge, bound, strict=True))
        pending = _SignPending(self, who, pubkey, message, now + self.challenge_timeout)
        return Challenged(
            "cryptosign", {"challenge": challenge.hex(), "channel_binding": binding}, pending
        )


class _SignPending(_Expiring):
    def __init__(
        self,
        owner: CryptosignAuthenticator,
        who: Principal | None,
        pubkey: bytes,
        message: bytes,
        deadline: float,
    ) -> None:
        super().__init__(deadline)
        self.owner = owner
        self.who = who
        self.pubkey = pubkey
        self.message = message

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Accept | Deny:
        """Check hex(signature + message): the message is ours and the signature verifies."""
        from cryptography.exceptions import InvalidSignature

        live = self.live(now)
        try:
            raw = bytes.fromhex(signature) if isinstance(signature, str) else b""
        except ValueError:
            raw = b""
        if len(raw) != 96:
            return failed()
        same = hmac.compare_digest(raw[64:], self.message)
        try:
            self.owner._load(self.pubkey).verify(raw[:64], self.message)
            valid = True
        except (InvalidSignature, ValueError):
            valid = False
        who = self.who
        if not (live and same and valid and who is not None):
            return failed()
        return Accept(who.authid, who.role, "cryptosign", self.owner.authprovider)


# -- the dispatcher ---------------------------------------------------------------------


class Authentication:
    """The realm's authenticator: picks the client's first offered method that is allowed."""

    def __init__(
        self, methods: Mapping[str, Authenticator], roles: Collection[str] | None = None
    ) -> None:
        self.methods = dict(methods)
        self.roles = frozenset(roles) if roles is not None else None

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged | Ask:
        """Delegate to the first allowed method in HELLO.Details.authmethods."""
        offered = details.get("authmethods", ["anonymous"])
        if not isinstance(offered, list) or not all(isinstance(m, str) for m in offered):
            return Deny(errors.NO_AUTH_METHOD, "HELLO.Details.authmethods must be a string list")
        for method in offered:
            chosen = self.methods.get(method)
            if chosen is not None:
                return self.checked(chosen.hello(realm, details, transport, now))
        return Deny(
            errors.NO_AUTH_METHOD,
            f"none of the authmethods {offered[:8]!r} is allowed on realm {realm!r}",
        )

    def checked(self, answer: Answer) -> Answer:
        """The answer with the role check applied now or at each later step."""
        if self.roles is None:
            return answer
        if isinstance(answer, Challenged):
            return Challenged(answer.authmethod, answer.extra, _RoleChecked(self, answer.pending))
        if isinstance(answer, Ask):
            then = answer.then
            return replace(answer, then=lambda outcome, now: self.checked(then(outcome, now)))
        roles = self.roles
        if isinstance(answer, Accept) and roles is not None and answer.authrole not in roles:
            return Deny(errors.NO_SUCH_ROLE, f"no role {answer.authrole!r} on this realm")
        return answer


class ListenerAuthentication:
    """Authentication per listener (Crossbar configures it per transport).

    The driver names the listener in the transport details (``transport["listener"]``);
    a session from elsewhere (an in-process one) gets ``default``.
    """

    def __init__(self, by_listener: Mapping[str, Authenticator], default: Authenticator) -> None:
        self.by_listener = dict(by_listener)
        self.default = default

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged | Ask:
        """The HELLO goes to the authentication of the listener it came through."""
        name = transport.get("listener")
        chosen = self.by_listener.get(name, self.default) if isinstance(name, str) else None
        return (chosen or self.default).hello(realm, details, transport, now)


class _RoleChecked:
    def __init__(self, owner: Authentication, pending: PendingAuth) -> None:
        self.owner = owner
        self.pending = pending

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Answer:
        """The method's answer, then the role check."""
        return self.owner.checked(self.pending.authenticate(signature, extra, now))
