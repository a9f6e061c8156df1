"""Opening and closing handshake, roles and features, protocol violations."""

from __future__ import annotations

from typing import Any

import pytest
from router_harness import BASIC_ROLES, HelloIdentity, Net

from pywamp._native import (
    Abort,
    Authenticate,
    Call,
    Cancel,
    Challenge,
    Error,
    Event,
    Goodbye,
    Hello,
    Publish,
    Published,
    Register,
    Result,
    Subscribe,
    Subscribed,
    Welcome,
    Yield,
)
from pywamp.exception import ProtocolError
from pywamp.router import Accept, Challenged, Deny, RealmConfig
from pywamp.router.session import CLOSED, ESTABLISHED, NEW


def test_welcome_announces_the_router_roles_and_identity() -> None:
    net = Net()
    client = net.attach()
    client.send(Hello("realm1", {"roles": BASIC_ROLES, "agent": "test/1"}))
    welcome = client.take_one(Welcome)
    assert 1 <= welcome.session <= 2**53
    details = welcome.details
    assert details["realm"] == "realm1"
    assert details["authrole"] == "anonymous"
    assert details["authmethod"] == "anonymous"
    assert isinstance(details["authid"], str) and details["authid"]
    broker = details["roles"]["broker"]["features"]
    dealer = details["roles"]["dealer"]["features"]
    for key in (
        "publisher_identification",
        "publisher_exclusion",
        "subscriber_blackwhite_listing",
        "pattern_based_subscription",
        "event_retention",
        "event_history",
        "subscription_revocation",
        "subscription_meta_api",
        "session_meta_api",
    ):
        assert broker[key] is True, key
    for key in (
        "caller_identification",
        "progressive_call_results",
        "progressive_call_invocations",
        "call_timeout",
        "call_canceling",
        "pattern_based_registration",
        "shared_registration",
        "sharded_registration",
        "registration_revocation",
        "registration_meta_api",
        "testament_meta_api",
    ):
        assert dealer[key] is True, key
    assert details["agent"].startswith("pywamp")
    assert client.session.state == ESTABLISHED


def test_session_ids_are_distinct() -> None:
    net = Net()
    ids = {net.join().id for _ in range(50)}
    assert len(ids) == 50


def test_unknown_realm_is_aborted_with_no_such_realm() -> None:
    net = Net()
    client = net.attach()
    client.send(Hello("nope", {"roles": BASIC_ROLES}))
    abort = client.take_one(Abort)
    assert abort.reason == "wamp.error.no_such_realm"
    assert client.closed == "wamp.error.no_such_realm"


def test_realm_table_serves_several_realms_apart() -> None:
    net = Net(RealmConfig("a"), RealmConfig("b"))
    a = net.join("a")
    b = net.join("b")
    a.send(Subscribe(a.request_id(), {}, "t"))
    a.take()
    b.send(Publish(b.request_id(), {}, "t", [1]))
    assert a.take() == []


@pytest.mark.parametrize(
    "details",
    [{}, {"roles": {}}, {"roles": []}, {"roles": {"nonsense": {}}}, {"roles": {"caller": 3}}],
)
def test_hello_without_a_client_role_is_a_protocol_violation(details: dict[str, Any]) -> None:
    try:
        hello = Hello("realm1", details)
    except ProtocolError as exc:  # the codec refuses it already
        assert "roles" in str(exc)
        return
    net = Net()
    client = net.attach()
    client.send(hello)
    assert client.take_one(Abort).reason == "wamp.error.protocol_violation"
    assert client.session.state == CLOSED


@pytest.mark.parametrize(
    "message",
    [
        Publish(1, {}, "a.b"),
        Subscribe(1, {}, "a.b"),
        Call(1, {}, "a.b"),
        Goodbye({}, "wamp.close.normal"),
        Authenticate("sig", {}),
    ],
)
def test_messages_before_hello_are_protocol_violations(message: Any) -> None:
    net = Net()
    client = net.attach()
    client.send(message)
    assert client.take_one(Abort).reason == "wamp.error.protocol_violation"
    assert client.closed is not None
    # the session is dead: nothing more is answered
    client.send(Hello("realm1", {"roles": BASIC_ROLES}))
    assert client.take() == []


