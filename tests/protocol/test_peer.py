"""The sans-IO client peer: phases, request ids, HELLO details and pending tables."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywamp import _native
from pywamp.exception import ProtocolError, SessionNotReady
from pywamp.protocol import CLIENT_ROLES, MAX_ID, ClientPeer, PendingCall, PendingRequest, Phase


def joined() -> ClientPeer:
    peer = ClientPeer()
    peer.transport_open()
    peer.hello("realm1")
    peer.welcome(_native.Welcome(123, {"roles": {"dealer": {}}, "realm": "realm1"}))
    return peer


def test_life_cycle() -> None:
    peer = ClientPeer()
    assert peer.phase is Phase.CLOSED
    with pytest.raises(SessionNotReady):
        peer.hello("realm1")
    peer.transport_open()
    hello = peer.hello("realm1", authmethods=["ticket"], authid="alice", agent="x")
    assert isinstance(hello, _native.Hello)
    assert hello.realm == "realm1"
    assert hello.details["authmethods"] == ["ticket"] and hello.details["authid"] == "alice"
    assert hello.details["roles"] == CLIENT_ROLES
    for role, spec in hello.details["roles"].items():  # a copy: changing it changes no other
        assert spec is not CLIENT_ROLES[role]
        assert spec["features"] is not CLIENT_ROLES[role]["features"]
    assert peer.phase is Phase.JOINING
    with pytest.raises(ProtocolError):
        peer.hello("realm1")
    peer.welcome(_native.Welcome(7, {"roles": {"broker": {}}}))
    assert peer.phase is Phase.ESTABLISHED and peer.session_id == 7
    assert peer.router_roles == {"broker": {}}
    goodbye = peer.goodbye("wamp.close.normal", "bye")
    assert goodbye.reason == "wamp.close.normal" and goodbye.details == {"message": "bye"}
    assert peer.phase is Phase.CLOSING
    assert peer.goodbye_received() is None  # the router's answer needs no reply
    assert peer.phase is Phase.OPEN and peer.session_id is None


def test_router_initiated_goodbye_is_answered() -> None:
    peer = joined()
    reply = peer.goodbye_received()
    assert reply is not None and reply.reason == "wamp.close.goodbye_and_out"
    with pytest.raises(ProtocolError):
        peer.goodbye_received()


def test_messages_out_of_phase() -> None:
    peer = ClientPeer()
    peer.transport_open()
    with pytest.raises(ProtocolError):
        peer.welcome(_native.Welcome(1, {}))
    with pytest.raises(SessionNotReady):
        peer.goodbye("wamp.close.normal")
    with pytest.raises(ProtocolError):
        peer.authenticate("sig")
    peer.hello("realm1")
    peer.challenge(_native.Challenge("ticket", {}))
    assert peer.authenticate("sig").signature == "sig"


def test_hello_checks_the_realm() -> None:
    peer = ClientPeer()
    peer.transport_open()
    with pytest.raises(ValueError):
        peer.hello("")


def test_request_ids_restart_with_each_session() -> None:
    peer = joined()
    assert [peer.next_id() for _ in range(3)] == [1, 2, 3]
    assert peer.last_id == 3
    peer.goodbye_received()
    peer.hello("realm1")
    assert peer.next_id() == 1


@given(st.integers(min_value=1, max_value=MAX_ID), st.integers(min_value=1, max_value=50))
def test_request_ids_are_sequential_and_wrap(start: int, count: int) -> None:
    peer = joined()
    peer._next_id = start
    ids = [peer.next_id() for _ in range(count)]
    for previous, current in itertools.pairwise(ids):
        assert current == (previous + 1 if previous < MAX_ID else 1)
    assert all(1 <= i <= MAX_ID for i in ids)


def test_pending_tables_route_errors_and_drain() -> None:
    peer = joined()
    call = PendingCall(1, "com.proc", "future-1")
    register = PendingRequest(2, "future-2", "com.proc")
    peer.calls[1] = call
    peer.registers[2] = register
    peer.publishes[3] = PendingRequest(3, "future-3")
    assert peer.pop_errored(_native.Call.TYPE, 1) is call
    assert peer.pop_errored(_native.Call.TYPE, 1) is None
    assert peer.pop_errored(_native.Register.TYPE, 3) is None
    assert peer.pop_errored(_native.Event.TYPE, 2) is None  # not a request type
    drained = peer.transport_closed()
    assert {r.future for r in drained} == {"future-2", "future-3"}
    assert not peer.registers and not peer.publishes and peer.phase is Phase.CLOSED


def test_forget_handlers() -> None:
    peer = joined()
    peer.subscriptions[5] = ("a", "b")  # type: ignore[assignment]
    peer.registrations[6] = "c"
    subscriptions, registrations = peer.forget_handlers()
    assert sorted(subscriptions) == ["a", "b"] and registrations == ["c"]
    assert not peer.subscriptions and not peer.registrations


def test_announced_features() -> None:
    caller = CLIENT_ROLES["caller"]["features"]
    for feature in (
        "call_timeout",
        "progressive_call_invocations",
        "call_canceling",
        "progressive_call_results",
        "caller_identification",
    ):
        assert caller[feature] is True
    callee = CLIENT_ROLES["callee"]["features"]
    for feature in (
        "pattern_based_registration",
        "shared_registration",
        "registration_revocation",
        "progressive_call_invocations",
        "call_canceling",
    ):
        assert callee[feature] is True
    assert CLIENT_ROLES["publisher"]["features"]["publisher_exclusion"] is True
    assert CLIENT_ROLES["publisher"]["features"]["subscriber_blackwhite_listing"] is True
    assert CLIENT_ROLES["subscriber"]["features"]["pattern_based_subscription"] is True
    assert CLIENT_ROLES["subscriber"]["features"]["subscription_revocation"] is True
