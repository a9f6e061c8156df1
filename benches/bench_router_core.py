"""Router core micro benches: pywamp's sans-IO RouterCore against wampproto's Broker/Dealer.

wampproto (xconnio/wampproto-python) is the other sans-IO WAMP router core in Python
with recipient-addressed output. It does less per message (exact matching only, no
exclusion, filters, disclosure or meta API), so a ratio in pywamp's favour is an
understatement. Messages are built once outside the timed call: decoding is the
codec's bench, routing is this one.
"""

from __future__ import annotations

from typing import Any

import pytest
from core_calls import NOW, call_roundtrip
from wampproto import messages as wp
from wampproto.broker import Broker as WpBroker
from wampproto.dealer import Dealer as WpDealer
from wampproto.types import SessionDetails

from pywamp._native import Hello, Invocation, Publish, Subscribe
from pywamp.router import RouterCore, Send

ROLES = {"roles": {"publisher": {}, "subscriber": {}, "caller": {}, "callee": {}}}


def joined(core: RouterCore) -> Any:
    session = core.attach({"type": "bench"})
    core.receive(session, Hello("realm1", ROLES), NOW)
    return session


def wp_session(sid: int) -> SessionDetails:
    return SessionDetails(sid, "realm1", f"user{sid}", "anonymous")


@pytest.mark.parametrize("fanout", [1, 100])
def test_pywamp_publish(benchmark: Any, fanout: int) -> None:
    benchmark.group = f"router-publish-fanout-{fanout}"
    core = RouterCore(now=NOW)
    for _ in range(fanout):
        subscriber = joined(core)
        core.receive(subscriber, Subscribe(1, {}, "com.example.topic"), NOW)
    publisher = joined(core)
    message = Publish(1, {}, "com.example.topic", [1, "payload"], {"k": True})
    receive = core.receive

    out = benchmark(receive, publisher, message, NOW)
    assert len(out) == 1 and type(out[0]) is Send
    assert len(out[0].recipients) == fanout


@pytest.mark.parametrize("fanout", [1, 100])
def test_wampproto_publish(benchmark: Any, fanout: int) -> None:
    benchmark.group = f"router-publish-fanout-{fanout}"
    broker = WpBroker()
    for sid in range(1, fanout + 1):
        broker.add_session(wp_session(sid))
        broker.receive_message(sid, wp.Subscribe(wp.SubscribeFields(1, "com.example.topic")))
    broker.add_session(wp_session(fanout + 1))
    fields = wp.PublishFields(1, "com.example.topic", [1, "payload"], {"k": True}, {})
    message = wp.Publish(fields)

    publication = benchmark(broker.receive_publish, fanout + 1, message)
    assert len(publication.recipients) == fanout


@pytest.mark.benchmark(group="router-call-roundtrip")
def test_pywamp_call_roundtrip(benchmark: Any) -> None:
    core = RouterCore(now=NOW)
    callee, caller = joined(core), joined(core)
    roundtrip, call = call_roundtrip(core, callee, caller)
    result = benchmark(roundtrip)
    assert result.args == [5]
    assert type(core.receive(caller, call, NOW)[0].message) is Invocation


@pytest.mark.benchmark(group="router-call-roundtrip")
def test_wampproto_call_roundtrip(benchmark: Any) -> None:
    dealer = WpDealer()
    for sid in (1, 2):
        dealer.add_session(wp_session(sid))
    dealer.receive_message(1, wp.Register(wp.RegisterFields(1, "com.example.add")))
    call = wp.Call(wp.CallFields(1, "com.example.add", [2, 3]))

    def roundtrip() -> Any:
        invocation = dealer.receive_message(2, call).message
        answer = wp.Yield(wp.YieldFields(invocation.request_id, [5]))
        return dealer.receive_message(1, answer).message

    result = benchmark(roundtrip)
    assert result.args == [5]