@pytest.mark.parametrize(
    "message",
    [
        Hello("realm1", {"roles": BASIC_ROLES}),
        Welcome(1, {}),
        Published(1, 2),
        Subscribed(1, 2),
        Event(1, 2, {}),
        Result(1, {}),
        Authenticate("x", {}),
        Error(Call.TYPE, 1, {}, "wamp.error.x"),
    ],
)
def test_router_only_and_repeated_messages_abort_only_that_session(message: Any) -> None:
    net = Net()
    bad = net.join()
    good = net.join(authid="good")
    good.send(Subscribe(good.request_id(), {}, "wamp.session.on_leave"))
    good.take()
    bad_id, bad_authid = bad.id, bad.session.authid
    bad.send(message)
    abort = bad.take_one(Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    assert bad.closed == "wamp.error.protocol_violation"
    # the other session lives on and hears that the bad one left
    event = good.take_one(Event)
    assert event.args == [bad_id, bad_authid, "anonymous"]
    assert good.session.state == ESTABLISHED


def test_violation_cleans_up_what_the_session_owned() -> None:
    net = Net()
    bad = net.join()
    other = net.join()
    bad.send(Subscribe(bad.request_id(), {}, "t"))
    bad.take()
    bad.send(Welcome(5, {}))
    bad.take()
    other.send(Publish(other.request_id(), {}, "t", [1]))
    assert bad.take() == []
    assert net.core.realms["realm1"].broker.by_id == {}


def test_goodbye_is_answered_and_the_transport_can_join_again() -> None:
    net = Net()
    client = net.join()
    first = client.id
    client.send(Goodbye({}, "wamp.close.close_realm"))
    reply = client.take_one(Goodbye)
    assert reply.reason == "wamp.close.goodbye_and_out"
    assert client.session.state == NEW
    assert client.closed is None
    assert net.core.realms["realm1"].sessions == {}
    client.send(Hello("realm1", {"roles": BASIC_ROLES}))
    welcome = client.take_one(Welcome)
    assert welcome.session != first


def test_abort_from_client_leaves_and_closes() -> None:
    net = Net()
    client = net.join()
    client.send(Abort({}, "wamp.error.whatever"))
    assert client.take() == []
    assert client.closed == "wamp.error.whatever"
    assert net.core.realms["realm1"].sessions == {}


def test_detach_removes_the_session() -> None:
    net = Net()
    client = net.join()
    client.drop()
    assert net.core.realms["realm1"].sessions == {}
    assert client.session.state == CLOSED
    assert net.core.detach(client.session, net.now) == []


class Ticket:
    """A challenge-response authenticator: the ticket must equal the authid reversed."""

    def hello(self, realm: str, details: dict[str, Any], transport: Any, now: float) -> Any:
        authid = details.get("authid")
        if authid == "banned":
            return Deny("wamp.error.not_authorized", "go away")
        return Challenged("ticket", {}, _Pending(str(authid)))


class _Pending:
    def __init__(self, authid: str) -> None:
        self.authid = authid

    def authenticate(self, signature: str, extra: dict[str, Any], now: float) -> Accept | Deny:
        if signature == self.authid[::-1]:
            return Accept(self.authid, "user", "ticket", "static")
        return Deny("wamp.error.authentication_failed", "bad ticket")


def test_challenge_response_hook() -> None:
    net = Net(RealmConfig(authenticator=Ticket()))
    client = net.attach()
    client.send(Hello("realm1", {"roles": BASIC_ROLES, "authid": "alice", "agent": "x"}))
    challenge = client.take_one(Challenge)
    assert challenge.authmethod == "ticket"
    client.send(Authenticate("ecila", {}))
    welcome = client.take_one(Welcome)
    assert welcome.details["authid"] == "alice"
    assert welcome.details["authmethod"] == "ticket"


def test_challenge_response_failure_and_denial() -> None:
    net = Net(RealmConfig(authenticator=Ticket()))
    client = net.attach()
    client.send(Hello("realm1", {"roles": BASIC_ROLES, "authid": "alice"}))
    client.take()
    client.send(Authenticate("wrong", {}))
    abort = client.take_one(Abort)
    assert abort.reason == "wamp.error.authentication_failed"
    assert abort.details == {"message": "bad ticket"}
    banned = net.attach()
    banned.send(Hello("realm1", {"roles": BASIC_ROLES, "authid": "banned"}))
    assert banned.take_one(Abort).reason == "wamp.error.not_authorized"


def test_message_other_than_authenticate_during_challenge_aborts() -> None:
    net = Net(RealmConfig(authenticator=Ticket()))
    client = net.attach()
    client.send(Hello("realm1", {"roles": BASIC_ROLES, "authid": "alice"}))
    client.take()
    client.send(Publish(1, {}, "a"))
    assert client.take_one(Abort).reason == "wamp.error.protocol_violation"


def test_authenticator_identity_reaches_the_session() -> None:
    net = Net(RealmConfig(authenticator=HelloIdentity()))
    client = net.join(authid="bob", authrole="admin")
    assert (client.session.authid, client.session.authrole) == ("bob", "admin")


MALFORMED: list[tuple[type, tuple[Any, ...], str]] = [
    (Publish, (1, {"acknowledge": "yes"}, "a.b"), "acknowledge"),
    (Publish, (1, {"exclude": "x"}, "a.b"), "exclude"),
    (Publish, (1, {"eligible_authid": [1]}, "a.b"), "eligible_authid"),
    (Subscribe, (1, {"match": "regex"}, "a.b"), "match"),
    (Subscribe, (1, {"get_retained": "yes"}, "a.b"), "get_retained"),
    (Call, (9, {"timeout": "soon"}, "a.b"), "timeout"),
    (Call, (9, {"timeout": -5}, "a.b"), "timeout"),
    (Call, (9, {"receive_progress": 1}, "a.b"), "receive_progress"),
    (Cancel, (1, {"mode": "explode"}), "mode"),
    (Register, (1, {"invoke": "sometimes"}, "x.y"), "invoke"),
    (Register, (1, {"concurrency": -1}, "x.y"), "concurrency"),
    (Yield, (1, {"progress": "maybe"}), "progress"),
]


@pytest.mark.parametrize(("kind", "fields", "what"), MALFORMED)
def test_malformed_options_never_reach_the_router_alive(
    kind: type, fields: tuple[Any, ...], what: str
) -> None:
    """The codec refuses to build such a message, or the router aborts the session."""
    try:
        message = kind(*fields)
    except ProtocolError as exc:
        assert what in str(exc)
        return
    net = Net()
    callee = net.join()
    callee.send(Register(callee.request_id(), {}, "a.b"))
    client = net.join()
    client.send(Call(client.request_id(), {}, "a.b"))  # so YIELD/CANCEL have a target
    client.take()
    callee.take()
    sender = callee if kind is Yield else client
    sender.send(message)
    abort = sender.take_one(Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    assert what in abort.details["message"]


def test_yield_for_an_unknown_invocation_is_a_protocol_violation() -> None:
    net = Net()
    callee = net.join()
    callee.send(Yield(7, {}))
    abort = callee.take_one(Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    assert "INVOCATION" in abort.details["message"]
