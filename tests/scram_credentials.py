"""SCRAM principals as Crossbar's ``config.json`` holds them, derived the way Autobahn's
``derive_scram_credential`` does (argon2-cffi's PHC string), at a cost cheap enough for tests.
Independent of pywamp's own SCRAM code, so both the router and the client meet keys they
did not make."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from argon2.low_level import Type, hash_secret


def principal_fields(
    kdf: str,
    salted: bytes,
    salt: bytes,
    iterations: int,
    memory: int | None = None,
    server_key: bytes | None = None,
) -> dict[str, Any]:
    """Crossbar's SCRAM principal fields (hex keys) for a SaltedPassword made by a test;
    ``server_key`` replaces the true one (a router whose keys lie)."""
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = server_key or hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    fields: dict[str, Any] = {"kdf": kdf, "iterations": iterations, "salt": salt.hex()}
    if memory is not None:
        fields["memory"] = memory
    fields["stored-key"] = hashlib.sha256(client_key).hexdigest()
    fields["server-key"] = server_key.hex()
    return fields


def toml_principal(fields: dict[str, Any], role: str) -> str:
    """Principal fields as an inline TOML table."""
    items = [f"{key} = {json.dumps(value)}" for key, value in {**fields, "role": role}.items()]
    return "{ " + ", ".join(items) + " }"


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
    return principal_fields("argon2id-13", salted, salt, 2, 64)
