"""WAMP-SCRAM's arithmetic (``authentication_scram.md``: RFC 5802/7677 with SHA-256),
shared by the client's ``AuthScram`` and the router's ``ScramAuthenticator``.

The KDF name a CHALLENGE carries fixes what SaltedPassword is:

* ``pbkdf2``: PBKDF2-HMAC-SHA256 of the password under UnBase64(salt), 32 bytes (spec);
* ``argon2id13``: Argon2id v1.3 of the same (parallelism 1, 32 bytes), raw (spec);
* ``argon2id-13``: Autobahn's and Crossbar's name, and their SaltedPassword: that Argon2id
  hash as the unpadded base64 text its PHC string (``$argon2id$v=19$...``) ends with.
  Crossbar's ``config.json`` principals and ``derive_scram_credential`` are of this kind.

Argon2 comes from ``argon2-cffi`` (``pip install pywamp[scram]``); PBKDF2 needs nothing.
The AuthMessage's username is SASLprep-ed (``pywamp.wamp._saslprep``) by every dialect;
the spec's prepares the password too, Autobahn's and Crossbar's use it as given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

__all__ = (
    "ARGON2ID13",
    "ARGON2ID_13",
    "KDFS",
    "PBKDF2",
    "b64",
    "client_proof",
    "escape",
    "keys",
    "proves",
    "salted_password",
    "server_signature",
    "unb64",
)

PBKDF2 = "pbkdf2"
ARGON2ID13 = "argon2id13"
ARGON2ID_13 = "argon2id-13"
KDFS = (PBKDF2, ARGON2ID13, ARGON2ID_13)

# The most work a CHALLENGE may ask of a client: a router could otherwise make it spin for
# hours or allocate terabytes. Far above what anyone configures: PBKDF2 at 10 million
# rounds takes seconds (RFC 7677 asks at least 4096); Argon2 up to 1 GiB, and up to 32x
# Crossbar's usual 4096 passes over 512 KiB (about half a minute here).
MAX_PBKDF2_ITERATIONS = 10_000_000
MAX_ARGON2_MEMORY_KIB = 1 << 20
MAX_ARGON2_WORK_KIB = 4096 * 512 * 32


def b64(data: bytes) -> str:
    """Canonical base64 text."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, what: str) -> bytes:
    """The octets of a base64 str; ValueError naming ``what`` otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"SCRAM {what} must be a base64 str, got {type(text).__name__}")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"SCRAM {what} is not base64: {text!r}") from None


def escape(name: str) -> str:
    """A username as the AuthMessage writes it (``=`` and ``,`` escaped)."""
    return name.replace("=", "=3D").replace(",", "=2C")


def salted_password(
    password: str, salt: str, kdf: str, iterations: int, memory: int | None = None
) -> bytes:
    """SaltedPassword = KDF(password, UnBase64(salt), iterations[, memory]) per ``kdf``."""
    raw_salt = unb64(salt, "salt")
    secret = password.encode("utf-8")
    if type(iterations) is not int or iterations < 1:
        raise ValueError(f"SCRAM iterations must be a positive int, got {iterations!r}")
    if kdf == PBKDF2:
        if iterations > MAX_PBKDF2_ITERATIONS:
            raise ValueError(f"SCRAM pbkdf2 iterations {iterations} over {MAX_PBKDF2_ITERATIONS}")
        from pywamp.wamp.auth import pbkdf2  # auth imports this module

        return pbkdf2(secret, raw_salt, iterations, 32)
    if kdf in (ARGON2ID13, ARGON2ID_13):
        if type(memory) is not int or memory < 1:
            raise ValueError(f"SCRAM {kdf} needs memory (a positive int, KiB), got {memory!r}")
        if memory > MAX_ARGON2_MEMORY_KIB or iterations * memory > MAX_ARGON2_WORK_KIB:
            raise ValueError(
                f"SCRAM {kdf} asks too much: {iterations} passes over {memory} KiB (at most "
                f"{MAX_ARGON2_MEMORY_KIB} KiB, and {MAX_ARGON2_WORK_KIB} KiB in all passes)"
            )
        raw = _argon2id(secret, raw_salt, iterations, memory)
        return raw if kdf == ARGON2ID13 else base64.b64encode(raw).rstrip(b"=")
    raise ValueError(f"unknown SCRAM kdf {kdf!r} (one of {', '.join(KDFS)})")


def _argon2id(secret: bytes, salt: bytes, iterations: int, memory: int) -> bytes:
    try:
        from argon2.exceptions import HashingError
        from argon2.low_level import Type, hash_secret_raw
    except ImportError:
        raise ValueError("SCRAM with Argon2 needs argon2-cffi: pip install pywamp[scram]") from None
    try:
        return hash_secret_raw(
            secret,
            salt,
            time_cost=iterations,
            memory_cost=memory,
            parallelism=1,
            hash_len=32,
            type=Type.ID,
            version=19,
        )
    except HashingError as e:  # e.g. a salt under 8 bytes, memory under 8 KiB
        raise ValueError(f"SCRAM Argon2id refused its parameters: {e}") from None


def _client_key(salted: bytes) -> bytes:
    return hmac.new(salted, b"Client Key", hashlib.sha256).digest()


def keys(salted: bytes) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey): what a router keeps of a SaltedPassword."""
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return hashlib.sha256(_client_key(salted)).digest(), server_key


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _client_signature(stored_key: bytes, auth_message: bytes) -> bytes:
    return hmac.new(stored_key, auth_message, hashlib.sha256).digest()


def client_proof(salted: bytes, auth_message: bytes) -> bytes:
    """ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage)."""
    client_key = _client_key(salted)
    stored_key = hashlib.sha256(client_key).digest()
    return _xor(client_key, _client_signature(stored_key, auth_message))


def proves(stored_key: bytes, auth_message: bytes, proof: bytes) -> bool:
    """Whether ``proof`` is a ClientProof for this StoredKey: the router's check, which
    recovers ClientKey and hashes it (the router never holds the password's keys)."""
    signature = _client_signature(stored_key, auth_message)
    if len(proof) != len(signature):
        return False
    return hmac.compare_digest(hashlib.sha256(_xor(signature, proof)).digest(), stored_key)


def server_signature(server_key: bytes, auth_message: bytes) -> bytes:
    """ServerSignature = HMAC(ServerKey, AuthMessage): the router's proof in WELCOME."""
    return hmac.new(server_key, auth_message, hashlib.sha256).digest()
