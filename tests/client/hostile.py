"""What a hostile router sends a client (hypothesis strategies), how it answers the
client's requests, and how the client's call must end: shared by the asyncio and Twisted
hostile-router tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from pywamp import _native
from pywamp.wamp.types import CallResult

SESSION = 4242
REGISTRATION = 71
SUBSCRIPTION = 72
CALL_ID = 3  # register, subscribe, then call: the client's ids count from 1
WELCOME_DETAILS = {
    "authid": "hostile",
    "authrole": "anonymous",
    "authmethod": "anonymous",
    "roles": {"broker": {"features": {}}, "dealer": {"features": {}}},
}

ids = st.one_of(st.integers(1, 6), st.integers(1, 2**53))
args = st.one_of(
    st.none(), st.lists(st.one_of(st.integers(-(2**53), 2**53), st.text(max_size=5)), max_size=3)
)
request_types = st.sampled_from([16, 32, 34, 48, 64, 66, 68])
hostile_message = st.one_of(
    st.builds(_native.Result, ids, st.sampled_from([{}, {"progress": True}]), args, st.none()),
    st.builds(_native.Error, request_types, ids, st.just({}), st.just("com.hostile.error"), args),
    st.builds(
        _native.Event,
        st.one_of(st.just(SUBSCRIPTION), ids),
        ids,
        st.sampled_from([{}, {"topic": "com.elsewhere"}, {"publisher": 5}]),
        args,
    ),
    st.builds(
        _native.Invocation,
        ids,
        st.one_of(st.just(REGISTRATION), ids),
        st.sampled_from([{}, {"receive_progress": True}, {"progress": True}]),
        args,
    ),
    st.builds(_native.Interrupt, ids, st.sampled_from([{}, {"mode": "kill"}])),
    st.builds(_native.Registered, ids, ids),
    st.builds(_native.Unregistered, ids),
    st.builds(_native.Subscribed, ids, ids),
    st.builds(_native.Unsubscribed, ids),
    st.builds(_native.Published, ids, ids),
    st.builds(_native.Welcome, ids, st.just(WELCOME_DETAILS)),
    st.just(_native.Challenge("ticket", {})),
    st.just(_native.Goodbye({}, "wamp.close.system_shutdown")),
    st.just(_native.Abort({}, "com.hostile.abort")),
    # Only a client sends these.
    st.just(_native.Hello("realm1", {"roles": {"caller": {}}})),
    st.builds(_native.Call, ids, st.just({}), st.just("com.hostile.call"), args),
    st.builds(_native.Publish, ids, st.just({}), st.just("com.hostile.topic"), args),
    st.builds(_native.Yield, ids, st.just({}), args),
    st.builds(_native.Cancel, ids, st.just({})),
)


#: What the router sends after it has seen the client's CALL, before the probe.
scripts = st.lists(hostile_message, min_size=1, max_size=6)


def answer(message: Any, script: list[Any], send: Callable[[Any], None]) -> None:
    """The router's part: WELCOME, REGISTERED, SUBSCRIBED; after the CALL, the script,
    then an EVENT for the real subscription (the probe) and the call's RESULT."""
    if isinstance(message, _native.Hello):
        send(_native.Welcome(SESSION, WELCOME_DETAILS))
    elif isinstance(message, _native.Register):
        send(_native.Registered(message.request_id, REGISTRATION))
    elif isinstance(message, _native.Subscribe):
        send(_native.Subscribed(message.request_id, SUBSCRIPTION))
    elif isinstance(message, _native.Call):
        for hostile in script:
            send(hostile)
        send(_native.Event(SUBSCRIPTION, 1, {}, ["probe"]))
        send(_native.Result(CALL_ID, {}, ["answer"]))
    elif isinstance(message, _native.Goodbye):
        send(_native.Goodbye({}, "wamp.close.goodbye_and_out"))


def ended(received: list[Any], script: list[Any]) -> bool:
    """Whether the session's end was said: the client sent ABORT or GOODBYE, or the script
    ended it with an ABORT (which the client does not answer)."""
    kinds = (_native.Abort, _native.Goodbye)
    return any(isinstance(m, kinds) for m in received) or any(
        isinstance(m, _native.Abort) for m in script
    )


def outcome_of(value: Any, error: BaseException | None) -> tuple[str, Any]:
    """How a finished call ended: ("result", value) or ("error", error URI)."""
    if error is None:
        return "result", list(value.results) if isinstance(value, CallResult) else value
    return "error", getattr(error, "error", repr(error))


def expected_outcome(script: list[Any]) -> tuple[str, Any]:
    """The first final answer to the client's call in what the router sent."""
    for message in [*script, _native.Result(CALL_ID, {}, ["answer"])]:
        if getattr(message, "request_id", None) != CALL_ID:
            continue
        if isinstance(message, _native.Result) and not message.details.get("progress"):
            args = message.args or []
            return "result", args[0] if len(args) == 1 else (list(args) or None)
        if isinstance(message, _native.Error) and message.request_type == _native.Call.TYPE:
            return "error", message.error
    raise AssertionError("unreachable: the last RESULT answers the call")
