"""The meta API (wamp.session.*, wamp.registration.*, wamp.subscription.*) called and
subscribed to by Autobahn sessions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import RegisterOptions, SubscribeOptions
from io_harness import Collector, Endpoints, Peer, join, settle, wait


async def close_all(*peers: Peer) -> None:
    await asyncio.gather(*(peer.close() for peer in peers))


@pytest.mark.parametrize(
    ("transport", "serializer", "expected"),
    [
        ("rawsocket", "msgpack", {"type": "rawsocket", "is_secure": False}),
        ("rawsocket-unix", "json", {"type": "rawsocket", "peer": "unix"}),
        (
            "websocket",
            "cbor",
            {"type": "websocket", "http_path": "/ws", "protocol": "wamp.2.cbor"},
        ),
        ("tls-websocket", "json", {"type": "websocket", "is_secure": True}),
        ("tls-rawsocket", "cbor", {"type": "rawsocket", "is_secure": True}),
    ],
)
async def test_session_get_describes_the_session_and_its_transport(
    endpoints: Endpoints, transport: str, serializer: str, expected: dict[str, Any]
) -> None:
    peer = await join(endpoints, transport, serializer=serializer)
    asker = await join(endpoints, "websocket")
    info = await wait(asker.call("wamp.session.get", peer.session_id))
    me = peer.joined.result()
    assert info["session"] == me.session
    assert (info["realm"], info["authid"], info["authrole"], info["authmethod"]) == (
        "realm1",
        me.authid,
        "anonymous",
        "anonymous",
    )
    details = info["transport"]
    assert details["serializer"] == serializer
    assert expected.items() <= details.items()
    if transport == "rawsocket":
        assert details["peer"].startswith("tcp4:127.0.0.1:")
    await close_all(peer, asker)


async def test_session_count_and_list_with_role_filter(endpoints: Endpoints) -> None:
    admins = [
        await join(endpoints, realm="roles", authid=f"a{i}", authrole="admin") for i in (1, 2)
    ]
    user = await join(endpoints, "websocket", realm="roles", authid="u", authrole="user")
    assert await wait(user.call("wamp.session.count")) == 3
    assert await wait(user.call("wamp.session.count", ["admin"])) == 2
    assert sorted(await wait(user.call("wamp.session.list", ["admin"]))) == sorted(
        a.session_id for a in admins
    )
    assert await wait(user.call("wamp.session.list", ["user", "nobody"])) == [user.session_id]
    with pytest.raises(ApplicationError) as info:
        await wait(user.call("wamp.session.count", "admin"))
    assert info.value.error == "wamp.error.invalid_argument"
    await close_all(*admins, user)


async def test_session_join_and_leave_events(endpoints: Endpoints) -> None:
    watcher = await join(endpoints)
    joins, leaves = Collector(), Collector()
    await wait(watcher.subscribe(joins, "wamp.session.on_join"))
    await wait(watcher.subscribe(leaves, "wamp.session.on_leave"))
    newcomer = await join(endpoints, "websocket", serializer="cbor")
    [(args, _)] = await joins.count(1)
    assert args[0]["session"] == newcomer.session_id
    assert args[0]["authid"] == newcomer.joined.result().authid
    assert args[0]["transport"]["type"] == "websocket"
    sid, authid = newcomer.session_id, newcomer.joined.result().authid
    newcomer.drop()
    [(args, _)] = await leaves.count(1)
    assert args == (sid, authid, "anonymous")
    await watcher.close()


async def test_session_kill(endpoints: Endpoints) -> None:
    killer = await join(endpoints)
    victim = await join(endpoints, "websocket", serializer="msgpack")
    bystander = await join(endpoints, "rawsocket-unix")
    assert await wait(killer.call("wamp.session.kill", victim.session_id)) is None
    details = await wait(victim.left)
    assert details.reason == "wamp.close.normal"
    await wait(victim.disconnected)

    victim2 = await join(endpoints)
    await wait(
        killer.call(
            "wamp.session.kill", victim2.session_id, reason="com.app.bye", message="go home"
        )
    )
    details = await wait(victim2.left)
    assert (details.reason, details.message) == ("com.app.bye", "go home")

    with pytest.raises(ApplicationError) as info:
        await wait(killer.call("wamp.session.kill", killer.session_id))
    assert info.value.error == "wamp.error.no_such_session"
    with pytest.raises(ApplicationError) as info:
        await wait(killer.call("wamp.session.kill", bystander.session_id, reason="not a uri!"))
    assert info.value.error == "wamp.error.invalid_uri"
    assert await wait(bystander.call("wamp.session.count")) == 2
    await close_all(killer, bystander)


async def test_session_kill_by_authid_authrole_and_all(endpoints: Endpoints) -> None:
    who = [("x", "worker"), ("x", "worker"), ("y", "worker"), ("z", "boss")]
    peers = [await join(endpoints, realm="roles", authid=i, authrole=r) for i, r in who]
    killer = await join(endpoints, "websocket", realm="roles", authid="k", authrole="boss")
    ids = [peer.session_id for peer in peers]
    killed = await wait(killer.call("wamp.session.kill_by_authid", "x"))
    assert sorted(killed) == sorted(ids[:2])
    await wait(asyncio.gather(peers[0].disconnected, peers[1].disconnected))
    assert await wait(killer.call("wamp.session.kill_by_authrole", "worker")) == 1
    assert (await wait(peers[2].left)).reason == "wamp.close.normal"
    # kill_all spares the caller
    assert await wait(killer.call("wamp.session.kill_all")) == 1
    assert (await wait(peers[3].left)).reason == "wamp.close.normal"
    assert await wait(killer.call("wamp.session.list")) == [killer.session_id]
    await killer.close()


async def test_registration_meta_procedures_and_events(endpoints: Endpoints) -> None:
    watcher = await join(endpoints, "websocket")
    events: dict[str, Collector] = {}
    for name in ("on_create", "on_register", "on_unregister", "on_delete"):
        events[name] = Collector()
        await wait(watcher.subscribe(events[name], f"wamp.registration.{name}"))
    a = await join(endpoints)
    b = await join(endpoints, "rawsocket-unix", serializer="cbor")
    shared = RegisterOptions(invoke="roundrobin")
    reg_a = await wait(a.register(lambda: "a", "com.meta.proc", options=shared))
    reg_b = await wait(b.register(lambda: "b", "com.meta.proc", options=shared))
    assert reg_a.id == reg_b.id
    await wait(b.register(lambda: "p", "com.meta", options=RegisterOptions(match="prefix")))

    created, _ = (await events["on_create"].count(2))[0]
    assert created[0] == a.session_id
    assert created[1]["uri"] == "com.meta.proc"
    assert (created[1]["id"], created[1]["match"], created[1]["invoke"]) == (
        reg_a.id,
        "exact",
        "roundrobin",
    )
    registered = await events["on_register"].count(3)
    assert [args for args, _ in registered[:2]] == [
        (a.session_id, reg_a.id),
        (b.session_id, reg_a.id),
    ]

    listing = await wait(watcher.call("wamp.registration.list"))
    assert reg_a.id in listing["exact"] and len(listing["prefix"]) == 1
    assert await wait(watcher.call("wamp.registration.lookup", "com.meta.proc")) == reg_a.id
    assert await wait(watcher.call("wamp.registration.lookup", "com.nothing")) is None
    prefix_id = await wait(
        watcher.call("wamp.registration.lookup", "com.meta", {"match": "prefix"})
    )
    assert listing["prefix"] == [prefix_id]
    # match: the registration a call would reach
    assert await wait(watcher.call("wamp.registration.match", "com.meta.proc")) == reg_a.id
    assert await wait(watcher.call("wamp.registration.match", "com.meta.other")) == prefix_id
    assert await wait(watcher.call("wamp.registration.match", "org.none")) is None
    got = await wait(watcher.call("wamp.registration.get", reg_a.id))
    assert (got["uri"], got["match"], got["invoke"]) == ("com.meta.proc", "exact", "roundrobin")
    assert got["created"].endswith("Z")
    callees = await wait(watcher.call("wamp.registration.list_callees", reg_a.id))
    assert sorted(callees) == sorted([a.session_id, b.session_id])
    assert await wait(watcher.call("wamp.registration.count_callees", reg_a.id)) == 2
    with pytest.raises(ApplicationError) as info:
        await wait(watcher.call("wamp.registration.get", 123456789))
    assert info.value.error == "wamp.error.no_such_registration"

    await wait(reg_a.unregister())
    [(args, _)] = await events["on_unregister"].count(1)
    assert args == (a.session_id, reg_a.id)
    assert await events["on_delete"].quiet(0.05) == []
    b.drop()  # the last callee vanishes: its registrations are deleted
    deleted = await events["on_delete"].count(2)
    assert sorted(args[1] for args, _ in deleted) == sorted([reg_a.id, prefix_id])
    assert await wait(watcher.call("wamp.registration.list")) == {
        "exact": [],
        "prefix": [],
        "wildcard": [],
    }
    await close_all(watcher, a)


async def test_subscription_meta_procedures_and_events(endpoints: Endpoints) -> None:
    watcher = await join(endpoints, "websocket", serializer="msgpack")
    events: dict[str, Collector] = {}
    for name in ("on_create", "on_subscribe", "on_unsubscribe", "on_delete"):
        events[name] = Collector()
        await wait(watcher.subscribe(events[name], f"wamp.subscription.{name}"))
    me = watcher.session_id
    a = await join(endpoints)
    b = await join(endpoints, "tls-rawsocket")
    sub_a = await wait(a.subscribe(Collector(), "com.meta.topic"))
    sub_b = await wait(b.subscribe(Collector(), "com.meta.topic"))
    wild = await wait(b.subscribe(Collector(), "com..topic", options=SubscribeOptions("wildcard")))
    # The watcher sees the creation of its own subscriptions to on_create and the three
    # after it (each is in place when its event is published), and its subscribing to the
    # last three: they are left out.
    await events["on_create"].count(4 + 2)
    [created, created_wild] = [args for args, _ in events["on_create"].items if args[0] != me]
    assert created[0] == a.session_id
    assert (created[1]["id"], created[1]["uri"], created[1]["match"]) == (
        sub_a.id,
        "com.meta.topic",
        "exact",
    )
    assert created_wild[1]["match"] == "wildcard"
    await events["on_subscribe"].count(3 + 3)
    assert [args for args, _ in events["on_subscribe"].items if args[0] != me] == [
        (a.session_id, sub_a.id),
        (b.session_id, sub_b.id),
        (b.session_id, wild.id),
    ]

    listing = await wait(watcher.call("wamp.subscription.list"))
    assert sub_a.id in listing["exact"]
    assert listing["wildcard"] == [wild.id]
    # the configured event history topics are subscriptions of their own
    history = await wait(
        watcher.call("wamp.subscription.lookup", "com.history.pre.", {"match": "prefix"})
    )
    assert listing["prefix"] == [history]
    assert await wait(watcher.call("wamp.subscription.lookup", "com.meta.topic")) == sub_a.id
    assert (
        await wait(watcher.call("wamp.subscription.lookup", "com..topic", {"match": "wildcard"}))
        == wild.id
    )
    assert sorted(await wait(watcher.call("wamp.subscription.match", "com.meta.topic"))) == sorted(
        [sub_a.id, wild.id]
    )
    assert await wait(watcher.call("wamp.subscription.match", "org.none")) is None
    got = await wait(watcher.call("wamp.subscription.get", wild.id))
    assert (got["uri"], got["match"]) == ("com..topic", "wildcard")
    subscribers = await wait(watcher.call("wamp.subscription.list_subscribers", sub_a.id))
    assert sorted(subscribers) == sorted([a.session_id, b.session_id])
    assert await wait(watcher.call("wamp.subscription.count_subscribers", sub_a.id)) == 2
    with pytest.raises(ApplicationError) as info:
        await wait(watcher.call("wamp.subscription.get", 987654321))
    assert info.value.error == "wamp.error.no_such_subscription"

    await wait(sub_a.unsubscribe())
    [(args, _)] = await events["on_unsubscribe"].count(1)
    assert args == (a.session_id, sub_a.id)
    await b.close()
    deleted = await events["on_delete"].count(2)
    assert sorted(args[1] for args, _ in deleted) == sorted([sub_a.id, wild.id])
    await settle(watcher)
    assert await wait(watcher.call("wamp.subscription.lookup", "com.meta.topic")) is None
    await close_all(watcher, a)
