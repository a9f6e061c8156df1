"""What a join reads from HELLO, and what a session that leaves and joins again keeps."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from router_harness import BASIC_ROLES, FULL_ROLES, Net

from pywamp._native import (
    Call,
    Error,
    Goodbye,
    Hello,
    Invocation,
    Register,
    Registered,
    Subscribe,
    Subscribed,
    Welcome,
)
from pywamp.router.features import has_feature, router_roles
from pywamp.router.session import NEW

FEATURES = (
    "call_canceling",
    "call_cancelling",
    "progressive_call_results",
    "progressive_call_invocations",
)
#: Feature values a client may send: only True announces a feature.
VALUES = st.sampled_from([True, False, 1, 0, "true", None])
ROLE = st.dictionaries(st.sampled_from(FEATURES), VALUES, max_size=len(FEATURES))


@given(
    callee=st.one_of(st.none(), ROLE),
    caller=st.one_of(st.none(), ROLE),
)
def test_join_reads_the_callee_and_caller_features_as_has_feature_does(
    callee: dict[str, Any] | None, caller: dict[str, Any] | None
) -> None:
    roles: dict[str, Any] = {"publisher": {}}
    if callee is not None:
        roles["callee"] = {"features": callee}
    if caller is not None:
        roles["caller"] = {"features": caller}
    session = Net().join(roles=roles).session
    parsed = session.roles
    assert session.callee_cancel == has_feature(
        parsed, "callee", "call_canceling", "call_cancelling"
    )
    assert session.callee_progress == has_feature(parsed, "callee", "progressive_call_results")
    assert session.callee_progressive_calls == has_feature(
        parsed, "callee", "progressive_call_invocations"
    )
    assert session.caller_progressive_calls == has_feature(
        parsed, "caller", "progressive_call_invocations"
    )


def test_a_session_that_joins_again_keeps_nothing_of_its_last_join() -> None:
    net = Net()
    callee = net.join(roles=FULL_ROLES)
    caller = net.join()
    callee.send(Register(callee.request_id(), {}, "com.example.proc"))
    callee.take_one(Registered)
    callee.send(Subscribe(callee.request_id(), {}, "com.example.topic"))
    callee.take_one(Subscribed)
    caller.send(Call(caller.request_id(), {}, "com.example.proc", [1]))
    callee.take_one(Invocation)  # a call in flight when the callee leaves
    first = callee.session
    assert first.callee_cancel and first.registrations and first.invocations
    callee.send(Goodbye({}, "wamp.close.close_realm"))
    callee.take()
    assert callee.session.state == NEW
    caller.take_one(Error)  # the call ended with the callee's leave

    callee.send(Hello("realm1", {"roles": BASIC_ROLES}))
    welcome = callee.take_one(Welcome)
    session = callee.session
    assert welcome.details["roles"] == router_roles()
    assert not (session.callee_cancel or session.callee_progress)
    assert not (session.callee_progressive_calls or session.caller_progressive_calls)
    assert session.registrations == {} and session.subscriptions == {}
    assert session.calls == {} and session.invocations == {}
    assert session.testaments == {"detached": [], "destroyed": []}
    # nothing routes to the old registration any more
    caller.send(Call(caller.request_id(), {}, "com.example.proc", [2]))
    assert caller.take_one(Error).error == "wamp.error.no_such_procedure"
    assert callee.take() == []


def test_every_session_is_announced_the_router_roles() -> None:
    net = Net()
    for _ in range(3):
        net.join()
    welcomes = [s for s in net.sends if type(s.message) is Welcome]
    assert len(welcomes) == 3
    for send in welcomes:
        assert send.message.details["roles"] == router_roles()


def test_session_ids_are_distinct_and_in_the_id_range() -> None:
    net = Net()
    ids = [net.join().id for _ in range(300)]  # several batches of OS-drawn ids
    assert len(set(ids)) == len(ids)
    assert all(1 <= sid <= 2**53 for sid in ids)
