"""Autobahn clients that authenticate, against a pywamp Router read from a config file.

:func:`start_router` writes a pywamp TOML (or Crossbar JSON) file, loads it with
``Router.from_config`` and serves it on 127.0.0.1 (ports chosen by the OS). A
:class:`Client` is an Autobahn ``ApplicationSession`` driven by one of Autobahn's own
authenticators (``autobahn.wamp.auth``): :func:`attempt` says how its join ended.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer  # noqa: E402
from autobahn.wamp.types import ComponentConfig, SessionDetails  # noqa: E402
from io_harness import Peer, wait  # noqa: E402

from pywamp.router.server import Router  # noqa: E402


@asynccontextmanager
async def start_router(directory: Path, name: str, text: str) -> AsyncIterator[Router]:
    """A Router from the config file ``directory/name`` holding ``text``."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    router = Router.from_config(path)
    await router.start()
    try:
        yield router
    finally:
        await router.stop()


def listeners_toml() -> str:
    """A RawSocket and a WebSocket listener on free ports (0, 1 in Router.port)."""
    return (
        '[[listeners]]\nkind = "rawsocket"\nhost = "127.0.0.1"\nport = 0\n\n'
        '[[listeners]]\nkind = "websocket"\nhost = "127.0.0.1"\nport = 0\n\n'
    )


class Client(Peer):
    """An Autobahn session that joins with ``authmethods`` and answers with ``auth``."""

    def __init__(
        self,
        config: ComponentConfig,
        auth: Any = None,
        authmethods: list[str] | None = None,
        authid: str | None = None,
    ) -> None:
        if authid is None and auth is not None:
            authid = getattr(auth, "_args", {}).get("authid")  # as Autobahn's Component does
        super().__init__(config, authid)
        self.auth = auth
        self.authmethods = authmethods or ([auth.name] if auth is not None else ["anonymous"])
        self.wanted_authid = authid
        self.challenges: list[Any] = []

    def onConnect(self) -> None:
        extra = self.auth.authextra if self.auth is not None else None
        realm, authid = self.config.realm, self.wanted_authid
        self.join(realm, authmethods=self.authmethods, authid=authid, authextra=extra)

    def onChallenge(self, challenge: Any) -> Any:
        self.challenges.append(challenge)
        return self.auth.on_challenge(self, challenge)

    def onWelcome(self, msg: Any) -> Any:
        if self.auth is not None:  # SCRAM: Autobahn checks the router's ServerSignature
            problem = self.auth.on_welcome(self, msg.authextra or {})
            if problem:
                return problem
        return None


@dataclass
class Outcome:
    """How a join ended: the session (joined) or the ABORT's reason and message."""

    client: Client
    details: SessionDetails | None
    reason: str | None
    message: str | None


async def connect(
    router: Router,
    realm: str,
    auth: Any = None,
    *,
    authmethods: list[str] | None = None,
    authid: str | None = None,
    websocket: bool = False,
    listener: int | None = None,
) -> Client:
    """Open an Autobahn session (it joins on its own)."""
    index = listener if listener is not None else (1 if websocket else 0)
    port = router.port(index)
    return await connect_port(
        port, realm, auth, authmethods=authmethods, authid=authid, websocket=websocket
    )


async def connect_port(
    port: int,
    realm: str,
    auth: Any = None,
    *,
    authmethods: list[str] | None = None,
    authid: str | None = None,
    websocket: bool = False,
) -> Client:
    """An Autobahn session to any router on 127.0.0.1 (it joins on its own)."""
    session = Client(ComponentConfig(realm=realm), auth, authmethods, authid)
    loop = asyncio.get_running_loop()
    factory: Any
    if websocket:
        factory = WampWebSocketClientFactory(
            lambda: session, url=f"ws://127.0.0.1:{port}/ws", serializers=[MsgPackSerializer()]
        )
    else:
        factory = WampRawSocketClientFactory(lambda: session, serializer=JsonSerializer())
    await wait(loop.create_connection(factory, "127.0.0.1", port))
    return session


async def attempt(router: Router, realm: str, auth: Any = None, **kwargs: Any) -> Outcome:
    """Connect and wait until the session joined or was refused."""
    client = await connect(router, realm, auth, **kwargs)
    await wait(asyncio.wait([client.joined, client.left], return_when=asyncio.FIRST_COMPLETED))
    if client.joined.done():
        return Outcome(client, client.joined.result(), None, None)
    left = client.left.result()
    return Outcome(client, None, left.reason, left.message)


async def joined(router: Router, realm: str, auth: Any = None, **kwargs: Any) -> Client:
    """A session that must join."""
    outcome = await attempt(router, realm, auth, **kwargs)
    if outcome.details is None:
        raise AssertionError(f"join refused: {outcome.reason} {outcome.message}")
    return outcome.client


def crossbar_router(roles: list[dict[str, Any]], transports: list[Any]) -> dict[str, Any]:
    """A Crossbar config.json: one router worker serving realm1 with ``roles``."""
    worker = {
        "type": "router",
        "realms": [{"name": "realm1", "roles": roles}],
        "transports": transports,
    }
    return {"version": 2, "controller": {}, "workers": [worker]}


def rawsocket_transport(port: int, auth: dict[str, Any]) -> dict[str, Any]:
    """A Crossbar JSON RawSocket transport on 127.0.0.1:``port`` with ``auth``."""
    endpoint = {"type": "tcp", "port": port, "interface": "127.0.0.1"}
    return {"type": "rawsocket", "endpoint": endpoint, "serializers": ["json"], "auth": auth}


def toml_string(value: str) -> str:
    """A TOML basic string."""
    return json.dumps(value)
