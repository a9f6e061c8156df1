"""pywamp's codec against Autobahn|Python's serializers (the real ``autobahn`` package).

Random messages of every type: our bytes decode with autobahn's JsonSerializer,
MsgPackSerializer and CBORSerializer to the same message, and the bytes autobahn
serializes from its own message objects decode with ours to the same message.
"""

from __future__ import annotations

import copy
from typing import Any

import txaio

txaio.use_asyncio()

from autobahn.wamp import message as ab  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from wamp_messages import BY_TYPE, SERIALIZERS, wire_list  # noqa: E402

from pywamp._native import Codec  # noqa: E402

AUTOBAHN = {"json": JsonSerializer(), "msgpack": MsgPackSerializer(), "cbor": CBORSerializer()}
AB_CLASSES: dict[int, Any] = {
    cls.MESSAGE_TYPE: cls
    for cls in (
        ab.Hello,
        ab.Welcome,
        ab.Abort,
        ab.Challenge,
        ab.Authenticate,
        ab.Goodbye,
        ab.Error,
        ab.Publish,
        ab.Published,
        ab.Subscribe,
        ab.Subscribed,
        ab.Unsubscribe,
        ab.Unsubscribed,
        ab.Event,
        ab.EventReceived,
        ab.Call,
        ab.Cancel,
        ab.Result,
        ab.Register,
        ab.Registered,
        ab.Unregister,
        ab.Unregistered,
        ab.Invocation,
        ab.Interrupt,
        ab.Yield,
    )
}

