"""Meta API revocation: wamp.subscription.remove_subscriber and wamp.registration.remove_callee."""

from __future__ import annotations

import copy
from typing import Any

from router_harness import FULL_ROLES, Client, Net
from test_router_meta import events, listen, meta, ok

from pywamp._native import (
    Call,
    Error,
    Event,
    Invocation,
    Publish,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Unregister,
    Unregistered,
    Unsubscribe,
    Unsubscribed,
    Yield,
)


def revocable() -> dict[str, Any]:
    """Client roles that announce both revocation features."""
    roles = copy.deepcopy(FULL_ROLES)
    roles["subscriber"].setdefault("features", {})["subscription_revocation"] = True
    roles["callee"]["features"]["registration_revocation"] = True
    return roles


def subscribe(client: Client, topic: str, **options: Any) -> int:
    client.send(Subscribe(client.request_id(), options, topic))
    sid: int = client.take_one(Subscribed).subscription
    return sid


def register(client: Client, procedure: str, **options: Any) -> int:
    client.send(Register(client.request_id(), options, procedure))
    rid: int = client.take_one(Registered).registration
    return rid


def test_broker_announces_subscription_revocation() -> None:
    net = Net()
    net.join()
    welcome = net.sends[-1].message
    features = welcome.details["roles"]["broker"]["features"]
    assert features["subscription_revocation"] is True


def test_remove_subscriber_revokes_and_tells_the_subscriber() -> None:
    net = Net()
    admin, watcher = net.join(), net.join()
    listen(watcher, "wamp.subscription.on_unsubscribe", "wamp.subscription.on_delete")
    victim = net.join(roles=revocable())
    stays = net.join(roles=revocable())
    sid = subscribe(victim, "com.t")
    assert subscribe(stays, "com.t") == sid
    watcher.take()
    answer = meta(admin, "wamp.subscription.remove_subscriber", sid, victim.id, reason="go")
    assert type(answer) is Result and answer.args is None
    assert victim.take() == [Unsubscribed(0, {"subscription": sid, "reason": "go"})]
    assert sid not in victim.session.subscriptions
    assert events(watcher) == [("wamp.subscription.on_unsubscribe", [victim.id, sid])]
    assert ok(admin, "wamp.subscription.list_subscribers", sid) == [stays.id]
    # The revoked session gets no more events; the other subscriber still does.
    admin.send(Publish(admin.request_id(), {}, "com.t", [1]))
    assert victim.take() == []
    assert [type(m) for m in stays.take()] == [Event]
    # Its own UNSUBSCRIBE for the revoked id now fails as for any unknown id.
    victim.send(Unsubscribe(victim.request_id(), sid))
    assert victim.take_one(Error).error == "wamp.error.no_such_subscription"
    # The last subscriber removed deletes the subscription; no reason: none in Details.
    ok(admin, "wamp.subscription.remove_subscriber", sid, stays.id)
    assert stays.take() == [Unsubscribed(0, {"subscription": sid})]
    assert events(watcher) == [
        ("wamp.subscription.on_unsubscribe", [stays.id, sid]),
        ("wamp.subscription.on_delete", [stays.id, sid]),
    ]
    assert meta(admin, "wamp.subscription.get", sid).error == "wamp.error.no_such_subscription"


def test_remove_subscriber_without_the_feature_is_silent() -> None:
    net = Net()
    admin = net.join()
    victim = net.join()  # FULL_ROLES: no subscription_revocation
    sid = subscribe(victim, "com.quiet")
    ok(admin, "wamp.subscription.remove_subscriber", sid, victim.id, reason="x")
    assert victim.take() == []
    admin.send(Publish(admin.request_id(), {}, "com.quiet", [1]))
    assert victim.take() == []
    assert meta(admin, "wamp.subscription.get", sid).error == "wamp.error.no_such_subscription"


