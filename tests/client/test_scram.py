"""WAMP-SCRAM from pywamp's client against ``pywamp router`` over a real socket, with keys
made outside pywamp: the spec's exchange (``wamp-scram``) with PBKDF2 and Argon2id keys,
Autobahn's (``scram``) with the same PBKDF2 keys, a wrong password, and a router that
cannot prove it holds the keys. (Crossbar and the ``argon2id-13`` keys Autobahn makes are
in ``test_auth.py``.)"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nacl.pwhash
import pytest
from scram_credentials import principal_fields, toml_principal

from pywamp import connect
from pywamp.exception import ApplicationError
from pywamp.router.server import Router

SALT = b"sixteen-byte-slt"
PASSWORD = "correct horse battery"


def principal(kdf: str, salted: bytes, *, server_key: bytes | None = None) -> str:
    """A TOML principal with the keys of ``salted`` (a SaltedPassword made by the test)."""
    memory = None if kdf == "pbkdf2" else 64
    fields = principal_fields(kdf, salted, SALT, 2, memory, server_key)
    return toml_principal(fields, "user")


PBKDF2_KEY = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), SALT, 2, 32)
ARGON2_KEY = nacl.pwhash.argon2id.kdf(32, PASSWORD.encode(), SALT, 2, 64 * 1024)
PRINCIPALS = {
    "paula": principal("pbkdf2", PBKDF2_KEY),
    "arno": principal("argon2id13", ARGON2_KEY),
    "mallory": principal("pbkdf2", PBKDF2_KEY, server_key=bytes(32)),  # the router's keys lie
    # SASLprep makes the ligature "fi"; the spec's AuthMessage escapes "=" and ","
    '"\ufb01ona=1,x"': principal("pbkdf2", PBKDF2_KEY),
}


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[Router]:
    path = tmp_path / "router.toml"
    principals = "\n".join(f"principals.{name} = {p}" for name, p in PRINCIPALS.items())
    path.write_text(
        '[[listeners]]\nkind = "universal"\nhost = "127.0.0.1"\nport = 0\n\n'
        '[[realms]]\nname = "realm1"\n[[realms.roles]]\nname = "user"\n'
        'permissions = [{ uri = "", match = "prefix", allow = { call = true, register = true } }]\n'
        f"[realms.auth.scram]\n{principals}\n",
        encoding="utf-8",
    )
    async with Router.from_config(path) as router:
        yield router


def url(router: Router) -> str:
    return f"rs://127.0.0.1:{router.port()}"


@pytest.mark.parametrize(
    ("method", "authid"),
    [("wamp-scram", "paula"), ("wamp-scram", "arno"), ("scram", "paula")],
)
async def test_joins_with_keys_made_elsewhere(router: Router, method: str, authid: str) -> None:
    credentials = {"authid": authid, "password": PASSWORD}
    async with connect(url(router), "realm1", authentication={method: credentials}) as session:
        assert (session.authid, session.authrole, session.authmethod) == (authid, "user", method)
        await session.register(lambda: "up", "com.example.ping")
        assert await session.call("com.example.ping") == "up"


@pytest.mark.parametrize("method", ["scram", "wamp-scram"])
async def test_the_authid_is_saslprepped(router: Router, method: str) -> None:
    credentials = {"authid": "\ufb01ona=1,x", "password": PASSWORD}
    async with connect(url(router), "realm1", authentication={method: credentials}) as session:
        assert session.authid == "\ufb01ona=1,x"


# The same password but for its spaces: NO-BREAK SPACE and EM SPACE, which SASLprep maps to
# SPACE. The spec prepares passwords, Autobahn's dialect uses them as given.
SPACED = PASSWORD.replace(" ", "\u00a0", 1).replace(" ", "\u2003", 1)


@pytest.mark.parametrize(("method", "joins"), [("wamp-scram", True), ("scram", False)])
async def test_only_the_spec_dialect_prepares_the_password(
    router: Router, method: str, joins: bool
) -> None:
    credentials = {"authid": "paula", "password": SPACED}
    try:
        async with connect(url(router), "realm1", authentication={method: credentials}) as session:
            joined = session.authid == "paula"
    except ApplicationError as refused:
        assert refused.error == "wamp.error.authentication_failed"
        joined = False
    assert joined is joins


@pytest.mark.parametrize("method", ["scram", "wamp-scram"])
async def test_a_wrong_password_is_refused(router: Router, method: str) -> None:
    credentials: dict[str, Any] = {"authid": "paula", "password": "wrong"}
    with pytest.raises(ApplicationError) as refused:
        async with connect(url(router), "realm1", authentication={method: credentials}):
            pass
    assert refused.value.error == "wamp.error.authentication_failed"


async def test_a_router_without_the_server_key_is_refused(router: Router) -> None:
    """The router accepts the proof (it has the StoredKey) but signs with a wrong
    ServerKey: the client aborts rather than trust it."""
    credentials = {"authid": "mallory", "password": PASSWORD}
    with pytest.raises(ApplicationError) as refused:
        async with connect(url(router), "realm1", authentication={"scram": credentials}):
            pass
    assert refused.value.error == "wamp.error.cannot_authenticate"
    assert "server signature is wrong" in str(refused.value)