ids = st.integers(1, 2**53)
uris = st.from_regex(r"[a-z][a-z0-9_]{0,7}(\.[a-z0-9_]{1,8}){0,3}", fullmatch=True)
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
    | st.binary(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
args = st.lists(values, min_size=1, max_size=4)
kwargs = st.dictionaries(text, values, min_size=1, max_size=4)
# What follows the fixed fields: nothing, args, or args (maybe the [] placeholder) and kwargs.
payload_tail = st.one_of(
    st.just([]),
    args.map(lambda a: [a]),
    st.tuples(args | st.just([]), kwargs).map(list),
)


def opts(**optional: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding any subset of the given keys."""
    return st.fixed_dictionaries({}, optional=optional)


def msg(code: int, *parts: st.SearchStrategy[Any], tail: bool = False) -> st.SearchStrategy[Any]:
    """A wire list: the code, the fixed parts, then optionally args/kwargs."""
    fixed = st.tuples(*parts).map(lambda p: [code, *p])
    if not tail:
        return fixed
    return st.tuples(fixed, payload_tail).map(lambda t: t[0] + t[1])


def revocation(code: int, key: str) -> st.SearchStrategy[Any]:
    """UNSUBSCRIBED/UNREGISTERED: an acknowledgement, or a router revocation (id 0)."""
    return st.one_of(
        ids.map(lambda i: [code, i]),
        st.tuples(ids, uris).map(lambda t: [code, 0, {key: t[0], "reason": t[1]}]),
    )


names = text.filter(bool)  # autobahn drops empty authid/authrole


def details_with_roles(*role_names: str) -> st.SearchStrategy[dict[str, Any]]:
    """HELLO/WELCOME details: some of these roles (no features), maybe an authid."""
    roles = st.sets(st.sampled_from(role_names), min_size=1)
    return st.tuples(roles, opts(authid=names)).map(
        lambda t: {"roles": {role: {} for role in sorted(t[0])}, **t[1]}
    )


MESSAGES = st.one_of(
    msg(1, uris, details_with_roles("caller", "callee", "publisher", "subscriber")),
    msg(2, ids, details_with_roles("broker", "dealer")),
    msg(3, opts(message=names), uris),
    msg(
        4,
        st.sampled_from(["ticket", "wampcra", "cryptosign"]),
        st.dictionaries(text, text, max_size=3),
    ),
    msg(5, text, st.dictionaries(text, text, max_size=3)),
    msg(6, opts(message=names), uris),
    msg(8, st.sampled_from([16, 32, 34, 48, 64, 66, 68]), ids, st.just({}), uris, tail=True),
    msg(
        16,
        ids,
        opts(
            acknowledge=st.booleans(),
            exclude_me=st.booleans(),
            exclude=st.lists(ids, max_size=3),
            eligible=st.lists(ids, max_size=3),
            retain=st.booleans(),
        ),
        uris,
        tail=True,
    ),
    msg(17, ids, ids),
    msg(32, ids, opts(match=st.sampled_from(["prefix", "wildcard"])), uris),
    msg(33, ids, ids),
    msg(34, ids, ids),
    revocation(35, "subscription"),
    msg(36, ids, ids, opts(publisher=ids, topic=uris, retained=st.booleans()), tail=True),
    msg(337, ids),
    msg(
        48,
        ids,
        opts(timeout=st.integers(1, 10**6), receive_progress=st.just(True)),
        uris,
        tail=True,
    ),
    msg(49, ids, opts(mode=st.sampled_from(["skip", "kill", "killnowait"]))),
    msg(50, ids, opts(progress=st.just(True)), tail=True),
    msg(
        64,
        ids,
        opts(
            match=st.sampled_from(["prefix", "wildcard"]),
            invoke=st.sampled_from(["roundrobin", "random", "first", "last"]),
        ),
        uris,
    ),
    msg(65, ids, ids),
    msg(66, ids, ids),
    revocation(67, "registration"),
    msg(68, ids, ids, opts(caller=ids, procedure=uris, receive_progress=st.just(True)), tail=True),
    msg(69, ids, opts(mode=st.sampled_from(["kill", "killnowait"]))),
    msg(70, ids, opts(progress=st.just(True)), tail=True),
)


def ours(wire: list[Any]) -> Any:
    """Our message for a wire list, built with the class constructor."""
    return BY_TYPE[wire[0]](*wire[1:])


@settings(max_examples=400, deadline=None)
@given(wire=MESSAGES, ser=st.sampled_from(SERIALIZERS))
def test_our_bytes_decode_in_autobahn(wire: list[Any], ser: str) -> None:
    message = ours(wire)
    assert wire_list(message) == wire
    [theirs] = AUTOBAHN[ser].unserialize(Codec(ser).encode(message), ser != "json")
    assert type(theirs) is AB_CLASSES[wire[0]]
    assert theirs.marshal() == wire


@settings(max_examples=400, deadline=None)
@given(wire=MESSAGES, ser=st.sampled_from(SERIALIZERS))
def test_autobahn_bytes_decode_in_ours(wire: list[Any], ser: str) -> None:
    theirs = AB_CLASSES[wire[0]].parse(copy.deepcopy(wire))
    data, is_binary = AUTOBAHN[ser].serialize(theirs)
    assert is_binary == (ser != "json")
    assert Codec(ser).decode(data) == ours(wire)


@settings(max_examples=100, deadline=None)
@given(
    wire=st.one_of(
        msg(16, ids, st.just({"enc_algo": "cryptobox", "enc_serializer": "msgpack"}), uris),
        msg(36, ids, ids, st.just({"enc_algo": "cryptobox", "enc_serializer": "cbor"})),
        msg(48, ids, st.just({"enc_algo": "cryptobox", "enc_serializer": "json"}), uris),
    ),
    payload=st.binary(min_size=1, max_size=40),
    ser=st.sampled_from(SERIALIZERS),
)
def test_transparent_payload_both_ways(wire: list[Any], payload: bytes, ser: str) -> None:
    wire = [*wire, payload]
    message = BY_TYPE[wire[0]](*wire[1:-1], payload=payload)
    assert wire_list(message) == wire
    [theirs] = AUTOBAHN[ser].unserialize(Codec(ser).encode(message), ser != "json")
    assert theirs.payload == payload
    assert theirs.marshal() == wire
    data, _ = AUTOBAHN[ser].serialize(AB_CLASSES[wire[0]].parse(copy.deepcopy(wire)))
    assert Codec(ser).decode(data) == message
