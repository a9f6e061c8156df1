"""Dynamic authentication: a WAMP procedure decides who a client is (Crossbar's model).

A realm's transport names a procedure (``com.example.authenticate``) that a trusted
session registered, in the HELLO's realm or in ``authenticator-realm``. The router calls
it as Crossbar does, with ``(realm, authid, details)`` where ``details`` holds
``transport``, ``session``, ``authmethod``, ``authid``, ``authrole`` and ``authextra``
of the HELLO:

* ``ticket``: after the CHALLENGE; ``details["ticket"]`` is the client's ticket.
* ``wampcra``: at HELLO; the answer gives ``secret`` (with ``salt``, ``iterations`` and
  ``keylen``, the secret is the password, as in Crossbar: the router derives the key),
  then the challenge runs as for a static user.
* ``cryptosign``: at HELLO (``details["authextra"]["pubkey"]`` is the client's key); the
  answer gives ``pubkey`` (the key the client must prove) or ``authorized_keys``.
* ``scram``/``wamp-scram``: at HELLO; the answer gives ``kdf``, ``iterations``,
  ``memory``, ``salt``, ``stored-key``, ``server-key`` (hex, as Crossbar stores them).
* ``anonymous``: at HELLO.

The answer is a role (a string) or a dict with ``role`` and optionally ``authid``,
``extra`` (the WELCOME's authextra) and ``realm`` (which must be the HELLO's realm:
pywamp never moves a session to another realm). An ``ApplicationError`` raised by the
procedure is the ABORT (its URI and first argument), as in Crossbar; no answer within
``timeout`` seconds, no registered procedure, or a malformed answer ABORTs with
``wamp.error.authentication_failed``. Secrets in answers are never logged.
"""

from __future__ import annotations

import binascii
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pywamp._ids import session_id
from pywamp._native import Error
from pywamp.router import errors
from pywamp.router.auth import Accept, Answer, Ask, Challenged, Deny, _serial
from pywamp.router.authenticators import (
    CryptosignAuthenticator,
    Principal,
    WampCraAuthenticator,
    _Expiring,
    failed,
    hello_authextra,
    hello_authid,
)
from pywamp.router.callout import callout
from pywamp.router.session import CHALLENGING, abort, public_transport, settle
from pywamp.wamp._scram import KDFS
from pywamp.wamp.auth import derive_key

if TYPE_CHECKING:
    from pywamp._native import Result
    from pywamp.router.outputs import Output
    from pywamp.router.realm import Realm
    from pywamp.router.session import RouterSession

__all__ = ("DYNAMIC_METHODS", "DynamicAuthenticator", "ask", "scram_fields")

log = logging.getLogger("pywamp.router")

DYNAMIC_METHODS = ("anonymous", "ticket", "wampcra", "cryptosign", "scram", "wamp-scram")
_ROUTER_ERRORS = frozenset(
    (errors.TIMEOUT, errors.CANCELED, errors.NO_SUCH_PROCEDURE, errors.NO_AVAILABLE_CALLEE)
)


# -- the core's side: run an Ask for a session that is joining --------------------------


class _Waiting:
    """The pending auth of a session whose authenticator procedure has not answered."""

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Answer:
        """An AUTHENTICATE before any CHALLENGE."""
        return Deny(errors.PROTOCOL_VIOLATION, "AUTHENTICATE before CHALLENGE")


def ask(
    realms: Mapping[str, Realm],
    session: RouterSession,
    realm: Realm,
    question: Ask,
    now: float,
    out: list[Output],
) -> None:
    """Invoke the authenticator procedure; its outcome continues the handshake."""
    target = realms.get(question.realm or realm.name)
    if target is None:
        log.warning("authenticator realm %r does not exist", question.realm)
        abort(session, errors.AUTHENTICATION_FAILED, "authentication failed", out)
        return
    waiting = _Waiting()
    session.state = CHALLENGING
    session.pending_auth = waiting
    session.pending_realm = realm

    def resume(outcome: Result | Error, now: float, out: list[Output]) -> None:
        if session.pending_auth is not waiting:
            return  # the client left (or aborted) in the meantime
        session.pending_auth = None
        session.pending_realm = None
        try:
            answer = question.then(outcome, now)
        except Exception as exc:  # an answer we cannot use must not hurt its callee
            log.error("dynamic authenticator answer unusable: %s", type(exc).__name__)
            answer = failed()
        settle(realms, session, realm, answer, now, out)

    callout(target, question.procedure, question.args, question.timeout, resume, now, out)


