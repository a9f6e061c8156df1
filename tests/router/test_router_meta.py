"""Meta API: session, registration and subscription procedures and events; testaments."""

from __future__ import annotations

from typing import Any

from router_harness import Client, HelloIdentity, Net

from pywamp._native import (
    Call,
    Error,
    Event,
    Goodbye,
    Hello,
    Invocation,
    Publish,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Unregister,
    Unsubscribe,
    Welcome,
)
from pywamp.router import RealmConfig
from pywamp.router.session import CLOSED, CLOSING, NEW


def meta(client: Client, procedure: str, *args: Any, **kwargs: Any) -> Any:
    client.send(Call(client.request_id(), {}, procedure, list(args), kwargs or None))
    return client.take_one()


def ok(client: Client, procedure: str, *args: Any, **kwargs: Any) -> Any:
    answer = meta(client, procedure, *args, **kwargs)
    assert type(answer) is Result, answer
    return answer.args[0] if answer.args else None


def listen(client: Client, *topics: str) -> None:
    for topic in topics:
        client.send(Subscribe(client.request_id(), {}, topic))
        assert type(client.take()[0]) is Subscribed  # may be followed by its own meta events


def events(client: Client) -> list[tuple[str, list[Any]]]:
    """(topic, args) of each received EVENT, topic found by subscription id."""
    names = {sid: sub.uri for sid, sub in client.session.subscriptions.items()}
    return [(names[e.subscription], e.args) for e in client.take() if type(e) is Event]


def crowd() -> tuple[Net, Client, Client, Client]:
    net = Net(RealmConfig(authenticator=HelloIdentity()))
    a = net.join(authid="alice", authrole="admin")
    b = net.join(authid="bob", authrole="user")
    c = net.join(authid="bob", authrole="guest")
    return net, a, b, c


def test_session_count_list_get() -> None:
    _net, a, b, c = crowd()
    assert ok(a, "wamp.session.count") == 3
    assert ok(a, "wamp.session.count", ["user", "guest"]) == 2
    assert sorted(ok(a, "wamp.session.list")) == sorted([a.id, b.id, c.id])
    assert ok(a, "wamp.session.list", ["admin"]) == [a.id]
    details = ok(a, "wamp.session.get", b.id)
    assert details["session"] == b.id
    assert (details["authid"], details["authrole"]) == ("bob", "user")
    assert details["authmethod"] == "test" and details["authprovider"] == "hello"
    assert details["transport"] == {"type": "test"}
    error = meta(a, "wamp.session.get", 12345)
    assert type(error) is Error and error.error == "wamp.error.no_such_session"
    error = meta(a, "wamp.session.get", "x")
    assert error.error == "wamp.error.invalid_argument"


def test_session_join_and_leave_events() -> None:
    net = Net()
    watcher = net.join()
    listen(watcher, "wamp.session.on_join", "wamp.session.on_leave")
    newcomer = net.join()
    [(topic, args)] = events(watcher)
    assert topic == "wamp.session.on_join"
    assert args[0]["session"] == newcomer.id
    assert args[0]["authrole"] == "anonymous"
    sid, authid = newcomer.id, newcomer.session.authid
    newcomer.drop()
    assert events(watcher) == [("wamp.session.on_leave", [sid, authid, "anonymous"])]


def test_on_leave_in_crossbar_shape() -> None:
    net = Net(RealmConfig(on_leave_args="crossbar"))
    watcher = net.join()
    listen(watcher, "wamp.session.on_leave")
    leaver = net.join()
    sid = leaver.id
    leaver.send(Goodbye({}, "wamp.close.normal"))
    assert events(watcher) == [("wamp.session.on_leave", [sid])]


def test_kill_sends_goodbye_and_waits_for_the_answer() -> None:
    net, a, b, c = crowd()
    listen(c, "wamp.session.on_leave")
    assert meta(a, "wamp.session.kill", b.id, reason="wamp.close.bye", message="out") == Result(
        a._request, {}
    )
    goodbye = b.take_one(Goodbye)
    assert (goodbye.reason, goodbye.details) == ("wamp.close.bye", {"message": "out"})
    assert b.session.state == CLOSING
    assert [t for t, _ in events(c)] == ["wamp.session.on_leave"]
    assert ok(a, "wamp.session.count") == 2
    b.send(Publish(1, {}, "ignored"))  # dropped while closing
    b.send(Goodbye({}, "wamp.close.goodbye_and_out"))
    assert b.session.state == NEW and b.closed is None
    assert net.core.next_deadline() is None
    b.send(Hello("realm1", {"roles": {"caller": {}}}))
    assert type(b.take_one()) is Welcome


def test_killed_session_that_does_not_answer_is_closed() -> None:
    net, a, b, _ = crowd()
    ok(a, "wamp.session.kill", b.id)
    assert b.take_one(Goodbye).reason == "wamp.close.normal"
    net.advance(4.9)
    assert b.closed is None
    net.advance(0.2)
    assert b.closed == "wamp.close.killed"
    assert b.session.state == CLOSED


