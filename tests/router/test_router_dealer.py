"""Dealer: registration, precedence, shared/sharded calls, progress, cancel, timeouts."""

from __future__ import annotations

from typing import Any

import pytest
from router_harness import BASIC_ROLES, Client, HelloIdentity, Net

from pywamp._native import (
    Abort,
    Call,
    Cancel,
    Error,
    Interrupt,
    Invocation,
    Register,
    Registered,
    Result,
    Unregister,
    Unregistered,
    Yield,
)
from pywamp.router import Disclosure, RealmConfig

SPEC_AGENT = "nexus-client/1.0"  # any agent but Autobahn's and pywamp's: milliseconds


def register(client: Client, procedure: str, **options: Any) -> int:
    client.send(Register(client.request_id(), options, procedure))
    return int(client.take_one(Registered).registration)


def call(client: Client, procedure: str, *args: Any, **options: Any) -> int:
    request = client.request_id()
    client.send(Call(request, options, procedure, list(args) or None))
    return request


def answer(callee: Client, inv: Invocation, *args: Any, **options: Any) -> None:
    callee.send(Yield(inv.request_id, options, list(args) or None))


def test_call_invocation_yield_result() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    rid = register(callee, "com.calc.add")
    request = call(caller, "com.calc.add", 2, 3)
    inv = callee.take_one(Invocation)
    assert inv.registration == rid
    assert inv.args == [2, 3]
    assert inv.request_id == 1  # session-scope ids from 1
    assert "procedure" not in inv.details
    callee.send(Yield(inv.request_id, {}, [5], {"k": 1}))
    result = caller.take_one(Result)
    assert (result.request_id, result.args, result.kwargs, result.details) == (
        request,
        [5],
        {"k": 1},
        {},
    )
    call(caller, "com.calc.add", 1, 1)
    assert callee.take_one(Invocation).request_id == 2


def test_callee_error_reaches_the_caller() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    request = call(caller, "p")
    inv = callee.take_one(Invocation)
    callee.send(
        Error(Invocation.TYPE, inv.request_id, {"x": 1}, "app.error.bad", ["why"], {"a": 1})
    )
    error = caller.take_one(Error)
    assert (error.request_type, error.request_id) == (Call.TYPE, request)
    assert (error.error, error.args, error.kwargs) == ("app.error.bad", ["why"], {"a": 1})


def test_no_such_procedure_and_invalid_uri() -> None:
    net = Net()
    caller = net.join()
    call(caller, "nothing.here")
    error = caller.take_one(Error)
    assert error.error == "wamp.error.no_such_procedure"
    call(caller, "bad..uri")
    assert caller.take_one(Error).error == "wamp.error.invalid_uri"
    caller.send(Register(caller.request_id(), {}, "wamp.mine"))
    assert caller.take_one(Error).error == "wamp.error.invalid_uri"
    caller.send(Register(caller.request_id(), {}, "a..b"))
    assert caller.take_one(Error).error == "wamp.error.invalid_uri"


def test_precedence_exact_then_longest_prefix_then_wildcard() -> None:
    net = Net()
    c = {name: net.join() for name in ("exact", "p1", "p2", "w1", "w2")}
    register(c["exact"], "a1.b2.c3.d4")
    register(c["p1"], "a1.b2", match="prefix")
    register(c["p2"], "a1.b2.c3", match="prefix")
    register(c["w1"], "a1...d4", match="wildcard")
    register(c["w2"], "a1.b2..d4", match="wildcard")
    caller = net.join()

    def winner(procedure: str) -> str:
        call(caller, procedure)
        hit = [name for name, client in c.items() if client.inbox]
        assert len(hit) == 1, hit
        inv = c[hit[0]].take_one(Invocation)
        if hit[0] != "exact":
            assert inv.details["procedure"] == procedure
        return hit[0]

    assert winner("a1.b2.c3.d4") == "exact"
    assert winner("a1.b2.c3.d5") == "p2"
    assert winner("a1.b2.c4.d5") == "p1"
    assert winner("a1.x2.c3.d4") == "w1"
    assert winner("a1.b2.c9.d4") == "p1"  # prefix beats wildcard
    call(caller, "a9.b2.c3.d4")
    assert caller.take_one(Error).error == "wamp.error.no_such_procedure"


