"""WAMP-SCRAM on the router (``authentication_scram.md``, RFC 5802 with SHA-256).

The router stores per principal only ``salt`` (base64), ``kdf``, ``iterations``,
``memory``, ``stored_key`` and ``server_key`` (base64); ``scram_principal`` derives them
from a password. Verifying never runs the KDF, so any KDF the client can run works. The
CHALLENGE names the principal's KDF as stored: ``pbkdf2`` and ``argon2id13`` are the
spec's, ``argon2id-13`` is Autobahn's and Crossbar's (its SaltedPassword is the Argon2
hash's base64 text; see ``pywamp.wamp._scram``), so each client derives the key the
principal's keys were made with.

The spec names the method ``wamp-scram``; Autobahn and Crossbar say ``scram``. Register
one ``ScramAuthenticator`` under both names: it answers with the name the client chose.
The AuthMessage carries the HELLO's authid SASLprep-ed (principals are looked up by the
authid as sent, as Crossbar does); ``scram_principal`` uses the password as given, as
Autobahn's ``derive_scram_credential`` does.

Under the name ``scram`` the router also speaks Autobahn's and Crossbar's dialect, so an
Autobahn client (``AuthScram``) can join: the client sends no ``nonce`` in
AUTHENTICATE.extra (the pending challenge fixes it anyway) and its AuthMessage ends in
``c=,r=<nonce>`` (an empty channel binding) rather than RFC 5802's ``c=biws``, and its
username is not escaped (``=`` and ``,`` stay as they are). A proof
over either AuthMessage is checked; the ServerSignature is computed over the one that
verified. Under ``wamp-scram`` only the spec's exchange is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pywamp.router import errors
from pywamp.router.auth import Accept, Challenged, Deny
from pywamp.router.authenticators import (
    CHANNEL_BINDINGS,
    Principal,
    _Expiring,
    b64decode,
    channel_id,
    failed,
    hello_authextra,
    hello_authid,
    text_bytes,
)
from pywamp.wamp._saslprep import saslprep
from pywamp.wamp._scram import (
    ARGON2ID13,
    ARGON2ID_13,
    KDFS,
    b64,
    escape,
    keys,
    proves,
    salted_password,
    server_signature,
)

METHODS = ("wamp-scram", "scram")


def scram_principal(
    authid: str,
    role: str,
    password: str,
    *,
    salt: str | None = None,
    kdf: str = "pbkdf2",
    iterations: int = 4096,
    memory: int | None = None,
) -> Principal:
    """A SCRAM principal: StoredKey and ServerKey derived from the password (a random salt)."""
    salt = salt if salt is not None else b64(secrets.token_bytes(16))
    stored_key, server_key = keys(salted_password(password, salt, kdf, iterations, memory))
    return Principal(
        authid,
        role,
        salt=salt,
        kdf=kdf,
        iterations=iterations,
        memory=memory,
        stored_key=b64(stored_key),
        server_key=b64(server_key),
    )


def _printable_nonce(value: object) -> str | None:
    """A nonce of printable ASCII without commas (RFC 5802; base64 qualifies)."""
    if not isinstance(value, str) or not 8 <= len(value) <= 256:
        return None
    if all(0x21 <= ord(c) <= 0x7E and c != "," for c in value):
        return value
    return None


class ScramAuthenticator:
    """WAMP-SCRAM with principals made by ``scram_principal`` (or loaded keys)."""

    def __init__(
        self,
        principals: Iterable[Principal],
        authprovider: str = "static",
        challenge_timeout: float = 60.0,
        server_nonce: Callable[[], str] | None = None,
    ) -> None:
        self.principals: dict[str, Principal] = {}
        for p in principals:
            if p.stored_key is None or p.server_key is None or p.salt is None:
                continue
            if p.kdf not in KDFS:
                raise ValueError(f"principal {p.authid!r}: unknown SCRAM kdf {p.kdf!r}")
            if p.kdf in (ARGON2ID13, ARGON2ID_13) and p.memory is None:
                raise ValueError(f"principal {p.authid!r}: {p.kdf} needs memory")
            self.principals[p.authid] = p
        self.authprovider = authprovider
        self.challenge_timeout = challenge_timeout
        self.server_nonce = server_nonce or (lambda: b64(secrets.token_bytes(16)))
        self._decoy_key = secrets.token_bytes(32)
        known = list(self.principals.values())
        self._decoy = known[0] if known else Principal("", "", salt="", iterations=4096)

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept | Deny | Challenged:
        """CHALLENGE with the combined nonce and the principal's KDF parameters."""
        offered = details.get("authmethods")
        names = offered if isinstance(offered, list) else []
        method = next((m for m in names if m in METHODS), "scram")
        authid = hello_authid(details)
        if authid is None:
            return Deny(errors.AUTHENTICATION_FAILED, "SCRAM needs HELLO.Details.authid")
        try:
            username = saslprep(authid, "SCRAM authid")
        except ValueError as e:
            return Deny(errors.AUTHENTICATION_FAILED, str(e))
        authextra = hello_authextra(details)
        client_nonce = _printable_nonce(authextra.get("nonce"))
        if client_nonce is None:
            return Deny(errors.AUTHENTICATION_FAILED, "SCRAM needs HELLO.Details.authextra.nonce")
        binding = authextra.get("channel_binding")
        bound: bytes | None = None
        if binding is not None:
            bound = channel_id(transport, binding) if binding in CHANNEL_BINDINGS else None
            if bound is None:
                return Deny(errors.AUTHENTICATION_FAILED, "unsupported channel_binding")
        who = self.principals.get(authid)
        params = who or self._decoy
        salt = params.salt or ""
        if who is None:  # a decoy salt, always the same for this authid
            digest = hmac.new(self._decoy_key, authid.encode(), hashlib.sha256).digest()
            salt = b64(digest[:16])
        nonce = client_nonce + self.server_nonce()
        extra: dict[str, Any] = {
            "nonce": nonce,
            "salt": salt,
            "kdf": params.kdf,
            "iterations": params.iterations,
        }
        if params.memory is not None:
            extra["memory"] = params.memory
        first = f"r={client_nonce},r={nonce},s={salt},i={params.iterations}"
        pending = _ScramPending(
            self, who, method, username, first, nonce, binding, bound, now + self.challenge_timeout
        )
        return Challenged(method, extra, pending)


