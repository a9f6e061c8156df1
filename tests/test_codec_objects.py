"""The codec's Python object paths (raw CPython calls in native/py/src/ffi.rs) on every
kind of object they branch on: subclasses, str layouts, big ints, floats, bytes, deep
nesting and the cached strs of a decode; each round trips or fails as before."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wamp_messages import SERIALIZERS

from pywamp import ProtocolError, SerializationError
from pywamp._native import Call, Codec, Result


class Str(str):
    """A str subclass: CPython keeps its text outside the object (not compact)."""


class Int(int):
    """An int subclass."""


class Float(float):
    """A float subclass."""


class Dict(dict[str, Any]):
    """A dict subclass whose overridden iteration the codec must not call."""

    def items(self) -> Any:
        raise AssertionError("the codec reads a dict's own storage")

    def __iter__(self) -> Any:
        raise AssertionError("the codec reads a dict's own storage")


class List(list[Any]):
    """A list subclass whose overridden iteration the codec must not call."""

    def __iter__(self) -> Any:
        raise AssertionError("the codec reads a list's own storage")


def plain(value: Any) -> Any:
    """What a value decodes to: builtin types, tuples as lists, bytearray as bytes."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in dict.items(value)}
    if isinstance(value, list):
        return [plain(v) for v in list.__iter__(value)]
    return [plain(v) for v in value]


# Text of every width CPython stores: ASCII, Latin-1, BMP and astral characters (no NUL:
# a JSON str starting with one reads as bytes by the binary convention).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
INTS = st.integers(-(2**63), 2**64 - 1)


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        INTS,
        INTS.map(Int),
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(allow_nan=False, allow_infinity=False).map(Float),
        TEXT,
        TEXT.map(Str),
        st.binary(max_size=20),
        st.binary(max_size=20).map(bytearray),
    )


def _values() -> st.SearchStrategy[Any]:
    keys = TEXT | TEXT.map(Str)
    return st.recursive(
        _scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=6),
            st.lists(inner, max_size=6).map(List),
            st.lists(inner, max_size=6).map(tuple),
            st.dictionaries(keys, inner, max_size=6),
            st.dictionaries(keys, inner, max_size=6).map(Dict),
        ),
        max_leaves=30,
    )


@settings(max_examples=400, deadline=None)
@given(value=_values(), ser=st.sampled_from(SERIALIZERS))
def test_every_kind_of_object_round_trips_as_its_builtin_form(value: Any, ser: str) -> None:
    codec = Codec(ser)
    expected = plain(value)
    data = codec.encode_value(value)
    assert data == codec.encode_value(expected)
    assert codec.decode_value(data) == expected
    message = Result(1, {}, [value], {"v": value})
    assert codec.decode(codec.encode(message)) == Result(1, {}, [expected], {"v": expected})


@settings(max_examples=200, deadline=None)
@given(n=st.integers(), ser=st.sampled_from(SERIALIZERS), sub=st.booleans())
def test_ints_in_range_round_trip_and_others_fail_by_name(n: int, ser: str, sub: bool) -> None:
    codec = Codec(ser)
    value = Int(n) if sub else n
    if -(2**63) <= n < 2**64:
        decoded = codec.decode_value(codec.encode_value(value))
        assert decoded == n
        assert type(decoded) is int
    else:
        with pytest.raises(SerializationError, match=r"out of range \[-2\^63, 2\^64\)"):
            codec.encode_value(value)
        with pytest.raises(SerializationError, match=r"CALL.kwargs\['n'\]"):
            codec.encode(Call(1, {}, "p", None, {"n": value}))


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_bools_stay_bools(ser: str) -> None:
    codec = Codec(ser)
    decoded = codec.decode_value(codec.encode_value([True, False, 1, 0]))
    assert [type(v) for v in decoded] == [bool, bool, int, int]
    assert decoded == [True, False, 1, 0]


@pytest.mark.parametrize("ser", ["msgpack", "cbor"])
def test_nan_and_infinities_round_trip_in_binary_formats(ser: str) -> None:
    codec = Codec(ser)
    values = codec.decode_value(codec.encode_value([math.nan, math.inf, -math.inf, Float("nan")]))
    assert math.isnan(values[0]) and math.isnan(values[3])
    assert values[1:3] == [math.inf, -math.inf]


@pytest.mark.parametrize("value", [math.nan, math.inf, Float("-inf")])
def test_json_refuses_nan_and_infinities_of_any_float(value: float) -> None:
    with pytest.raises(SerializationError, match="JSON cannot represent"):
        Codec("json").encode_value([value])


SURROGATE = st.builds(
    lambda a, s, b: a + s + b, TEXT, st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), TEXT
)


@settings(max_examples=100, deadline=None)
@given(text=SURROGATE, ser=st.sampled_from(SERIALIZERS), sub=st.booleans())
def test_unpaired_surrogates_fail_as_values_and_keys(text: str, ser: str, sub: bool) -> None:
    codec = Codec(ser)
    value = Str(text) if sub else text
    with pytest.raises(SerializationError, match="str with unpaired surrogates"):
        codec.encode_value(["ok", value])
    with pytest.raises(SerializationError, match="dict key is a str with unpaired surrogates"):
        codec.encode_value({"ok": 1, value: 2})
    with pytest.raises(SerializationError, match=r"CALL.args\[1\]"):
        codec.encode(Call(1, {}, "p", ["ok", value]))
    # The failed encodes leave nothing behind: the next one is whole.
    assert codec.decode_value(codec.encode_value(["ok"])) == ["ok"]


