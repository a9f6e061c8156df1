"""Session life cycle against a real router: hooks, join/leave/disconnect, runner and
factories over every transport and serializer, announced roles, request ids, router-side
kills and revocations."""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import Any

import pytest
from helpers import Inbox, eventually, record_sent
from routers import Router

from pywamp import _native, connect
from pywamp.asyncio.rawsocket import WampRawSocketClientFactory
from pywamp.asyncio.wamp import ApplicationRunner, ApplicationSession, Session
from pywamp.asyncio.websocket import WampWebSocketClientFactory
from pywamp.exception import ApplicationError, SessionNotReady, TransportLost
from pywamp.transport import parse_url
from pywamp.wamp.types import (
    CloseDetails,
    ComponentConfig,
    PublishOptions,
    RegisterOptions,
    SessionDetails,
)

TRANSPORTS = [
    ("websocket", "json"),
    ("websocket", "msgpack"),
    ("websocket", "cbor"),
    ("rawsocket", "json"),
    ("rawsocket", "msgpack"),
    ("rawsocket", "cbor"),
    ("unix", "cbor"),
]


class Recording(ApplicationSession):
    """Records every hook; joins, registers, calls itself, leaves."""

    def __init__(self, config: ComponentConfig | None = None) -> None:
        super().__init__(config)
        self.events: list[Any] = []
        self.finished: asyncio.Future[list[Any]] = asyncio.get_event_loop().create_future()

    def onConnect(self) -> None:
        self.events.append("connect")
        self.join(self.config.realm)

    async def onJoin(self, details: SessionDetails) -> None:
        self.events.append(("join", details.realm, details.session == self.session_id))
        self.events.append(("attached", self.is_attached(), self.is_connected()))
        await self.register(lambda x: x * 2, "com.lifecycle.double")
        self.events.append(("result", await self.call("com.lifecycle.double", 21)))
        await self.leave()

    def onLeave(self, details: CloseDetails) -> None:
        self.events.append(("leave", details.reason, self.is_attached()))
        self.disconnect()

    def onDisconnect(self) -> None:
        self.events.append(("disconnect", self.is_connected()))
        if not self.finished.done():
            self.finished.set_result(self.events)


def expected(router: Router) -> list[Any]:
    """What a Recording session records on ``router``."""
    return [
        "connect",
        ("join", "realm1", True),
        ("attached", True, True),
        ("result", 42),
        ("leave", router.goodbye_reply, False),
        ("disconnect", False),
    ]


@pytest.mark.parametrize(("kind", "serializer"), TRANSPORTS)
async def test_runner_life_cycle(router: Router, kind: str, serializer: str) -> None:
    runner = ApplicationRunner(
        router.url(kind), router.realm, extra={"n": 1}, serializers=[serializer]
    )
    sessions: list[Recording] = []

    def make(config: ComponentConfig) -> Recording:
        assert config.realm == router.realm and config.extra == {"n": 1}
        sessions.append(Recording(config))
        return sessions[-1]

    _, protocol = await runner.run(make, start_loop=False)
    assert protocol._session is sessions[0]
    assert await asyncio.wait_for(sessions[0].finished, 10) == expected(router)
    assert sessions[0].session_details.serializer == serializer


def test_runner_runs_its_own_loop(router: Router) -> None:
    """``run()`` with its own loop returns once the session is gone (here: left in onJoin)."""
    sessions: list[Recording] = []

    def make(config: ComponentConfig) -> Recording:
        sessions.append(Recording(config))
        return sessions[-1]

    result: list[Any] = []
    thread = threading.Thread(
        target=lambda: result.append(ApplicationRunner(router.rs_url, router.realm).run(make))
    )
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    assert result == [None]
    assert sessions[0].events == expected(router)


@pytest.mark.parametrize("serializers", ["autobahn.wamp.serializer", "pywamp.wamp.serializer"])
@pytest.mark.parametrize("kind", ["websocket", "rawsocket"])
async def test_factories_with_create_connection(
    router: Router, kind: str, serializers: str
) -> None:
    """The protocol factories work with ``loop.create_connection`` as in Autobahn, and take
    Autobahn's serializer objects, or pywamp's of the same names."""
    import txaio

    txaio.use_asyncio()
    module = importlib.import_module(serializers)
    CBORSerializer, JsonSerializer = module.CBORSerializer, module.JsonSerializer

    session = Recording(ComponentConfig(router.realm))
    address = parse_url(router.url(kind))
    factory: Any
    if kind == "websocket":
        factory = WampWebSocketClientFactory(
            lambda: session, url=router.ws_url, serializers=[JsonSerializer(), CBORSerializer()]
        )
    else:
        factory = WampRawSocketClientFactory(lambda: session, serializer=JsonSerializer())
    factory.setProtocolOptions(maxMessagePayloadSize=1 << 20, autoPingInterval=10)
    loop = asyncio.get_running_loop()
    await loop.create_connection(factory, address.host, address.port)
    assert await asyncio.wait_for(session.finished, 10) == expected(router)
    assert session.session_details.serializer == "json"


