"""WAMP-cryptosign keys: Ed25519 signatures over router challenges (``autobahn.wamp.cryptosign``).

Ed25519 comes from the ``cryptography`` package (``pip install 'pywamp[crypto]'``),
imported on first use so that ``import pywamp.wamp`` works without it.

Autobahn's ``sign()`` and ``sign_challenge()`` return futures; here they return the
value itself, as a ``bytes``/``str`` subclass that can also be awaited, so both
``return key.sign_challenge(c)`` and ``await key.sign_challenge(c)`` work.
"""

from __future__ import annotations

import binascii
from collections.abc import Generator
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = ("CHANNEL_BINDINGS", "CryptosignKey", "Signature", "SignatureBytes", "format_challenge")

CHANNEL_BINDINGS = ("tls-unique", "tls-exporter")
"""Channel binding types whose 32-byte channel id is XORed into the challenge."""

_METHODS = ("cryptosign", "cryptosign-proxy")


def _ed25519() -> ModuleType:
    """The ``cryptography`` Ed25519 module, or an ImportError that says what to install."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # pragma: no cover - the test extra installs cryptography
        raise ImportError(
            "WAMP-cryptosign needs the 'cryptography' package: pip install 'pywamp[crypto]'"
        ) from exc
    return ed25519


class Signature(str):
    """A hex signature (signature + signed message) that can also be awaited."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, str]:
        yield from ()
        return str(self)


