"""Property tests: random sequences against a simple model of what must happen."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from router_harness import Client, Net

from pywamp._native import (
    Call,
    Cancel,
    Error,
    Event,
    Invocation,
    Publish,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    Yield,
)
from pywamp.router import RealmConfig

COMPONENTS = ("a", "b")
topics = st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3).map(".".join)
wild = st.lists(st.sampled_from((*COMPONENTS, "")), min_size=1, max_size=3).map(".".join)
patterns = st.one_of(
    topics.map(lambda t: (t, "exact")),
    topics.map(lambda t: (t, "prefix")),
    wild.filter(lambda p: p != "" and "" in p.split(".")).map(lambda p: (p, "wildcard")),
)


def matches(pattern: str, match: str, topic: str) -> bool:
    """The model of URI matching on this alphabet (one-letter components)."""
    if match == "exact":
        return pattern == topic
    if match == "prefix":
        return topic == pattern or topic.startswith(pattern + ".")
    p, t = pattern.split("."), topic.split(".")
    return len(p) == len(t) and all(a in ("", b) for a, b in zip(p, t, strict=True))


actions = st.lists(
    st.one_of(
        st.tuples(st.just("sub"), st.integers(0, 3), patterns),
        st.tuples(st.just("unsub"), st.integers(0, 3), st.integers(0, 9)),
        st.tuples(st.just("pub"), st.integers(0, 3), topics, st.booleans()),
        st.tuples(st.just("drop"), st.integers(0, 3)),
    ),
    min_size=5,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(actions)
def test_publish_delivers_exactly_what_the_model_predicts(steps: list[tuple[Any, ...]]) -> None:
    net = Net(RealmConfig(meta_api=False))  # wildcards like ".." would match meta topics
    clients = [net.join() for _ in range(4)]
    model: list[set[tuple[str, str]]] = [set() for _ in clients]
    ids: dict[tuple[str, str], int] = {}
    for step in steps:
        kind, who = step[0], step[1]
        client = clients[who]
        if client.closed is not None or client.session.realm is None:
            client = clients[who] = net.join()
            model[who] = set()
        if kind == "sub":
            pattern, match = step[2]
            client.send(Subscribe(client.request_id(), {"match": match}, pattern))
            sid = client.take_one(Subscribed).subscription
            live = any(step[2] in m for m in model)
            if live:
                assert ids[step[2]] == sid  # one id per (topic, match)
            ids[step[2]] = sid
            model[who].add(step[2])
        elif kind == "unsub":
            if model[who]:
                key = sorted(model[who])[step[2] % len(model[who])]
                client.send(Unsubscribe(client.request_id(), ids[key]))
                assert type(client.take_one()) is Unsubscribed
                model[who].discard(key)
        elif kind == "pub":
            topic, exclude_me = step[2], step[3]
            client.send(Publish(client.request_id(), {"exclude_me": exclude_me}, topic, [topic]))
            for i, other in enumerate(clients):
                got = sorted(e.subscription for e in other.take() if type(e) is Event)
                wanted = sorted(
                    ids[key]
                    for key in model[i]
                    if matches(*key, topic) and not (exclude_me and i == who)
                )
                assert got == wanted, (i, topic, model[i])
        else:
            client.drop()
            model[who] = set()
    for client in clients:
        client.drop()
    broker = net.core.realms["realm1"].broker
    assert broker.by_id == {} and len(broker.matcher) == 0


call_steps = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(0, 3), st.sampled_from(("p", "q")),
                  st.sampled_from(("single", "roundrobin", "first"))),
        st.tuples(st.just("call"), st.integers(0, 3), st.sampled_from(("p", "q", "none")),
                  st.sampled_from((0, 500, 2000)), st.booleans(),
                  st.sampled_from(("any", "all"))),
        st.tuples(st.just("yield"), st.integers(0, 3), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("error"), st.integers(0, 3), st.integers(0, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 3), st.integers(0, 5),
                  st.sampled_from(("skip", "kill", "killnowait"))),
        st.tuples(st.just("drop"), st.integers(0, 3)),
        st.tuples(st.just("wait"), st.sampled_from((0.1, 0.6, 3.0))),
    ),
    min_size=5,
    max_size=50,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(call_steps)
def test_every_call_ends_once_and_nothing_leaks(steps: list[tuple[Any, ...]]) -> None:
    net = Net()
    clients: list[Client] = [net.join(agent="spec/1") for _ in range(4)]  # timeouts in ms
    for i, procedure, invoke in ((0, "p", "roundrobin"), (1, "p", "roundrobin"), (2, "q", "last")):
        clients[i].send(Register(clients[i].request_id(), {"invoke": invoke}, procedure))
        clients[i].take_one(Registered)
    open_calls: dict[tuple[int, int], bool] = {}  # (client, request) -> still open
    invocations: list[list[Invocation]] = [[] for _ in clients]

    def collect() -> None:
        for i, c in enumerate(clients):
            for m in c.take():
                if type(m) is Invocation:
                    invocations[i].append(m)
                elif (
                    type(m) in (Result, Error) and m.request_id and (i, m.request_id) in open_calls
                ):
                    final = not (type(m) is Result and m.details.get("progress"))
                    key = (i, m.request_id)
                    assert open_calls[key], f"second final answer for {key}: {m}"
                    if final:
                        open_calls[key] = False

    for step in steps:
        kind = step[0]
        if kind == "wait":
            net.advance(step[1])
            collect()
            continue
        who = step[1]
        client = clients[who]
        if client.session.realm is None:
            continue
        if kind == "register":
            client.send(Register(client.request_id(), {"invoke": step[3]}, step[2]))
            client.inbox = [m for m in client.inbox if type(m) not in (Registered, Error)]
        elif kind == "call":
            request = client.request_id()
            options: dict[str, Any] = {"runmode": step[5], "receive_progress": step[4]}
            if step[3]:
                options["timeout"] = step[3]
            open_calls[(who, request)] = True
            client.send(Call(request, options, step[2]))
        elif kind in ("yield", "error"):
            if invocations[who]:
                inv = invocations[who][step[2] % len(invocations[who])]
                if kind == "yield":
                    progress = step[3]
                    client.send(Yield(inv.request_id, {"progress": progress}, [1]))
                    if not progress:
                        invocations[who].remove(inv)
                else:
                    client.send(Error(Invocation.TYPE, inv.request_id, {}, "app.error"))
                    invocations[who].remove(inv)
        elif kind == "cancel":
            mine = [r for (c, r), live in open_calls.items() if c == who and live]
            if mine:
                client.send(Cancel(mine[step[2] % len(mine)], {"mode": step[3]}))
        else:
            client.drop()
            for key in open_calls:
                if key[0] == who:
                    open_calls[key] = False
        collect()
        assert client.closed is None, "a well-behaved client was aborted"

    # answer everything still pending: then every call must have ended exactly once
    for i, c in enumerate(clients):
        if c.session.realm is not None:
            for inv in invocations[i]:
                c.send(Yield(inv.request_id, {}, None))
            invocations[i].clear()
    collect()
    net.advance(10)
    collect()
    killed = [k for k, live in open_calls.items() if live and clients[k[0]].session.realm]
    # calls still open are only "kill"-canceled ones whose callee got nothing to answer
    assert killed == [], killed
    for c in clients:
        c.drop()
    dealer = net.core.realms["realm1"].dealer
    assert dealer.by_id == {} and len(dealer.matcher) == 0
    assert all(not c.session.calls and not c.session.invocations for c in clients)
    assert net.core.next_deadline() is None
