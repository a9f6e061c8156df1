"""Autobahn's own messages through the router core, and the router's answers read back by
Autobahn: encoded by one side's serializer, decoded by the other's, no network needed."""

from __future__ import annotations

from typing import Any

import pytest
import txaio

txaio.use_asyncio()  # Autobahn's serializers need a framework chosen

from autobahn.wamp import message as ab  # noqa: E402
from autobahn.wamp import role  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer  # noqa: E402

from pywamp._native import Codec  # noqa: E402
from pywamp.router import RouterCore, RouterSession, Send  # noqa: E402

NOW = 1_700_000_000.0

ROLES = {
    "publisher": role.RolePublisherFeatures(publisher_exclusion=True),
    "subscriber": role.RoleSubscriberFeatures(pattern_based_subscription=True),
    "caller": role.RoleCallerFeatures(progressive_call_results=True, call_canceling=True),
    "callee": role.RoleCalleeFeatures(
        progressive_call_results=True, call_canceling=True, caller_identification=True
    ),
}


class AutobahnPeer:
    """Autobahn messages in, Autobahn messages out, pywamp's codec and router between."""

    def __init__(self, core: RouterCore, serializer: Any, codec: Codec) -> None:
        self.core = core
        self.serializer = serializer
        self.codec = codec
        self.binary = bool(serializer.serialize(ab.Goodbye())[1])
        self.session: RouterSession = core.attach({"type": "test"}, self)
        self.peers: dict[RouterSession, AutobahnPeer] = {}

    def send(self, msg: Any) -> None:
        data, _ = self.serializer.serialize(msg)
        outputs = self.core.receive(self.session, self.codec.decode(data), NOW)
        for out in outputs:
            if type(out) is Send:
                wire = self.codec.encode(out.message)
                for session in out.recipients:
                    session.handle.inbox += self.serializer.unserialize(wire, self.binary)

    inbox: list[Any]


@pytest.fixture(params=["json", "msgpack"])
def peers(request: Any) -> tuple[AutobahnPeer, AutobahnPeer]:
    core = RouterCore(now=NOW)
    serializer = JsonSerializer() if request.param == "json" else MsgPackSerializer()
    codec = Codec(request.param)
    a, b = AutobahnPeer(core, serializer, codec), AutobahnPeer(core, serializer, codec)
    for peer in (a, b):
        peer.inbox = []
        peer.send(ab.Hello("realm1", ROLES))  # Autobahn|Python sends no agent
    return a, b


def test_autobahn_reads_the_welcome(peers: tuple[AutobahnPeer, AutobahnPeer]) -> None:
    a, _ = peers
    [welcome] = a.inbox
    assert isinstance(welcome, ab.Welcome)
    assert welcome.session == a.session.id
    assert welcome.authrole == "anonymous"
    broker = welcome.roles["broker"]
    dealer = welcome.roles["dealer"]
    assert broker.publisher_identification and broker.pattern_based_subscription
    assert broker.event_retention and broker.subscription_meta_api
    assert dealer.progressive_call_results and dealer.call_canceling
    assert dealer.caller_identification and dealer.shared_registration


def test_autobahn_pubsub_round_trip(peers: tuple[AutobahnPeer, AutobahnPeer]) -> None:
    a, b = peers
    a.inbox.clear()
    b.inbox.clear()
    a.send(ab.Subscribe(1, "com.example", match="prefix"))
    [subscribed] = a.inbox
    assert isinstance(subscribed, ab.Subscribed)
    b.send(ab.Publish(1, "com.example.t", args=[1, "x"], kwargs={"k": 2}, acknowledge=True))
    [published] = b.inbox
    assert isinstance(published, ab.Published)
    event = a.inbox[1]
    assert isinstance(event, ab.Event)
    assert (event.subscription, event.publication) == (
        subscribed.subscription,
        published.publication,
    )
    assert (event.args, event.kwargs) == ([1, "x"], {"k": 2})
    assert event.topic == "com.example.t"
    assert event.publisher == b.session.id


def test_autobahn_rpc_with_progress_and_timeout(peers: tuple[AutobahnPeer, AutobahnPeer]) -> None:
    callee, caller = peers
    callee.inbox.clear()
    caller.inbox.clear()
    callee.send(ab.Register(1, "com.example.add", invoke="roundrobin"))
    assert isinstance(callee.inbox.pop(), ab.Registered)
    caller.send(ab.Call(1, "com.example.add", args=[2, 3], timeout=5, receive_progress=True))
    invocation = callee.inbox.pop()
    assert isinstance(invocation, ab.Invocation)
    assert invocation.args == [2, 3]
    assert invocation.receive_progress is True
    assert invocation.caller == caller.session.id
    callee.send(ab.Yield(invocation.request, args=["half"], progress=True))
    progress = caller.inbox.pop()
    assert isinstance(progress, ab.Result) and progress.progress is True
    callee.send(ab.Yield(invocation.request, args=[5]))
    result = caller.inbox.pop()
    assert isinstance(result, ab.Result) and result.args == [5] and not result.progress
    # Autobahn's timeout is seconds; its HELLO has no agent, which "auto" reads as seconds
    assert caller.session.timeout_scale == 1.0


def test_autobahn_cancel_and_error(peers: tuple[AutobahnPeer, AutobahnPeer]) -> None:
    callee, caller = peers
    callee.inbox.clear()
    caller.inbox.clear()
    callee.send(ab.Register(1, "com.example.slow"))
    callee.inbox.clear()
    caller.send(ab.Call(1, "com.example.slow"))
    invocation = callee.inbox.pop()
    caller.send(ab.Cancel(1, mode="killnowait"))
    error = caller.inbox.pop()
    assert isinstance(error, ab.Error) and error.error == "wamp.error.canceled"
    interrupt = callee.inbox.pop()
    assert isinstance(interrupt, ab.Interrupt) and interrupt.request == invocation.request
    caller.send(ab.Call(2, "com.example.missing"))
    missing = caller.inbox.pop()
    assert isinstance(missing, ab.Error)
    assert (missing.request_type, missing.error) == (
        ab.Call.MESSAGE_TYPE,
        "wamp.error.no_such_procedure",
    )
