"""Client authentication (``autobahn.wamp.auth``): authenticators and WAMP-CRA/TOTP helpers.

An authenticator has Autobahn's interface: ``name`` (the authmethod), ``authextra``
(sent in HELLO), ``on_challenge(session, challenge)`` returning the AUTHENTICATE
signature (a str, or an awaitable of one) and ``on_welcome(session, authextra)``
returning None, or an error message to refuse the router's WELCOME. WAMP-CRA, TOTP and
SCRAM with PBKDF2 need only the standard library (PBKDF2 runs faster with
``cryptography`` installed); cryptosign needs ``cryptography`` (``pywamp[crypto]``),
SCRAM with Argon2 ``argon2-cffi`` (``pywamp[scram]``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import quote

from pywamp.wamp import _scram
from pywamp.wamp._saslprep import saslprep

__all__ = (
    "WCS_SECRET_CHARSET",
    "AuthAnonymous",
    "AuthAnonymousProxy",
    "AuthCryptoSign",
    "AuthCryptoSignProxy",
    "AuthScram",
    "AuthTicket",
    "AuthWampCra",
    "AuthWampScram",
    "Authenticator",
    "check_totp",
    "compute_totp",
    "compute_wcs",
    "create_authenticator",
    "derive_key",
    "derive_scram_credential",
    "generate_totp_secret",
    "generate_wcs",
    "pbkdf2",
    "qrcode_from_totp",
)


@runtime_checkable
class Authenticator(Protocol):
    """What a session needs from an authenticator (Autobahn's ``IAuthenticator``)."""

    name: ClassVar[str]

    @property
    def authextra(self) -> dict[str, Any]: ...

    def on_challenge(self, session: Any, challenge: Any) -> str | Awaitable[str]: ...

    def on_welcome(self, session: Any, authextra: dict[str, Any] | None) -> str | None: ...


def _method(challenge: Any) -> Any:
    """The auth method of a ``types.Challenge`` (``.method``) or a CHALLENGE message."""
    method = getattr(challenge, "method", None)
    return method if method is not None else getattr(challenge, "authmethod", None)


def _extra(challenge: Any) -> dict[str, Any]:
    extra = getattr(challenge, "extra", None)
    if type(extra) is not dict:
        raise ValueError(f"{_method(challenge)}: the CHALLENGE has no extra dict")
    return extra


class _Base:
    """The configuration every authenticator takes: ``authid``, ``authrole``, ``authextra``."""

    name: ClassVar[str] = ""
    _allowed: ClassVar[tuple[str, ...] | None] = None  # None: any keyword
    _required: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **kw: Any) -> None:
        for key in self._required:
            if key not in kw:
                raise ValueError(f"Must provide '{key}' for {self.name}")
        if self._allowed is not None:
            for key in kw:
                if key not in self._allowed:
                    raise ValueError(f"Unexpected key '{key}' for {type(self).__name__}")
        for key in ("authid", "authrole"):
            if kw.get(key) is not None and type(kw[key]) is not str:
                raise TypeError(f"{type(self).__name__}: {key} must be a str")
        if kw.get("authextra") is not None and type(kw["authextra"]) is not dict:
            raise TypeError(f"{type(self).__name__}: authextra must be a dict")
        self._args = kw

    @property
    def authextra(self) -> dict[str, Any]:
        """Sent in HELLO.Details.authextra."""
        extra: dict[str, Any] = self._args.get("authextra") or {}
        return extra

    @property
    def authid(self) -> str | None:
        """The authid to announce in HELLO, if configured."""
        value: str | None = self._args.get("authid")
        return value

    @property
    def authrole(self) -> str | None:
        """The authrole to ask for in HELLO, if configured."""
        value: str | None = self._args.get("authrole")
        return value

    def on_challenge(self, session: Any, challenge: Any) -> str | Awaitable[str]:
        raise NotImplementedError

    def on_welcome(self, session: Any, authextra: dict[str, Any] | None) -> str | None:
        """Accept every WELCOME."""
        return None


