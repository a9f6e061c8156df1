"""Real Autobahn clients against an in-process pywamp Router over real sockets.

A :class:`Endpoints` names every way a test can reach the router (RawSocket and WebSocket
on their own ports, both on one universal port, TLS, Unix sockets); :func:`join` opens an
Autobahn ``ApplicationSession`` over one of them. :class:`RawPeer` is a bare WAMP peer
on pywamp's transport, for the messages Autobahn cannot send (runmode, progressive
invocations, malformed input).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.serializer import (  # noqa: E402
    CBORSerializer,
    JsonSerializer,
    MsgPackSerializer,
)
from autobahn.wamp.types import CloseDetails, ComponentConfig, SessionDetails  # noqa: E402

from pywamp import _native  # noqa: E402
from pywamp.exception import ProtocolError  # noqa: E402
from pywamp.transport import WampTransport, connect  # noqa: E402

TIMEOUT = 5.0
SERIALIZERS = ("json", "msgpack", "cbor")
_SERIALIZER_CLASSES = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}

# How a client reaches the router: (wire protocol, listener name, TLS).
TRANSPORTS: dict[str, tuple[str, str, bool]] = {
    "rawsocket": ("rawsocket", "rawsocket", False),
    "rawsocket-unix": ("rawsocket", "rawsocket-unix", False),
    "websocket": ("websocket", "websocket", False),
    "universal-rawsocket": ("rawsocket", "universal", False),
    "universal-websocket": ("websocket", "universal", False),
    "universal-unix-websocket": ("websocket", "universal-unix", False),
    "tls-rawsocket": ("rawsocket", "universal-tls", True),
    "tls-websocket": ("websocket", "universal-tls", True),
}


# The limits of the ``small_router`` fixture.
SMALL_LIMIT = 4096  # max_message_size
SHORT_HANDSHAKE = 0.4  # handshake_timeout
SMALL_QUEUE = 128 * 1024  # max_queued_bytes


@dataclass(frozen=True)
class Tls:
    """A CA the clients trust and a server certificate for localhost signed by it."""

    certificate: str
    client: ssl.SSLContext


@dataclass
class Endpoints:
    """Where the router listens: TCP ports and Unix paths by listener name."""

    ports: dict[str, int]
    paths: dict[str, str]
    client_ssl: ssl.SSLContext


def allow_all(disclose: bool) -> dict[str, Any]:
    """A Crossbar role permission: every action on every URI, callers/publishers disclosed
    or not."""
    return {
        "uri": "",
        "match": "prefix",
        "allow": {"call": True, "register": True, "publish": True, "subscribe": True},
        "disclose": {"caller": disclose, "publisher": disclose},
        "cache": True,
    }


async def wait(awaitable: Any, timeout: float = TIMEOUT) -> Any:
    """Await with a bound, so no test can hang."""
    return await asyncio.wait_for(awaitable, timeout)


class Peer(ApplicationSession):
    """An Autobahn session whose life cycle is visible as futures."""

    def __init__(
        self, config: ComponentConfig, authid: str | None = None, authrole: str | None = None
    ) -> None:
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.wanted = (authid, authrole)
        self.joined: asyncio.Future[SessionDetails] = loop.create_future()
        self.left: asyncio.Future[CloseDetails] = loop.create_future()
        self.disconnected: asyncio.Future[None] = loop.create_future()

    def onConnect(self) -> None:
        authid, authrole = self.wanted
        self.join(self.config.realm, authid=authid, authrole=authrole)

    def onJoin(self, details: SessionDetails) -> None:
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details: CloseDetails) -> Any:
        if not self.left.done():
            self.left.set_result(details)
        return super().onLeave(details)

    def onDisconnect(self) -> None:
        super().onDisconnect()
        if not self.disconnected.done():
            self.disconnected.set_result(None)

    def drop(self) -> None:
        """Cut the connection without GOODBYE, as a crashed process would."""
        self._transport.transport.abort()

    async def close(self) -> None:
        """Leave politely and wait until the connection is gone."""
        if self.is_attached():
            self.leave()
        if self._transport is not None:
            await wait(self.disconnected)


async def open_peer(
    endpoints: Endpoints,
    transport: str = "rawsocket",
    serializer: str = "json",
    realm: str = "realm1",
    authid: str | None = None,
    authrole: str | None = None,
) -> Peer:
    """Connect an Autobahn session (it joins on its own); returns before the join."""
    wire, listener, tls = TRANSPORTS[transport]
    session = Peer(ComponentConfig(realm=realm), authid, authrole)
    codec = _SERIALIZER_CLASSES[serializer]()
    factory: Any
    if wire == "rawsocket":
        factory = WampRawSocketClientFactory(lambda: session, serializer=codec)
    else:
        scheme = "wss" if tls else "ws"
        port = endpoints.ports.get(listener, 80)
        factory = WampWebSocketClientFactory(
            lambda: session, url=f"{scheme}://127.0.0.1:{port}/ws", serializers=[codec]
        )
    loop = asyncio.get_running_loop()
    context = endpoints.client_ssl if tls else None
    if listener in endpoints.paths:
        await wait(loop.create_unix_connection(factory, endpoints.paths[listener]))
    else:
        host = "127.0.0.1"
        kwargs: dict[str, Any] = {"ssl": context}
        if context is not None:
            kwargs["server_hostname"] = "localhost"
        await wait(loop.create_connection(factory, host, endpoints.ports[listener], **kwargs))
    return session


async def join(endpoints: Endpoints, transport: str = "rawsocket", **kwargs: Any) -> Peer:
    """An Autobahn session joined to its realm (fails the test if it is refused)."""
    session = await open_peer(endpoints, transport, **kwargs)
    await wait(asyncio.wait([session.joined, session.left], return_when=asyncio.FIRST_COMPLETED))
    if session.left.done():
        raise AssertionError(f"join refused: {session.left.result()}")
    return session


class Collector:
    """A subscription handler that keeps (args, kwargs, details) and lets a test await them."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self._changed = asyncio.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.items.append((args, kwargs))
        self._changed.set()

    async def count(
        self, n: int, timeout: float = TIMEOUT
    ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """Wait until at least ``n`` items arrived."""

        async def until() -> None:
            while len(self.items) < n:
                self._changed.clear()
                await self._changed.wait()

        await wait(until(), timeout)
        return self.items

    async def quiet(self, delay: float = 0.1) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """What arrived after letting the router settle (to prove something did not)."""
        await asyncio.sleep(delay)
        return self.items


async def settle(*peers: Peer) -> None:
    """A round trip through the router for each peer: what was sent before has been routed."""
    for peer in peers:
        await wait(peer.call("wamp.session.count"))


class RawPeer:
    """A bare WAMP peer on pywamp's own transport: it sends exactly what a test builds."""

    def __init__(self) -> None:
        self.transport: WampTransport | None = None
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.closed: asyncio.Future[BaseException | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.session = 0

    # MessageHandler
    def transport_open(self, transport: WampTransport) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        self.inbox.put_nowait(message)

    def protocol_violation(self, error: ProtocolError) -> None:
        raise AssertionError(f"the router sent a malformed message: {error}")

    def transport_closed(self, error: BaseException | None) -> None:
        if not self.closed.done():
            self.closed.set_result(error)

    # test side
    @classmethod
    async def open(cls, url: str, serializer: str = "json") -> RawPeer:
        peer = cls()
        await connect(url, peer, serializers=(serializer,))
        return peer

    def send(self, message: Any) -> None:
        assert self.transport is not None
        self.transport.send(message)

    def send_encoded(self, payload: bytes) -> None:
        """Frame bytes the test encoded itself (possibly not a valid message)."""
        assert self.transport is not None
        self.transport.send_encoded(payload)

    async def next(self, kind: type | None = None, timeout: float = TIMEOUT) -> Any:
        """The next message (of ``kind``, skipping others such as meta events)."""
        while True:
            message = await wait(self.inbox.get(), timeout)
            if kind is None or isinstance(message, kind):
                return message

    async def join(self, realm: str = "realm1", roles: dict[str, Any] | None = None) -> int:
        roles = roles or {
            "caller": {"features": {"progressive_call_invocations": True, "call_canceling": True}},
            "callee": {
                "features": {
                    "progressive_call_invocations": True,
                    "progressive_call_results": True,
                    "call_canceling": True,
                }
            },
            "publisher": {},
            "subscriber": {},
        }
        self.send(_native.Hello(realm, {"roles": roles, "agent": "raw-test-peer"}))
        welcome = await self.next()
        assert isinstance(welcome, _native.Welcome), welcome
        self.session = welcome.session
        return welcome.session

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