def test_single_registration_refuses_a_second_callee() -> None:
    net = Net()
    a, b = net.join(), net.join()
    register(a, "p")
    b.send(Register(b.request_id(), {"invoke": "roundrobin"}, "p"))
    error = b.take_one(Error)
    assert (error.request_type, error.error) == (
        Register.TYPE,
        "wamp.error.procedure_already_exists",
    )
    a.send(Register(a.request_id(), {}, "p"))
    assert a.take_one(Error).error == "wamp.error.procedure_already_exists"
    # another match policy is another registration
    assert register(b, "p", match="prefix")


def test_shared_registration_with_another_policy_is_refused() -> None:
    net = Net()
    a, b = net.join(), net.join()
    register(a, "p", invoke="roundrobin")
    b.send(Register(b.request_id(), {"invoke": "random"}, "p"))
    error = b.take_one(Error)
    assert error.error == "wamp.error.procedure_exists_with_different_invocation_policy"
    a.send(Register(a.request_id(), {"invoke": "roundrobin"}, "p"))
    assert a.take_one(Error).error == "wamp.error.procedure_already_exists"


def shared(net: Net, invoke: str, n: int = 3) -> tuple[list[Client], int]:
    callees = [net.join() for _ in range(n)]
    ids = {register(c, "svc", invoke=invoke) for c in callees}
    assert len(ids) == 1
    return callees, ids.pop()


def who(callees: list[Client]) -> int:
    hit = [i for i, c in enumerate(callees) if c.inbox]
    assert len(hit) == 1
    inv = callees[hit[0]].take_one(Invocation)
    answer(callees[hit[0]], inv, hit[0])
    return hit[0]


@pytest.mark.parametrize(
    ("invoke", "expected"),
    [
        ("roundrobin", [0, 1, 2, 0, 1, 2]),
        ("first", [0] * 6),
        ("last", [2] * 6),
    ],
)
def test_invocation_policies(invoke: str, expected: list[int]) -> None:
    net = Net()
    callees, _ = shared(net, invoke)
    caller = net.join()
    picks = []
    for _ in expected:
        call(caller, "svc")
        picks.append(who(callees))
        assert caller.take_one(Result).args == [picks[-1]]
    assert picks == expected


def test_random_policy_uses_every_callee() -> None:
    net = Net()
    callees, _ = shared(net, "random")
    caller = net.join()
    seen = set()
    for _ in range(200):
        call(caller, "svc")
        seen.add(who(callees))
    assert seen == {0, 1, 2}


def test_first_and_last_follow_callees_leaving() -> None:
    net = Net()
    callees, _ = shared(net, "first")
    caller = net.join()
    callees[0].drop()
    call(caller, "svc")
    assert who(callees) == 1


def test_unregister_and_registration_deletion() -> None:
    net = Net()
    a, b = net.join(), net.join()
    rid = register(a, "p", invoke="roundrobin")
    register(b, "p", invoke="roundrobin")
    a.send(Unregister(a.request_id(), rid))
    assert a.take_one(Unregistered).request_id == 3 - 1
    caller = net.join()
    for _ in range(3):
        call(caller, "p")
        assert b.take_one(Invocation)
    a.send(Unregister(a.request_id(), rid))
    error = a.take_one(Error)
    assert (error.request_type, error.error) == (Unregister.TYPE, "wamp.error.no_such_registration")
    b.send(Unregister(b.request_id(), rid))
    b.take()
    assert net.core.realms["realm1"].dealer.by_id == {}
    call(caller, "p")
    assert caller.take_one(Error).error == "wamp.error.no_such_procedure"


def test_default_realm_discloses_the_caller() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    call(caller, "p")
    details = callee.take_one(Invocation).details
    assert details["caller"] == caller.id
    assert details["caller_authid"] == caller.session.authid
    assert details["caller_authrole"] == "anonymous"


def test_caller_disclosure_off_by_role_unless_asked() -> None:
    config = RealmConfig(
        authenticator=HelloIdentity(), role_disclose={"private": Disclosure(caller=False)}
    )
    net = Net(config)
    callee = net.join(authid="svc", authrole="service")
    caller = net.join(authid="me", authrole="private")
    register(callee, "p")
    call(caller, "p")
    assert "caller" not in callee.take_one(Invocation).details
    call(caller, "p", disclose_me=True)
    assert callee.take_one(Invocation).details["caller_authid"] == "me"


