"""WAMP-SCRAM on the router (``authentication_scram.md``, RFC 5802 with SHA-256).

The router stores per principal only ``salt`` (base64), ``kdf``, ``iterations``,
``memory``, ``stored_key`` and ``server_key`` (base64); ``scram_principal`` derives them
from a password. Verifying never runs the KDF, so any KDF the client can run works; the
helper derives ``pbkdf2`` (``pywamp.wamp.auth.pbkdf2``) and ``argon2id13``, the latter
only when PyNaCl is installed (it refuses clearly otherwise).

The spec names the method ``wamp-scram``; Autobahn and Crossbar say ``scram``. Register
one ``ScramAuthenticator`` under both names: it answers with the name the client chose.
Usernames and passwords are not SASLprep-normalised (ASCII input is unaffected).

Under the name ``scram`` the router also speaks Autobahn's and Crossbar's dialect, so an
Autobahn client (``AuthScram``) can join: the CHALLENGE names the KDF ``argon2id-13``,
the client sends no ``nonce`` in AUTHENTICATE.extra (the pending challenge fixes it
anyway) and its AuthMessage ends in ``c=,r=<nonce>`` (an empty channel binding) rather
than RFC 5802's ``c=biws``. A proof over either AuthMessage is checked; the
ServerSignature is computed over the one that verified. Under ``wamp-scram`` only the
spec's exchange is accepted.
"""

from __future__ import annotations

import base64
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
from pywamp.wamp.auth import pbkdf2

METHODS = ("wamp-scram", "scram")
KDFS = ("pbkdf2", "argon2id13")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def salted_password(
    password: str, salt: str, kdf: str = "pbkdf2", iterations: int = 4096, memory: int | None = None
) -> bytes:
    """SaltedPassword = KDF(password, UnBase64(salt), params), 32 bytes."""
    raw_salt = base64.b64decode(salt, validate=True)
    secret = password.encode("utf-8")
    if kdf == "pbkdf2":
        return pbkdf2(secret, raw_salt, iterations, 32)
    if kdf == "argon2id13":
        if memory is None:
            raise ValueError("argon2id13 needs memory (KiB)")
        try:
            from nacl.pwhash import argon2id
        except ImportError:
            raise ValueError("argon2id13 needs PyNaCl installed; use kdf='pbkdf2'") from None
        if len(raw_salt) != argon2id.SALTBYTES:
            raise ValueError(f"argon2id13 needs a {argon2id.SALTBYTES}-byte salt")
        key: bytes = argon2id.kdf(32, secret, raw_salt, iterations, memory * 1024)
        return key
    raise ValueError(f"unknown SCRAM kdf {kdf!r}; one of {KDFS}")


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
    salt = salt if salt is not None else _b64(secrets.token_bytes(16))
    salted = salted_password(password, salt, kdf, iterations, memory)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return Principal(
        authid,
        role,
        salt=salt,
        kdf=kdf,
        iterations=iterations,
        memory=memory,
        stored_key=_b64(hashlib.sha256(client_key).digest()),
        server_key=_b64(server_key),
    )


def _escape(name: str) -> str:
    return name.replace("=", "=3D").replace(",", "=2C")


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
            if p.kdf == "argon2id13" and p.memory is None:
                raise ValueError(f"principal {p.authid!r}: argon2id13 needs memory")
            self.principals[p.authid] = p
        self.authprovider = authprovider
        self.challenge_timeout = challenge_timeout
        self.server_nonce = server_nonce or (lambda: _b64(secrets.token_bytes(16)))
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
            salt = _b64(digest[:16])
        nonce = client_nonce + self.server_nonce()
        kdf = params.kdf
        if method == "scram" and kdf == "argon2id13":
            kdf = "argon2id-13"  # Autobahn's and Crossbar's name
        extra: dict[str, Any] = {
            "nonce": nonce,
            "salt": salt,
            "kdf": kdf,
            "iterations": params.iterations,
        }
        if params.memory is not None:
            extra["memory"] = params.memory
        first = f"n={_escape(authid)},r={client_nonce},r={nonce},s={salt},i={params.iterations}"
        pending = _ScramPending(
            self, who, method, first, nonce, binding, bound, now + self.challenge_timeout
        )
        return Challenged(method, extra, pending)


class _ScramPending(_Expiring):
    def __init__(
        self,
        owner: ScramAuthenticator,
        who: Principal | None,
        method: str,
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
        self.first = first
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
            cbind_text = "" if dialect else _b64(b"n,,")
        else:
            data = b64decode(cbind)
            bind_ok = binding == self.binding and data is not None and self.bound is not None
            bind_ok = bind_ok and hmac.compare_digest(data or b"", self.bound or b"")
            cbind_text = _b64(b"p=" + self.binding.encode("ascii") + b",," + (data or b""))
        auth_message = f"{self.first},c={cbind_text},r={self.nonce}".encode()
        who = self.who
        stored = b64decode(who.stored_key) if who is not None else None
        stored = stored or secrets.token_bytes(32)
        proof = b64decode(signature) or b""
        client_signature = hmac.new(stored, auth_message, hashlib.sha256).digest()
        valid = False
        if len(proof) == len(client_signature):
            client_key = bytes(a ^ b for a, b in zip(client_signature, proof, strict=True))
            valid = hmac.compare_digest(hashlib.sha256(client_key).digest(), stored)
        server_key = b64decode(who.server_key) if who is not None else None
        if not (live and same_nonce and bind_ok and valid and who is not None and server_key):
            return failed()
        verifier = _b64(hmac.new(server_key, auth_message, hashlib.sha256).digest())
        # ``verifier`` per the spec; ``scram_server_signature`` is what Autobahn reads.
        authextra = {"verifier": verifier, "scram_server_signature": verifier}
        return Accept(who.authid, who.role, self.method, self.owner.authprovider, authextra)