async def test_pep8_session(router: Router) -> None:
    events = Inbox()

    class App(Session):
        async def on_join(self, details: SessionDetails) -> None:
            events.put(("join", details.authrole))
            sent = record_sent(self)
            self.leave("com.myapp.bye", "see you")
            goodbye = sent[0]
            events.put(("goodbye", goodbye.reason, goodbye.details))

        def on_leave(self, details: CloseDetails) -> None:
            events.put(("leave", details.reason))
            self.disconnect()

        def on_disconnect(self) -> None:
            events.put("disconnect")

    await ApplicationRunner(router.ws_url, router.realm).run(App, start_loop=False)
    assert await events.wait(4) == [
        ("join", "anonymous"),
        ("goodbye", "com.myapp.bye", {"message": "see you"}),
        ("leave", router.goodbye_reply),  # the router's answer
        "disconnect",
    ]


async def test_hello_announces_roles_and_features(router: Router) -> None:
    hellos: list[Any] = []

    class App(ApplicationSession):
        def onConnect(self) -> None:
            sent = record_sent(self)
            self.join(self.config.realm)
            hellos.extend(m for m in sent if isinstance(m, _native.Hello))

        def onJoin(self, details: SessionDetails) -> None:
            self.leave()

    await ApplicationRunner(router.ws_url, router.realm).run(App, start_loop=False)
    await eventually(lambda: hellos)
    roles = hellos[0].details["roles"]
    assert hellos[0].details["agent"].startswith("pywamp-")
    features = {role: set(roles[role]["features"]) for role in roles}
    assert {
        "call_timeout",
        "progressive_call_invocations",
        "call_canceling",
        "progressive_call_results",
        "caller_identification",
    } <= features["caller"]
    assert {
        "pattern_based_registration",
        "shared_registration",
        "registration_revocation",
        "call_canceling",
        "progressive_call_results",
        "progressive_call_invocations",
        "caller_identification",
    } <= features["callee"]
    assert {"publisher_exclusion", "subscriber_blackwhite_listing", "publisher_identification"} <= (
        features["publisher"]
    )
    assert {
        "pattern_based_subscription",
        "subscription_revocation",
        "publisher_identification",
    } <= (features["subscriber"])


async def test_request_ids_run_from_one(session: Session) -> None:
    sent = record_sent(session)
    await session.register(lambda: 1, "com.ids.proc")
    await session.subscribe(lambda: 1, "com.ids.topic")
    await session.call("com.ids.proc")
    session.publish("com.ids.topic")
    await session.publish("com.ids.topic", options=PublishOptions(acknowledge=True))
    requests = (_native.Register, _native.Subscribe, _native.Call, _native.Publish)
    ids = [m.request_id for m in sent if isinstance(m, requests)]
    # HELLO was request-less; the first requests of the session got 1, 2, ... in order.
    assert ids == list(range(ids[0], ids[0] + 5))
    assert ids[0] == session._peer.last_id - 4


async def test_first_request_id_is_one(router: Router) -> None:
    async with connect(router.ws_url, router.realm) as s:
        sent = record_sent(s)
        await s.register(lambda: 1, "com.ids.first")
        assert [m.request_id for m in sent] == [1]


async def test_join_refused(router: Router) -> None:
    with pytest.raises(ApplicationError) as info:
        await connect(router.ws_url, "no.such.realm")
    assert info.value.error == ApplicationError.NO_SUCH_REALM


async def test_leave_and_disconnect(router: Router) -> None:
    s = await connect(router.rs_url, router.realm)
    assert s.is_attached() and s.is_connected()
    left = s.leave()
    assert s.leave() is left  # leaving twice waits for the same answer
    await asyncio.wait_for(left, 5)
    assert not s.is_attached()
    await eventually(lambda: not s.is_connected())
    assert await s.leave() is None  # nothing to leave any more
    with pytest.raises(TransportLost):
        s.call("com.any")


async def test_session_not_ready_before_join(router: Router) -> None:
    errors: list[BaseException] = []
    done = asyncio.get_running_loop().create_future()

    class App(ApplicationSession):
        def onConnect(self) -> None:
            for action in (
                lambda: self.call("com.x"),
                lambda: self.publish("com.x"),
                lambda: self.register(lambda: 1, "com.x"),
                lambda: self.subscribe(lambda: 1, "com.x"),
            ):
                try:
                    action()
                except SessionNotReady as e:
                    errors.append(e)
            self.join(self.config.realm)

        def onJoin(self, details: SessionDetails) -> None:
            done.set_result(True)
            self.leave()

    await ApplicationRunner(router.ws_url, router.realm).run(App, start_loop=False)
    await asyncio.wait_for(done, 5)
    assert len(errors) == 4