# -- the answers of an authenticator procedure ------------------------------------------


def refused(outcome: Error) -> Deny:
    """The ABORT for an authenticator's ERROR: its own URI, or authentication_failed."""
    if outcome.error in _ROUTER_ERRORS:
        log.warning("dynamic authenticator failed: %s", outcome.error)
        return Deny(errors.AUTHENTICATION_FAILED, "authentication failed")
    args = outcome.args or []
    message = args[0] if args and isinstance(args[0], str) else ""
    return Deny(outcome.error, message)


def principal(outcome: Result | Error, realm: str) -> dict[str, Any] | Deny:
    """The procedure's answer as a dict with a role, or the Deny that ends the handshake."""
    if isinstance(outcome, Error):
        return refused(outcome)
    args = outcome.args or []
    value: Any = args[0] if len(args) == 1 else None
    if isinstance(value, str):
        value = {"role": value}
    if not isinstance(value, Mapping):
        log.warning("dynamic authenticator returned neither a role nor a dict")
        return failed()
    if value.get("realm", realm) != realm:
        return Deny(errors.NO_SUCH_REALM, "the authenticator assigned another realm")
    role = value.get("role")
    if not isinstance(role, str) or not role:
        return Deny(errors.NO_SUCH_ROLE, "no authrole assigned")
    extra = value.get("extra")
    if extra is not None and not isinstance(extra, Mapping):
        log.warning("dynamic authenticator returned a non-dict extra")
        return failed()
    return dict(value)


def _is_key(value: object) -> bool:
    """64 hex digits: an Ed25519 public key."""
    if not isinstance(value, str) or len(value) != 64:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _salting(fields: Mapping[str, Any]) -> bool:
    """WAMP-CRA salt parameters from a procedure: none, or a salt and two positive ints."""
    if not fields:
        return True
    bounds = ((fields.get("iterations"), 10**6), (fields.get("keylen"), 1024))  # the KDF runs here
    ints = all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= top for n, top in bounds)
    return isinstance(fields.get("salt"), str) and ints


def _authid(value: Mapping[str, Any], hello: str | None) -> str | None:
    authid = value.get("authid", hello)
    return authid if isinstance(authid, str) and authid else None


def scram_fields(value: Mapping[str, Any]) -> dict[str, Any] | None:
    """Crossbar's SCRAM principal fields (hex keys; kdf ``argon2id-13``, ``argon2id13`` or
    ``pbkdf2``, kept as named: it says how the keys were derived) as Principal kwargs."""
    try:
        kdf = value["kdf"]
        if kdf not in KDFS:
            return None
        fields = {
            "kdf": kdf,
            "iterations": int(value["iterations"]),
            "memory": int(value["memory"]) if value.get("memory") is not None else None,
        }
        for key in ("salt", "stored-key", "server-key"):
            raw = binascii.a2b_hex(value[key])
            fields[key.replace("-", "_")] = binascii.b2a_base64(raw, newline=False).decode()
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None
    return fields


# -- the authenticator --------------------------------------------------------------------