# -- progressive results ---------------------------------------------------------------


def test_progressive_call_results() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    request = call(caller, "p", receive_progress=True)
    inv = callee.take_one(Invocation)
    assert inv.details["receive_progress"] is True
    for i in range(3):
        answer(callee, inv, i, progress=True)
        result = caller.take_one(Result)
        assert (result.request_id, result.args, result.details) == (
            request,
            [i],
            {"progress": True},
        )
    answer(callee, inv, "done")
    final = caller.take_one(Result)
    assert final.details == {} and final.args == ["done"]
    answer(callee, inv, "late")
    assert caller.take() == []


def test_progress_is_not_forwarded_to_callers_that_did_not_ask() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    call(caller, "p")
    inv = callee.take_one(Invocation)
    assert "receive_progress" not in inv.details
    answer(callee, inv, 1, progress=True)
    assert caller.take() == []
    answer(callee, inv, 2)
    assert caller.take_one(Result).args == [2]


def test_receive_progress_is_not_offered_to_callees_without_the_feature() -> None:
    net = Net()
    callee = net.join(roles=BASIC_ROLES)
    caller = net.join()
    register(callee, "p")
    call(caller, "p", receive_progress=True)
    assert "receive_progress" not in callee.take_one(Invocation).details


# -- progressive invocations -----------------------------------------------------------


def test_progressive_call_invocations_stay_on_one_callee() -> None:
    net = Net()
    callees, _ = shared(net, "roundrobin", 2)
    caller = net.join()
    request = call(caller, "svc", "chunk0", progress=True, disclose_me=True)
    target = next(c for c in callees if c.inbox)
    first = target.take_one(Invocation)
    assert first.details["progress"] is True
    assert first.details["caller"] == caller.id
    for i in (1, 2):
        caller.send(Call(request, {"progress": True}, "svc", [f"chunk{i}"]))
        inv = target.take_one(Invocation)
        assert inv.request_id == first.request_id
        assert inv.details["progress"] is True
        assert inv.details["caller"] == caller.id  # options frozen from the first CALL
    caller.send(Call(request, {}, "svc", ["last"]))
    last = target.take_one(Invocation)
    assert "progress" not in last.details and last.args == ["last"]
    assert all(c.inbox == [] for c in callees)
    answer(target, last, "ok")
    assert caller.take_one(Result).args == ["ok"]


def test_progressive_invocations_with_progressive_results() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "echo")
    request = call(caller, "echo", 1, progress=True, receive_progress=True)
    inv = callee.take_one(Invocation)
    answer(callee, inv, "r1", progress=True)
    assert caller.take_one(Result).details == {"progress": True}
    caller.send(Call(request, {}, "echo", [2]))
    callee.take_one(Invocation)
    answer(callee, inv, "end")
    assert caller.take_one(Result).args == ["end"]


def test_continuations_after_completion_are_discarded() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    request = call(caller, "p", progress=True)
    inv = callee.take_one(Invocation)
    callee.send(Error(Invocation.TYPE, inv.request_id, {}, "app.error.enough"))
    assert caller.take_one(Error).error == "app.error.enough"
    caller.send(Call(request, {"progress": True}, "p", [1]))
    caller.send(Call(request, {}, "p", [2]))
    assert callee.take() == [] and caller.take() == []
    # the id is free again for a new call once the final chunk was seen
    caller.send(Call(request, {}, "p", [3]))
    assert callee.take_one(Invocation).args == [3]


def test_progressive_invocation_needs_the_features() -> None:
    net = Net()
    plain = net.join(roles=BASIC_ROLES)
    register(plain, "p")
    caller = net.join()
    call(caller, "p", progress=True)
    assert caller.take_one(Error).error == "wamp.error.feature_not_supported"
    unannounced = net.join(roles=BASIC_ROLES)
    call(unannounced, "p", progress=True)
    assert unannounced.take_one(Abort).reason == "wamp.error.protocol_violation"


def test_repeating_the_request_id_of_a_plain_call_is_a_violation() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    request = call(caller, "p")
    caller.send(Call(request, {}, "p"))
    assert caller.take_one(Abort).reason == "wamp.error.protocol_violation"


