"""Dynamic authenticator and authorizer, Crossbar.io against pywamp: one config.json, the
same Autobahn backend procedures, the same clients; both routers call the procedures with
the same arguments and act alike on their answers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from auth_harness import (
    Client,
    connect_port,
    crossbar_router,
    rawsocket_transport,
    start_router,
    wait,
)
from autobahn.wamp.auth import AuthTicket
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions, SubscribeOptions
from crossbar_node import crossbar_node, free_port

ALL = {"call": True, "register": True, "publish": True, "subscribe": True}


def config(backend_port: int, client_port: int) -> dict[str, Any]:
    dynamic = {"type": "dynamic", "authenticator": "com.example.authenticate"}
    roles = [
        {"name": "backend", "permissions": [{"uri": "", "match": "prefix", "allow": ALL}]},
        {"name": "dyn", "authorizer": "com.example.authorize"},
    ]
    backend_auth = {"anonymous": {"type": "static", "role": "backend"}}
    return crossbar_router(
        roles,
        [
            rawsocket_transport(backend_port, backend_auth),
            rawsocket_transport(client_port, {"ticket": dynamic}),
        ],
    )


class Backend:
    """The authenticator and authorizer procedures; they record what they were given."""

    def __init__(self) -> None:
        self.authenticated: list[tuple[Any, ...]] = []
        self.authorized: list[tuple[Any, ...]] = []

    def authenticate(self, realm: str, authid: str, details: dict[str, Any]) -> Any:
        self.authenticated.append((realm, authid, details))
        if details.get("ticket") != "good":
            raise ApplicationError("com.example.denied", "not with that ticket")
        return {"role": "dyn", "extra": {"tier": 3}}

    def authorize(
        self, session: dict[str, Any], uri: str, action: str, options: dict[str, Any]
    ) -> Any:
        self.authorized.append((session, uri, action, options))
        return uri.startswith("com.dyn.ok")


async def joined(port: int, auth: Any = None) -> Client:
    client = await connect_port(port, "realm1", auth)
    await wait(asyncio.wait([client.joined, client.left], return_when=asyncio.FIRST_COMPLETED))
    return client


async def denied(awaitable: Any) -> bool:
    try:
        await wait(awaitable)
    except ApplicationError as exc:
        return exc.error == "wamp.error.not_authorized"
    return False


async def exercise(backend_port: int, client_port: int) -> dict[str, Any]:
    """What the clients saw and what the procedures were given (Crossbar's own ``x_cb_*``
    keys of authextra aside)."""
    procedures = Backend()
    backend = await joined(backend_port)
    await wait(backend.register(procedures.authenticate, "com.example.authenticate"))
    await wait(backend.register(procedures.authorize, "com.example.authorize"))
    out: dict[str, Any] = {}

    refused = await joined(client_port, AuthTicket(authid="zoe", ticket="bad"))
    left = refused.left.result()
    out["refused"] = (left.reason, left.message)

    client = await joined(client_port, AuthTicket(authid="zoe", ticket="good"))
    details = client.joined.result()
    extra = {k: v for k, v in (details.authextra or {}).items() if not k.startswith("x_cb_")}
    out["identity"] = (details.authid, details.authrole, details.authmethod, extra)
    out["authprovider"] = details.authprovider
    realm, authid, info = procedures.authenticated[-1]
    out["authenticator"] = (realm, authid, info["ticket"], info["authmethod"])
    out["authenticator keys"] = set(info)

    out["no"] = await denied(client.call("com.dyn.no"))
    out["ok"] = await denied(client.publish("com.dyn.ok", options=PublishOptions(acknowledge=True)))
    await wait(client.subscribe(lambda: None, "com.dyn.ok.", SubscribeOptions(match="prefix")))
    session, uri, action, options = procedures.authorized[-1]
    out["authorizer"] = (uri, action, options.get("match"), session["authid"], session["authrole"])
    out["authorizer session keys"] = set(session)
    out["session id"] = session["session"] == details.session
    await client.close()
    await backend.close()
    return out


async def test_dynamic_auth_like_crossbar(tmp_path: Path) -> None:
    backend_port, client_port = free_port(), free_port()
    with crossbar_node(tmp_path, config(backend_port, client_port)):
        crossbar = await exercise(backend_port, client_port)
    async with start_router(tmp_path, "config.json", json.dumps(config(0, 0))) as router:
        pywamp = await exercise(router.port(0), router.port(1))
    keys = pywamp.pop("authenticator keys")
    assert crossbar.pop("authenticator keys") <= keys  # pywamp also passes authid, authrole
    assert pywamp == crossbar
    assert crossbar["identity"] == ("zoe", "dyn", "ticket", {"tier": 3})
    assert crossbar["refused"] == ("com.example.denied", "not with that ticket")
    assert crossbar["no"] and not crossbar["ok"] and crossbar["session id"]
