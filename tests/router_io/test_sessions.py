"""Session life cycle: HELLO/WELCOME, ABORT, GOODBYE, and protocol violations that end
only the offending session."""

from __future__ import annotations

import json

import pytest
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from io_harness import Endpoints, RawPeer, join, open_peer, settle, wait

from pywamp import _native

ROUTER_FEATURES = {
    "broker": {
        "publisher_identification",
        "publisher_exclusion",
        "subscriber_blackwhite_listing",
        "pattern_based_subscription",
        "event_retention",
        "event_history",
    },
    "dealer": {
        "caller_identification",
        "progressive_call_results",
        "call_timeout",
        "call_canceling",
        "pattern_based_registration",
        "shared_registration",
        "sharded_registration",
        "registration_meta_api",
        "session_meta_api",
        "testament_meta_api",
    },
}


def rs_url(endpoints: Endpoints) -> str:
    return f"rs://127.0.0.1:{endpoints.ports['rawsocket']}"


async def test_welcome_names_the_session_and_its_identity(endpoints: Endpoints) -> None:
    peer = await join(endpoints, "websocket", serializer="cbor")
    details = peer.joined.result()
    assert details.realm == "realm1"
    assert isinstance(details.session, int) and 1 <= details.session <= 2**53
    assert details.authrole == "anonymous"
    assert details.authmethod == "anonymous"
    assert details.authid  # a generated authid
    assert peer.session_id == details.session
    await peer.close()


async def test_welcome_announces_the_router_roles_and_features(endpoints: Endpoints) -> None:
    raw = await RawPeer.open(rs_url(endpoints))
    raw.send(_native.Hello("realm1", {"roles": {"caller": {}}}))
    welcome = await raw.next()
    assert isinstance(welcome, _native.Welcome)
    roles = welcome.details["roles"]
    for role, features in ROUTER_FEATURES.items():
        announced = {k for k, v in roles[role]["features"].items() if v is True}
        assert features <= announced, (role, features - announced)
    assert welcome.details["agent"].startswith("pywamp-")
    raw.close()


async def test_unknown_realm_is_aborted(endpoints: Endpoints) -> None:
    peer = await open_peer(endpoints, "rawsocket", realm="no.such.realm")
    details = await wait(peer.left)
    assert details.reason == "wamp.error.no_such_realm"
    assert "no.such.realm" in details.message
    assert not peer.joined.done()
    await wait(peer.disconnected)


async def test_hello_without_client_roles_is_aborted(endpoints: Endpoints) -> None:
    raw = await RawPeer.open(rs_url(endpoints), "msgpack")
    raw.send(_native.Hello("realm1", {"roles": {}}))
    abort = await raw.next()
    assert isinstance(abort, _native.Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    await wait(raw.closed)


async def test_client_goodbye_is_answered_and_the_transport_may_join_again(
    endpoints: Endpoints,
) -> None:
    raw = await RawPeer.open(rs_url(endpoints), "cbor")
    first = await raw.join()
    raw.send(_native.Goodbye({}, "wamp.close.normal"))
    goodbye = await raw.next()
    assert isinstance(goodbye, _native.Goodbye)
    assert goodbye.reason == "wamp.close.goodbye_and_out"
    second = await raw.join()
    assert second != first
    raw.close()


async def test_autobahn_leave_gets_goodbye_and_out(endpoints: Endpoints) -> None:
    peer = await join(endpoints, "universal-websocket", serializer="json")
    peer.leave("wamp.close.normal")
    details = await wait(peer.left)
    assert details.reason == "wamp.close.goodbye_and_out"
    await wait(peer.disconnected)


async def test_leaving_session_is_gone_for_the_others(endpoints: Endpoints) -> None:
    watcher = await join(endpoints)
    leaver = await join(endpoints, "websocket")
    sid = leaver.session_id
    assert sid in await wait(watcher.call("wamp.session.list"))
    await leaver.close()
    await settle(watcher)
    assert sid not in await wait(watcher.call("wamp.session.list"))
    with pytest.raises(ApplicationError) as info:
        await wait(watcher.call("wamp.session.get", sid))
    assert info.value.error == "wamp.error.no_such_session"
    await watcher.close()


@pytest.mark.parametrize(
    "bad",
    [
        [2, 1, {}],  # WELCOME: a router message
        [1, "realm1", {"roles": {"caller": {}}}],  # HELLO twice
        [70, 12345, {}],  # YIELD for an invocation never sent
        [8, 16, 1, {}, "com.err"],  # ERROR for a PUBLISH, from a client
        [49, 1, {"mode": "explode"}],  # CANCEL with no such mode
        [32, 1, {"match": "regex"}, "com.topic"],  # SUBSCRIBE with no such policy
        [16, 1, {"acknowledge": "yes"}, "com.topic"],  # an option of the wrong type
        [48, 1, {}, 42],  # CALL.procedure is not a string
        [48, 1, {}],  # CALL too short
        [99, 1],  # no such message type
        {"not": "a message"},
    ],
    ids=[
        "welcome",
        "hello-again",
        "yield-unknown",
        "error-publish",
        "cancel-mode",
        "match-policy",
        "publish-option",
        "procedure-type",
        "short-call",
        "unknown-type",
        "not-a-list",
    ],
)
async def test_protocol_violation_aborts_only_that_session(
    endpoints: Endpoints, bad: object
) -> None:
    bystander = await join(endpoints, "websocket", serializer="msgpack")
    await wait(bystander.register(lambda: "still here", "com.alive"))
    offender = await RawPeer.open(rs_url(endpoints), "json")
    offender_id = await offender.join()
    offender.send_encoded(json.dumps(bad).encode())
    abort = await offender.next(_native.Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    assert abort.details.get("message")
    await wait(offender.closed)
    assert await wait(bystander.call("com.alive")) == "still here"
    assert offender_id not in await wait(bystander.call("wamp.session.list"))
    await bystander.close()


async def test_message_before_hello_is_aborted(endpoints: Endpoints) -> None:
    raw = await RawPeer.open(rs_url(endpoints), "cbor")
    raw.send(_native.Call(1, {}, "com.x"))
    abort = await raw.next()
    assert isinstance(abort, _native.Abort)
    assert abort.reason == "wamp.error.protocol_violation"
    await wait(raw.closed)


async def test_autobahn_session_sending_a_router_message_is_cut_off(
    endpoints: Endpoints,
) -> None:
    bystander = await join(endpoints)
    await wait(bystander.register(lambda: 1, "com.one"))
    offender = await join(endpoints, "websocket", serializer="json")
    offender._transport.send(message.Registered(1, 2))
    await wait(offender.disconnected)
    assert await wait(bystander.call("com.one")) == 1
    await bystander.close()
