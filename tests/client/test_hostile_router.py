"""A router that sends what it should not: the client survives it or ends the session
cleanly, and never lets an error escape or a call hang.

The router is the native framer behind a plain server socket on 127.0.0.1, so it can
send any valid WAMP message at any time: answers to requests nobody made, events and
invocations for ids it never gave out, messages only a client sends, a second WELCOME.
After the script it sends an EVENT for the real subscription and the RESULT of the call
the client made. Then either the session is still up and both arrived, or the client has
ended the session (ABORT or GOODBYE) and its pending call failed: within seconds, with
nothing reported to the event loop's exception handler.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import pywamp
from pywamp import _native
from pywamp.exception import ProtocolError
from pywamp.transport import WampTransport, listen
from pywamp.wamp.types import CallResult

SESSION = 4242
REGISTRATION = 71
SUBSCRIPTION = 72
CALL_ID = 3  # register, subscribe, then call: the client's ids count from 1
WELCOME_DETAILS = {
    "authid": "hostile",
    "authrole": "anonymous",
    "authmethod": "anonymous",
    "roles": {"broker": {"features": {}}, "dealer": {"features": {}}},
}

ids = st.one_of(st.integers(1, 6), st.integers(1, 2**53))
args = st.one_of(
    st.none(), st.lists(st.one_of(st.integers(-(2**53), 2**53), st.text(max_size=5)), max_size=3)
)
request_types = st.sampled_from([16, 32, 34, 48, 64, 66, 68])
hostile = st.one_of(
    st.builds(_native.Result, ids, st.sampled_from([{}, {"progress": True}]), args, st.none()),
    st.builds(_native.Error, request_types, ids, st.just({}), st.just("com.hostile.error"), args),
    st.builds(
        _native.Event,
        st.one_of(st.just(SUBSCRIPTION), ids),
        ids,
        st.sampled_from([{}, {"topic": "com.elsewhere"}, {"publisher": 5}]),
        args,
    ),
    st.builds(
        _native.Invocation,
        ids,
        st.one_of(st.just(REGISTRATION), ids),
        st.sampled_from([{}, {"receive_progress": True}, {"progress": True}]),
        args,
    ),
    st.builds(_native.Interrupt, ids, st.sampled_from([{}, {"mode": "kill"}])),
    st.builds(_native.Registered, ids, ids),
    st.builds(_native.Unregistered, ids),
    st.builds(_native.Subscribed, ids, ids),
    st.builds(_native.Unsubscribed, ids),
    st.builds(_native.Published, ids, ids),
    st.builds(_native.Welcome, ids, st.just(WELCOME_DETAILS)),
    st.just(_native.Challenge("ticket", {})),
    st.just(_native.Goodbye({}, "wamp.close.system_shutdown")),
    st.just(_native.Abort({}, "com.hostile.abort")),
    # Only a client sends these.
    st.just(_native.Hello("realm1", {"roles": {"caller": {}}})),
    st.builds(_native.Call, ids, st.just({}), st.just("com.hostile.call"), args),
    st.builds(_native.Publish, ids, st.just({}), st.just("com.hostile.topic"), args),
    st.builds(_native.Yield, ids, st.just({}), args),
    st.builds(_native.Cancel, ids, st.just({})),
)


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
        send = self.transport.send  # type: ignore[union-attr]
        if isinstance(message, _native.Hello):
            send(_native.Welcome(SESSION, WELCOME_DETAILS))
        elif isinstance(message, _native.Register):
            send(_native.Registered(message.request_id, REGISTRATION))
        elif isinstance(message, _native.Subscribe):
            send(_native.Subscribed(message.request_id, SUBSCRIPTION))
        elif isinstance(message, _native.Call):
            for hostile_message in self.script:
                send(hostile_message)
            send(_native.Event(SUBSCRIPTION, 1, {}, ["probe"]))
            send(_native.Result(CALL_ID, {}, ["answer"]))
        elif isinstance(message, _native.Goodbye):
            send(_native.Goodbye({}, "wamp.close.goodbye_and_out"))

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
            event("the client ended the session")
            # It said why; the call did not hang: it failed with the session, unless the
            # script answered it before it broke the protocol.
            ends = [m for m in router.received if isinstance(m, (_native.Abort, _native.Goodbye))]
            assert ends or router.closed.done(), router.received
            await asyncio.wait([call], timeout=5)
            assert call.done(), "the call hangs"
            assert call.exception() is not None or outcome(call) == expected_outcome(script)
        await asyncio.wait_for(router.closed, 5)
        assert router.violations == [], router.violations  # the client sent nothing invalid
        await asyncio.sleep(0)
        assert escaped == [], escaped
    finally:
        server.close()
        await server.wait_closed()


def outcome(call: asyncio.Future[Any]) -> tuple[str, Any]:
    """How a finished call ended: ("result", value) or ("error", error URI)."""
    assert call.done(), "the call hangs"
    error = call.exception()
    if error is None:
        value = call.result()
        return "result", list(value.results) if isinstance(value, CallResult) else value
    return "error", getattr(error, "error", repr(error))


def expected_outcome(script: list[Any]) -> tuple[str, Any]:
    """The first final answer to the client's call in what the router sent."""
    for message in [*script, _native.Result(CALL_ID, {}, ["answer"])]:
        if getattr(message, "request_id", None) != CALL_ID:
            continue
        if isinstance(message, _native.Result) and not message.details.get("progress"):
            args = message.args or []
            return "result", args[0] if len(args) == 1 else (list(args) or None)
        if isinstance(message, _native.Error) and message.request_type == _native.Call.TYPE:
            return "error", message.error
    raise AssertionError("unreachable: the last RESULT answers the call")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(hostile, min_size=1, max_size=6))
def test_hostile_router(script: list[Any]) -> None:
    asyncio.run(meet(script))