class AuthAnonymous(_Base):
    """No credentials; a CHALLENGE is an error."""

    name = "anonymous"

    def on_challenge(self, session: Any, challenge: Any) -> str:
        raise RuntimeError("on_challenge called on anonymous authentication")


class AuthAnonymousProxy(AuthAnonymous):
    """Anonymous authentication forwarded by a proxy."""

    name = "anonymous-proxy"


class AuthTicket(_Base):
    """A static ticket (password or token) sent as the signature."""

    name = "ticket"

    def __init__(self, **kw: Any) -> None:
        if "ticket" not in kw:
            raise ValueError("ticket authentication requires 'ticket=' kwarg")
        ticket = kw.pop("ticket")
        if type(ticket) is not str:
            raise TypeError(f"AuthTicket: ticket must be a str, got {type(ticket).__name__}")
        super().__init__(**kw)
        self._ticket = ticket

    def on_challenge(self, session: Any, challenge: Any) -> str:
        if _method(challenge) != "ticket":
            raise ValueError(f"AuthTicket: not a ticket challenge ({_method(challenge)!r})")
        return self._ticket


#: What a salted WAMP-CRA CHALLENGE may ask (the key is derived on the event loop, as
#: Autobahn does; Crossbar's defaults are 1000 and 32): more is a router's attack.
_MAX_CRA_ITERATIONS = 1_000_000
_MAX_CRA_KEYLEN = 1024


class AuthWampCra(_Base):
    """WAMP-CRA: HMAC-SHA256 of the challenge under the secret (PBKDF2-derived when salted)."""

    name = "wampcra"
    _allowed = ("authextra", "authid", "authrole", "secret")
    _required = ("secret", "authid")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        secret = self._args.pop("secret")
        if type(secret) is bytes:
            secret = secret.decode("utf8")
        if type(secret) is not str:
            raise TypeError(f"AuthWampCra: secret must be a str, got {type(secret).__name__}")
        self._secret: str = secret

    def on_challenge(self, session: Any, challenge: Any) -> str:
        extra = _extra(challenge)
        text = extra.get("challenge")
        if type(text) is not str:
            raise ValueError("wampcra: CHALLENGE extra['challenge'] must be a str")
        key: bytes = self._secret.encode("utf8")
        if "salt" in extra:
            iterations, keylen = extra.get("iterations", 1000), extra.get("keylen", 32)
            if type(iterations) is not int or not 0 < iterations <= _MAX_CRA_ITERATIONS:
                raise ValueError(f"wampcra: iterations must be 1..{_MAX_CRA_ITERATIONS}")
            if type(keylen) is not int or not 0 < keylen <= _MAX_CRA_KEYLEN:
                raise ValueError(f"wampcra: keylen must be 1..{_MAX_CRA_KEYLEN}")
            key = derive_key(key, extra["salt"], iterations, keylen)
        return compute_wcs(key, text.encode("utf8")).decode("ascii")


def _channel_id(session: Any, binding: str, method: str = "cryptosign") -> bytes:
    """The transport's channel id for a binding type (TLS only)."""
    details = getattr(session, "transport_details", None)
    if details is None:
        details = getattr(getattr(session, "_transport", None), "transport_details", None)
    ids = getattr(details, "channel_id", None) or {}
    channel_id = ids.get(binding)
    if type(channel_id) is not bytes:
        raise ValueError(f"{method}: channel binding {binding!r} needs a TLS transport with it")
    return channel_id


