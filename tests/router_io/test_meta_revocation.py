"""wamp.subscription.remove_subscriber and wamp.registration.remove_callee over real sockets:
Autobahn sessions call them and are the callees; bare peers check the wire of a subscriber
with and without ``subscription_revocation``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError
from io_harness import Collector, Endpoints, Peer, RawPeer, join, settle, wait

from pywamp import _native


def subscriber_roles(revocation: bool) -> dict[str, Any]:
    features = {"subscription_revocation": True} if revocation else {}
    return {"subscriber": {"features": features}, "publisher": {}}


async def raw_subscriber(endpoints: Endpoints, topic: str, revocation: bool) -> tuple[RawPeer, int]:
    raw = await RawPeer.open(f"rs://127.0.0.1:{endpoints.ports['rawsocket']}", "cbor")
    await raw.join(roles=subscriber_roles(revocation))
    raw.send(_native.Subscribe(1, {}, topic))
    subscribed = await raw.next(_native.Subscribed)
    return raw, subscribed.subscription


async def error_of(peer: Peer, procedure: str, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ApplicationError) as info:
        await wait(peer.call(procedure, *args, **kwargs))
    return str(info.value.error)


async def test_remove_subscriber(endpoints: Endpoints) -> None:
    admin = await join(endpoints, "websocket", serializer="msgpack")
    gone = Collector()
    await wait(admin.subscribe(gone, "wamp.subscription.on_unsubscribe"))
    told, sid = await raw_subscriber(endpoints, "com.revoke.topic", revocation=True)
    quiet, sid2 = await raw_subscriber(endpoints, "com.revoke.topic", revocation=False)
    assert sid2 == sid
    call = "wamp.subscription.remove_subscriber"
    assert await error_of(admin, call, sid + 1, told.session) == "wamp.error.no_such_subscription"
    assert await error_of(admin, call, sid, 987654321) == "wamp.error.no_such_session"
    assert await error_of(admin, call, sid, admin.session_id) == ("wamp.error.no_such_subscription")

    assert await wait(admin.call(call, sid, told.session, reason="com.revoke.why")) is None
    revoked = await told.next()
    assert revoked == _native.Unsubscribed(0, {"subscription": sid, "reason": "com.revoke.why"})
    [(args, _)] = await gone.count(1)
    assert args == (told.session, sid)

    # Without the feature the router says nothing, but the events stop all the same.
    assert await wait(admin.call(call, sid, quiet.session)) is None
    await gone.count(2)
    admin.publish("com.revoke.topic", "after")
    await settle(admin)
    assert told.inbox.empty() and quiet.inbox.empty()
    assert await error_of(admin, "wamp.subscription.get", sid) == (
        "wamp.error.no_such_subscription"
    )
    told.close()
    quiet.close()
    await admin.close()


async def test_remove_callee(endpoints: Endpoints) -> None:
    admin = await join(endpoints, "websocket", serializer="cbor")
    callee = await join(endpoints, "rawsocket", serializer="msgpack")
    unregistered = Collector()
    await wait(admin.subscribe(unregistered, "wamp.registration.on_unregister"))
    reg = await wait(callee.register(lambda: "here", "com.revoke.proc"))
    assert await wait(admin.call("com.revoke.proc")) == "here"
    call = "wamp.registration.remove_callee"
    assert await error_of(admin, call, reg.id + 1, callee.session_id) == (
        "wamp.error.no_such_registration"
    )
    assert await error_of(admin, call, reg.id, 987654321) == "wamp.error.no_such_session"
    assert await error_of(admin, call, reg.id, admin.session_id) == (
        "wamp.error.no_such_registration"
    )
    assert await error_of(admin, call, reg.id, callee.session_id, reason=1) == (
        "wamp.error.invalid_argument"
    )

    # Autobahn announces registration_revocation and takes UNREGISTERED(0) in its stride.
    assert await wait(admin.call(call, reg.id, callee.session_id, reason="moving")) is None
    [(args, _)] = await unregistered.count(1)
    assert args == (callee.session_id, reg.id)
    assert await error_of(admin, "com.revoke.proc") == "wamp.error.no_such_procedure"
    assert callee.is_attached()
    # The URI is free for anyone, the revoked callee included.
    again = await wait(callee.register(lambda: "back", "com.revoke.proc"))
    assert again.id != reg.id
    assert await wait(admin.call("com.revoke.proc")) == "back"
    await asyncio.gather(admin.close(), callee.close())


async def test_remove_callee_of_a_bare_callee_without_the_feature(endpoints: Endpoints) -> None:
    admin = await join(endpoints, "websocket")
    raw = await RawPeer.open(f"rs://127.0.0.1:{endpoints.ports['rawsocket']}", "json")
    await raw.join(roles={"callee": {}})
    raw.send(_native.Register(1, {}, "com.revoke.bare"))
    rid = (await raw.next(_native.Registered)).registration
    assert await wait(admin.call("wamp.registration.remove_callee", rid, raw.session)) is None
    assert await error_of(admin, "com.revoke.bare") == "wamp.error.no_such_procedure"
    await settle(admin)
    assert raw.inbox.empty()
    raw.close()
    await admin.close()
