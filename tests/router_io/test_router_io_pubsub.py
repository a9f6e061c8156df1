"""The broker as Autobahn subscribers and publishers see it."""

from __future__ import annotations

import asyncio

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions, SubscribeOptions
from io_harness import Collector, Endpoints, Peer, RawPeer, join, settle, wait

from pywamp import _native

DETAILS = SubscribeOptions(details_arg="details")


def with_details(match: str = "exact", **kwargs: object) -> SubscribeOptions:
    return SubscribeOptions(match=match, details_arg="details", **kwargs)


async def close_all(*peers: Peer) -> None:
    await asyncio.gather(*(peer.close() for peer in peers))


async def test_exact_prefix_and_wildcard_subscriptions(endpoints: Endpoints) -> None:
    sub = await join(endpoints, "websocket", serializer="cbor")
    pub = await join(endpoints, "rawsocket", serializer="msgpack")
    exact, prefix, wildcard = Collector(), Collector(), Collector()
    s_exact = await wait(sub.subscribe(exact, "com.a.b", options=with_details()))
    s_prefix = await wait(sub.subscribe(prefix, "com.a", options=with_details("prefix")))
    s_wild = await wait(sub.subscribe(wildcard, "com..b", options=with_details("wildcard")))
    assert len({s_exact.id, s_prefix.id, s_wild.id}) == 3

    pub.publish("com.a.b", 1)  # all three: one EVENT per matching subscription
    pub.publish("com.a.x.y", 2)  # prefix only
    pub.publish("com.z.b", 3)  # wildcard only
    pub.publish("com.ab", 4)  # prefix only: the spec's prefix is a string prefix
    pub.publish("com.a.b.c", 5)  # prefix only: a wildcard matches the component count
    pub.publish("org.a.b", 6)  # none
    await settle(pub)
    await exact.count(1)
    await prefix.count(4)
    await wildcard.count(2)
    await asyncio.sleep(0.05)

    assert [a for a, _ in exact.items] == [(1,)]
    assert [a for a, _ in prefix.items] == [(1,), (2,), (4,), (5,)]
    assert [a for a, _ in wildcard.items] == [(1,), (3,)]
    # Details.topic names the concrete topic for pattern subscriptions
    topics = [k["details"].topic for _, k in prefix.items]
    assert topics == ["com.a.b", "com.a.x.y", "com.ab", "com.a.b.c"]
    assert [k["details"].topic for _, k in wildcard.items] == ["com.a.b", "com.z.b"]
    assert exact.items[0][1]["details"].subscription.id == s_exact.id
    # one publication, one id, seen through three subscriptions
    publications = {k["details"].publication for _, k in (exact.items[0], prefix.items[0])}
    publications.add(wildcard.items[0][1]["details"].publication)
    assert len(publications) == 1
    await close_all(sub, pub)


async def test_subscribers_of_the_same_topic_share_one_subscription(
    endpoints: Endpoints,
) -> None:
    a = await join(endpoints, "rawsocket")
    b = await join(endpoints, "universal-websocket", serializer="msgpack")
    sa = await wait(a.subscribe(Collector(), "com.shared"))
    sb = await wait(b.subscribe(Collector(), "com.shared"))
    sp = await wait(
        b.subscribe(Collector(), "com.shared", options=SubscribeOptions(match="prefix"))
    )
    assert sa.id == sb.id
    assert sp.id != sa.id
    assert sorted(await wait(a.call("wamp.subscription.list_subscribers", sa.id))) == sorted(
        [a.session_id, b.session_id]
    )
    await wait(sa.unsubscribe())
    assert await wait(a.call("wamp.subscription.list_subscribers", sa.id)) == [b.session_id]
    await close_all(a, b)


async def test_acknowledged_publish_and_refused_topics(endpoints: Endpoints) -> None:
    pub = await join(endpoints, "websocket", serializer="json")
    events = Collector()
    await wait(pub.subscribe(events, "com.ack", options=DETAILS))
    other = await join(endpoints)
    await wait(other.subscribe(events, "com.ack", options=DETAILS))
    publication = await wait(pub.publish("com.ack", "x", options=PublishOptions(acknowledge=True)))
    assert isinstance(publication.id, int) and publication.id > 0
    [(_, kwargs)] = await events.count(1)
    assert kwargs["details"].publication == publication.id
    with pytest.raises(ApplicationError) as info:
        await wait(pub.publish("wamp.reserved", options=PublishOptions(acknowledge=True)))
    assert info.value.error == "wamp.error.invalid_uri"
    await close_all(pub, other)