@pytest.mark.parametrize("ser", SERIALIZERS)
@pytest.mark.parametrize(
    ("key", "shown"),
    [(3, r"int \(3\)"), (Int(4), r"Int \(4\)"), (b"k", r"bytes \(b'k'\)"), ((1,), r"tuple")],
)
def test_non_str_keys_fail_by_type(ser: str, key: Any, shown: str) -> None:
    codec = Codec(ser)
    with pytest.raises(SerializationError, match=rf"\['a'\]: dict keys must be str, got {shown}"):
        codec.encode_value({"a": {key: "x"}})
    with pytest.raises(SerializationError, match=rf"dict keys must be str, got {shown}"):
        codec.encode_value(Dict({key: 1}))


@settings(max_examples=60, deadline=None)
@given(
    depth=st.integers(1, 110),
    kinds=st.lists(st.sampled_from(["list", "dict", "tuple", "List", "Dict"]), min_size=1),
    ser=st.sampled_from(SERIALIZERS),
)
def test_nesting_of_any_container_is_bounded(depth: int, kinds: list[str], ser: str) -> None:
    codec = Codec(ser)
    value: Any = "leaf"
    for level in range(depth):
        kind = kinds[level % len(kinds)]
        if kind in ("dict", "Dict"):
            value = {"k": value} if kind == "dict" else Dict({"k": value})
        elif kind == "tuple":
            value = (value,)
        else:
            value = [value] if kind == "list" else List([value])
    if depth <= 100:
        assert codec.decode_value(codec.encode_value(value)) == plain(value)
    else:
        with pytest.raises(SerializationError, match="nesting deeper than 100"):
            codec.encode_value(value)


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(TEXT.filter(lambda t: len(t.encode()) <= 40), min_size=1, max_size=60),
    ser=st.sampled_from(SERIALIZERS),
)
def test_cached_strs_are_always_the_decoded_text(words: list[str], ser: str) -> None:
    codec = Codec(ser)
    # The same short strs as keys and values, over several decodes: a cache slot reused
    # for other text must never hand back the old str.
    value = [{w: w} for w in words] + words + [{w: [w, w] for w in reversed(words)}]
    data = codec.encode_value(value)
    for _ in range(3):
        assert codec.decode_value(data) == value
    many = [f"{w}{i}" for i in range(2000) for w in words[:1]]
    assert codec.decode_value(codec.encode_value(many)) == many


@settings(max_examples=200, deadline=None)
@given(value=_values(), ser=st.sampled_from(SERIALIZERS), data=st.data())
def test_truncated_input_fails_cleanly(value: Any, ser: str, data: st.DataObject) -> None:
    codec = Codec(ser)
    encoded = codec.encode(Result(1, {}, [value]))
    cut = data.draw(st.integers(0, len(encoded) - 1))
    # No proper prefix of a message (an array) is whole: the decode fails partway, after
    # building some objects, which it must release.
    with pytest.raises(ProtocolError):
        codec.decode(encoded[:cut])
    assert codec.decode(encoded) == Result(1, {}, [plain(value)])


def _short_text_item(ser: str, raw: bytes) -> bytes:
    """A short str item holding `raw` as is (valid UTF-8 or not)."""
    if ser == "json":
        return b'"' + raw + b'"'
    head = 0xA0 if ser == "msgpack" else 0x60
    return bytes([head | len(raw)]) + raw


def _map_with_key(ser: str, raw: bytes) -> bytes:
    """A one-entry map whose key holds `raw` as is, with the value 1."""
    if ser == "json":
        return b"{" + _short_text_item(ser, raw) + b":1}"
    head = 0x81 if ser == "msgpack" else 0xA1
    return bytes([head]) + _short_text_item(ser, raw) + b"\x01"


@settings(max_examples=300, deadline=None)
@given(
    raw=st.binary(max_size=23),
    seen=st.lists(TEXT.filter(lambda t: len(t.encode()) <= 23), max_size=8),
    ser=st.sampled_from(SERIALIZERS),
)
def test_short_text_is_checked_unless_it_is_a_cached_str(
    raw: bytes, seen: list[str], ser: str
) -> None:
    codec = Codec(ser)
    if ser == "json":
        # Bytes a JSON string cannot hold as they are (escapes are another path).
        raw = bytes(c for c in raw if c >= 0x20 and c not in b'"\\')
        seen = [t for t in seen if t.isprintable() and '"' not in t and "\\" not in t]
    # Fill the caches with other texts, and with this one when it is valid, then read it
    # as a value and as a key.
    for text in [*seen, *seen]:
        assert codec.decode_value(_short_text_item(ser, text.encode())) == text
        assert codec.decode_value(_map_with_key(ser, text.encode())) == {text: 1}
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        with pytest.raises(ProtocolError, match="not valid UTF-8"):
            codec.decode_value(_short_text_item(ser, raw))
        with pytest.raises(ProtocolError, match="not valid UTF-8"):
            codec.decode_value(_map_with_key(ser, raw))
        return
    for _ in range(3):
        assert codec.decode_value(_short_text_item(ser, raw)) == text
        assert codec.decode_value(_map_with_key(ser, raw)) == {text: 1}