def test_kill_refuses_self_and_bad_reason() -> None:
    _net, a, b, _ = crowd()
    assert meta(a, "wamp.session.kill", a.id).error == "wamp.error.no_such_session"
    assert meta(a, "wamp.session.kill", b.id, reason="not a uri").error == "wamp.error.invalid_uri"
    assert b.take() == []


def test_kill_by_authid_authrole_and_all() -> None:
    _net, a, b, c = crowd()
    bobs = sorted([b.id, c.id])
    killed = ok(a, "wamp.session.kill_by_authid", "bob")
    assert sorted(killed) == bobs
    assert b.take_one(Goodbye) and c.take_one(Goodbye)
    _net2, a2, b2, c2 = crowd()
    assert ok(a2, "wamp.session.kill_by_authrole", "admin") == 0  # the caller is spared
    assert ok(a2, "wamp.session.kill_by_authrole", "guest") == 1
    assert c2.take_one(Goodbye)
    listen(a2, "wamp.session.on_leave")
    assert ok(a2, "wamp.session.kill_all") == 1
    assert b2.take_one(Goodbye)
    assert a2.take() == []  # kill_all publishes no meta events
    assert ok(a2, "wamp.session.list") == [a2.id]


def test_registration_meta_procedures() -> None:
    net = Net()
    callee = net.join()
    other = net.join()
    callee.send(Register(callee.request_id(), {"invoke": "roundrobin"}, "com.svc"))
    rid = callee.take_one(Registered).registration
    other.send(Register(other.request_id(), {"invoke": "roundrobin"}, "com.svc"))
    other.take()
    callee.send(Register(callee.request_id(), {"match": "prefix"}, "com"))
    pid = callee.take_one(Registered).registration
    q = net.join()
    assert ok(q, "wamp.registration.list") == {"exact": [rid], "prefix": [pid], "wildcard": []}
    assert ok(q, "wamp.registration.lookup", "com.svc") == rid
    assert ok(q, "wamp.registration.lookup", "com", {"match": "prefix"}) == pid
    assert ok(q, "wamp.registration.lookup", "com") is None
    assert ok(q, "wamp.registration.match", "com.svc") == rid
    assert ok(q, "wamp.registration.match", "com.other") == pid
    assert ok(q, "wamp.registration.match", "org.x") is None
    details = ok(q, "wamp.registration.get", rid)
    assert details["id"] == rid and details["uri"] == "com.svc"
    assert (details["match"], details["invoke"]) == ("exact", "roundrobin")
    assert details["created"].endswith("Z")
    assert sorted(ok(q, "wamp.registration.list_callees", rid)) == sorted([callee.id, other.id])
    assert ok(q, "wamp.registration.count_callees", rid) == 2
    assert meta(q, "wamp.registration.get", 999).error == "wamp.error.no_such_registration"
    assert meta(q, "wamp.registration.count_callees", 999).error == (
        "wamp.error.no_such_registration"
    )


def test_registration_meta_events_in_order() -> None:
    net = Net()
    watcher = net.join()
    listen(
        watcher,
        "wamp.registration.on_create",
        "wamp.registration.on_register",
        "wamp.registration.on_unregister",
        "wamp.registration.on_delete",
    )
    a, b = net.join(), net.join()
    a.send(Register(a.request_id(), {"invoke": "first"}, "p"))
    rid = a.take_one(Registered).registration
    got = events(watcher)
    assert [t for t, _ in got] == ["wamp.registration.on_create", "wamp.registration.on_register"]
    assert got[0][1][0] == a.id and got[0][1][1]["id"] == rid
    assert got[1][1] == [a.id, rid]
    b.send(Register(b.request_id(), {"invoke": "first"}, "p"))
    assert events(watcher) == [("wamp.registration.on_register", [b.id, rid])]
    a.send(Unregister(a.request_id(), rid))
    assert events(watcher) == [("wamp.registration.on_unregister", [a.id, rid])]
    bid = b.id
    b.drop()
    assert events(watcher) == [
        ("wamp.registration.on_unregister", [bid, rid]),
        ("wamp.registration.on_delete", [bid, rid]),
    ]


