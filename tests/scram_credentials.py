"""SCRAM principals as Crossbar's ``config.json`` holds them, derived the way Autobahn's
``derive_scram_credential`` does (argon2-cffi's PHC string), at a cost cheap enough for tests.
Independent of pywamp's own SCRAM code, so both the router and the client meet keys they
did not make."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from argon2.low_level import Type, hash_secret


def scram_credential(password: str, salt: bytes) -> dict[str, Any]:
    """Crossbar's SCRAM principal fields for Autobahn's client (argon2id-13, cheap)."""
    encoded = hash_secret(
        secret=password.encode(),
        salt=salt,
        time_cost=2,
        memory_cost=64,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
        version=19,
    )
    salted = encoded.split(b"$")[-1]  # what Autobahn's AuthScram uses as SaltedPassword
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return {
        "kdf": "argon2id-13",
        "iterations": 2,
        "memory": 64,
        "salt": salt.hex(),
        "stored-key": hashlib.sha256(client_key).hexdigest(),
        "server-key": hmac.new(salted, b"Server Key", hashlib.sha256).hexdigest(),
    }
