"""A router played by the native framer behind a plain Twisted server socket, for tests
that need bytes no real router would send or cuts where no real router would make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet import defer, protocol

from pywamp import _native

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