def test_subscription_meta_procedures_and_events() -> None:
    net = Net()
    watcher = net.join()
    listen(
        watcher,
        "wamp.subscription.on_create",
        "wamp.subscription.on_subscribe",
        "wamp.subscription.on_unsubscribe",
        "wamp.subscription.on_delete",
    )
    metas = set(watcher.session.subscriptions)
    a, b = net.join(), net.join()
    a.send(Subscribe(a.request_id(), {}, "com.t"))
    sid = a.take_one(Subscribed).subscription
    got = events(watcher)
    assert [t for t, _ in got] == ["wamp.subscription.on_create", "wamp.subscription.on_subscribe"]
    assert got[0][1][1]["uri"] == "com.t" and got[1][1] == [a.id, sid]
    b.send(Subscribe(b.request_id(), {"match": "wildcard"}, "com."))
    wid = b.take_one(Subscribed).subscription
    watcher.take()
    lists = ok(watcher, "wamp.subscription.list")
    assert sid in lists["exact"] and lists["wildcard"] == [wid] and lists["prefix"] == []
    assert set(lists["exact"]) == metas | {sid}
    assert ok(watcher, "wamp.subscription.lookup", "com.t") == sid
    assert ok(watcher, "wamp.subscription.lookup", "com.", {"match": "wildcard"}) == wid
    assert sorted(ok(watcher, "wamp.subscription.match", "com.t")) == sorted([sid, wid])
    assert ok(watcher, "wamp.subscription.match", "org") is None
    assert ok(watcher, "wamp.subscription.get", sid)["match"] == "exact"
    assert ok(watcher, "wamp.subscription.list_subscribers", sid) == [a.id]
    assert ok(watcher, "wamp.subscription.count_subscribers", wid) == 1
    assert (
        meta(watcher, "wamp.subscription.get", 1 << 40).error == "wamp.error.no_such_subscription"
    )
    a.send(Unsubscribe(a.request_id(), sid))
    a.take()
    assert events(watcher) == [
        ("wamp.subscription.on_unsubscribe", [a.id, sid]),
        ("wamp.subscription.on_delete", [a.id, sid]),
    ]


def test_leaving_session_gets_no_meta_events_about_itself() -> None:
    net = Net()
    me = net.join()
    listen(me, "wamp.subscription.on_unsubscribe", "wamp.session.on_leave")
    me.drop()
    assert me.take() == []


def test_meta_api_can_be_disabled() -> None:
    net = Net(RealmConfig(meta_api=False))
    watcher = net.join()
    listen(watcher, "wamp.session.on_join")
    net.join()
    assert watcher.take() == []
    assert meta(watcher, "wamp.session.count").error == "wamp.error.no_such_procedure"


# -- testaments ------------------------------------------------------------------------


def test_testaments_are_published_when_the_session_goes() -> None:
    net = Net()
    watcher = net.join()
    listen(watcher, "app.gone", "app.detached")
    dying = net.join()
    ok(dying, "wamp.session.add_testament", "app.gone", ["bye"], {"who": 1})
    ok(dying, "wamp.session.add_testament", "app.gone", ["second"])
    ok(dying, "wamp.session.add_testament", "app.detached", [], None, scope="detached")
    sid = dying.id
    dying.drop()
    got = [e for e in watcher.take() if type(e) is Event]
    assert [e.args or [] for e in got] == [[], ["bye"], ["second"]]  # detached first
    assert got[1].kwargs == {"who": 1}
    assert got[1].details["publisher"] == sid


def test_flushed_testaments_are_not_published() -> None:
    net = Net()
    watcher = net.join()
    listen(watcher, "app.gone")
    client = net.join()
    ok(client, "wamp.session.add_testament", "app.gone", ["a"])
    ok(client, "wamp.session.add_testament", "app.gone", ["b"], scope="detached")
    ok(client, "wamp.session.flush_testaments")
    client.send(Goodbye({}, "wamp.close.normal"))
    assert [e.args for e in watcher.take()] == [["b"]]


def test_testament_arguments_are_checked() -> None:
    net = Net()
    client = net.join()
    assert (
        meta(client, "wamp.session.add_testament", "bad..topic").error == "wamp.error.invalid_uri"
    )
    assert meta(client, "wamp.session.add_testament", "wamp.x").error == "wamp.error.invalid_uri"
    assert meta(client, "wamp.session.add_testament", "t", "x").error == (
        "wamp.error.invalid_argument"
    )
    assert meta(client, "wamp.session.add_testament", "t", [], scope="never").error == (
        "wamp.error.invalid_argument"
    )
    assert meta(
        client, "wamp.session.add_testament", "t", [], {}, publish_options={"exclude": "x"}
    ).error == ("wamp.error.invalid_argument")
    assert meta(client, "wamp.session.flush_testaments", scope="x").error == (
        "wamp.error.invalid_argument"
    )


def test_testament_publish_options_apply() -> None:
    net = Net(RealmConfig(authenticator=HelloIdentity()))
    alice = net.join(authid="alice")
    bob = net.join(authid="bob")
    listen(alice, "t")
    listen(bob, "t")
    dying = net.join(authid="d")
    ok(
        dying,
        "wamp.session.add_testament",
        "t",
        [1],
        {},
        publish_options={"exclude_authid": ["bob"]},
    )
    dying.drop()
    assert len(alice.take()) == 1 and bob.take() == []


def test_meta_procedures_cannot_be_called_progressively() -> None:
    net = Net()
    client = net.join()
    client.send(Call(1, {"progress": True}, "wamp.session.count"))
    assert client.take_one(Error).error == "wamp.error.feature_not_supported"


def test_meta_call_with_invocations_elsewhere_is_answered_directly() -> None:
    net = Net()
    callee = net.join()
    callee.send(Register(1, {"match": "prefix"}, "wamp2"))
    callee.take()
    caller = net.join()
    assert ok(caller, "wamp.session.count") == 2
    assert callee.take() == []
    caller.send(Call(caller.request_id(), {}, "wamp2.x"))
    assert type(callee.take_one()) is Invocation
