"""The same roles in one config.json, served by Crossbar.io and by pywamp: an Autobahn
client gets the same allow/deny answer from both for every action on every URI."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_harness import Client, connect_port, start_router, wait
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions, RegisterOptions
from crossbar_node import crossbar_node, free_port

ACTIONS = ("call", "register", "publish", "subscribe")
URIS = (
    "com.a",
    "com.x.secret",  # a wildcard rule beats the prefix rule com.
    "com.app.open",  # an exact rule
    "com.app.admin.x",  # a narrower prefix rule that allows nothing
    "org.star.x",  # starred prefix org.star.*
    "org.a.thing",  # starred wildcard org.*.thing
    "net.x",  # no rule
)
ROLES = [
    {
        "name": "user",
        "permissions": [
            {
                "uri": "com.",
                "match": "prefix",
                "allow": {"call": True, "publish": True, "subscribe": True},
            },
            {"uri": "com..secret", "match": "wildcard", "allow": {"subscribe": True}},
            {
                "uri": "com.app.open",
                "match": "exact",
                "allow": {"register": True, "call": True},
                "disclose": {"caller": True},
            },
            {"uri": "com.app.admin.", "match": "prefix", "allow": {}},
            {"uri": "org.star.*", "allow": {"publish": True, "register": True, "call": True}},
            {"uri": "org.*.thing", "allow": {"subscribe": True}},
        ],
    }
]


def config(port: int) -> dict[str, Any]:
    return {
        "version": 2,
        "controller": {},
        "workers": [
            {
                "type": "router",
                "realms": [{"name": "realm1", "roles": copy.deepcopy(ROLES)}],
                "transports": [
                    {
                        "type": "rawsocket",
                        "endpoint": {"type": "tcp", "port": port, "interface": "127.0.0.1"},
                        "serializers": ["json"],
                        "auth": {"anonymous": {"type": "static", "role": "user"}},
                    }
                ],
            }
        ],
    }


@pytest.fixture
def crossbar(tmp_path: Path) -> Iterator[int]:
    """A Crossbar.io node serving ``config``; yields its port."""
    port = free_port()
    with crossbar_node(tmp_path, config(port)):
        yield port


async def allowed(client: Client, action: str, uri: str) -> bool:
    """Whether the router lets ``client`` do ``action`` on ``uri`` (undone afterwards)."""
    try:
        if action == "call":
            await wait(client.call(uri))
        elif action == "register":
            await wait((await wait(client.register(lambda: None, uri))).unregister())
        elif action == "subscribe":
            await wait((await wait(client.subscribe(lambda: None, uri))).unsubscribe())
        else:
            await wait(client.publish(uri, options=PublishOptions(acknowledge=True)))
    except ApplicationError as exc:
        return exc.error != "wamp.error.not_authorized"
    return True


class Seen:
    """A procedure that keeps the CallDetails it was called with."""

    def __init__(self) -> None:
        self.details: list[Any] = []

    def __call__(self, details: Any) -> None:
        self.details.append(details)


async def answers(port: int) -> dict[tuple[str, str], bool]:
    """Allowed or not per (action, URI), and whether a call disclosed the caller."""
    client = await connect_port(port, "realm1")
    await wait(asyncio.wait([client.joined, client.left], return_when=asyncio.FIRST_COMPLETED))
    assert client.joined.done(), client.left.result()
    out = {(a, u): await allowed(client, a, u) for u in URIS for a in ACTIONS}
    # disclosure follows the rule that allowed the call
    for uri in ("com.app.open", "org.star.x"):
        seen = Seen()
        options = RegisterOptions(details_arg="details")
        registration = await wait(client.register(seen, uri, options))
        await wait(client.call(uri))
        await wait(registration.unregister())
        out[("disclosed", uri)] = seen.details[0].caller is not None
    await client.close()
    return out


async def test_pywamp_authorizes_like_crossbar(crossbar: int, tmp_path: Path) -> None:
    expected = await answers(crossbar)
    text = json.dumps(config(0))
    async with start_router(tmp_path, "config.json", text) as router:
        got = await answers(router.port(0))
    assert got == expected
    # the config is not trivial: some of each
    assert expected[("subscribe", "com.x.secret")] and not expected[("publish", "com.x.secret")]
    assert expected[("register", "com.app.open")] and not expected[("call", "com.app.admin.x")]
    assert not any(expected[(a, "net.x")] for a in ACTIONS)
    assert expected[("disclosed", "com.app.open")] and not expected[("disclosed", "org.star.x")]