class _ScramPending(_Expiring):
    def __init__(
        self,
        owner: ScramAuthenticator,
        who: Principal | None,
        method: str,
        username: str,
        first: str,
        nonce: str,
        binding: str | None,
        bound: bytes | None,
        deadline: float,
    ) -> None:
        super().__init__(deadline)
        self.owner = owner
        self.who = who
        self.method = method
        self.username = username
        self.first = first  # the AuthMessage after the username, up to the channel binding
        self.nonce = nonce
        self.binding = binding
        self.bound = bound

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Accept | Deny:
        """Recover StoredKey from the ClientProof; WELCOME carries the ServerSignature."""
        live = self.live(now)
        binding = extra.get("channel_binding")
        cbind = extra.get("cbind_data")
        given_nonce = extra.get("nonce")
        dialect = (
            self.method == "scram" and self.binding is None and given_nonce is None
        ) and binding is None
        nonce = text_bytes(self.nonce if dialect else given_nonce) or b""
        same_nonce = hmac.compare_digest(nonce, self.nonce.encode("ascii"))
        if self.binding is None:
            bind_ok = binding is None and cbind is None
            cbind_text = "" if dialect else b64(b"n,,")
        else:
            data = b64decode(cbind)
            bind_ok = binding == self.binding and data is not None and self.bound is not None
            bind_ok = bind_ok and hmac.compare_digest(data or b"", self.bound or b"")
            cbind_text = b64(b"p=" + self.binding.encode("ascii") + b",," + (data or b""))
        username = self.username if dialect else escape(self.username)
        auth_message = f"n={username},{self.first},c={cbind_text},r={self.nonce}".encode()
        who = self.who
        stored = b64decode(who.stored_key) if who is not None else None
        stored = stored or secrets.token_bytes(32)
        valid = proves(stored, auth_message, b64decode(signature) or b"")
        server_key = b64decode(who.server_key) if who is not None else None
        if not (live and same_nonce and bind_ok and valid and who is not None and server_key):
            return failed()
        verifier = b64(server_signature(server_key, auth_message))
        # ``verifier`` per the spec; ``scram_server_signature`` is what Autobahn reads.
        authextra = {"verifier": verifier, "scram_server_signature": verifier}
        return Accept(who.authid, who.role, self.method, self.owner.authprovider, authextra)
