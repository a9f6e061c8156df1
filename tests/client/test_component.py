"""Component: main, decorators, listeners, and reconnecting with Autobahn's knobs over
real sockets, including the reconnect bugs of Autobahn's asyncio component
(autobahn-python #1231 stop during a reconnect, #1153 handshake timeouts, #1556 a
transport lost without the component ending or reconnecting)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from helpers import Inbox, eventually
from routers import Router

from pywamp import connect
from pywamp.asyncio.component import Component, run
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError
from pywamp.wamp.types import PublishOptions, SessionDetails

FAST = {"initial_retry_delay": 0.05, "max_retry_delay": 0.2, "retry_delay_jitter": 0.0}


def transports(router: Router) -> list[dict[str, Any]]:
    return [
        {"type": "websocket", "url": router.ws_url, "serializers": ["msgpack"], **FAST},
        {"type": "rawsocket", "url": router.rs_url, "serializer": "cbor", **FAST},
        {
            "type": "rawsocket",
            "url": router.rs_url,
            "endpoint": {"type": "unix", "path": (router.unix_url or "")[len("unix:") :]},
            "serializer": "json",
            **FAST,
        },
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["websocket", "rawsocket", "unix"])
async def test_main_runs_and_ends_the_component(router: Router, index: int) -> None:
    results = Inbox()

    async def main(loop: asyncio.AbstractEventLoop, session: Session) -> None:
        assert loop is asyncio.get_running_loop()
        await session.register(lambda: "pong", "com.component.ping")
        results.put(await session.call("com.component.ping"))

    component = Component(main=main, transports=[transports(router)[index]], realm=router.realm)
    await asyncio.wait_for(component.start(), 10)
    assert results.items == ["pong"]


async def test_decorators_and_listeners(router: Router) -> None:
    notes = Inbox()
    component = Component(transports=router.ws_url, realm=router.realm)

    @component.register("com.component.add")
    def add(a: int, b: int) -> int:
        return a + b

    @component.subscribe("com.component.topic")
    def on_topic(x: Any) -> None:
        notes.put(("event", x))

    @component.on_connect
    def connected(session: Session, transport: Any) -> None:
        notes.put("connect")

    @component.on_join
    async def joined(session: Session, details: SessionDetails) -> None:
        notes.put(("join", details.realm))

    @component.on_ready
    async def ready(session: Session) -> None:
        # Every join listener (the registration and subscription too) has finished.
        notes.put(("ready", await session.call("com.component.add", 2, 3)))
        session.publish("com.component.topic", "hi", options=PublishOptions(exclude_me=False))

    @component.on_leave
    def left(session: Session, details: Any) -> None:
        notes.put(("leave", details.reason))

    @component.on_disconnect
    def disconnected(session: Session, was_clean: bool) -> None:
        notes.put(("disconnect", was_clean))

    done = component.start()
    await notes.wait(4)
    await component.stop()
    await asyncio.wait_for(done, 5)
    assert notes.items == [
        "connect",
        ("join", "realm1"),
        ("ready", 5),
        ("event", "hi"),
        ("leave", router.goodbye_reply),
        ("disconnect", True),
    ]
    assert add(1, 1) == 2 and on_topic is not None and joined is not None


@pytest.fixture
async def caller(router: Router) -> AsyncIterator[Session]:
    async with connect(router.ws_url, router.realm) as s:
        yield s


async def test_reconnects_and_registers_again(router: Router, caller: Session) -> None:
    """A transport lost after joining: the component reconnects and its decorators run
    again, so the procedure and the subscription come back (#1556)."""
    sessions: list[Session] = []
    events = Inbox()
    component = Component(transports=transports(router)[:2], realm=router.realm)

    @component.register("com.component.echo")
    def echo(x: Any) -> Any:
        return x

    component.subscribe("com.component.events")(events)
    component.on_join(lambda session, details: sessions.append(session))

    done = component.start()
    await eventually(lambda: len(sessions) == 1)
    assert await caller.call("com.component.echo", 1) == 1
    sessions[0].transport.abort()
    await eventually(lambda: len(sessions) == 2 and sessions[1].is_attached())
    assert sessions[1] is not sessions[0]
    assert await caller.call("com.component.echo", 2) == 2
    caller.publish("com.component.events", "after")
    assert await events.wait() == [(("after",), {})]
    await component.stop()
    await asyncio.wait_for(done, 5)
    await asyncio.sleep(0.3)
    assert len(sessions) == 2  # stopped: no further reconnect


async def test_gives_up_after_max_retries(router: Router) -> None:
    failures = Inbox()
    closed = _closed_port()
    component = Component(
        transports={
            "type": "rawsocket",
            "url": f"rs://127.0.0.1:{closed}",
            "max_retries": 2,
            "initial_retry_delay": 0.05,
            "retry_delay_growth": 2.0,
            "retry_delay_jitter": 0.0,
        },
        realm=router.realm,
    )
    component.on_connectfailure(lambda comp, error: failures.put((comp is component, type(error))))
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(RuntimeError, match="Exhausted"):
        await asyncio.wait_for(component.start(), 10)
    elapsed = loop.time() - began
    assert failures.items == [(True, ConnectionRefusedError)] * 3
    assert 0.25 <= elapsed < 2.0  # delays 0, 0.1, 0.2: the knobs drive the back-off


async def test_stop_during_the_retry_delay(router: Router) -> None:
    """stop() while waiting to reconnect ends the component at once (#1231)."""
    failures = Inbox()
    component = Component(
        transports={"url": f"ws://127.0.0.1:{_closed_port()}/ws", "initial_retry_delay": 30.0},
        realm=router.realm,
    )
    component.on_connectfailure(lambda comp, error: failures.put(error))
    done = component.start()
    await failures.wait(1)
    await asyncio.sleep(0.1)  # now in the 45 s back-off
    loop = asyncio.get_running_loop()
    began = loop.time()
    await component.stop()
    assert await asyncio.wait_for(done, 2) is None
    assert loop.time() - began < 1
    assert len(failures.items) == 1


async def test_handshake_timeout_is_retried() -> None:
    """A peer that accepts TCP and never answers the opening handshake: each attempt
    times out, its connection is closed (none is left half open), and the component
    tries again (#1153), then gives up."""
    accepted = Inbox()
    closed = Inbox()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.put(True)
        await reader.read()  # never answer; returns when the client closes
        closed.put(True)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        component = Component(
            transports={
                "url": f"ws://127.0.0.1:{port}/ws",
                "endpoint": {"type": "tcp", "host": "127.0.0.1", "port": port, "timeout": 1},
                "max_retries": 1,
                **FAST,
            },
        )
        errors = Inbox()
        component.on_connectfailure(lambda comp, error: errors.put(type(error)))
        with pytest.raises(RuntimeError, match="Exhausted"):
            await asyncio.wait_for(component.start(), 10)
        assert len(accepted.items) == 2
        assert errors.items == [asyncio.TimeoutError, asyncio.TimeoutError]
        await eventually(lambda: len(closed.items) == 2)
    finally:
        server.close()
        await server.wait_closed()


async def test_transport_closed_before_join_is_retried(router: Router) -> None:
    """A peer that closes right after accepting: the attempt fails instead of hanging."""
    accepted = Inbox()

    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.put(True)
        await reader.read(4)
        writer.close()

    server = await asyncio.start_server(rude, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        component = Component(
            transports={
                "type": "rawsocket",
                "url": f"rs://127.0.0.1:{port}",
                "max_retries": 2,
                **FAST,
            }
        )
        with pytest.raises(RuntimeError, match="Exhausted"):
            await asyncio.wait_for(component.start(), 10)
        assert len(accepted.items) == 3
    finally:
        server.close()
        await server.wait_closed()


async def test_stop_while_joined(router: Router) -> None:
    notes = Inbox()
    component = Component(transports=router.rs_url, realm=router.realm)
    component.on_join(lambda session, details: notes.put("join"))
    component.on_leave(lambda session, details: notes.put(details.reason))
    done = component.start()
    await notes.wait(1)
    await asyncio.wait_for(component.stop(), 5)
    assert await asyncio.wait_for(done, 5) is None
    assert notes.items == ["join", router.goodbye_reply]


async def test_refused_join_is_retried_then_fails(router: Router) -> None:
    failures = Inbox()
    component = Component(
        transports={"url": router.ws_url, "max_retries": 1, **FAST}, realm="no.such.realm"
    )
    component.on_connectfailure(lambda comp, error: failures.put(error))
    with pytest.raises(RuntimeError, match="Exhausted"):
        await asyncio.wait_for(component.start(), 10)
    assert [e.error for e in failures.items] == [ApplicationError.NO_SUCH_REALM] * 2


async def test_run_without_starting_a_loop(router: Router) -> None:
    ran = Inbox()

    async def main(loop: asyncio.AbstractEventLoop, session: Session) -> None:
        ran.put(session.session_id)

    components = [
        Component(main=main, transports=router.ws_url, realm=router.realm) for _ in range(2)
    ]
    await asyncio.wait_for(run(components, start_loop=False, log_level=None), 10)
    assert len(ran.items) == 2 and ran.items[0] != ran.items[1]


def test_bad_configuration() -> None:
    with pytest.raises(ValueError, match="not a valid configuration item"):
        Component(transports={"url": "ws://h/ws", "bogus": 1})
    with pytest.raises(ValueError, match="serializer"):
        Component(transports={"type": "rawsocket", "url": "rs://h:1", "serializers": ["json"]})
    with pytest.raises(ValueError, match="Invalid serializer"):
        Component(transports={"url": "ws://h/ws", "serializers": ["ubjson"]})
    with pytest.raises(ValueError, match="main"):
        Component(main=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_retries"):
        Component(transports={"url": "ws://h/ws", "max_retries": -2})


def _closed_port() -> int:
    from routers import free_port

    return free_port()