class AuthCryptoSign(_Base):
    """WAMP-cryptosign: an Ed25519 signature over the router's random challenge."""

    name = "cryptosign"
    _allowed = ("authextra", "authid", "authrole", "privkey")
    _required = ("privkey",)

    def __init__(self, **kw: Any) -> None:
        from pywamp.wamp.cryptosign import CHANNEL_BINDINGS, CryptosignKey

        super().__init__(**kw)
        privkey = self._args["privkey"]
        if type(privkey) not in (str, bytes):
            raise TypeError("cryptosign: privkey must be the private key in hex (64 digits)")
        try:
            raw = binascii.a2b_hex(privkey)
        except (binascii.Error, ValueError):
            raise ValueError("cryptosign: privkey must be the private key in hex") from None
        self._privkey = CryptosignKey.from_bytes(raw)
        authextra = dict(self._args.get("authextra") or {})
        pubkey = self._privkey.public_key()
        if authextra.setdefault("pubkey", pubkey) != pubkey:
            raise ValueError("Public key doesn't correspond to private key")
        binding = authextra.get("channel_binding")
        if binding is not None and binding not in CHANNEL_BINDINGS:
            raise ValueError(f"cryptosign: channel_binding must be one of {CHANNEL_BINDINGS}")
        self._args["authextra"] = authextra
        self._channel_binding: str | None = binding

    def on_challenge(self, session: Any, challenge: Any) -> str:
        binding = self._channel_binding
        channel_id = _channel_id(session, binding) if binding is not None else None
        return str(self._privkey.sign_challenge(challenge, channel_id, binding))


class AuthCryptoSignProxy(AuthCryptoSign):
    """Cryptosign authentication forwarded by a proxy."""

    name = "cryptosign-proxy"


class AuthScram(_Base):
    """WAMP-SCRAM as Autobahn and Crossbar speak it (authmethod ``scram``): the password never
    travels, and WELCOME must carry the router's proof that it holds the keys.

    Configure with ``authid`` and ``password``. The KDF runs off the event loop (Argon2 at
    Crossbar's default cost takes about a second); Argon2 needs ``pywamp[scram]``. The
    AuthMessage carries the authid SASLprep-ed and unescaped, the password is used as
    given: as Autobahn and Crossbar do.
    """

    name = "scram"
    _allowed = ("authextra", "authid", "authrole", "password")
    _required = ("authid", "password")
    #: The AuthMessage's channel binding part: Autobahn and Crossbar leave it empty.
    _cbind = ""
    #: Whether the password is SASLprep-ed too (the spec) or used as given (Autobahn).
    _prepare_password = False

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        binding = super().authextra.get("channel_binding")
        if binding is not None and (self._cbind == "" or binding != "tls-unique"):
            raise ValueError(
                f"{self.name}: no channel binding {binding!r} (wamp-scram: tls-unique)"
            )
        self._channel_binding: str | None = binding
        password = self._args.pop("password")
        if type(password) is not str:
            raise TypeError(f"{type(self).__name__}: password must be a str")
        if self._prepare_password:
            password = saslprep(password, f"{self.name} password")
        self._password: str = password
        self._username = saslprep(self._args["authid"], f"{self.name} authid")
        if not self._username:
            raise ValueError(f"{self.name}: the authid is empty once SASLprep-ed")
        self._nonce: str | None = None
        # (SaltedPassword, AuthMessage) of the last challenge, for checking WELCOME
        self._exchange: tuple[bytes, bytes] | None = None

    @property
    def authextra(self) -> dict[str, Any]:
        """HELLO's authextra with this join's client nonce (a fresh one after each CHALLENGE)."""
        if self._nonce is None:
            self._nonce = _scram.b64(secrets.token_bytes(16))
        return {**super().authextra, "nonce": self._nonce}

    def on_challenge(self, session: Any, challenge: Any) -> Awaitable[Any]:
        """The ClientProof; the KDF runs in a thread when the session's framework has one."""
        if _method(challenge) != self.name:
            raise ValueError(f"{self.name}: not a {self.name} challenge ({_method(challenge)!r})")
        client_nonce, self._nonce = self._nonce, None
        if client_nonce is None:
            raise ValueError(f"{self.name}: a CHALLENGE before HELLO sent a nonce")
        extra = _extra(challenge)
        nonce, salt, kdf = extra.get("nonce"), extra.get("salt"), extra.get("kdf")
        iterations, memory = extra.get("iterations"), extra.get("memory")
        if not isinstance(salt, str) or not _scram.unb64(salt, "salt"):
            raise ValueError(f"{self.name}: CHALLENGE salt must be base64 of octets")
        if type(iterations) is not int or iterations < 1:
            raise ValueError(f"{self.name}: CHALLENGE iterations must be a positive int")
        if kdf not in _scram.KDFS:
            raise ValueError(f"{self.name}: unknown kdf {kdf!r} (one of {', '.join(_scram.KDFS)})")
        if not isinstance(nonce, str) or not _extends(nonce, client_nonce):
            raise ValueError(f"{self.name}: the CHALLENGE nonce does not extend the client's")
        cbind, extra_out = self._cbind, {"nonce": nonce}
        if self._channel_binding is not None:
            data = _channel_id(session, self._channel_binding, self.name)
            cbind = _scram.b64(b"p=" + self._channel_binding.encode() + b",," + data)
            extra_out.update(channel_binding=self._channel_binding, cbind_data=_scram.b64(data))
        auth_message = (
            f"n={self._username_field()},r={client_nonce},"
            f"r={nonce},s={salt},i={iterations},c={cbind},r={nonce}"
        ).encode()
        derive = functools.partial(
            _scram.salted_password, self._password, salt, kdf, iterations, memory
        )
        return self._answer(session, derive, auth_message, extra_out)

    async def _answer(
        self, session: Any, derive: Callable[[], bytes], auth_message: bytes, extra: dict[str, str]
    ) -> Any:
        to_thread = getattr(getattr(session, "_adapter", None), "to_thread", None)
        salted = derive() if to_thread is None else await to_thread(derive)
        self._exchange = (salted, auth_message)
        return self._signature(_scram.b64(_scram.client_proof(salted, auth_message)), extra)

    def _username_field(self) -> str:
        """The AuthMessage's username: Autobahn and Crossbar do not escape ``=`` and ``,``."""
        return self._username

    def _signature(self, proof: str, extra: dict[str, str]) -> Any:
        """AUTHENTICATE's signature (and extra): Autobahn's dialect sends the proof alone."""
        return proof

    def on_welcome(self, session: Any, authextra: dict[str, Any] | None) -> str | None:
        """Refuse a WELCOME without the router's ServerSignature over this exchange."""
        given = (authextra or {}).get("verifier") or (authextra or {}).get("scram_server_signature")
        if self._exchange is None:
            return f"{self.name}: WELCOME without a CHALLENGE"
        salted, auth_message = self._exchange
        self._exchange = None
        try:
            alleged = _scram.unb64(given, "server signature")
        except ValueError as e:
            return f"{self.name}: the router did not prove its keys ({e})"
        expected = _scram.server_signature(_scram.keys(salted)[1], auth_message)
        if not hmac.compare_digest(alleged, expected):
            return f"{self.name}: the router's server signature is wrong"
        return None


