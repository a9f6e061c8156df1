"""RouterCore entry points: authorization hook, batches, shutdown, realms."""

from __future__ import annotations

from typing import Any

import pytest
from router_harness import HelloIdentity, Net

from pywamp._native import (
    Call,
    Error,
    Event,
    Goodbye,
    Hello,
    Invocation,
    Publish,
    Published,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Welcome,
)
from pywamp.router import RealmConfig, RouterSession
from pywamp.router.session import CLOSING


class ByRole:
    """Allow an action on a URI prefix only to the roles listed for it."""

    def __init__(self, rules: dict[tuple[str, str], set[str]]) -> None:
        self.rules = rules
        self.asked: list[tuple[str, str, str]] = []

    def authorize(self, session: RouterSession, uri: str, action: Any) -> bool:
        self.asked.append((session.authrole, uri, action))
        for (prefix, act), roles in self.rules.items():
            if act == action and uri.startswith(prefix):
                return session.authrole in roles
        return True


def guarded() -> tuple[Net, ByRole]:
    rules = ByRole(
        {
            ("secret.", "publish"): {"admin"},
            ("secret.", "subscribe"): {"admin"},
            ("secret.", "call"): {"admin"},
            ("secret.", "register"): {"admin"},
            ("wamp.session.", "call"): {"admin"},
        }
    )
    return Net(RealmConfig(authenticator=HelloIdentity(), authorizer=rules)), rules


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (Subscribe(1, {}, "secret.t"), Subscribe),
        (Register(1, {}, "secret.p"), Register),
        (Call(1, {}, "secret.p"), Call),
        (Publish(1, {"acknowledge": True}, "secret.t"), Publish),
        (Call(1, {}, "wamp.session.count"), Call),
    ],
)
def test_authorizer_denies_with_not_authorized(message: Any, kind: type) -> None:
    net, rules = guarded()
    user = net.join(authid="u", authrole="user")
    user.send(message)
    error = user.take_one(Error)
    assert (error.request_type, error.error) == (kind.TYPE, "wamp.error.not_authorized")
    assert rules.asked[-1][0] == "user"


def test_authorizer_allows_the_right_role_and_unacknowledged_denials_are_silent() -> None:
    net, _ = guarded()
    admin = net.join(authid="a", authrole="admin")
    user = net.join(authid="u", authrole="user")
    admin.send(Subscribe(1, {}, "secret.t"))
    assert type(admin.take_one()) is Subscribed
    user.send(Publish(1, {}, "secret.t", [1]))
    assert user.take() == [] and admin.take() == []
    admin.send(Register(2, {}, "secret.p"))
    assert type(admin.take_one()) is Registered
    other = net.join(authid="b", authrole="admin")
    other.send(Call(1, {}, "secret.p"))
    assert type(admin.take_one()) is Invocation
    other.send(Publish(2, {"acknowledge": True}, "secret.t"))
    assert type(other.take_one()) is Published
    assert type(admin.take_one()) is Event


def test_receive_many_handles_a_batch_in_order() -> None:
    net = Net()
    client = net.attach()
    outputs = net.core.receive_many(
        client.session,
        [
            Hello("realm1", {"roles": {"subscriber": {}, "publisher": {}}}),
            Subscribe(1, {}, "t"),
            Publish(2, {"acknowledge": True}, "t"),
        ],
        net.now,
    )
    kinds = [type(out.message) for out in net.deliver(outputs)]
    assert kinds == [Welcome, Subscribed, Published]


def test_shutdown_says_goodbye_to_everyone() -> None:
    net = Net(RealmConfig("a"), RealmConfig("b"))
    clients = [net.join("a"), net.join("a"), net.join("b")]
    watcher = clients[0]
    watcher.send(Subscribe(watcher.request_id(), {}, "wamp.session.on_leave"))
    watcher.take()
    net.deliver(net.core.shutdown(net.now))
    for client in clients:
        goodbye = client.take_one(Goodbye)
        assert goodbye.reason == "wamp.close.system_shutdown"
        assert client.session.state == CLOSING
    assert all(not realm.sessions for realm in net.core.realms.values())
    net.advance(10)
    assert all(client.closed == "wamp.close.killed" for client in clients)


def test_adding_a_realm_twice_is_refused() -> None:
    net = Net()
    with pytest.raises(ValueError):
        net.core.add_realm(RealmConfig("realm1"), net.now)
    net.core.add_realm(RealmConfig("later"), net.now)
    assert net.join("later").id


def test_counters_count_received_messages() -> None:
    net = Net()
    client = net.join()
    client.send(Call(1, {}, "wamp.session.count"))
    assert type(client.take_one()) is Result
    assert client.session.received == 2