# -- cancel ----------------------------------------------------------------------------


def pending_call(
    net: Net, callee_roles: dict[str, Any] | None = None
) -> tuple[Client, Client, int, Invocation]:
    callee = net.join(roles=callee_roles) if callee_roles is not None else net.join()
    caller = net.join()
    register(callee, "slow")
    request = call(caller, "slow")
    return callee, caller, request, callee.take_one(Invocation)


def test_cancel_skip() -> None:
    net = Net()
    callee, caller, request, inv = pending_call(net)
    caller.send(Cancel(request, {"mode": "skip"}))
    error = caller.take_one(Error)
    assert (error.request_id, error.error) == (request, "wamp.error.canceled")
    assert callee.take() == []  # no INTERRUPT
    answer(callee, inv, "late")
    assert caller.take() == []


def test_cancel_kill_waits_for_the_callee() -> None:
    net = Net()
    callee, caller, request, inv = pending_call(net)
    caller.send(Cancel(request, {"mode": "kill"}))
    interrupt = callee.take_one(Interrupt)
    assert (interrupt.request_id, interrupt.options) == (inv.request_id, {"mode": "kill"})
    assert caller.take() == []
    caller.send(Cancel(request, {"mode": "kill"}))  # a second cancel changes nothing
    assert callee.take() == []
    callee.send(Error(Invocation.TYPE, inv.request_id, {}, "wamp.error.canceled"))
    assert caller.take_one(Error).error == "wamp.error.canceled"


def test_cancel_kill_may_still_end_in_a_result() -> None:
    net = Net()
    callee, caller, request, inv = pending_call(net)
    caller.send(Cancel(request, {"mode": "kill"}))
    callee.take()
    answer(callee, inv, "made it")
    assert caller.take_one(Result).args == ["made it"]


def test_cancel_killnowait_is_the_default() -> None:
    net = Net()
    callee, caller, request, inv = pending_call(net)
    caller.send(Cancel(request, {}))
    assert caller.take_one(Error).error == "wamp.error.canceled"
    assert callee.take_one(Interrupt).options == {"mode": "killnowait"}
    answer(callee, inv, "late")
    assert caller.take() == []


@pytest.mark.parametrize("mode", ["kill", "killnowait"])
def test_callee_without_cancel_support_gets_skip(mode: str) -> None:
    net = Net()
    callee, caller, request, _inv = pending_call(net, BASIC_ROLES)
    caller.send(Cancel(request, {"mode": mode}))
    assert caller.take_one(Error).error == "wamp.error.canceled"
    assert callee.take() == []


def test_cancel_of_an_answered_call_is_ignored() -> None:
    net = Net()
    callee, caller, request, inv = pending_call(net)
    answer(callee, inv)
    caller.take()
    caller.send(Cancel(request, {"mode": "skip"}))
    assert caller.take() == [] and callee.take() == []


# -- sessions leaving mid-call ---------------------------------------------------------


def test_callee_leaving_cancels_its_calls() -> None:
    net = Net()
    callee, caller, request, _ = pending_call(net)
    callee.drop()
    error = caller.take_one(Error)
    assert (error.request_id, error.error) == (request, "wamp.error.canceled")
    call(caller, "slow")
    assert caller.take_one(Error).error == "wamp.error.no_such_procedure"


def test_caller_leaving_interrupts_the_callee() -> None:
    net = Net()
    callee, caller, _, inv = pending_call(net)
    caller.drop()
    interrupt = callee.take_one(Interrupt)
    assert (interrupt.request_id, interrupt.options) == (inv.request_id, {"mode": "killnowait"})
    answer(callee, inv, "nobody listens")
    assert callee.take() == []


def test_caller_leaving_a_callee_without_cancel_sends_nothing() -> None:
    net = Net()
    callee, caller, _, _ = pending_call(net, BASIC_ROLES)
    caller.drop()
    assert callee.take() == []


def test_session_calling_itself_and_leaving() -> None:
    net = Net()
    me = net.join()
    register(me, "self")
    call(me, "self")
    me.take_one(Invocation)
    me.drop()
    assert net.core.realms["realm1"].dealer.by_id == {}


