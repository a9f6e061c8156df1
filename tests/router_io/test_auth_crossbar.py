"""One config.json with static principals of every method, served by Crossbar.io and by
pywamp: Autobahn clients join both with the right secrets, under the same identity, and
are refused by both with wrong ones."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nacl.signing
from auth_harness import (
    connect_port,
    crossbar_router,
    rawsocket_transport,
    start_router,
    wait,
)
from autobahn.wamp.auth import AuthCryptoSign, AuthScram, AuthTicket, AuthWampCra
from crossbar_node import crossbar_node, free_port
from scram_credentials import scram_credential

KEY = nacl.signing.SigningKey(bytes(range(7, 39)))
OTHER_KEY = nacl.signing.SigningKey(bytes(range(9, 41)))


def config(port: int) -> dict[str, Any]:
    principal = {"role": "user"}
    auth = {
        "ticket": {
            "type": "static",
            "principals": {"alice": {"ticket": "alice-t", **principal}},
        },
        "wampcra": {
            "type": "static",
            "users": {
                "bob": {"secret": "bob-secret", **principal},
                "carl": {
                    "secret": "carl-password",  # derived by the router
                    "salt": "carl-salt",
                    "iterations": 100,
                    "keylen": 32,
                    **principal,
                },
            },
        },
        "cryptosign": {
            "type": "static",
            "principals": {
                "dana": {
                    "authorized_keys": [KEY.verify_key.encode().hex()],
                    **principal,
                }
            },
        },
        "scram": {
            "type": "static",
            "principals": {
                "erin": {
                    **scram_credential("erin-pw", b"erin-salt-16byte"),
                    **principal,
                }
            },
        },
    }
    user = {
        "name": "user",
        "permissions": [{"uri": "", "match": "prefix", "allow": {"call": True}}],
    }
    return crossbar_router([user], [rawsocket_transport(port, auth)])


def attempts() -> list[tuple[str, Any, bool]]:
    """(name, Autobahn authenticator, should join)."""
    return [
        ("ticket", AuthTicket(authid="alice", ticket="alice-t"), True),
        ("ticket wrong", AuthTicket(authid="alice", ticket="nope"), False),
        ("ticket unknown", AuthTicket(authid="zed", ticket="alice-t"), False),
        ("wampcra", AuthWampCra(authid="bob", secret="bob-secret"), True),
        ("wampcra wrong", AuthWampCra(authid="bob", secret="nope"), False),
        ("wampcra salted", AuthWampCra(authid="carl", secret="carl-password"), True),
        ("wampcra salted wrong", AuthWampCra(authid="carl", secret="nope"), False),
        ("cryptosign", AuthCryptoSign(privkey=KEY.encode().hex(), authid="dana"), True),
        ("cryptosign other key", AuthCryptoSign(privkey=OTHER_KEY.encode().hex()), False),
        ("scram", AuthScram(authid="erin", password="erin-pw"), True),
        ("scram wrong", AuthScram(authid="erin", password="nope"), False),
    ]


async def outcomes(port: int) -> dict[str, tuple[str, str] | None]:
    """Per attempt: (authid, authrole) when it joined, None when it was refused."""
    out: dict[str, tuple[str, str] | None] = {}
    for name, auth, _ in attempts():
        client = await connect_port(port, "realm1", auth)
        await wait(asyncio.wait([client.joined, client.left], return_when=asyncio.FIRST_COMPLETED))
        if client.joined.done():
            details = client.joined.result()
            out[name] = (details.authid, details.authrole)
            await client.close()
        else:
            out[name] = None
    return out


async def test_the_same_principals_authenticate_alike(tmp_path: Path) -> None:
    port = free_port()
    with crossbar_node(tmp_path, config(port)):
        crossbar = await outcomes(port)
    async with start_router(tmp_path, "config.json", json.dumps(config(0))) as router:
        pywamp = await outcomes(router.port(0))
    assert pywamp == crossbar
    for name, _, joins in attempts():
        assert (pywamp[name] is not None) == joins, name
