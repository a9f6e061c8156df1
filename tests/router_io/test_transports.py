"""Autobahn clients on every transport and serializer: join, call, publish, leave."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.asyncio.component import Component
from autobahn.wamp.types import PublishOptions
from io_harness import SERIALIZERS, TRANSPORTS, Collector, Endpoints, RawPeer, join, wait

from pywamp import _native
from pywamp.router.server import Router
from pywamp.router.settings import ListenerConfig, RouterConfig


@pytest.mark.parametrize("serializer", SERIALIZERS)
@pytest.mark.parametrize("transport", list(TRANSPORTS))
async def test_rpc_and_pubsub_over_every_transport(
    endpoints: Endpoints, transport: str, serializer: str
) -> None:
    callee = await join(endpoints, transport, serializer=serializer)
    caller = await join(endpoints, transport, serializer=serializer)
    assert callee.joined.result().realm == "realm1"
    assert callee.joined.result().session != caller.joined.result().session

    await wait(callee.register(lambda a, b: {"sum": a + b, "raw": b"\x00\xffz"}, "com.add"))
    result = await wait(caller.call("com.add", 2, 40))
    assert result == {"sum": 42, "raw": b"\x00\xffz"}

    events = Collector()
    await wait(callee.subscribe(events, "com.topic"))
    await wait(caller.publish("com.topic", "hi", n=1, options=PublishOptions(acknowledge=True)))
    [(args, kwargs)] = await events.count(1)
    assert (args, kwargs) == (("hi",), {"n": 1})

    caller.leave()
    assert (await wait(caller.left)).reason == "wamp.close.goodbye_and_out"
    await wait(caller.disconnected)
    await callee.close()


async def test_one_publication_reaches_every_transport_and_serializer(
    endpoints: Endpoints,
) -> None:
    """One EVENT is framed once per (transport kind, serializer) and shared: every
    subscriber must still decode exactly what was published, binary included."""
    subscribers = []
    collectors = []
    for transport in ("rawsocket", "websocket", "rawsocket-unix", "tls-websocket"):
        for serializer in SERIALIZERS:
            peer = await join(endpoints, transport, serializer=serializer)
            events = Collector()
            await wait(peer.subscribe(events, "com.fanout"))
            subscribers.append(peer)
            collectors.append(events)
    publisher = await join(endpoints, "universal-websocket", serializer="msgpack")
    payload = {"text": "ünïcode", "blob": bytes(range(256)), "n": [1, 2.5, None, True]}
    for i in range(3):
        publisher.publish("com.fanout", i, data=payload)
    for events in collectors:
        items = await events.count(3)
        assert [args for args, _ in items] == [(0,), (1,), (2,)]
        assert all(kwargs == {"data": payload} for _, kwargs in items)
    await asyncio.gather(*(peer.close() for peer in [*subscribers, publisher]))


async def test_router_lists_what_it_serves(router: Router, endpoints: Endpoints) -> None:
    addresses = router.addresses
    assert f"rawsocket 127.0.0.1:{endpoints.ports['rawsocket']}" in addresses
    assert f"universal unix:{endpoints.paths['universal-unix']}" in addresses
    assert len(addresses) == len(router.config.listeners)


@pytest.mark.parametrize(
    "transport",
    [
        {"type": "websocket", "url": "ws://127.0.0.1:{universal}/ws", "serializers": ["msgpack"]},
        {"type": "rawsocket", "url": "rs://127.0.0.1:{rawsocket}", "serializer": "cbor"},
        {
            "type": "rawsocket",
            "url": "rs://localhost",
            "endpoint": {"type": "unix", "path": "{unix}"},
            "serializer": "json",
        },
    ],
    ids=["websocket", "rawsocket", "rawsocket-unix"],
)
async def test_autobahn_component(
    router: Router, endpoints: Endpoints, transport: dict[str, Any]
) -> None:
    """Autobahn's Component (decorators, on_join, leave) against the router.

    Over RawSocket, Autobahn's Component reports a clean leave as TransportLost: its own
    onLeave closes the socket before the component hears of the leave (a race inside
    Autobahn; the router keeps the transport open after GOODBYE, as the spec says). So
    the work done is what is checked, and that the router saw the session go.
    """
    where = {
        "universal": endpoints.ports["universal"],
        "rawsocket": endpoints.ports["rawsocket"],
        "unix": endpoints.paths["rawsocket-unix"],
    }
    spec = {k: v.format(**where) if isinstance(v, str) else v for k, v in transport.items()}
    if "endpoint" in spec:
        spec["endpoint"] = {k: v.format(**where) for k, v in spec["endpoint"].items()}
    component = Component(transports=[{**spec, "max_retries": 0}], realm="realm1")
    seen: list[Any] = []

    @component.register("com.component.add")
    def add(a: int, b: int) -> int:
        return a + b

    @component.subscribe("com.component.topic")
    def on_event(value: Any) -> None:
        seen.append(value)

    @component.on_join
    async def joined(session: Any, details: Any) -> None:
        seen.append(await session.call("com.component.add", 20, 22))
        await session.publish(
            "com.component.topic", "own", options=PublishOptions(exclude_me=False, acknowledge=True)
        )
        while len(seen) < 2:
            await asyncio.sleep(0.01)
        await session.leave()

    finished = component.start(asyncio.get_running_loop())
    await wait(asyncio.wait([finished]))
    assert seen == [42, "own"]
    if transport["type"] == "websocket":
        assert finished.exception() is None
    else:
        finished.exception()  # retrieved (see above)
    for _ in range(100):  # the router sees the connection end
        if not router.connections:
            break
        await asyncio.sleep(0.01)
    assert router.connections == set()


async def test_ipv6_listener() -> None:
    listener = ListenerConfig("universal", host="::1", port=0)
    async with Router(RouterConfig(listeners=[listener])) as router:
        port = router.port()
        assert router.addresses == [f"universal [::1]:{port}"]
        peer = await RawPeer.open(f"rs://[::1]:{port}", "cbor")
        session = await peer.join()
        peer.send(_native.Call(1, {}, "wamp.session.get", [session]))
        result = await peer.next(_native.Result)
        assert result.args[0]["transport"]["peer"].startswith("tcp6:")
        peer.close()
