"""The Twisted face meeting bytes that break the protocol: what came before them is still
dispatched, then a bad WAMP message is answered with ABORT and a broken frame drops the
connection. The router side is the native framer behind a plain Twisted server socket,
so it can send what no real router would."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer, endpoints, protocol, reactor
from tx_scripted import ScriptedRouter

from pywamp import _native
from pywamp.twisted.wamp import ApplicationSession, connect_transport
from pywamp.wamp.types import ComponentConfig


def meet(run: Any, tail: bytes) -> tuple[list[str], list[Any]]:
    """Join a router that sends ``tail`` right after WELCOME; (the session's hooks that
    ran, what the router received)."""
    hooks: list[str] = []

    class Session(ApplicationSession):
        def onJoin(self, details: Any) -> None:
            hooks.append(f"join {details.session}")

        def onLeave(self, details: Any) -> None:
            hooks.append(f"leave {details.reason}")
            self.disconnect()

        def onDisconnect(self) -> None:
            hooks.append("disconnect")

    @defer.inlineCallbacks
    def scenario() -> Any:
        router = ScriptedRouter(tail=tail, max_length=1 << 20)
        factory = protocol.Factory.forProtocol(lambda: router)  # type: ignore[arg-type]
        port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        session = Session(ComponentConfig("realm1"))
        try:
            url = f"rs://127.0.0.1:{port.getHost().port}"
            yield connect_transport(url, session, serializers=["json"])
            messages = yield router.ended.addTimeout(5, reactor)
            return messages
        finally:
            yield port.stopListening()

    messages = run(scenario)
    return hooks, messages


def test_a_bad_message_after_welcome_is_answered_with_abort(run: Any) -> None:
    bad = _native.RawSocket("json").frame(b'[50, 0, {}, ["x"]]')  # RESULT for request id 0
    hooks, messages = meet(run, bad)
    assert hooks[0] == "join 4242"
    assert [type(m) for m in messages] == [_native.Hello, _native.Abort]
    assert messages[1].reason == "wamp.error.protocol_violation"
    assert "request_id" in messages[1].details["message"]


def test_a_broken_frame_after_welcome_drops_the_connection(run: Any) -> None:
    hooks, messages = meet(run, b"\x07\x00\x00\x01x")  # frame type 7 does not exist
    assert hooks[0] == "join 4242"
    assert [type(m) for m in messages] == [_native.Hello]