async def test_exclude_me(endpoints: Endpoints) -> None:
    pub = await join(endpoints, "rawsocket", serializer="cbor")
    own, others = Collector(), Collector()
    await wait(pub.subscribe(own, "com.me"))
    sub = await join(endpoints)
    await wait(sub.subscribe(others, "com.me"))
    pub.publish("com.me", "default")
    pub.publish("com.me", "excluded", options=PublishOptions(exclude_me=True))
    pub.publish("com.me", "included", options=PublishOptions(exclude_me=False))
    await others.count(3)
    assert [a for a, _ in await own.quiet()] == [("included",)]
    await close_all(pub, sub)


async def test_exclude_and_eligible_by_session(endpoints: Endpoints) -> None:
    pub = await join(endpoints)
    subs = [await join(endpoints, "websocket") for _ in range(3)]
    got = [Collector() for _ in subs]
    for peer, events in zip(subs, got, strict=True):
        await wait(peer.subscribe(events, "com.filter"))
    a, b, _ = (peer.session_id for peer in subs)
    pub.publish("com.filter", "not-b", options=PublishOptions(exclude=[b]))
    pub.publish("com.filter", "a-b", options=PublishOptions(eligible=[a, b]))
    pub.publish("com.filter", "a", options=PublishOptions(eligible=[a, b], exclude=[b]))
    pub.publish("com.filter", "all")
    for events in got:
        await events.count(1)
    await settle(pub, *subs)
    await asyncio.sleep(0.05)
    seen = [[args[0] for args, _ in events.items] for events in got]
    assert seen == [["not-b", "a-b", "a", "all"], ["a-b", "all"], ["not-b", "all"]]
    await close_all(pub, *subs)


async def test_exclude_and_eligible_by_authid_and_authrole(endpoints: Endpoints) -> None:
    who = [("alice", "admin"), ("bob", "user"), ("carol", "user")]
    subs = [await join(endpoints, realm="roles", authid=i, authrole=r) for i, r in who]
    pub = await join(endpoints, "websocket", realm="roles", authid="pub", authrole="admin")
    assert subs[1].joined.result().authid == "bob"
    got = [Collector() for _ in subs]
    for peer, events in zip(subs, got, strict=True):
        await wait(peer.subscribe(events, "com.roles"))
    options = [
        ("no-alice", PublishOptions(exclude_authid=["alice"])),
        ("bob-carol", PublishOptions(eligible_authid=["bob", "carol"])),
        ("no-users", PublishOptions(exclude_authrole=["user"])),
        ("users", PublishOptions(eligible_authrole=["user"])),
        ("users-not-bob", PublishOptions(eligible_authrole=["user"], exclude_authid=["bob"])),
    ]
    for name, option in options:
        pub.publish("com.roles", name, options=option)
    await settle(pub, *subs)
    await asyncio.sleep(0.05)
    seen = [[args[0] for args, _ in events.items] for events in got]
    assert seen == [
        ["no-users"],
        ["no-alice", "bob-carol", "users"],
        ["no-alice", "bob-carol", "users", "users-not-bob"],
    ]
    await close_all(pub, *subs)


async def test_publisher_is_disclosed_by_default(endpoints: Endpoints) -> None:
    pub = await join(endpoints, "rawsocket-unix", serializer="msgpack")
    sub = await join(endpoints)
    events = Collector()
    await wait(sub.subscribe(events, "com.who", options=DETAILS))
    pub.publish("com.who")
    [(_, kwargs)] = await events.count(1)
    details = kwargs["details"]
    me = pub.joined.result()
    assert (details.publisher, details.publisher_authid, details.publisher_authrole) == (
        me.session,
        me.authid,
        "anonymous",
    )
    await close_all(pub, sub)


async def test_realm_without_disclosure_hides_the_publisher_unless_asked(
    endpoints: Endpoints,
) -> None:
    pub = await join(endpoints, realm="private")
    sub = await join(endpoints, "websocket", realm="private")
    events = Collector()
    await wait(sub.subscribe(events, "com.who", options=DETAILS))
    pub.publish("com.who", "hidden")
    # Autobahn's PublishOptions has no disclose_me: a bare peer asks for it
    raw = await RawPeer.open(f"rs://127.0.0.1:{endpoints.ports['rawsocket']}")
    raw_id = await raw.join("private")
    raw.send(_native.Publish(1, {"disclose_me": True}, "com.who", ["shown"]))
    items = await events.count(2)
    assert {a[0]: k["details"].publisher for a, k in items} == {"hidden": None, "shown": raw_id}
    raw.close()
    await close_all(pub, sub)