def test_yield_for_an_invocation_never_sent_is_a_violation() -> None:
    net = Net()
    callee, _, _, inv = pending_call(net)
    callee.send(Yield(inv.request_id + 5, {}))
    assert callee.take_one(Abort).reason == "wamp.error.protocol_violation"


# -- timeouts --------------------------------------------------------------------------


def test_dealer_timeout_in_milliseconds_for_spec_clients() -> None:
    net = Net()
    callee, caller = net.join(), net.join(agent=SPEC_AGENT)
    register(callee, "slow")
    request = call(caller, "slow", timeout=1500)
    inv = callee.take_one(Invocation)
    assert "timeout" not in inv.details
    assert net.timers == [net.now + 1.5]
    assert net.core.next_deadline() == net.now + 1.5
    net.advance(1.0)
    assert caller.take() == []
    net.advance(0.6)
    error = caller.take_one(Error)
    assert (error.request_id, error.error) == (request, "wamp.error.timeout")
    assert callee.take_one(Interrupt).options == {"mode": "killnowait"}
    answer(callee, inv, "late")
    assert caller.take() == []
    assert net.core.next_deadline() is None


@pytest.mark.parametrize("agent", ["AutobahnJS-22.11.1", "pywamp/0.1", None])
def test_dealer_timeout_in_seconds_for_autobahn_and_agentless_callers(agent: str | None) -> None:
    net = Net()
    callee = net.join()
    caller = net.join(agent=agent) if agent else net.join()
    register(callee, "slow")
    call(caller, "slow", timeout=3)
    callee.take()
    net.advance(2.9)
    assert caller.take() == []
    net.advance(0.2)
    assert caller.take_one(Error).error == "wamp.error.timeout"


def test_dealer_timeout_in_seconds_for_autobahn_without_agent() -> None:
    """Autobahn|Python's HELLO has no agent; its roles announce payload_encryption_cryptobox."""
    net = Net()
    roles = {
        "caller": {"features": {"call_canceling": True, "payload_encryption_cryptobox": True}},
        "callee": {"features": {"call_canceling": True, "payload_encryption_cryptobox": True}},
    }
    callee, caller = net.join(), net.join(roles=roles)
    register(callee, "slow")
    call(caller, "slow", timeout=2)
    callee.take()
    net.advance(1.9)
    assert caller.take() == []
    net.advance(0.2)
    assert caller.take_one(Error).error == "wamp.error.timeout"


@pytest.mark.parametrize(("unit", "fires_after"), [("ms", 0.002), ("s", 2.0)])
def test_timeout_unit_can_be_fixed_per_realm(unit: Any, fires_after: float) -> None:
    net = Net(RealmConfig(call_timeout_unit=unit))
    callee, caller = net.join(), net.join(agent="Autobahn/1")
    register(callee, "slow")
    call(caller, "slow", timeout=2)
    callee.take()
    net.advance(fires_after * 0.9)
    assert caller.take() == []
    net.advance(fires_after * 0.2)
    assert caller.take_one(Error).error == "wamp.error.timeout"


def test_answered_call_cancels_its_timer() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p")
    call(caller, "p", timeout=1000)
    answer(callee, callee.take_one(Invocation))
    caller.take()
    assert net.core.next_deadline() is None
    net.advance(5)
    assert caller.take() == []


def test_progressive_results_rearm_the_timeout() -> None:
    net = Net()
    callee, caller = net.join(), net.join(agent=SPEC_AGENT)
    register(callee, "p")
    call(caller, "p", timeout=1000, receive_progress=True)
    inv = callee.take_one(Invocation)
    for _ in range(3):
        net.advance(0.8)
        answer(callee, inv, progress=True)
        assert caller.take_one(Result).details == {"progress": True}
    net.advance(1.1)
    assert caller.take_one(Error).error == "wamp.error.timeout"


def test_forward_timeout_lets_the_callee_handle_it() -> None:
    net = Net()
    callee, caller = net.join(), net.join()
    register(callee, "p", forward_timeout=True)
    call(caller, "p", timeout=250)
    assert callee.take_one(Invocation).details["timeout"] == 250
    assert net.core.next_deadline() is None


