"""The router's constructors for the messages it forwards (``router_event``,
``router_invocation``, ``router_result``: no checks) give the message the checked
constructor gives, for every PUBLISH, CALL or YIELD a peer can send: equal, and the same
bytes on the wire in every serializer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_messages import SERIALIZERS

from pywamp._native import (
    Call,
    Codec,
    Event,
    Invocation,
    Publish,
    Result,
    Yield,
    router_event,
    router_invocation,
    router_result,
)

# text a peer can send in every serializer (JSON reads a leading U+0000 as binary)
texts = st.text(max_size=20).filter(lambda t: not t.startswith("\x00"))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner),
    max_leaves=12,
)
DETAILS = [{}, {"topic": "com.example.a.b"}, {"publisher": 77, "publisher_authid": "alice"}]
IDS = (5, 2**53)
# (what arrives from a peer, the router's constructor, the checked class)
FORWARDED = {
    "event": (lambda a, k: Publish(9, {}, "com.example.t", a, k), router_event, Event),
    "invocation": (lambda a, k: Call(9, {}, "com.example.p", a, k), router_invocation, Invocation),
    "result": (lambda a, k: Yield(9, {}, a, k), router_result, Result),
}


@pytest.mark.parametrize("kind", sorted(FORWARDED))
@pytest.mark.parametrize("ser", SERIALIZERS)
@settings(max_examples=40, deadline=None)
@given(
    args=st.none() | st.lists(values, max_size=4),
    kwargs=st.none() | st.dictionaries(texts, values, max_size=4),
    details=st.sampled_from(DETAILS),
)
def test_the_same_message_as_the_checked_constructor(
    kind: str, ser: str, args: Any, kwargs: Any, details: dict[str, Any]
) -> None:
    incoming, fast_class, checked_class = FORWARDED[kind]
    codec = Codec(ser)
    # what the router holds: the message as it arrived from the wire
    arrived = codec.decode(codec.encode(incoming(args, kwargs)))
    ids = IDS[: 1 if kind == "result" else 2]
    parts = (*ids, details, arrived.args, arrived.kwargs, arrived.payload)
    fast, checked = fast_class(*parts), checked_class(*parts)
    assert type(fast) is checked_class
    assert fast == checked
    assert codec.encode(fast) == codec.encode(checked)
    assert codec.decode(codec.encode(fast)) == checked


@pytest.mark.parametrize("ser", ["msgpack", "cbor"])
def test_a_transparent_payload_is_forwarded_as_is(ser: str) -> None:
    codec = Codec(ser)
    publish = codec.decode(codec.encode(Publish(9, {}, "com.example.t", payload=b"\x00sealed")))
    fast = router_event(5, 6, {}, publish.args, publish.kwargs, publish.payload)
    assert codec.encode(fast) == codec.encode(Event(5, 6, {}, payload=b"\x00sealed"))
