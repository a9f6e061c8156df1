"""The server-side protocol factories of ``pywamp.asyncio.rawsocket``/``websocket`` with
``loop.create_server``, reached by a real Autobahn client: each connection gets a
session from the factory, which receives the client's HELLO and can answer it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationRunner as AbRunner  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession as AbSession  # noqa: E402
from helpers import Inbox  # noqa: E402

from pywamp import _native  # noqa: E402
from pywamp.asyncio.rawsocket import WampRawSocketServerFactory  # noqa: E402
from pywamp.asyncio.websocket import WampWebSocketServerFactory  # noqa: E402


class Refuser:
    """A server-side session that records the HELLO and refuses the realm with ABORT."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.transport: Any = None

    def transport_open(self, transport: Any) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        self.inbox.put(message)
        self.transport.send(_native.Abort({"message": "closed"}, "wamp.error.no_such_realm"))
        self.transport.close()

    def protocol_violation(self, error: Exception) -> None:
        self.inbox.put(error)

    def transport_closed(self, error: BaseException | None) -> None:
        self.inbox.put("closed")


@pytest.mark.parametrize("kind", ["rawsocket", "websocket"])
async def test_server_factories(kind: str) -> None:
    inbox = Inbox()
    factory: Any
    if kind == "rawsocket":
        factory = WampRawSocketServerFactory(lambda: Refuser(inbox), serializers=["msgpack"])
        url_scheme = "rs"
    else:
        factory = WampWebSocketServerFactory(lambda: Refuser(inbox), serializers=["json", "cbor"])
        url_scheme = "ws"
    factory.setProtocolOptions(maxMessagePayloadSize=1 << 20)
    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    left = Inbox()

    class Client(AbSession):
        def onLeave(self, details: Any) -> None:
            left.put(details.reason)
            self.disconnect()

    try:
        url = f"{url_scheme}://127.0.0.1:{port}" + ("/ws" if kind == "websocket" else "")
        from autobahn.wamp.serializer import MsgPackSerializer

        runner = AbRunner(
            url, "realm1", serializers=[MsgPackSerializer()] if kind == "rawsocket" else None
        )
        await runner.run(Client, start_loop=False)
        hello, closed = await inbox.wait(2)
        assert isinstance(hello, _native.Hello) and hello.realm == "realm1"
        assert "caller" in hello.details["roles"]
        assert closed == "closed"
        assert await left.wait() == ["wamp.error.no_such_realm"]
    finally:
        server.close()
        await server.wait_closed()
