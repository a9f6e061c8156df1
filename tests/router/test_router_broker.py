"""Broker: subscriptions, events, filters, disclosure, retention, history."""

from __future__ import annotations

from typing import Any

import pytest
from router_harness import Client, HelloIdentity, Net

from pywamp._native import (
    Call,
    Error,
    Event,
    Publish,
    Published,
    Result,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
)
from pywamp.router import Disclosure, HistoryTopic, RealmConfig


def subscribe(client: Client, topic: str, **options: Any) -> int:
    client.send(Subscribe(client.request_id(), options, topic))
    got = client.take()
    assert type(got[0]) is Subscribed, got
    client.inbox = got[1:]
    return int(got[0].subscription)


def publish(client: Client, topic: str, *args: Any, **options: Any) -> None:
    client.send(Publish(client.request_id(), options, topic, list(args) or None))


def call(client: Client, procedure: str, *args: Any, **kwargs: Any) -> Any:
    client.send(Call(client.request_id(), {}, procedure, list(args), kwargs or None))
    return client.take_one()


def test_exact_subscription_receives_events_without_topic_detail() -> None:
    net = Net()
    sub, pub = net.join(), net.join()
    sid = subscribe(sub, "com.example.t")
    publish(pub, "com.example.t", 1, 2)
    event = sub.take_one(Event)
    assert event.subscription == sid
    assert event.args == [1, 2]
    assert "topic" not in event.details
    assert 1 <= event.publication <= 2**53
    assert pub.take() == []  # no PUBLISHED without acknowledge


def test_subscribers_of_the_same_topic_and_match_share_one_subscription() -> None:
    net = Net()
    a, b, c = net.join(), net.join(), net.join()
    sa = subscribe(a, "t.x")
    sb = subscribe(b, "t.x")
    sc = subscribe(c, "t.x", match="prefix")
    assert sa == sb != sc
    assert subscribe(a, "t.x") == sa  # subscribing twice is idempotent
    pub = net.join()
    publish(pub, "t.x", "hi")
    sends = [s for s in net.sends if type(s.message) is Event]
    assert len(sends) == 2  # one EVENT object per subscription
    exact = next(s for s in sends if s.message.subscription == sa)
    assert set(exact.recipients) == {a.session, b.session}
    assert len(a.take()) == 1


def test_pattern_subscriptions_get_the_topic_and_one_event_each() -> None:
    net = Net()
    s = net.join()
    exact = subscribe(s, "com.myapp.a.update")
    prefix = subscribe(s, "com.myapp", match="prefix")
    wild = subscribe(s, "com.myapp..update", match="wildcard")
    publish(net.join(), "com.myapp.a.update", 7)
    events = {e.subscription: e for e in s.take()}
    assert set(events) == {exact, prefix, wild}
    assert "topic" not in events[exact].details
    assert events[prefix].details["topic"] == "com.myapp.a.update"
    assert events[wild].details["topic"] == "com.myapp.a.update"
    publish(net.join(), "com.myapp.b.delete", 1)
    assert [e.subscription for e in s.take()] == [prefix]


def test_acknowledge_returns_the_publication_id() -> None:
    net = Net()
    sub, pub = net.join(), net.join()
    subscribe(sub, "t")
    publish(pub, "t", acknowledge=True)
    published = pub.take_one(Published)
    assert published.request_id == 1
    assert sub.take_one(Event).publication == published.publication


def test_publisher_is_excluded_unless_it_asks() -> None:
    net = Net()
    me = net.join()
    subscribe(me, "t")
    publish(me, "t", 1)
    assert me.take() == []
    publish(me, "t", 2, exclude_me=False)
    assert me.take_one(Event).args == [2]