def test_timeout_with_a_callee_without_cancel_support_skips() -> None:
    net = Net()
    callee, caller = net.join(roles=BASIC_ROLES), net.join(agent=SPEC_AGENT)
    register(callee, "p")
    call(caller, "p", timeout=100)
    callee.take()
    net.advance(0.2)
    assert caller.take_one(Error).error == "wamp.error.timeout"
    assert callee.take() == []


def test_timer_output_only_for_a_new_earliest_deadline() -> None:
    net = Net()
    callee, caller = net.join(), net.join(agent=SPEC_AGENT)
    register(callee, "p")
    call(caller, "p", timeout=5000)
    call(caller, "p", timeout=9000)
    call(caller, "p", timeout=1000)
    assert net.timers == [net.now + 5, net.now + 1]
    net.advance(1)
    assert net.core.next_deadline() == net.now + 4


# -- sharded registrations (runmode) ---------------------------------------------------


def test_runmode_all_gathers_every_result_in_registration_order() -> None:
    net = Net()
    callees, _ = shared(net, "roundrobin")
    caller = net.join()
    request = call(caller, "svc", 10, runmode="all")
    invs = [c.take_one(Invocation) for c in callees]
    assert all(inv.args == [10] for inv in invs)
    callees[2].send(Yield(invs[2].request_id, {}, [2]))
    callees[0].send(Yield(invs[0].request_id, {}, [0]))
    assert caller.take() == []
    callees[1].send(Yield(invs[1].request_id, {}, None, {"k": 1}))
    result = caller.take_one(Result)
    assert result.request_id == request
    assert result.args == [0, {"args": [], "kwargs": {"k": 1}}, 2]


def test_runmode_all_fails_with_the_first_error_and_interrupts_the_rest() -> None:
    net = Net()
    callees, _ = shared(net, "roundrobin")
    caller = net.join()
    call(caller, "svc", runmode="all")
    invs = [c.take_one(Invocation) for c in callees]
    answer(callees[0], invs[0], "fine")
    callees[1].send(Error(Invocation.TYPE, invs[1].request_id, {}, "app.error.boom"))
    assert caller.take_one(Error).error == "app.error.boom"
    assert callees[2].take_one(Interrupt).request_id == invs[2].request_id
    assert callees[0].take() == []
    answer(callees[2], invs[2], "late")
    assert caller.take() == []


def test_runmode_all_callee_leaving_cancels() -> None:
    net = Net()
    callees, _ = shared(net, "roundrobin", 2)
    caller = net.join()
    call(caller, "svc", runmode="all")
    invs = [c.take_one(Invocation) for c in callees]
    callees[0].drop()
    assert caller.take_one(Error).error == "wamp.error.canceled"
    assert callees[1].take_one(Interrupt).request_id == invs[1].request_id


def test_runmode_partition_is_stable_per_key() -> None:
    net = Net()
    callees, _ = shared(net, "roundrobin", 4)
    caller = net.join()
    chosen: dict[str, int] = {}
    for _ in range(3):
        for key in ("alpha", "beta", "gamma", "delta", "eps", "zeta"):
            call(caller, "svc", runmode="partition", rkey=key)
            target = who(callees)
            assert chosen.setdefault(key, target) == target
            caller.take()
    assert len(set(chosen.values())) > 1
    call(caller, "svc", runmode="partition")
    assert caller.take_one(Error).error == "wamp.error.invalid_argument"
    call(caller, "svc", runmode="everywhere")
    assert caller.take_one(Error).error == "wamp.error.invalid_argument"


def test_runmode_any_uses_the_invocation_policy() -> None:
    net = Net()
    callees, _ = shared(net, "last")
    caller = net.join()
    call(caller, "svc", runmode="any")
    assert who(callees) == 2


# -- concurrency -----------------------------------------------------------------------


def test_concurrency_limit_per_callee() -> None:
    net = Net()
    a, b = net.join(), net.join()
    register(a, "svc", invoke="first", concurrency=1)
    register(b, "svc", invoke="first", concurrency=1)
    caller = net.join()
    call(caller, "svc")
    call(caller, "svc")
    inv_a = a.take_one(Invocation)
    inv_b = b.take_one(Invocation)
    call(caller, "svc")
    assert caller.take_one(Error).error == "wamp.error.no_available_callee"
    answer(a, inv_a)
    caller.take()
    call(caller, "svc")
    assert a.take_one(Invocation)
    answer(b, inv_b)
