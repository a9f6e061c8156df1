"""A router played by the native framer behind a plain Twisted server socket, for tests
that need bytes no real router would send or cuts where no real router would make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet import defer, endpoints, protocol, reactor

from pywamp import _native
from pywamp.twisted.wamp import ApplicationSession, connect_transport
from pywamp.wamp.types import ComponentConfig

WELCOME = _native.Welcome(4242, {"roles": {"broker": {}, "dealer": {}}})


def ignore(router: ScriptedRouter, item: Any) -> None:
    """A script that answers nothing after WELCOME."""


class ScriptedRouter(protocol.Protocol):
    """Answers the RawSocket handshake (taking frames up to ``max_length``) and HELLO
    (WELCOME followed by ``tail`` in the same write), then hands every other item to
    ``script(router, item)``; fires ``ended`` with every item received once the
    connection is gone."""

    def __init__(
        self,
        script: Callable[[ScriptedRouter, Any], None] = ignore,
        tail: bytes = b"",
        max_length: int = 1 << 24,
    ) -> None:
        self.script = script
        self.tail = tail
        self.max_length = max_length
        self.stream: Any = None
        self.items: list[Any] = []
        self.ended: defer.Deferred[list[Any]] = defer.Deferred()
        self.welcomed: defer.Deferred[None] = defer.Deferred()

    def connectionMade(self) -> None:
        self.transport.setTcpNoDelay(True)

    def dataReceived(self, data: bytes) -> None:
        if self.stream is None:
            serializer_id, _ = _native.rawsocket_parse_handshake(data[:4])
            self.transport.write(_native.rawsocket_handshake(serializer_id, self.max_length))
            limit = self.max_length
            self.stream = _native.RawSocket("json", max_receive=limit, max_send=limit)
            data = data[4:]
        for item in self.stream.feed(data):
            self.items.append(item)
            if isinstance(item, _native.Hello):
                self.transport.write(self.stream.send(WELCOME) + self.tail)
                self.welcomed.callback(None)
            else:
                self.script(self, item)

    def connectionLost(self, reason: Any = None) -> None:
        if not self.ended.called:
            self.ended.callback(self.items)


@defer.inlineCallbacks
def scripted(
    script: Callable[[ScriptedRouter, Any], None],
    body: Callable[[Any, ScriptedRouter], Any],
    session: ApplicationSession | None = None,
    max_length: int = 1 << 24,
) -> Any:
    """Join ``session`` (a plain ApplicationSession unless given) to a
    :class:`ScriptedRouter` running ``script`` (RawSocket, JSON, TCP on 127.0.0.1), run
    ``body(session, router)`` and fire with its result; the session is disconnected and
    the listener closed after."""
    routers: list[ScriptedRouter] = []

    def make() -> ScriptedRouter:
        routers.append(ScriptedRouter(script, max_length=max_length))
        return routers[-1]

    factory = protocol.Factory.forProtocol(make)  # type: ignore[arg-type]
    port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
    if session is None:
        session = ApplicationSession(ComponentConfig("realm1"))
    try:
        yield connect_transport(f"rs://127.0.0.1:{port.getHost().port}", session, ["json"])
        yield routers[0].welcomed
        outcome = yield session._joined()
        assert not isinstance(outcome, BaseException)
        result = yield body(session, routers[0])
        return result
    finally:
        if session.is_connected():
            session.disconnect()
        yield port.stopListening()