def make_crowd() -> tuple[Net, dict[str, Client]]:
    net = Net(RealmConfig(authenticator=HelloIdentity()))
    crowd = {
        "a1": net.join(authid="alice", authrole="admin"),
        "a2": net.join(authid="alice", authrole="user"),
        "b1": net.join(authid="bob", authrole="user"),
        "c1": net.join(authid="carol", authrole="guest"),
    }
    for client in crowd.values():
        subscribe(client, "t")
    return net, crowd


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"a1", "a2", "b1", "c1"}),
        ({"exclude_authid": ["alice"]}, {"b1", "c1"}),
        ({"eligible_authid": ["alice"]}, {"a1", "a2"}),
        ({"exclude_authrole": ["user"]}, {"a1", "c1"}),
        ({"eligible_authrole": ["user", "guest"]}, {"a2", "b1", "c1"}),
        ({"eligible_authid": ["alice", "bob"], "exclude_authrole": ["admin"]}, {"a2", "b1"}),
        ({"eligible_authrole": ["nobody"]}, set()),
    ],
)
def test_black_and_white_lists_are_anded(options: dict[str, Any], expected: set[str]) -> None:
    net, crowd = make_crowd()
    publisher = net.join(authid="pub", authrole="publisher")
    publish(publisher, "t", **options)
    got = {name for name, c in crowd.items() if c.take()}
    assert got == expected


def test_session_id_lists_and_exclude_me() -> None:
    _net, crowd = make_crowd()
    a1, b1, c1 = crowd["a1"], crowd["b1"], crowd["c1"]
    publish(a1, "t", exclude=[b1.id])
    assert {n for n, c in crowd.items() if c.take()} == {"a2", "c1"}
    publish(a1, "t", eligible=[a1.id, b1.id, c1.id], exclude=[c1.id], exclude_me=False)
    assert {n for n, c in crowd.items() if c.take()} == {"a1", "b1"}
    publish(a1, "t", eligible=[a1.id])  # only the publisher, which is excluded
    assert {n for n, c in crowd.items() if c.take()} == set()


def test_default_realm_discloses_the_publisher() -> None:
    net = Net()
    sub, pub = net.join(), net.join()
    subscribe(sub, "t")
    publish(pub, "t")
    details = sub.take_one(Event).details
    assert details["publisher"] == pub.id
    assert details["publisher_authid"] == pub.session.authid
    assert details["publisher_authrole"] == "anonymous"


def test_disclosure_can_be_turned_off_per_role_and_asked_for() -> None:
    config = RealmConfig(
        authenticator=HelloIdentity(), role_disclose={"quiet": Disclosure(publisher=False)}
    )
    net = Net(config)
    sub = net.join(authid="s", authrole="user")
    quiet = net.join(authid="q", authrole="quiet")
    subscribe(sub, "t")
    publish(quiet, "t")
    assert "publisher" not in sub.take_one(Event).details
    publish(quiet, "t", disclose_me=True)
    assert sub.take_one(Event).details["publisher"] == quiet.id


def test_invalid_and_reserved_topics() -> None:
    net = Net(RealmConfig(strict_uris=True))
    client = net.join()
    for topic in ("a..b", "a b", "Com.Upper", "wamp.session.on_join", "a.", "#x"):
        client.send(Publish(client.request_id(), {"acknowledge": True}, topic))
        error = client.take_one(Error)
        assert error.error == "wamp.error.invalid_uri", topic
        assert error.request_type == Publish.TYPE
        client.send(Publish(client.request_id(), {}, topic))
        assert client.take() == []  # unacknowledged: silently dropped
    client.send(Subscribe(client.request_id(), {}, "a..b"))
    assert client.take_one(Error).error == "wamp.error.invalid_uri"
    assert subscribe(client, "a..b", match="wildcard")
    assert subscribe(client, "wamp.session.on_join")  # meta topics can be subscribed


def test_loose_uris_by_default() -> None:
    net = Net()
    sub = net.join()
    subscribe(sub, "Com.Upper-Case")
    publish(net.join(), "Com.Upper-Case", 1)
    assert sub.take_one(Event).args == [1]


