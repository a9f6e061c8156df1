"""A router that sends what it should not: the client survives it or ends the session
cleanly, and never lets an error escape or a call hang.

The router is the native framer behind a plain server socket on 127.0.0.1, so it can
send any valid WAMP message at any time: answers to requests nobody made, events and
invocations for ids it never gave out, messages only a client sends, a second WELCOME.
After the script it sends an EVENT for the real subscription and the RESULT of the call
the client made. Then either the session is still up, the EVENT arrived and the call
ended with the first answer to it, or the session ended (the client said why with ABORT
or GOODBYE, unless the script's ABORT ended it) and the call failed with it: within
seconds, with nothing reported to the event loop's exception handler. The scripts are in
``hostile.py``; the Twisted face meets the same ones in ``tx/test_tx_hostile_router.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hostile import answer, ended, expected_outcome, outcome_of, scripts
from hypothesis import HealthCheck, event, given, settings

import pywamp
from pywamp.exception import ProtocolError
from pywamp.transport import WampTransport, listen


class HostileRouter:
    """Welcomes the client, confirms its registration and subscription, then sends the
    script and, after it, an EVENT and the RESULT of the client's call."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.transport: WampTransport | None = None
        self.received: list[Any] = []
        self.violations: list[ProtocolError] = []
        self.closed = asyncio.get_running_loop().create_future()

    def transport_open(self, transport: WampTransport) -> None:
        self.transport = transport

    def message_received(self, message: Any) -> None:
        self.received.append(message)
        answer(message, self.script, self.transport.send)  # type: ignore[union-attr]

    def protocol_violation(self, error: ProtocolError) -> None:
        self.violations.append(error)

    def transport_closed(self, error: BaseException | None) -> None:
        if not self.closed.done():
            self.closed.set_result(error)


async def meet(script: list[Any]) -> None:
    loop = asyncio.get_running_loop()
    escaped: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: escaped.append(context))
    routers: list[HostileRouter] = []

    def make() -> HostileRouter:
        routers.append(HostileRouter(script))
        return routers[-1]

    server = await listen("rawsocket", make, serializers=["msgpack"])
    port = server.sockets[0].getsockname()[1]
    probed = loop.create_future()
    left = loop.create_future()

    def on_event(*args: Any) -> None:
        if args == ("probe",) and not probed.done():
            probed.set_result(None)

    try:
        session = await pywamp.connect(
            f"rs://127.0.0.1:{port}", realm="realm1", serializer="msgpack", timeout=5
        )
        session.on("leave", lambda *_: left.done() or left.set_result(None))
        await session.register(lambda *a, **kw: "ok", "com.hostile.proc")
        await session.subscribe(on_event, "com.hostile.topic")
        call = asyncio.ensure_future(session.call("com.hostile.pending"))
        done, _ = await asyncio.wait([probed, left], timeout=5, return_when=asyncio.FIRST_COMPLETED)
        assert done, "neither the probe EVENT nor the end of the session came"
        router = routers[0]
        if probed.done():
            event("the session survived the script")
            assert session.is_attached()
            # The call ended with the first answer to it: the script's or the last RESULT.
            await asyncio.wait([call], timeout=5)
            assert outcome(call) == expected_outcome(script)
            await session.leave()
        else:
            event("the session ended")
            # The call did not hang: it failed with the session, unless the script
            # answered it before it broke the protocol.
            await asyncio.wait([call], timeout=5)
            assert call.done(), "the call hangs"
            assert call.exception() is not None or outcome(call) == expected_outcome(script)
        await asyncio.wait_for(router.closed, 5)
        # An ended session: the client said why (once the router has read all it sent).
        assert probed.done() or ended(router.received, script), router.received
        assert router.violations == [], router.violations  # the client sent nothing invalid
        await asyncio.sleep(0)
        assert escaped == [], escaped
    finally:
        server.close()
        await server.wait_closed()


def outcome(call: asyncio.Future[Any]) -> tuple[str, Any]:
    assert call.done(), "the call hangs"
    error = call.exception()
    return outcome_of(None if error else call.result(), error)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scripts)
def test_hostile_router(script: list[Any]) -> None:
    asyncio.run(meet(script))