async def test_retained_event_goes_to_later_subscribers_that_ask(endpoints: Endpoints) -> None:
    pub = await join(endpoints, "websocket", serializer="cbor")
    pub.publish("com.retained.x", "old", options=PublishOptions(retain=True))
    pub.publish("com.retained.x", "new", blob=b"\x01", options=PublishOptions(retain=True))
    pub.publish("com.retained.y", "y", options=PublishOptions(retain=True))
    pub.publish("com.retained.x", "not kept")  # not retained: the retained one stays
    await settle(pub)

    late = await join(endpoints)
    asked, asked_prefix, not_asked = Collector(), Collector(), Collector()
    await wait(late.subscribe(asked, "com.retained.x", options=with_details(get_retained=True)))
    await wait(
        late.subscribe(
            asked_prefix, "com.retained", options=with_details("prefix", get_retained=True)
        )
    )
    other = await join(endpoints, "websocket")
    await wait(other.subscribe(not_asked, "com.retained.x"))
    [(args, kwargs)] = await asked.count(1)
    assert args == ("new",)
    assert kwargs["blob"] == b"\x01"
    assert kwargs["details"].retained is True
    assert kwargs["details"].publisher == pub.session_id
    items = await asked_prefix.count(2)
    assert sorted((k["details"].topic, a[0]) for a, k in items) == [
        ("com.retained.x", "new"),
        ("com.retained.y", "y"),
    ]
    assert await not_asked.quiet() == []
    await close_all(pub, late, other)


async def test_event_history(endpoints: Endpoints) -> None:
    pub = await join(endpoints, "rawsocket", serializer="msgpack")
    for i in range(7):
        pub.publish("com.history.exact", i, i=i)
    pub.publish("com.history.pre.a", "a")
    pub.publish("com.history.pre.b", "b")
    await settle(pub)
    reader = await join(endpoints, "websocket")
    sub_id = await wait(reader.call("wamp.subscription.lookup", "com.history.exact"))
    assert isinstance(sub_id, int)
    events = await wait(reader.call("wamp.subscription.get_events", sub_id))
    assert [e["args"] for e in events] == [[2], [3], [4], [5], [6]]  # the last 5 are kept
    assert events[0]["kwargs"] == {"i": 2}
    assert all(e["subscription"] == sub_id and e["topic"] == "com.history.exact" for e in events)
    assert all(e["timestamp"].endswith("Z") for e in events)
    newest = await wait(reader.call("wamp.subscription.get_events", sub_id, reverse=True, limit=2))
    assert [e["args"] for e in newest] == [[6], [5]]
    pre = await wait(
        reader.call("wamp.subscription.lookup", "com.history.pre.", {"match": "prefix"})
    )
    only_b = await wait(reader.call("wamp.subscription.get_events", pre, topic="com.history.pre.b"))
    assert [(e["topic"], e["args"]) for e in only_b] == [("com.history.pre.b", ["b"])]
    with pytest.raises(ApplicationError) as info:
        plain = await wait(reader.subscribe(Collector(), "com.no.history"))
        await wait(reader.call("wamp.subscription.get_events", plain.id))
    assert info.value.error == "wamp.error.history_unavailable"
    await close_all(pub, reader)


@pytest.mark.parametrize("ending", ["goodbye", "connection lost"])
async def test_testament_is_published_when_the_session_ends(
    endpoints: Endpoints, ending: str
) -> None:
    watcher = await join(endpoints)
    wills = Collector()
    await wait(watcher.subscribe(wills, "com.will", options=DETAILS))
    dying = await join(endpoints, "websocket", serializer="cbor")
    await wait(dying.call("wamp.session.add_testament", "com.will", ["gone"], {"who": "me"}))
    await wait(
        dying.call("wamp.session.add_testament", "com.will", ["detached"], {}, scope="detached")
    )
    forgotten = await join(endpoints)
    await wait(forgotten.call("wamp.session.add_testament", "com.will", ["never"], {}))
    await wait(forgotten.call("wamp.session.flush_testaments"))
    await forgotten.close()
    if ending == "goodbye":
        await dying.close()
    else:
        dying.drop()
    items = await wills.count(2)
    assert [(a, {k: v for k, v in kw.items() if k != "details"}) for a, kw in items] == [
        (("detached",), {}),
        (("gone",), {"who": "me"}),
    ]
    assert await wills.quiet() == items  # the flushed testament never fires
    with pytest.raises(ApplicationError) as info:
        await wait(watcher.call("wamp.session.add_testament", "wamp.reserved", [], {}))
    assert info.value.error == "wamp.error.invalid_uri"
    await watcher.close()
