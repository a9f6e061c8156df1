"""Sessions joined to the router in process (no socket, no serialization) next to
Autobahn clients on sockets."""

from __future__ import annotations

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions
from io_harness import Collector, Endpoints, RawPeer, join, wait

from pywamp import _native
from pywamp.router.server import Router


async def test_inprocess_callee_and_subscriber_serve_socket_clients(
    router: Router, endpoints: Endpoints
) -> None:
    local = RawPeer()
    router.connect_inprocess(local)
    sid = await local.join()
    local.send(_native.Register(1, {}, "com.local.echo"))
    await local.next(_native.Registered)
    local.send(_native.Subscribe(2, {}, "com.mixed"))
    subscription = (await local.next(_native.Subscribed)).subscription

    caller = await join(endpoints, "websocket", serializer="cbor")
    socket_events = Collector()
    await wait(caller.subscribe(socket_events, "com.mixed"))
    listener = await join(endpoints, "rawsocket", serializer="json")
    await wait(listener.subscribe(socket_events, "com.mixed"))

    info = await wait(caller.call("wamp.session.get", sid))
    assert info["transport"]["type"] == "inprocess"

    reply = caller.call("com.local.echo", 1, b"\x00\x01", k={"x": [1.5]})
    invocation = await local.next(_native.Invocation)
    assert (invocation.args, invocation.kwargs) == ([1, b"\x00\x01"], {"k": {"x": [1.5]}})
    assert invocation.details["caller"] == caller.session_id
    local.send(_native.Yield(invocation.request_id, {}, ["echo"], {"bytes": b"\xff"}))
    result = await wait(reply)
    assert (list(result.results), result.kwresults) == (["echo"], {"bytes": b"\xff"})

    # one publication fanned out to an in-process and two socket subscribers
    await wait(
        caller.publish(
            "com.mixed", "all", options=PublishOptions(acknowledge=True, exclude_me=False)
        )
    )
    event = await local.next(_native.Event)
    assert (event.subscription, event.args) == (subscription, ["all"])
    assert event.details["publisher"] == caller.session_id
    assert [a for a, _ in await socket_events.count(2)] == [("all",), ("all",)]

    # an in-process publisher reaches the socket subscribers
    local.send(_native.Publish(3, {"acknowledge": True}, "com.mixed", ["from inside"]))
    await local.next(_native.Published)
    items = await socket_events.count(4)
    assert [a for a, _ in items[2:]] == [("from inside",), ("from inside",)]

    # the in-process callee goes away mid-call: the caller is told
    pending = caller.call("com.local.echo", 2)
    await local.next(_native.Invocation)
    local.close()
    with pytest.raises(ApplicationError) as error:
        await wait(pending)
    assert error.value.error == "wamp.error.canceled"
    await wait(local.closed)
    assert sid not in await wait(caller.call("wamp.session.list"))
    await caller.close()
    await listener.close()
