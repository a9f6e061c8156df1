"""``router_event``, the router's EVENT built without the constructor's checks, gives
the message the checked constructor gives for every PUBLISH a peer can send: equal,
and the same bytes on the wire in every serializer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_messages import SERIALIZERS

from pywamp._native import Codec, Event, Publish, router_event

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
DETAILS = [{}, {"topic": "com.example.a.b"}, {"publisher": 77, "publisher_authid": "alice"}]


@pytest.mark.parametrize("ser", SERIALIZERS)
@settings(max_examples=60, deadline=None)
@given(
    args=st.none() | st.lists(values, max_size=4),
    kwargs=st.none() | st.dictionaries(st.text(max_size=8), values, max_size=4),
    details=st.sampled_from(DETAILS),
)
def test_the_same_event_as_the_checked_constructor(
    ser: str, args: Any, kwargs: Any, details: dict[str, Any]
) -> None:
    codec = Codec(ser)
    # what the router holds: a PUBLISH as it arrived from the wire
    publish = codec.decode(codec.encode(Publish(9, {}, "com.example.t", args, kwargs)))
    fast = router_event(5, 2**53, details, publish.args, publish.kwargs, publish.payload)
    checked = Event(5, 2**53, details, publish.args, publish.kwargs, publish.payload)
    assert fast == checked
    assert codec.encode(fast) == codec.encode(checked)
    assert codec.decode(codec.encode(fast)) == checked


@pytest.mark.parametrize("ser", ["msgpack", "cbor"])
def test_a_transparent_payload_is_forwarded_as_is(ser: str) -> None:
    codec = Codec(ser)
    publish = codec.decode(codec.encode(Publish(9, {}, "com.example.t", payload=b"\x00sealed")))
    fast = router_event(5, 6, {}, publish.args, publish.kwargs, publish.payload)
    assert codec.encode(fast) == codec.encode(Event(5, 6, {}, payload=b"\x00sealed"))