def test_remove_subscriber_errors() -> None:
    net = Net()
    admin = net.join()
    a = net.join(roles=revocable())
    b = net.join(roles=revocable())
    sid = subscribe(a, "com.err")
    call = "wamp.subscription.remove_subscriber"
    assert meta(admin, call, sid + 1, a.id).error == "wamp.error.no_such_subscription"
    assert meta(admin, call, sid, 424242).error == "wamp.error.no_such_session"
    assert meta(admin, call, sid, b.id).error == "wamp.error.no_such_subscription"
    assert meta(admin, call, sid).error == "wamp.error.invalid_argument"
    assert meta(admin, call, sid, "a").error == "wamp.error.invalid_argument"
    assert meta(admin, call, sid, a.id, reason=3).error == "wamp.error.invalid_argument"
    # The router's own topics are not revoked through the meta API.
    mid = subscribe(a, "wamp.session.on_join")
    assert meta(admin, call, mid, a.id).error == "wamp.error.not_authorized"
    assert a.take() == [] and b.take() == []
    assert ok(admin, "wamp.subscription.list_subscribers", sid) == [a.id]


def test_remove_callee_revokes_and_tells_the_callee() -> None:
    net = Net()
    admin, watcher = net.join(), net.join()
    listen(watcher, "wamp.registration.on_unregister", "wamp.registration.on_delete")
    first = net.join(roles=revocable())
    second = net.join(roles=revocable())
    rid = register(first, "com.p", invoke="roundrobin")
    assert register(second, "com.p", invoke="roundrobin") == rid
    watcher.take()
    answer = meta(admin, "wamp.registration.remove_callee", rid, first.id, reason="moved")
    assert type(answer) is Result and answer.args is None
    assert first.take() == [Unregistered(0, {"registration": rid, "reason": "moved"})]
    assert rid not in first.session.registrations
    assert events(watcher) == [("wamp.registration.on_unregister", [first.id, rid])]
    # Calls now go to the remaining callee only.
    for _ in range(2):
        admin.send(Call(admin.request_id(), {}, "com.p"))
        inv = second.take_one(Invocation)
        second.send(Yield(inv.request_id, {}, ["ok"]))
        assert admin.take_one(Result).args == ["ok"]
    assert first.take() == []
    first.send(Unregister(first.request_id(), rid))
    assert first.take_one(Error).error == "wamp.error.no_such_registration"
    ok(admin, "wamp.registration.remove_callee", rid, second.id)
    assert second.take() == [Unregistered(0, {"registration": rid})]
    assert events(watcher) == [
        ("wamp.registration.on_unregister", [second.id, rid]),
        ("wamp.registration.on_delete", [second.id, rid]),
    ]
    admin.send(Call(admin.request_id(), {}, "com.p"))
    assert admin.take_one(Error).error == "wamp.error.no_such_procedure"
    # The URI is free again.
    assert register(first, "com.p") != rid


def test_remove_callee_lets_an_invocation_in_progress_finish() -> None:
    net = Net()
    admin = net.join()
    callee = net.join(roles=revocable())
    rid = register(callee, "com.slow")
    admin.send(Call(admin.request_id(), {}, "com.slow"))
    inv = callee.take_one(Invocation)
    ok(admin, "wamp.registration.remove_callee", rid, callee.id)
    assert callee.take_one(Unregistered).details == {"registration": rid}
    callee.send(Yield(inv.request_id, {}, [7]))
    assert admin.take_one(Result).args == [7]


def test_remove_callee_without_the_feature_is_silent() -> None:
    net = Net()
    admin = net.join()
    callee = net.join()  # FULL_ROLES: no registration_revocation
    rid = register(callee, "com.quiet")
    ok(admin, "wamp.registration.remove_callee", rid, callee.id)
    assert callee.take() == []
    admin.send(Call(admin.request_id(), {}, "com.quiet"))
    assert admin.take_one(Error).error == "wamp.error.no_such_procedure"


def test_remove_callee_errors() -> None:
    net = Net()
    admin = net.join()
    a = net.join(roles=revocable())
    b = net.join(roles=revocable())
    rid = register(a, "com.err")
    call = "wamp.registration.remove_callee"
    assert meta(admin, call, rid + 1, a.id).error == "wamp.error.no_such_registration"
    assert meta(admin, call, rid, 424242).error == "wamp.error.no_such_session"
    assert meta(admin, call, rid, b.id).error == "wamp.error.no_such_registration"
    assert meta(admin, call, "x", a.id).error == "wamp.error.invalid_argument"
    assert meta(admin, call, rid, a.id, reason=["no"]).error == "wamp.error.invalid_argument"
    assert a.take() == [] and b.take() == []
    assert ok(admin, "wamp.registration.list_callees", rid) == [a.id]