def test_unsubscribe() -> None:
    net = Net()
    a, b = net.join(), net.join()
    sid = subscribe(a, "t")
    subscribe(b, "t")
    a.send(Unsubscribe(a.request_id(), sid))
    assert a.take_one(Unsubscribed).request_id == 2
    publish(net.join(), "t")
    assert a.take() == []
    assert len(b.take()) == 1
    a.send(Unsubscribe(a.request_id(), sid))
    error = a.take_one(Error)
    assert (error.request_type, error.error) == (
        Unsubscribe.TYPE,
        "wamp.error.no_such_subscription",
    )
    b.send(Unsubscribe(b.request_id(), sid))
    b.take()
    assert net.core.realms["realm1"].broker.by_id == {}
    # a new subscription after deletion gets a new id
    assert subscribe(a, "t") != sid


def test_leaving_session_is_removed_from_subscriptions() -> None:
    net = Net()
    a, b = net.join(), net.join()
    subscribe(a, "t")
    sid = subscribe(b, "t")
    a.drop()
    publish(net.join(), "t")
    assert len(b.take()) == 1
    b.drop()
    assert sid not in net.core.realms["realm1"].broker.by_id


# -- retention -------------------------------------------------------------------------


def test_retained_event_is_sent_after_subscribed() -> None:
    net = Net()
    pub = net.join()
    publish(pub, "state.x", "old", retain=True)
    publish(pub, "state.x", "new", retain=True, acknowledge=True)
    publication = pub.take_one(Published).publication
    publish(pub, "state.y", "y", retain=True)
    late = net.join()
    late.send(Subscribe(late.request_id(), {"get_retained": True}, "state.x"))
    subscribed, event = late.take()
    assert type(subscribed) is Subscribed and type(event) is Event
    assert event.args == ["new"]
    assert event.publication == publication
    assert event.details["retained"] is True
    assert event.details["publisher"] == pub.id
    other = net.join()
    subscribe(other, "state.x")  # without get_retained: nothing
    assert other.take() == []


def test_retained_events_for_pattern_subscriptions_and_filters() -> None:
    net = Net(RealmConfig(authenticator=HelloIdentity()))
    pub = net.join(authid="p")
    publish(pub, "state.a", 1, retain=True)
    publish(pub, "state.b", 2, retain=True, exclude_authid=["eve"])
    publish(pub, "other.c", 3, retain=True)
    alice = net.join(authid="alice")
    eve = net.join(authid="eve")
    for client in (alice, eve):
        client.send(
            Subscribe(client.request_id(), {"get_retained": True, "match": "prefix"}, "state")
        )
    got = {e.args[0]: e for e in alice.take()[1:]}
    assert set(got) == {1, 2}
    assert got[2].details["topic"] == "state.b"
    assert [e.args[0] for e in eve.take()[1:]] == [1]


def test_retention_can_be_disabled() -> None:
    net = Net(RealmConfig(retention=False))
    pub = net.join()
    publish(pub, "s", 1, retain=True)
    late = net.join()
    late.send(Subscribe(late.request_id(), {"get_retained": True}, "s"))
    assert len(late.take()) == 1


def test_publisher_exclusion_applies_to_its_retained_event() -> None:
    net = Net()
    pub = net.join()
    publish(pub, "s", 1, retain=True)
    pub.send(Subscribe(pub.request_id(), {"get_retained": True}, "s"))
    assert len(pub.take()) == 1


# -- history ---------------------------------------------------------------------------


def history_net() -> Net:
    return Net(
        RealmConfig(
            authenticator=HelloIdentity(),
            history=[HistoryTopic("log.auth", limit=3), HistoryTopic("log", "prefix", 10)],
        )
    )


def lookup(client: Client, topic: str, match: str = "exact") -> int:
    result = call(client, "wamp.subscription.lookup", topic, {"match": match})
    assert type(result) is Result, result
    return int(result.args[0])


