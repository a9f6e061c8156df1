"""Payload passthru: transparent payloads and their ppt_* keys cross the router untouched."""

from __future__ import annotations

from router_harness import Net

from pywamp._native import (
    Call,
    Error,
    Event,
    Invocation,
    Publish,
    Register,
    Result,
    Subscribe,
    Yield,
)
from pywamp.router import HistoryTopic, RealmConfig

PPT = {"ppt_scheme": "x_custom", "ppt_serializer": "cbor", "ppt_cipher": "xsalsa20poly1305"}
BLOB = b"\x00\x01opaque\xff"


def test_publish_payload_reaches_subscribers_with_the_ppt_keys() -> None:
    net = Net(RealmConfig(history=[HistoryTopic("e2e.t")]))
    sub, pub = net.join(), net.join()
    sub.send(Subscribe(1, {}, "e2e.t"))
    sid = sub.take()[0].subscription
    pub.send(Publish(1, {**PPT, "retain": True}, "e2e.t", payload=BLOB))
    event = sub.take_one(Event)
    assert event.payload == BLOB and event.args is None
    assert {k: event.details[k] for k in PPT} == PPT
    late = net.join()
    late.send(Subscribe(1, {"get_retained": True}, "e2e.t"))
    retained = late.take()[1]
    assert retained.payload == BLOB and retained.details["retained"] is True
    late.send(Call(2, {}, "wamp.subscription.get_events", [sid]))
    [stored] = late.take_one(Result).args[0]
    assert stored["payload"] == BLOB and stored["details"]["ppt_scheme"] == "x_custom"


def test_call_payload_reaches_the_callee_and_back() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    callee.send(Register(1, {}, "e2e.p"))
    callee.take()
    caller.send(Call(1, {**PPT, "receive_progress": True}, "e2e.p", payload=BLOB))
    inv = callee.take_one(Invocation)
    assert inv.payload == BLOB
    assert {k: inv.details[k] for k in PPT} == PPT
    callee.send(Yield(inv.request_id, {**PPT, "progress": True}, payload=b"part"))
    part = caller.take_one(Result)
    assert part.payload == b"part" and part.details["progress"] is True
    assert part.details["ppt_cipher"] == "xsalsa20poly1305"
    callee.send(Yield(inv.request_id, PPT, payload=b"done"))
    final = caller.take_one(Result)
    assert final.payload == b"done" and "progress" not in final.details
    caller.send(Call(2, PPT, "e2e.p", payload=BLOB))
    inv = callee.take_one(Invocation)
    callee.send(Error(Invocation.TYPE, inv.request_id, PPT, "app.error.e2e", payload=b"why"))
    error = caller.take_one(Error)
    assert error.payload == b"why" and error.details == PPT


def test_runmode_all_gathers_payloads() -> None:
    net = Net()
    a, b = net.join(), net.join()
    for callee in (a, b):
        callee.send(Register(1, {"invoke": "roundrobin"}, "e2e.all"))
        callee.take()
    caller = net.join()
    caller.send(Call(1, {"runmode": "all"}, "e2e.all"))
    ia, ib = a.take_one(Invocation), b.take_one(Invocation)
    a.send(Yield(ia.request_id, {}, payload=b"A"))
    b.send(Yield(ib.request_id, {}, [2]))
    assert caller.take_one(Result).args == [{"payload": b"A"}, 2]