class DynamicAuthenticator:
    """One authmethod decided by a WAMP procedure (``type = "dynamic"``)."""

    def __init__(
        self,
        method: str,
        procedure: str,
        realm: str | None = None,
        timeout: float = 10.0,
        challenge_timeout: float = 60.0,
    ) -> None:
        if method not in DYNAMIC_METHODS:
            raise ValueError(f"no dynamic authentication for {method!r}")
        self.method = method
        self.procedure = procedure
        self.realm = realm
        self.timeout = timeout
        self.challenge_timeout = challenge_timeout

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged | Ask:
        """Ask the procedure now, or (ticket) after the client answered the CHALLENGE."""
        authid = hello_authid(details)
        sid = session_id()
        info = {
            "transport": public_transport(transport),
            "session": sid,
            "authmethod": self.method,
            "authid": authid,
            "authrole": details.get("authrole"),
            "authextra": details.get("authextra"),
        }
        if self.method == "cryptosign" and not _is_key(hello_authextra(details).get("pubkey")):
            return Deny(
                errors.AUTHENTICATION_FAILED,
                "cryptosign needs HELLO.Details.authextra.pubkey (32 bytes, hex)",
            )
        if self.method == "ticket":
            deadline = now + self.challenge_timeout
            return Challenged("ticket", {}, _TicketPending(self, realm, authid, info, deadline))

        def then(outcome: Result | Error, now: float) -> Answer:
            found = principal(outcome, realm)
            if isinstance(found, Deny):
                return found
            return self.continued(found, realm, details, transport, sid, now)

        return self.question([realm, authid, info], then)

    def question(self, args: list[Any], then: Any) -> Ask:
        """The call of the authenticator procedure."""
        return Ask(self.procedure, args, then, self.realm, self.timeout)

    def continued(
        self,
        found: dict[str, Any],
        realm: str,
        details: dict[str, Any],
        transport: Mapping[str, Any],
        sid: int,
        now: float,
    ) -> Answer:
        """With the principal the procedure returned, the method's own exchange."""
        method = self.method
        hello = hello_authid(details)
        authid = _authid(found, hello)
        role: str = found["role"]
        extra = found.get("extra")
        if method == "anonymous":
            return Accept(authid or _serial(), role, "anonymous", "dynamic", extra, sid)
        if authid is None:
            return Deny(errors.AUTHENTICATION_FAILED, "no authid assigned")
        answer: Answer
        if method == "wampcra":
            secret = found.get("secret")
            salted: dict[str, Any] = {
                k: found[k] for k in ("salt", "iterations", "keylen") if k in found
            }
            if not isinstance(secret, str) or not _salting(salted):
                log.warning("dynamic authenticator: wampcra needs a secret (and a valid salt)")
                return failed()
            if salted:  # as in Crossbar, a salted secret is the password
                secret = derive_key(
                    secret, salted["salt"], salted["iterations"], salted["keylen"]
                ).decode("ascii")
            who = Principal(hello or authid, role, secret=secret, **salted)
            answer = WampCraAuthenticator([who], "dynamic", self.challenge_timeout).hello(
                realm, details, transport, now
            )
        elif method == "cryptosign":
            keys = found.get("authorized_keys", [found.get("pubkey")])
            offered = hello_authextra(details).get("pubkey")
            if not isinstance(keys, list) or not isinstance(offered, str):
                return failed()
            if offered.lower() not in [k.lower() for k in keys if isinstance(k, str)]:
                return failed()
            who = Principal(authid, role, pubkeys=(offered,))
            asked = {k: v for k, v in details.items() if k != "authid"}
            answer = CryptosignAuthenticator([who], "dynamic", self.challenge_timeout).hello(
                realm, asked, transport, now
            )
        else:
            from pywamp.router.scram import ScramAuthenticator

            fields = scram_fields(found)
            if fields is None or hello is None:
                return failed()
            who = Principal(hello, role, **fields)
            answer = ScramAuthenticator([who], "dynamic", self.challenge_timeout).hello(
                realm, details, transport, now
            )
        return _identity(answer, authid, extra)


def _identity(answer: Answer, authid: str, extra: Any) -> Answer:
    """The method's answer, joining as the procedure's authid with its authextra added."""
    if isinstance(answer, Accept):
        merged = {**(answer.authextra or {}), **(extra or {})}  # SCRAM's signature stays
        return replace(answer, authid=authid, authextra=merged or None)
    if isinstance(answer, Challenged):
        return Challenged(answer.authmethod, answer.extra, _Renamed(answer.pending, authid, extra))
    return answer


class _Renamed:
    def __init__(self, pending: Any, authid: str, extra: Any) -> None:
        self.pending = pending
        self.authid = authid
        self.extra = extra

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Answer:
        """The method's check, then the procedure's identity."""
        answer = self.pending.authenticate(signature, extra, now)
        return _identity(answer, self.authid, self.extra)


class _TicketPending(_Expiring):
    """A ticket CHALLENGE in flight; the AUTHENTICATE goes to the procedure."""

    def __init__(
        self,
        owner: DynamicAuthenticator,
        realm: str,
        authid: str | None,
        info: dict[str, Any],
        deadline: float,
    ) -> None:
        super().__init__(deadline)
        self.owner = owner
        self.realm = realm
        self.authid = authid
        self.info = info

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Answer:
        """Ask the procedure with the ticket in ``details["ticket"]``."""
        if not self.live(now):
            return failed()
        info = {**self.info, "ticket": signature}
        realm, hello = self.realm, self.authid

        def then(outcome: Result | Error, now: float) -> Answer:
            found = principal(outcome, realm)
            if isinstance(found, Deny):
                return found
            authid = _authid(found, hello)
            if authid is None:
                return Deny(errors.AUTHENTICATION_FAILED, "no authid assigned")
            extra = found.get("extra")
            sid = self.info["session"]
            return Accept(authid, found["role"], "ticket", "dynamic", extra, sid)

        return self.owner.question([realm, hello, info], then)