def test_history_is_kept_without_subscribers_and_limited() -> None:
    net = history_net()
    pub = net.join(authid="p")
    for i in range(5):
        net.now += 1
        publish(pub, "log.auth", i)
    reader = net.join(authid="r")
    sid = lookup(reader, "log.auth")
    result = call(reader, "wamp.subscription.get_events", sid)
    events = result.args[0]
    assert [e["args"] for e in events] == [[2], [3], [4]]
    assert events[0]["subscription"] == sid
    assert events[0]["topic"] == "log.auth"
    assert events[0]["timestamp"].endswith("Z")
    assert events[0]["details"]["publisher"] == pub.id
    # a subscriber joins the pre-created subscription
    assert subscribe(reader, "log.auth") == sid


def test_history_query_options() -> None:
    net = history_net()
    pub = net.join(authid="p")
    pubs = []
    for i in range(6):
        net.now += 1
        pub.send(Publish(pub.request_id(), {"acknowledge": True}, f"log.t{i % 2}", [i]))
        pubs.append(pub.take_one(Published).publication)
    reader = net.join()
    sid = lookup(reader, "log", "prefix")

    def events(**kw: Any) -> list[int]:
        reader.send(Call(reader.request_id(), {}, "wamp.subscription.get_events", [sid], kw))
        answer = reader.take_one()
        assert type(answer) is Result, answer
        return [e["args"][0] for e in answer.args[0]]

    assert events() == [0, 1, 2, 3, 4, 5]
    assert events(reverse=True, limit=2) == [5, 4]
    assert events(topic="log.t1") == [1, 3, 5]
    assert events(after_publication=pubs[3]) == [4, 5]
    assert events(from_publication=pubs[3]) == [3, 4, 5]
    assert events(before_publication=pubs[2]) == [0, 1]
    assert events(until_publication=pubs[2]) == [0, 1, 2]
    all_events = call(reader, "wamp.subscription.get_events", sid).args[0]
    stamp = all_events[2]["timestamp"]
    assert events(from_time=stamp) == [2, 3, 4, 5]
    assert events(after_time=stamp) == [3, 4, 5]
    assert events(before_time=stamp) == [0, 1]
    assert events(until_time=stamp) == [0, 1, 2]
    reader.send(Call(reader.request_id(), {}, "wamp.subscription.get_events", [sid], {"limit": 0}))
    assert reader.take_one(Error).error == "wamp.error.invalid_argument"


def test_history_respects_identity_filters_and_skips_session_filters() -> None:
    net = history_net()
    pub = net.join(authid="p")
    publish(pub, "log.auth", "for admins", eligible_authrole=["admin"])
    publish(pub, "log.auth", "by session", exclude=[12345])
    publish(pub, "log.auth", "public")
    admin = net.join(authid="a", authrole="admin")
    user = net.join(authid="u", authrole="user")
    sid = lookup(admin, "log.auth")
    assert [e["args"][0] for e in call(admin, "wamp.subscription.get_events", sid).args[0]] == [
        "for admins",
        "public",
    ]
    assert [e["args"][0] for e in call(user, "wamp.subscription.get_events", sid).args[0]] == [
        "public"
    ]


def test_history_unavailable_for_plain_subscriptions() -> None:
    net = Net()
    client = net.join()
    sid = subscribe(client, "t")
    error = call(client, "wamp.subscription.get_events", sid)
    assert type(error) is Error and error.error == "wamp.error.history_unavailable"
    error = call(client, "wamp.subscription.get_events", 999)
    assert error.error == "wamp.error.no_such_subscription"


def test_history_subscription_is_not_deleted_with_its_last_subscriber() -> None:
    net = history_net()
    client = net.join()
    sid = subscribe(client, "log.auth")
    client.send(Unsubscribe(client.request_id(), sid))
    client.take()
    assert sid in net.core.realms["realm1"].broker.by_id


def test_bad_history_config_is_refused() -> None:
    with pytest.raises(ValueError):
        Net(RealmConfig(history=[HistoryTopic("a..b")]))
    with pytest.raises(ValueError):
        Net(RealmConfig(history=[HistoryTopic("a", limit=0)]))