async def test_listeners_and_user_errors(router: Router) -> None:
    notes = Inbox()

    class App(ApplicationSession):
        def onJoin(self, details: SessionDetails) -> None:
            raise RuntimeError("onJoin failed")

        def onUserError(self, fail: Any, msg: str) -> None:
            notes.put(("user_error", str(fail.value), msg))
            self.leave()

    def make(config: ComponentConfig) -> App:
        app = App(config)
        app.on("join", lambda session, details: notes.put(("join", session is app)))
        app.on("ready", lambda session: notes.put("ready"))
        app.on("leave", lambda session, details: notes.put(("leave", details.reason)))
        app.on("disconnect", lambda session, was_clean: notes.put(("disconnect", was_clean)))
        return app

    await ApplicationRunner(router.ws_url, router.realm).run(make, start_loop=False)
    items = await notes.wait(5)
    assert items == [
        ("join", True),
        ("user_error", "onJoin failed", "While firing onJoin"),
        "ready",
        ("leave", router.goodbye_reply),
        ("disconnect", True),
    ]


async def test_killed_by_the_router(session: Session, other: Session) -> None:
    """The router ends the session (GOODBYE): onLeave gets the reason, pending calls fail."""
    left = Inbox()
    session.on("leave", lambda s, details: left.put((details.reason, details.message)))

    async def never() -> None:
        await asyncio.sleep(60)

    await other.register(never, "com.never.kill")
    pending = session.call("com.never.kill")
    await asyncio.sleep(0.05)
    await other.call(
        "wamp.session.kill", session.session_id, reason="wamp.close.killed", message="go away"
    )
    assert await left.wait() == [("wamp.close.killed", "go away")]
    with pytest.raises(ApplicationError) as info:
        await asyncio.wait_for(pending, 5)
    assert info.value.error == "wamp.close.killed"
    await eventually(lambda: not session.is_connected())


async def test_registration_revoked(session: Session, other: Session) -> None:
    """The router revokes a registration (another callee forces its own): the handle goes
    inactive, the session goes on."""
    force = RegisterOptions(force_reregister=True)
    registration = await session.register(lambda: "first", "com.revoked.proc", options=force)
    await other.register(lambda: "second", "com.revoked.proc", options=force)
    await eventually(lambda: not registration.active)
    assert registration.id not in session._peer.registrations
    assert await session.call("com.revoked.proc") == "second"


@pytest.mark.needs("subscription_revocation")
async def test_subscription_revoked(session: Session, other: Session) -> None:
    """The router revokes a subscription (meta API): the handle goes inactive."""
    subscription = await session.subscribe(lambda: 1, "com.revoked.topic")
    await other.call("wamp.subscription.remove_subscriber", subscription.id, session.session_id)
    await eventually(lambda: not subscription.active)
    assert subscription.id not in session._peer.subscriptions
    assert await session.call("wamp.session.count") >= 2


async def test_transport_lost_runs_leave_and_disconnect(session: Session) -> None:
    notes = Inbox()
    session.on("leave", lambda s, details: notes.put(details.reason))
    session.on("disconnect", lambda s, was_clean: notes.put(("disconnect", was_clean)))
    session.transport.abort()
    assert await notes.wait(2) == [CloseDetails.REASON_TRANSPORT_LOST, ("disconnect", False)]


@pytest.mark.parametrize("kind", ["websocket", "rawsocket"])
async def test_tls(router: Router, kind: str) -> None:
    url = router.tls_ws_url if kind == "websocket" else router.tls_rs_url
    async with connect(url, router.realm, ssl=router.client_ssl()) as s:
        assert s.session_details.transport.is_secure
        await s.register(lambda: "secure", "com.tls.proc")
        assert await s.call("com.tls.proc") == "secure"
    # Without trusting the router's authority the handshake fails, with a clear error.
    import ssl

    with pytest.raises(ssl.SSLCertVerificationError):
        await connect(url, router.realm)


async def test_runner_with_tls(router: Router) -> None:
    sessions: list[Recording] = []

    def make(config: ComponentConfig) -> Recording:
        sessions.append(Recording(config))
        return sessions[-1]

    runner = ApplicationRunner(router.tls_ws_url, router.realm, ssl=router.client_ssl())
    await runner.run(make, start_loop=False)
    assert await asyncio.wait_for(sessions[0].finished, 10) == expected(router)
    with pytest.raises(RuntimeError, match="conflicts"):
        ApplicationRunner(router.ws_url, router.realm, ssl=True).run(make, start_loop=False)


async def test_user_errors_work_with_txaio_helpers(router: Router) -> None:
    """Autobahn programs format the failure handed to onUserError with txaio."""
    import txaio

    txaio.use_asyncio()
    reported = Inbox()

    class App(ApplicationSession):
        def onJoin(self, details: SessionDetails) -> None:
            raise KeyError("missing")

        def onUserError(self, fail: Any, msg: str) -> None:
            reported.put(txaio.failure_message(fail))
            reported.put("KeyError" in txaio.failure_format_traceback(fail))
            self.leave()

    await ApplicationRunner(router.ws_url, router.realm).run(App, start_loop=False)
    assert await reported.wait(2) == ["KeyError: 'missing'", True]
