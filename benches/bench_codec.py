"""Codec speed: one encode + decode round trip per message, side by side per group; and
the floor under a 1 KB decode.

For each message (CALL, RESULT, EVENT, PUBLISH), payload size (small, ~1 KB) and
serializer, a group holds pywamp's ``Codec``, Autobahn's serializer (serialize +
unserialize of autobahn message objects, the bar to beat by 5x) and the plain library
(orjson, msgpack, cbor2) on the same message as a bare list (no message objects, no
validation: the floor DESIGN.md asks us to measure against).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import cbor2
import msgpack
import orjson
import pytest
import txaio

txaio.use_asyncio()

from autobahn.wamp import message as ab  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402

from pywamp._native import Call, Codec, Event, Publish, Result  # noqa: E402

SMALL_ARGS: list[Any] = [42, "hello"]
SMALL_KWARGS: dict[str, Any] = {}
# About 1 KB once encoded: a list of records, as an RPC result or event might carry.
LARGE_ARGS: list[Any] = [
    {"id": i, "name": f"sensor-{i}", "value": i * 1.25, "ok": i % 2 == 0, "tags": ["a", "b"]}
    for i in range(14)
]
LARGE_KWARGS: dict[str, Any] = {"unit": "celsius", "page": 1}

PAYLOADS = {"small": (SMALL_ARGS, SMALL_KWARGS), "1kb": (LARGE_ARGS, LARGE_KWARGS)}


def ours(kind: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The pywamp message."""
    if kind == "call":
        return Call(7814135, {}, "com.myapp.myprocedure1", args, kwargs)
    if kind == "result":
        return Result(7814135, {}, args, kwargs)
    if kind == "event":
        return Event(5512315355, 4429313566, {}, args, kwargs)
    return Publish(239714735, {}, "com.myapp.mytopic1", args, kwargs)


def theirs(kind: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The same message as an autobahn message object."""
    kw = kwargs or None
    if kind == "call":
        return ab.Call(7814135, "com.myapp.myprocedure1", args=args, kwargs=kw)
    if kind == "result":
        return ab.Result(7814135, args=args, kwargs=kw)
    if kind == "event":
        return ab.Event(5512315355, 4429313566, args=args, kwargs=kw)
    return ab.Publish(239714735, "com.myapp.mytopic1", args=args, kwargs=kw)


AUTOBAHN = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}
PLAIN: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    "json": (orjson.dumps, orjson.loads),
    "msgpack": (msgpack.packb, msgpack.unpackb),
    "cbor": (cbor2.dumps, cbor2.loads),
}

CONTENDERS = ("pywamp", "autobahn", "plain")
# The contenders of one case run back to back, so they meet the same machine load.
CASES = [
    pytest.param(kind, size, ser, contender, id=f"{kind}-{size}-{ser}-{contender}")
    for kind in ("call", "result", "event", "publish")
    for size in PAYLOADS
    for ser in ("json", "msgpack", "cbor")
    for contender in CONTENDERS
]


def pywamp_round_trip(kind: str, size: str, ser: str) -> tuple[Callable[[], Any], Any]:
    """Codec.encode then Codec.decode of a pywamp message."""
    codec = Codec(ser)
    message = ours(kind, *copy.deepcopy(PAYLOADS[size]))
    return (lambda: codec.decode(codec.encode(message))), message


def autobahn_round_trip(kind: str, size: str, ser: str) -> tuple[Callable[[], Any], Any]:
    """Autobahn's serialize then unserialize of an autobahn message object."""
    serializer = AUTOBAHN[ser]()
    message = theirs(kind, *copy.deepcopy(PAYLOADS[size]))
    binary = ser != "json"

    def round_trip() -> Any:
        message.uncache()  # autobahn caches serialized bytes on the message object
        data, _ = serializer.serialize(message)
        return serializer.unserialize(data, binary)[0].marshal()

    return round_trip, message.marshal()


def plain_round_trip(kind: str, size: str, ser: str) -> tuple[Callable[[], Any], Any]:
    """orjson / msgpack / cbor2 dumps then loads of the message as a bare list."""
    codec = Codec(ser)
    wire = codec.decode_value(codec.encode(ours(kind, *copy.deepcopy(PAYLOADS[size]))))
    dumps, loads = PLAIN[ser]
    return (lambda: loads(dumps(wire))), wire


ROUND_TRIPS = {
    "pywamp": pywamp_round_trip,
    "autobahn": autobahn_round_trip,
    "plain": plain_round_trip,
}


@pytest.mark.parametrize(("kind", "size", "ser", "contender"), CASES)
def test_round_trip(benchmark: Any, kind: str, size: str, ser: str, contender: str) -> None:
    benchmark.group = f"{kind}-{size}-{ser}"
    round_trip, expected = ROUND_TRIPS[contender](kind, size, ser)
    assert benchmark(round_trip) == expected


# -- the floor under a decode -------------------------------------------------------------
# A decode must build the payload's dicts and lists. The bytecode of a literal builds
# just those (its strs, ints and floats are constants) and parses nothing: the
# ``literal`` row is that floor, as CPython itself reaches it.

DECODE_CONTENDERS = ("pywamp", "autobahn", "plain", "literal")
DECODE_CASES = [
    pytest.param(ser, contender, id=f"{ser}-{contender}")
    for ser in ("json", "msgpack", "cbor")
    for contender in DECODE_CONTENDERS
]


def payload_literal() -> Callable[[], Any]:
    """A function whose body is the 1 KB RESULT's [args, kwargs] written as a literal."""
    code = compile(repr(list(PAYLOADS["1kb"])), "<payload>", "eval")
    return lambda: eval(code)  # our own repr, compiled once


@pytest.mark.parametrize(("ser", "contender"), DECODE_CASES)
def test_decode(benchmark: Any, ser: str, contender: str) -> None:
    benchmark.group = f"decode-1kb-{ser}"
    args, kwargs = PAYLOADS["1kb"]
    codec = Codec(ser)
    data = codec.encode(ours("result", args, kwargs))
    if contender == "pywamp":
        decoded = benchmark(codec.decode, data)
        assert (decoded.args, decoded.kwargs) == (args, kwargs)
    elif contender == "autobahn":
        serializer = AUTOBAHN[ser]()
        wire, _ = serializer.serialize(theirs("result", args, kwargs))
        decoded = benchmark(serializer.unserialize, wire, ser != "json")[0]
        assert (decoded.args, decoded.kwargs) == (args, kwargs)
    elif contender == "plain":
        dumps, loads = PLAIN[ser]
        wire = dumps([args, kwargs])
        assert benchmark(loads, wire) == [args, kwargs]
    else:
        assert benchmark(payload_literal()) == [args, kwargs]