class AuthWampScram(AuthScram):
    """WAMP-SCRAM as the spec writes it (authmethod ``wamp-scram``): AUTHENTICATE echoes the
    combined nonce; with ``authextra={"channel_binding": "tls-unique"}`` the proof binds
    the TLS connection (else the AuthMessage says ``c=biws``, no binding). The authid and
    the password are SASLprep-ed, the username escaped as RFC 5802 writes it."""

    name = "wamp-scram"
    _cbind = _scram.b64(b"n,,")
    _prepare_password = True

    def _username_field(self) -> str:
        return _scram.escape(self._username)

    def _signature(self, proof: str, extra: dict[str, str]) -> Any:
        return proof, extra


def _extends(nonce: str, client_nonce: str) -> bool:
    """Whether the CHALLENGE's nonce begins with the client's and adds to it: as text (the
    spec), or as the octets of base64 (Crossbar re-encodes the concatenated octets)."""
    if len(nonce) <= len(client_nonce):
        return False
    if nonce.startswith(client_nonce):
        return True
    try:
        raw, mine = base64.b64decode(nonce, validate=True), base64.b64decode(client_nonce)
    except (binascii.Error, ValueError):
        return False
    return len(raw) > len(mine) and raw.startswith(mine)


_AUTHENTICATORS: dict[str, type[_Base]] = {
    cls.name: cls
    for cls in (
        AuthAnonymous,
        AuthAnonymousProxy,
        AuthTicket,
        AuthWampCra,
        AuthCryptoSign,
        AuthCryptoSignProxy,
        AuthScram,
        AuthWampScram,
    )
}