class SignatureBytes(bytes):
    """A raw 64-byte Ed25519 signature that can also be awaited."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, bytes]:
        yield from ()
        return bytes(self)


def _challenge_method(challenge: Any) -> Any:
    """The auth method of a ``types.Challenge`` (``.method``) or a CHALLENGE message."""
    method = getattr(challenge, "method", None)
    return method if method is not None else getattr(challenge, "authmethod", None)


def format_challenge(
    challenge: Any, channel_id_raw: bytes | None, channel_id_type: str | None
) -> bytes:
    """The 32 bytes to sign: the challenge's ``extra["challenge"]`` (hex), XORed with the
    channel id when a channel binding is used."""
    extra = getattr(challenge, "extra", None)
    if type(extra) is not dict or "challenge" not in extra:
        raise ValueError("cryptosign: the CHALLENGE has no extra['challenge']")
    challenge_hex = extra["challenge"]
    if type(challenge_hex) is not str:
        raise TypeError(
            f"cryptosign: extra['challenge'] must be a hex str, got {type(challenge_hex).__name__}"
        )
    if len(challenge_hex) != 64:
        raise ValueError(
            f"cryptosign: extra['challenge'] must be 64 hex digits, got {len(challenge_hex)}"
        )
    try:
        data = bytes.fromhex(challenge_hex)
    except ValueError:
        raise ValueError("cryptosign: extra['challenge'] is not hex") from None
    if channel_id_type is None:
        return data
    if channel_id_type not in CHANNEL_BINDINGS:
        raise ValueError(
            f"cryptosign: channel binding must be one of {CHANNEL_BINDINGS}, "
            f"got {channel_id_type!r}"
        )
    if type(channel_id_raw) is not bytes or len(channel_id_raw) != 32:
        raise ValueError(f"cryptosign: binding {channel_id_type} needs a 32-byte channel id")
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(channel_id_raw, "big")
    return mixed.to_bytes(32, "big")


def _check_comment(comment: Any) -> None:
    if comment is not None and type(comment) is not str:
        raise TypeError(f"CryptosignKey: comment must be a str, got {type(comment).__name__}")


def _raw32(what: str, value: Any) -> bytes:
    if type(value) is not bytes:
        raise TypeError(f"CryptosignKey: {what} must be bytes, got {type(value).__name__}")
    if len(value) != 32:
        raise ValueError(f"CryptosignKey: {what} must be 32 bytes, got {len(value)}")
    return value


class CryptosignKey:
    """An Ed25519 private key (signs) or public key (verifies) for WAMP-cryptosign."""

    __slots__ = ("_comment", "_key_no", "_private", "_public", "_security_module")

    _private: Ed25519PrivateKey | None
    _public: Ed25519PublicKey

    def __init__(
        self,
        key: Ed25519PrivateKey | Ed25519PublicKey,
        can_sign: bool,
        security_module: Any = None,
        key_no: int | None = None,
        comment: str | None = None,
    ) -> None:
        ed25519 = _ed25519()
        if isinstance(key, ed25519.Ed25519PrivateKey):
            if not can_sign:
                raise ValueError("CryptosignKey: a private key is given, can_sign must be True")
            self._private = key
            self._public = key.public_key()
        elif isinstance(key, ed25519.Ed25519PublicKey):
            if can_sign:
                raise ValueError("CryptosignKey: a public key cannot sign (can_sign=False)")
            self._private = None
            self._public = key
        else:
            raise TypeError(f"CryptosignKey: key must be an Ed25519 key, got {type(key).__name__}")
        _check_comment(comment)
        self._security_module = security_module
        self._key_no = key_no
        self._comment = comment

    # -- constructors --------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, key: bytes, comment: str | None = None) -> CryptosignKey:
        """A signing key from its 32 raw bytes (the Ed25519 seed)."""
        _check_comment(comment)
        private = _ed25519().Ed25519PrivateKey.from_private_bytes(_raw32("key", key))
        return cls(private, True, comment=comment)

    @classmethod
    def from_seed(cls, seed: bytes, comment: str | None = None) -> CryptosignKey:
        """The same as ``from_bytes``: an Ed25519 private key is its 32-byte seed."""
        return cls.from_bytes(seed, comment=comment)

    @classmethod
    def from_pubkey(cls, pubkey: bytes, comment: str | None = None) -> CryptosignKey:
        """A verification-only key from the 32 raw bytes of a public key."""
        _check_comment(comment)
        public = _ed25519().Ed25519PublicKey.from_public_bytes(_raw32("pubkey", pubkey))
        return cls(public, False, comment=comment)

    @classmethod
    def from_file(cls, filename: str, comment: str | None = None) -> CryptosignKey:
        """A signing key from a file holding exactly the 32 raw seed bytes."""
        if type(filename) is not str:
            raise TypeError(f"CryptosignKey: filename must be a str, got {type(filename).__name__}")
        with open(filename, "rb") as f:
            return cls.from_bytes(f.read(), comment=comment)

    @classmethod
    def from_ssh_file(cls, filename: str) -> CryptosignKey:
        """An OpenSSH Ed25519 private key (passphrase-less) or public key file."""
        with open(filename, "rb") as f:
            return cls.from_ssh_bytes(f.read().decode("utf-8").strip())

    @classmethod
    def from_ssh_bytes(cls, key_data: str) -> CryptosignKey:
        """An OpenSSH Ed25519 private key (PEM-like block) or public key line."""
        from cryptography.hazmat.primitives import serialization

        ed25519 = _ed25519()
        text = key_data.strip()
        if text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----"):
            private = serialization.load_ssh_private_key(text.encode("ascii"), password=None)
            if not isinstance(private, ed25519.Ed25519PrivateKey):
                raise ValueError(f"not an Ed25519 SSH key: {type(private).__name__}")
            return cls(private, True)
        parts = text.split()
        if len(parts) < 2 or parts[0] != "ssh-ed25519":
            raise ValueError("not an Ed25519 SSH public key (expected 'ssh-ed25519 AAAA...')")
        public = serialization.load_ssh_public_key(" ".join(parts[:2]).encode("ascii"))
        comment = " ".join(parts[2:]) or None
        return cls(public, False, comment=comment)  # type: ignore[arg-type]

    @classmethod
    def from_keyfile(cls, keyfile: str) -> CryptosignKey:
        """A key from a Crossbar-style key file (``private-key-ed25519: <hex>`` or
        ``public-key-ed25519: <hex>`` after the comment block and its blank line)."""
        tags: dict[str, str] = {}
        with open(keyfile, encoding="utf-8") as f:
            in_tags = False
            for number, line in enumerate(f, 1):
                if not line.strip():
                    in_tags = True
                    continue
                if not in_tags:
                    continue
                tag, sep, value = line.partition(":")
                if not sep:
                    raise ValueError(f"{keyfile}:{number}: expected 'tag: value'")
                tag = tag.strip().lower()
                if tag in tags:
                    raise ValueError(f"{keyfile}:{number}: duplicate tag {tag!r}")
                tags[tag] = value.strip()
        if "private-key-ed25519" in tags:
            return cls.from_bytes(_unhex(keyfile, tags["private-key-ed25519"]))
        if "public-key-ed25519" in tags:
            return cls.from_pubkey(_unhex(keyfile, tags["public-key-ed25519"]))
        raise ValueError(f"{keyfile}: neither private-key-ed25519 nor public-key-ed25519 found")

    # -- properties ----------------------------------------------------------------------

    @property
    def security_module(self) -> Any:
        """The security module holding the key, if any."""
        return self._security_module

    @property
    def key_no(self) -> int | None:
        """The key's number within its security module, if any."""
        return self._key_no

    @property
    def comment(self) -> str | None:
        """A free-form comment (the SSH key comment when loaded from a public key)."""
        return self._comment

    @property
    def key_type(self) -> str:
        """Always ``"cryptosign"``."""
        return "cryptosign"

    @property
    def can_sign(self) -> bool:
        """True for a private key."""
        return self._private is not None

    @overload
    def public_key(self, binary: Literal[False] = ...) -> str: ...
    @overload
    def public_key(self, binary: Literal[True]) -> bytes: ...
    def public_key(self, binary: bool = False) -> str | bytes:
        """The public key: 64 hex digits (``str``), or 32 bytes with ``binary=True``."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self._public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return raw if binary else raw.hex()

    # -- signing and verifying -----------------------------------------------------------

    def sign(self, data: bytes) -> SignatureBytes:
        """The 64-byte Ed25519 signature of ``data`` (awaitable, as Autobahn's future)."""
        if self._private is None:
            raise ValueError("CryptosignKey: a private key is needed to sign")
        if type(data) is not bytes:
            raise TypeError(f"CryptosignKey.sign: data must be bytes, got {type(data).__name__}")
        return SignatureBytes(self._private.sign(data))

    def sign_challenge(
        self,
        challenge: Any,
        channel_id: bytes | None = None,
        channel_id_type: str | None = None,
    ) -> Signature:
        """The AUTHENTICATE signature for a cryptosign CHALLENGE: hex of signature + message."""
        method = _challenge_method(challenge)
        if method not in _METHODS:
            raise ValueError(f"CryptosignKey: not a cryptosign challenge (method {method!r})")
        data = format_challenge(challenge, channel_id, channel_id_type)
        return Signature(self.sign(data).hex() + data.hex())

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``data``."""
        from cryptography.exceptions import InvalidSignature

        try:
            self._public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def verify_challenge(
        self,
        signature: str,
        challenge: Any,
        channel_id: bytes | None = None,
        channel_id_type: str | None = None,
    ) -> bool:
        """Whether an AUTHENTICATE signature (hex, 96 bytes) answers ``challenge`` with this key."""
        if not isinstance(signature, str) or len(signature) != 192:
            return False
        try:
            raw = bytes.fromhex(signature)
        except ValueError:
            return False
        expected = format_challenge(challenge, channel_id, channel_id_type)
        return raw[64:] == expected and self.verify(raw[:64], expected)

    def __str__(self) -> str:
        kind = "private" if self._private is not None else "public"
        return f"CryptosignKey({kind}, public_key={self.public_key()})"


def _unhex(keyfile: str, value: str) -> bytes:
    try:
        return binascii.a2b_hex(value)
    except (binascii.Error, ValueError):
        raise ValueError(f"{keyfile}: key is not hex: {value!r}") from None
