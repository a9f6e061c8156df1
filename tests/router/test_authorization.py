"""Role-based authorization through the sans-IO core: every action, rule precedence."""

from __future__ import annotations

from typing import Any

import pytest
from router_harness import Client, HelloIdentity, Net

from pywamp._native import (
    Call,
    Error,
    Event,
    Invocation,
    Publish,
    Published,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Yield,
)
from pywamp.router import RealmConfig
from pywamp.router.authorization import Permission, Role, RoleAuthorizer

ALL = {"call": True, "register": True, "publish": True, "subscribe": True}

ROLES = [
    Role(
        "backend",
        (
            Permission("com.app.", "prefix", **ALL),
            Permission("com.app.admin.", "prefix"),  # narrower: denies everything
            Permission("com.app.admin.status", call=True, subscribe=True),
            Permission("com..public", "wildcard", subscribe=True, call=True),
        ),
    ),
    Role("frontend", (Permission("com.app.", "prefix", call=True, subscribe=True),)),
    Role("root", (Permission("", "prefix", **ALL, disclose_caller=True),)),
]


def net_with(authorizer: Any = None, name: str = "realm1") -> Net:
    config = RealmConfig(
        name, authenticator=HelloIdentity(), authorizer=authorizer or RoleAuthorizer(ROLES)
    )
    return Net(config)


def denied(client: Client, request: int) -> None:
    error = client.take_one(Error)
    assert (error.request_id, error.error) == (request, "wamp.error.not_authorized")


def attempt(client: Client, action: str, uri: str) -> Any:
    """Send one action; return what came back."""
    rid = client.request_id()
    if action == "call":
        client.send(Call(rid, {}, uri))
    elif action == "register":
        client.send(Register(rid, {}, uri))
    elif action == "publish":
        client.send(Publish(rid, {"acknowledge": True}, uri))
    else:
        client.send(Subscribe(rid, {}, uri))
    return rid, client.take_one()


@pytest.mark.parametrize("action", ["call", "register", "publish", "subscribe"])
def test_each_action_is_checked_and_the_session_continues(action: str) -> None:
    net = net_with()
    front = net.join(authid="f", authrole="frontend")
    back = net.join(authid="b", authrole="backend")
    allowed_front = action in ("call", "subscribe")
    for client, uri, ok in (
        (front, "com.app.x", allowed_front),
        (front, "org.other.x", False),
        (back, "com.app.x", True),
        (back, "com.app.admin.reset", False),
    ):
        rid, reply = attempt(client, action, uri)
        if ok:
            assert not (isinstance(reply, Error) and reply.error == "wamp.error.not_authorized")
        else:
            assert isinstance(reply, Error), reply
            assert (reply.request_id, reply.error) == (rid, "wamp.error.not_authorized")
            assert reply.args == [uri] or reply.args is None or uri in str(reply.args)
    # the denied session is still joined and can do what it may
    _, reply = attempt(front, "subscribe", "com.app.y")
    assert isinstance(reply, Subscribed)


def test_the_most_specific_rule_decides() -> None:
    net = net_with()
    back = net.join(authid="b", authrole="backend")
    assert isinstance(attempt(back, "register", "com.app.admin.status")[1], Error)  # exact: no
    assert isinstance(attempt(back, "subscribe", "com.app.admin.status")[1], Subscribed)
    assert isinstance(attempt(back, "subscribe", "com.app.admin.log")[1], Error)  # prefix: no
    assert isinstance(attempt(back, "register", "com.app.admin2")[1], Registered)  # com.app.
    assert isinstance(attempt(back, "subscribe", "com.x.public")[1], Subscribed)  # wildcard
    assert isinstance(attempt(back, "publish", "com.x.public")[1], Error)
    # Crossbar's precedence: a matching wildcard rule beats a prefix rule (com.app.)
    assert isinstance(attempt(back, "publish", "com.app.public")[1], Error)
    assert isinstance(attempt(back, "subscribe", "com.app.public")[1], Subscribed)
    assert isinstance(attempt(back, "publish", "com.app.private")[1], Published)


def test_unknown_role_and_no_matching_rule_are_denied() -> None:
    net = net_with()
    nobody = net.join(authid="n", authrole="intruder")
    for action in ("call", "register", "publish", "subscribe"):
        assert isinstance(attempt(nobody, action, "com.app.x")[1], Error)
    assert isinstance(attempt(net.join(authid="f", authrole="frontend"), "call", "x.y")[1], Error)


def test_catch_all_rule_and_a_full_call_with_events() -> None:
    net = net_with()
    root = net.join(authid="r", authrole="root")
    front = net.join(authid="f", authrole="frontend")
    _, reply = attempt(root, "register", "com.app.echo")
    assert isinstance(reply, Registered)
    front.send(Call(front.request_id(), {}, "com.app.echo", [1]))
    invocation = root.take_one(Invocation)
    root.send(Yield(invocation.request_id, {}, [2]))
    assert front.take_one(Result).args == [2]
    front.send(Subscribe(front.request_id(), {}, "com.app.news"))
    front.take_one(Subscribed)
    root.send(Publish(root.request_id(), {"acknowledge": True}, "com.app.news", ["hi"]))
    assert root.take_one(Published)
    assert front.take_one(Event).args == ["hi"]
    # frontend may not publish: nothing reaches the subscribers, ERROR to the publisher
    front.send(Publish(front.request_id(), {"acknowledge": True}, "com.app.news"))
    assert isinstance(front.take_one(), Error)


def test_meta_api_calls_are_authorized_too() -> None:
    net = net_with()
    front = net.join(authid="f", authrole="frontend")
    root = net.join(authid="r", authrole="root")
    assert isinstance(attempt(front, "call", "wamp.session.count")[1], Error)
    assert isinstance(attempt(root, "call", "wamp.session.count")[1], Result)


def test_realms_are_isolated() -> None:
    a = RealmConfig("a", authenticator=HelloIdentity(), authorizer=RoleAuthorizer(ROLES))
    b = RealmConfig(
        "b",
        authenticator=HelloIdentity(),
        authorizer=RoleAuthorizer([Role("frontend", (Permission("org.", "prefix", **ALL),))]),
    )
    net = Net(a, b)
    in_a = net.join("a", authid="f", authrole="frontend")
    in_b = net.join("b", authid="f", authrole="frontend")
    assert isinstance(attempt(in_a, "register", "org.x")[1], Error)
    assert isinstance(attempt(in_b, "register", "org.x")[1], Registered)
    assert isinstance(attempt(in_b, "call", "com.app.x")[1], Error)


def test_disclosure_settings() -> None:
    auth = RoleAuthorizer(ROLES)
    assert auth.role_disclose()["root"].caller is True
    assert auth.role_disclose()["root"].publisher is False
    assert auth.role_disclose()["frontend"].caller is False
    assert auth.disclose("root", "any.thing", "call") is True
    assert auth.disclose("frontend", "com.app.x", "call") is False
    assert auth.disclose("nobody", "com.app.x", "publish") is False


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="two rules"):
        RoleAuthorizer([Role("r", (Permission("a.b"), Permission("a.b")))])
    with pytest.raises(ValueError, match="role 'r'"):
        RoleAuthorizer([Role("r", (Permission("a..b", "exact"),))])