def create_authenticator(name: str, **kwargs: Any) -> Authenticator:
    """An authenticator by authmethod name, configured with keyword arguments."""
    try:
        cls = _AUTHENTICATORS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_AUTHENTICATORS))
        raise ValueError(f"Unknown authenticator '{name}' (pywamp has: {known})") from None
    return cls(**kwargs)


def derive_scram_credential(email: str, password: str, salt: bytes | None = None) -> dict[str, Any]:
    """A SCRAM principal's fields for a Crossbar ``config.json`` (or ``pywamp router``),
    as Autobahn derives them: Argon2id ``argon2id-13``, 4096 iterations, 512 KiB, the salt
    ``SHA256(email)[:16]`` unless given (16 bytes), hex keys. Takes about a second."""
    if type(email) is not str or type(password) is not str:
        raise TypeError("derive_scram_credential: email and password must be str")
    if salt is None:
        salt = hashlib.sha256(email.encode("utf8")).digest()[:16]
    if type(salt) is not bytes or len(salt) != 16:
        raise ValueError("derive_scram_credential: salt must be 16 bytes")
    iterations, memory = 4096, 512
    salted = _scram.salted_password(
        password, _scram.b64(salt), _scram.ARGON2ID_13, iterations, memory
    )
    stored_key, server_key = _scram.keys(salted)
    return {
        "kdf": _scram.ARGON2ID_13,
        "memory": memory,
        "iterations": iterations,
        "salt": salt.hex(),
        "stored-key": stored_key.hex(),
        "server-key": server_key.hex(),
    }


# -- WAMP-CRA ------------------------------------------------------------------------------

WCS_SECRET_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
"""The characters ``generate_wcs`` draws from."""


#: hashlib names that ``cryptography`` spells in upper case (``sha256`` -> ``SHA256``).
_CRYPTOGRAPHY_HASHES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512"})


def pbkdf2(
    data: bytes, salt: bytes, iterations: int = 1000, keylen: int = 32, hashfunc: str | None = None
) -> bytes:
    """PBKDF2-HMAC of ``data`` (SHA-256 unless ``hashfunc`` names another hashlib hash)."""
    if (
        type(data) is not bytes
        or type(salt) is not bytes
        or type(iterations) is not int
        or type(keylen) is not int
    ):
        raise ValueError("Invalid argument types")
    if hashfunc is not None and type(hashfunc) is not str:
        raise ValueError("pbkdf2 takes the name of a hash algorithm for 'hashfunc='")
    name = hashfunc or "sha256"
    fast = _openssl_pbkdf2()
    if fast is not None and name in _CRYPTOGRAPHY_HASHES and iterations > 0 and keylen > 0:
        return fast(name, data, salt, iterations, keylen)
    return hashlib.pbkdf2_hmac(name, data, salt, iterations, keylen)


@functools.cache
def _openssl_pbkdf2() -> Callable[[str, bytes, bytes, int, int], bytes] | None:
    """PBKDF2 from ``cryptography`` when it is installed: a salted WAMP-CRA or SCRAM login
    runs it once per join, and its bundled OpenSSL does it about twice as fast as the
    OpenSSL that ``hashlib`` links on common builds (``benches/bench_wamp_types.py``)."""
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    except ImportError:
        return None

    def derive(name: str, data: bytes, salt: bytes, iterations: int, keylen: int) -> bytes:
        algorithm = getattr(hashes, name.upper())()
        return PBKDF2HMAC(algorithm, keylen, salt, iterations).derive(data)

    return derive


