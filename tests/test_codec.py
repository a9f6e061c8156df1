"""pywamp's codec on its own: message round trips, the binary convention, and every kind
of bad input (bytes, messages, values) failing with an error that names the problem."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_messages import MESSAGE_CLASSES, SERIALIZERS, wire_list

from pywamp import ProtocolError, SerializationError
from pywamp._native import (
    Abort,
    Authenticate,
    Call,
    Cancel,
    Challenge,
    Codec,
    Error,
    Event,
    EventReceived,
    Goodbye,
    Hello,
    Interrupt,
    Invocation,
    Publish,
    Published,
    Register,
    Registered,
    Result,
    Subscribe,
    Subscribed,
    Unregister,
    Unregistered,
    Unsubscribe,
    Unsubscribed,
    Welcome,
    Yield,
)

ARGS = [1, -2, 2.5, "é ü 中", b"\x00\xff", None, True, [1, [2]], {"n": {"m": []}}]
KWARGS = {"a": 1, "b": [False, None], "c": {"d": "e"}}

EXAMPLES: list[Any] = [
    Hello("realm1", {"roles": {"caller": {}, "callee": {"features": {"x": True}}}}),
    Welcome(2**53, {"roles": {"dealer": {}}, "authid": "joe"}),
    Abort({"message": "no"}, "wamp.error.no_such_realm"),
    Abort({}, "wamp.error.no_such_realm", ARGS, KWARGS),
    Challenge("wampcra", {"challenge": "{}"}),
    Authenticate("c2lnbmF0dXJl", {}),
    Goodbye({}, "wamp.close.normal"),
    Error(48, 7, {}, "com.myapp.error"),
    Error(68, 7, {"callee": 3}, "com.myapp.error", ARGS, KWARGS),
    Error(48, 7, {"enc_algo": "cryptobox"}, "com.myapp.error", payload=b"\x01\x02"),
    Publish(1, {}, "com.topic"),
    Publish(1, {"acknowledge": True, "exclude": [2, 3]}, "com.topic", ARGS),
    Publish(1, {}, "com.topic", None, KWARGS),
    Publish(1, {"enc_algo": "x_custom"}, "com.topic", payload=b""),
    Published(1, 2),
    Subscribe(3, {"match": "prefix"}, "com."),
    Subscribed(3, 4),
    Unsubscribe(5, 4),
    Unsubscribed(5),
    Unsubscribed(0, {"subscription": 4, "reason": "revoked"}),
    Event(4, 6, {}),
    Event(4, 6, {"publisher": 9, "topic": "com.t"}, ARGS, KWARGS),
    Event(4, 6, {"enc_algo": "cryptobox"}, payload=b"sealed"),
    Call(7, {}, "com.proc"),
    Call(7, {"timeout": 1000, "receive_progress": True}, "com.proc", ARGS, KWARGS),
    Cancel(7, {"mode": "killnowait"}),
    Result(7, {}),
    Result(7, {"progress": True}, ARGS),
    Register(8, {"match": "wildcard", "invoke": "roundrobin"}, "com..x"),
    Registered(8, 9),
    Unregister(10, 9),
    Unregistered(10),
    Unregistered(0, {"registration": 9}),
    Invocation(11, 9, {"caller": 12, "procedure": "com.proc"}, ARGS, KWARGS),
    Interrupt(11, {"mode": "kill", "reason": "wamp.error.canceled"}),
    Yield(11, {}),
    Yield(11, {"progress": True}, None, KWARGS),
    EventReceived(6),
]


def test_examples_cover_every_message_type() -> None:
    assert {type(m) for m in EXAMPLES} == set(MESSAGE_CLASSES)
    assert len(MESSAGE_CLASSES) == 25


@pytest.mark.parametrize("ser", SERIALIZERS)
@pytest.mark.parametrize("msg", EXAMPLES, ids=repr)
def test_round_trip(ser: str, msg: Any) -> None:
    codec = Codec(ser)
    data = codec.encode(msg)
    assert isinstance(data, bytes)
    again = codec.decode(data)
    assert type(again) is type(msg)
    assert again == msg
    assert codec.decode_value(data) == wire_list(msg)


def test_json_wire_form_follows_the_omission_rules() -> None:
    codec = Codec("json")
    assert codec.encode(Call(1, {}, "p")) == b'[48,1,{},"p"]'
    assert codec.encode(Call(1, {}, "p", [], {})) == b'[48,1,{},"p"]'
    assert codec.encode(Call(1, {}, "p", None, {"a": 1})) == b'[48,1,{},"p",[],{"a":1}]'
    assert codec.encode(Call(1, {}, "p", [1])) == b'[48,1,{},"p",[1]]'
    assert codec.encode(Unsubscribed(5)) == b"[35,5]"
    assert codec.encode(Unsubscribed(5, {})) == b"[35,5,{}]"
    assert codec.encode(Publish(1, {}, "t", payload=b"\x01")) == b'[16,1,{},"t","\\u0000AQ=="]'


def test_empty_args_and_kwargs_are_absent() -> None:
    msg = Call(1, {}, "p", [], {})
    assert msg.args is None
    assert msg.kwargs is None
    assert Call(1, {}, "p", (1, 2)).args == [1, 2]


def test_class_surface() -> None:
    msg = Call(1, {}, "com.x", [1])
    assert repr(msg) == "Call(request_id=1, options={}, procedure='com.x', args=[1], kwargs=None)"
    assert Call.TYPE == 48
    assert EventReceived.TYPE == 337
    assert Call.__match_args__[:5] == ("request_id", "options", "procedure", "args", "kwargs")
    match msg:
        case Call(request_id, _, procedure, [arg]):
            assert (request_id, procedure, arg) == (1, "com.x", 1)
        case _:
            pytest.fail("Call did not match its own pattern")
    assert msg == Call(1, {}, "com.x", [1])
    assert msg != Call(2, {}, "com.x", [1])
    assert msg != Result(1, {}, [1])
    assert msg != "Call"
    with pytest.raises(AttributeError):
        msg.request_id = 2  # type: ignore[misc]
    assert repr(Publish(1, {}, "t", payload=b"x")).endswith("payload=b'x')")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Call(0, {}, "p"), r"CALL.request_id must be an id in \[1, 2\^53\], got 0"),
        (lambda: Call(2**53 + 1, {}, "p"), r"CALL.request_id must be an id in \[1, 2\^53\]"),
        (lambda: Call(-1, {}, "p"), r"CALL.request_id must be an id in \[1, 2\^53\], got -1"),
        (lambda: Call(True, {}, "p"), r"CALL.request_id must be an id in \[1, 2\^53\], got bool"),
        (lambda: Call("1", {}, "p"), r"CALL.request_id must be an id in \[1, 2\^53\], got '1'"),
        (lambda: Call(1, [], "p"), "CALL.options must be a dict, got list"),
        (lambda: Call(1, {1: 2}, "p"), "CALL.options keys must be strings, got int"),
        (lambda: Call(1, {}, ""), "CALL.procedure must be a non-empty string .URI., got an empty"),
        (lambda: Call(1, {}, 5), "CALL.procedure must be a non-empty string .URI., got 5"),
        (lambda: Call(1, {}, "p", {"a": 1}), "CALL.args must be a list"),
        (lambda: Call(1, {}, "p", b"x"), "CALL.args must be a list, got bytes"),
        (lambda: Call(1, {}, "p", None, [1]), "CALL.kwargs must be a dict, got list"),
        (lambda: Call(1, {}, "p", [1], payload=b"x"), "CALL.payload cannot be combined"),
        (lambda: Call(1, {}, "p", payload="x"), "CALL.payload must be bytes, got 'x'"),
        (lambda: Call(1, {"timeout": -1}, "p"), "CALL.options.timeout must be a non-negative"),
        (lambda: Error(99, 1, {}, "e"), "ERROR.request_type must be the type of a request"),
        (lambda: Hello("r", {"roles": []}), "HELLO.details.roles must be a dict, got list"),
        (lambda: Publish(1, {"acknowledge": 1}, "t"), "PUBLISH.options.acknowledge must be a bool"),
        (
            lambda: Publish(1, {"exclude": [0]}, "t"),
            "PUBLISH.options.exclude must be a list of ids",
        ),
        (lambda: Subscribe(1, {"match": "regex"}, "t"), "SUBSCRIBE.options.match must be one of"),
        (lambda: Event(1, 2, {"enc_algo": "rot13"}), "EVENT.details.enc_algo must be one of"),
        (lambda: Cancel(1, {"mode": "stop"}), "CANCEL.options.mode must be one of"),
        (lambda: Unsubscribed(0), "UNSUBSCRIBED.request_id must be an id .* revocation"),
        (lambda: Challenge(None, {}), "CHALLENGE.authmethod must be a string, got NoneType"),
        (lambda: Welcome(1, None), "WELCOME.details must be a dict, got NoneType"),
        (lambda: EventReceived(2**64), "EVENT_RECEIVED.publication must be an id .* out of range"),
    ],
)
def test_constructors_reject_bad_fields(make: Any, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        make()


def test_null_options_values_pass_as_absent() -> None:
    assert Publish(1, {"acknowledge": None}, "t").options == {"acknowledge": None}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1}', "a WAMP message must be a list, got dict"),
        (b"[]", "must not be an empty list"),
        (b'["48"]', "unknown WAMP message type"),
        (b"[99, 1]", "unknown WAMP message type 99"),
        (b"[48, 1, {}]", "CALL must have at least 4 elements, got 3"),
        (b'[48, 1, {}, "p", [], {}, 1]', "CALL must have at most 6 elements"),
        (b'[48, 0, {}, "p"]', r"CALL.request_id must be an id in \[1, 2\^53\], got 0"),
        (b'[48, 9007199254740993, {}, "p"]', r"CALL.request_id must be an id in \[1, 2\^53\]"),
        (b'[48, 1, [], "p"]', "CALL.options must be a dict, got list"),
        (b'[48, 1, {}, "p", {}]', "CALL.args must be a list"),
        (b'[48, 1, {}, "p", [], []]', "CALL.kwargs must be a dict, got list"),
        (b'[48, 1, {}, "p", "\\u0000AQ==", {"a": 1}]', "CALL.payload cannot be combined"),
        (b"[36, 1, 2, {}, [1]] x", "unexpected bytes after the value"),
        (b'[48, 1, {}, "p"', "input ends inside a value"),
        (b'[48, 1, {}, "p\\ud800"]', "not valid UTF-8"),
        (b'[48, 1, {}, "\xff"]', "not valid UTF-8"),
        (b'[48, 1, {1: 2}, "p"]', "expected a string key"),
        (b'[48, 1, {}, "p", [18446744073709551616]]', "integer out of range"),
        (b'[48, 1, {}, "p", [1e999]]', "number out of range"),
        (b'[48, 1, {}, "p", ["\\u0000not base64!"]]', "not base64"),
        (b'[48, 1, {}, "p", [01]]', "expected ',' or ']'"),
        (b'[48, 1, {}, "p", [1,]]', "expected a value"),
        (b'[48, 1, {}, "p", [NaN]]', "expected a value"),
        (b'[48, 1, {}, "a\x01"]', "control character"),
    ],
)
def test_json_decode_errors(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        Codec("json").decode(data)


@pytest.mark.parametrize(
    ("ser", "data", "message"),
    [
        ("msgpack", bytes.fromhex("9430"), "input ends inside a value"),
        ("msgpack", bytes.fromhex("94300180a17000"), "unexpected bytes after the value"),
        ("msgpack", bytes.fromhex("94300180d40000"), "extension types"),
        ("msgpack", bytes.fromhex("94300180c1"), "reserved byte 0xc1"),
        ("msgpack", bytes.fromhex("9430018101a0a0"), "map key is not a string"),
        ("msgpack", bytes.fromhex("94300180a1ff"), "not valid UTF-8"),
        ("msgpack", bytes.fromhex("94300180c40170"), r"CALL.procedure must be a non-empty string"),
        ("msgpack", bytes.fromhex("dd" + "ffffffff" + "30"), "input ends inside a value"),
        ("cbor", bytes.fromhex("84183001a0f7"), "undefined"),
        ("cbor", bytes.fromhex("84183001a0c249010000000000000000"), "integer out of range"),
        ("cbor", bytes.fromhex("841830013bffffffffffffffffa0"), "integer out of range"),
        ("cbor", bytes.fromhex("84183001a1010261"), "map key is not a string"),
        ("cbor", bytes.fromhex("84183001a0ff"), "unexpected break"),
        ("cbor", bytes.fromhex("84183001a0fc"), "reserved additional information"),
        ("cbor", bytes.fromhex("84183001a0e0"), "simple value"),
        ("cbor", bytes.fromhex("9f183001a061"), "input ends inside a value"),
    ],
)
def test_binary_decode_errors(ser: str, data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        Codec(ser).decode(data)


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_decode_accepts_any_whitespace_and_bytearray(ser: str) -> None:
    codec = Codec(ser)
    data = codec.encode(Call(1, {}, "p", [1]))
    assert codec.decode(bytearray(data)) == Call(1, {}, "p", [1])
    spaced = b' \n[ 48 ,\t1 , { } , "p" , [ 1 ] ]\r\n'
    assert Codec("json").decode(spaced) == Call(1, {}, "p", [1])


def test_cbor_indefinite_lengths_half_floats_and_tags() -> None:
    codec = Codec("cbor")
    # Indefinite-length array, map and text; a half float; a tagged item.
    parts = [
        "9f 1830 01",  # [_ 48, 1,
        "bf 6161 f93c00 ff",  # {_ "a": 1.0 as a half float},
        "7f 6170 6171 ff",  # (_ "p" "q"),
        "9f c105 ff",  # [_ 1(5)]
        "ff",  # ]
    ]
    data = bytes.fromhex(" ".join(parts))
    assert codec.decode(data) == Call(1, {"a": 1.0}, "pq", [5])
    assert codec.decode_value(bytes.fromhex("f97bff")) == 65504.0
    assert codec.decode_value(bytes.fromhex("f90001")) == 2**-24
    assert codec.decode_value(bytes.fromhex("f9fc00")) == -math.inf
    assert math.isnan(codec.decode_value(bytes.fromhex("f97e00")))
    assert codec.decode_value(bytes.fromhex("fa47c35000")) == 100000.0
    assert codec.decode_value(bytes.fromhex("5f42010243030405ff")) == b"\x01\x02\x03\x04\x05"


@pytest.mark.parametrize(
    ("hex_bytes", "value"),
    [
        ("7f", 127),
        ("cc80", 128),
        ("cdffff", 65535),
        ("ceffffffff", 2**32 - 1),
        ("cfffffffffffffffff", 2**64 - 1),
        ("e0", -32),
        ("d080", -128),
        ("d18000", -(2**15)),
        ("d280000000", -(2**31)),
        ("d38000000000000000", -(2**63)),
        ("d001", 1),
        ("ca3fc00000", 1.5),
        ("cb3ff8000000000000", 1.5),
        ("d90161", "a"),
        ("da000161", "a"),
        ("db0000000161", "a"),
        ("c40161", b"a"),
        ("c5000161", b"a"),
        ("c600000001" + "61", b"a"),
        ("de0001a16101", {"a": 1}),
        ("dc000101", [1]),
        ("dd0000000101", [1]),
        ("c0", None),
        ("c2", False),
        ("c3", True),
    ],
)
def test_msgpack_value_formats(hex_bytes: str, value: Any) -> None:
    codec = Codec("msgpack")
    decoded = codec.decode_value(bytes.fromhex(hex_bytes))
    assert decoded == value
    assert type(decoded) is type(value)
    assert codec.decode_value(codec.encode_value(value)) == value


def test_binary_convention() -> None:
    json_codec = Codec("json")
    assert json_codec.encode_value(b"\x00\x01\xfe") == b'"\\u0000AAH+"'
    assert json_codec.decode_value(b'"\\u0000AAH+"') == b"\x00\x01\xfe"
    assert json_codec.encode_value(bytearray(b"ab")) == b'"\\u0000YWI="'
    assert json_codec.decode_value(b'"\\u0000"') == b""
    with pytest.raises(SerializationError, match="reads as binary in JSON"):
        json_codec.encode_value("\x00looks like binary")
    assert json_codec.decode_value(json_codec.encode_value("a\x00")) == "a\x00"
    # msgpack and CBOR keep str and bytes apart.
    for ser in ("msgpack", "cbor"):
        codec = Codec(ser)
        assert codec.decode_value(codec.encode_value(["a", b"a"])) == ["a", b"a"]
    assert Codec("msgpack").encode_value(b"a") == b"\xc4\x01a"
    assert Codec("msgpack").encode_value("a") == b"\xa1a"
    assert Codec("cbor").encode_value(b"a") == b"\x41a"
    assert Codec("cbor").encode_value("a") == b"\x61a"


def test_json_escapes() -> None:
    codec = Codec("json")
    text = 'quote " backslash \\ newline \n tab \t ctrl \x01 del \x7f é 😀'
    data = codec.encode_value(text)
    expected = '"quote \\" backslash \\\\ newline \\n tab \\t ctrl \\u0001 del \x7f é 😀"'
    assert data == expected.encode()
    assert codec.decode_value(data) == text
    assert codec.decode_value(b'"\\ud83d\\ude00 \\u00e9 \\/"') == "😀 é /"


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_nesting_is_bounded(ser: str) -> None:
    codec = Codec(ser)
    value: Any = []
    for _ in range(99):
        value = [value]
    assert codec.decode_value(codec.encode_value(value)) == value
    deeper = [value]
    with pytest.raises(SerializationError, match="nesting deeper than 100"):
        codec.encode_value([deeper])
    with pytest.raises(SerializationError, match=r"CALL.args\[0\]"):
        codec.encode(Call(1, {}, "p", deeper))
    if ser == "json":
        bomb = b"[" * 100_000 + b"]" * 100_000
    elif ser == "msgpack":
        bomb = b"\x91" * 100_000 + b"\x90"
    else:
        bomb = b"\x81" * 100_000 + b"\x80"
    with pytest.raises(ProtocolError, match="nesting deeper than 100"):
        codec.decode_value(bomb)
    with pytest.raises(ProtocolError, match="nesting deeper than 100"):
        codec.decode(bomb)


def test_cbor_tag_chains_are_bounded() -> None:
    with pytest.raises(ProtocolError, match="nesting deeper than 100"):
        Codec("cbor").decode_value(b"\xc1" * 100_000 + b"\x01")


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_recursive_values_fail_cleanly(ser: str) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(SerializationError, match="nesting deeper"):
        Codec(ser).encode(Call(1, {}, "p", cycle))


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_integer_range(ser: str) -> None:
    codec = Codec(ser)
    for n in (0, 2**63 - 1, 2**63, 2**64 - 1, -1, -(2**63)):
        assert codec.decode_value(codec.encode_value(n)) == n
    for n in (2**64, -(2**63) - 1, 10**30):
        with pytest.raises(SerializationError, match=r"out of range \[-2\^63, 2\^64\)"):
            codec.encode_value(n)
    with pytest.raises(SerializationError, match=r"cannot serialize CALL.kwargs\['n'\]"):
        codec.encode(Call(1, {}, "p", None, {"n": 2**64}))


@pytest.mark.parametrize("ser", SERIALIZERS)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "object of type 'set' is not serializable"),
        (object(), "object of type 'object' is not serializable"),
        (1j, "object of type 'complex' is not serializable"),
        ({"a": {3: "x"}}, r"\['a'\]: dict keys must be str, got int \(3\)"),
        ("\ud800", "unpaired surrogates"),
    ],
)
def test_unserializable_values(ser: str, value: Any, message: str) -> None:
    codec = Codec(ser)
    with pytest.raises(SerializationError, match=message):
        codec.encode_value(value)
    with pytest.raises(SerializationError, match=r"cannot serialize CALL.args\[1\]"):
        codec.encode(Call(1, {}, "p", [0, value]))


def test_json_refuses_nan_and_infinity() -> None:
    for v in (math.nan, math.inf, -math.inf):
        with pytest.raises(SerializationError, match="JSON cannot represent"):
            Codec("json").encode_value(v)
    for ser in ("msgpack", "cbor"):
        assert Codec(ser).decode_value(Codec(ser).encode_value(math.inf)) == math.inf


def test_codec_surface() -> None:
    assert Codec("cbor").serializer == "cbor"
    assert repr(Codec("json")) == "Codec('json')"
    with pytest.raises(ValueError, match="unknown serializer 'xml'"):
        Codec("xml")
    with pytest.raises(TypeError, match="expected a WAMP message, got list"):
        Codec("json").encode([48, 1, {}, "p"])  # type: ignore[arg-type]


def _values() -> st.SearchStrategy[Any]:
    text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**64 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | text
        | st.binary()
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
        max_leaves=20,
    )


@settings(max_examples=300, deadline=None)
@given(value=_values(), ser=st.sampled_from(SERIALIZERS))
def test_values_round_trip(value: Any, ser: str) -> None:
    codec = Codec(ser)
    assert codec.decode_value(codec.encode_value(value)) == value


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64), ser=st.sampled_from(SERIALIZERS))
def test_arbitrary_bytes_never_crash(data: bytes, ser: str) -> None:
    codec = Codec(ser)
    try:
        msg = codec.decode(data)
    except ProtocolError:
        return
    assert codec.decode(codec.encode(msg)) == msg


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_dict_keys_are_shared_between_decodes(ser: str) -> None:
    codec = Codec(ser)
    data = codec.encode(Call(1, {"receive_progress": True}, "p", None, {"k": 1}))

    def shared() -> bool:
        first, second = codec.decode(data), codec.decode(data)
        return next(iter(first.options)) is next(iter(second.options)) and next(
            iter(first.kwargs)
        ) is next(iter(second.kwargs))

    # Another thread of the test run (the Twisted reactor) may decode between the two and
    # take a slot of the cache: one of a few tries sees the keys shared.
    assert any(shared() for _ in range(5))
    # Thousands of distinct keys (far more than the cache holds) all decode to themselves.
    many = {f"key-{i}": i for i in range(5000)}
    assert codec.decode_value(codec.encode_value([many, many])) == [many, many]