def derive_key(
    secret: str | bytes, salt: str | bytes, iterations: int = 1000, keylen: int = 32
) -> bytes:
    """The salted WAMP-CRA key: base64 of PBKDF2-SHA256(secret, salt) (the base64 text is the
    HMAC key, as Autobahn and Crossbar use it)."""
    if type(secret) not in (str, bytes):
        raise ValueError("'secret' must be bytes")
    if type(salt) not in (str, bytes):
        raise ValueError("'salt' must be bytes")
    if type(iterations) is not int:
        raise ValueError("'iterations' must be an integer")
    if type(keylen) is not int:
        raise ValueError("'keylen' must be an integer")
    secret_b = secret.encode("utf8") if isinstance(secret, str) else secret
    salt_b = salt.encode("utf8") if isinstance(salt, str) else salt
    return binascii.b2a_base64(pbkdf2(secret_b, salt_b, iterations, keylen)).strip()


def generate_wcs(length: int = 14) -> bytes:
    """A random WAMP-CRA secret of ``length`` letters and digits."""
    if type(length) is not int or length < 0:
        raise ValueError("generate_wcs: length must be a non-negative int")
    return "".join(secrets.choice(WCS_SECRET_CHARSET) for _ in range(length)).encode("ascii")


def compute_wcs(key: str | bytes, challenge: str | bytes) -> bytes:
    """The WAMP-CRA signature: base64 of HMAC-SHA256(key, challenge)."""
    if type(key) not in (str, bytes):
        raise TypeError(f"compute_wcs: key must be str or bytes, got {type(key).__name__}")
    if type(challenge) not in (str, bytes):
        raise TypeError(
            f"compute_wcs: challenge must be str or bytes, got {type(challenge).__name__}"
        )
    key_b = key.encode("utf8") if isinstance(key, str) else key
    msg = challenge.encode("utf8") if isinstance(challenge, str) else challenge
    return binascii.b2a_base64(hmac.new(key_b, msg, hashlib.sha256).digest()).strip()


# -- TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1) -----------------------------------------


def generate_totp_secret(length: int = 10) -> str:
    """A random Base32 TOTP secret from ``length`` random bytes."""
    if type(length) is not int or length < 0:
        raise ValueError("generate_totp_secret: length must be a non-negative int")
    return base64.b32encode(secrets.token_bytes(length)).decode("ascii")


def compute_totp(secret: str, offset: int = 0, *, now: float | None = None) -> str:
    """The 6-digit TOTP code for the current 30 s step (+ ``offset`` steps), or at ``now``."""
    if type(secret) is not str:
        raise TypeError(f"compute_totp: secret must be a Base32 str, got {type(secret).__name__}")
    if type(offset) is not int:
        raise TypeError(f"compute_totp: offset must be an int, got {type(offset).__name__}")
    try:
        key = base64.b32decode(secret)
    except (binascii.Error, ValueError):
        raise ValueError("compute_totp: invalid Base32 secret") from None
    step = offset + int(time.time() if now is None else now) // 30
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    start = digest[19] & 15
    code = (struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{code:06d}"


def qrcode_from_totp(secret: str, label: str, issuer: str) -> bytes:
    """An SVG QR code of the ``otpauth://`` URI an authenticator app scans to learn the
    secret (label and issuer percent-encoded); needs ``qrcode`` (``pywamp[qrcode]``)."""
    for name, value in (("secret", secret), ("label", label), ("issuer", issuer)):
        if type(value) is not str:
            raise TypeError(f"qrcode_from_totp: {name} must be a str, got {type(value).__name__}")
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:
        raise ImportError("qrcode_from_totp needs qrcode: pip install pywamp[qrcode]") from None
    uri = f"otpauth://totp/{quote(label, safe=':@')}?secret={secret}&issuer={quote(issuer)}"
    image = qrcode.make(uri, box_size=3, image_factory=qrcode.image.svg.SvgImage)
    svg: bytes = image.to_string()
    return svg


def check_totp(secret: str, ticket: str) -> bool:
    """Whether ``ticket`` is the TOTP code of this, the previous or the next 30 s step."""
    if type(ticket) is not str:
        return False
    given = ticket.encode("utf8")
    return any(
        hmac.compare_digest(given, compute_totp(secret, offset).encode("ascii"))
        for offset in (0, 1, -1)
    )
