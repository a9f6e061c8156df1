"""``pywamp.wamp.serializer``: Autobahn's serializer classes by the same names and wire ids,
whose bytes Autobahn's own serializers read, and which read theirs."""

from __future__ import annotations

import pytest
import txaio

txaio.use_asyncio()

from autobahn.wamp import message as ab_message  # noqa: E402
from autobahn.wamp import serializer as ab  # noqa: E402

from pywamp import _native  # noqa: E402
from pywamp.exception import ProtocolError  # noqa: E402
from pywamp.wamp import serializer  # noqa: E402

NAMES = ["JsonSerializer", "MsgPackSerializer", "CBORSerializer"]


@pytest.mark.parametrize("name", NAMES)
def test_same_identity_as_autobahns(name: str) -> None:
    ours, theirs = getattr(serializer, name)(), getattr(ab, name)()
    for attribute in ("SERIALIZER_ID", "RAWSOCKET_SERIALIZER_ID", "MIME_TYPE"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute


@pytest.mark.parametrize("name", NAMES)
def test_bytes_cross_both_ways(name: str) -> None:
    ours, theirs = getattr(serializer, name)(), getattr(ab, name)()
    call = _native.Call(7, {"timeout": 1000}, "com.example.add", [2, b"\x00\xff"], {"x": 1.5})
    data, binary = ours.serialize(call)
    [read] = theirs.unserialize(data, binary)
    assert (read.request, read.procedure, read.args, read.kwargs, read.timeout) == (
        7,
        "com.example.add",
        [2, b"\x00\xff"],
        {"x": 1.5},
        1000,
    )
    back = ab_message.Result(9, args=["done"], kwargs={"n": 3}, progress=True)
    data, binary = theirs.serialize(back)
    [result] = ours.unserialize(data, binary)
    assert (type(result), result.request_id, result.args, result.kwargs) == (
        _native.Result,
        9,
        ["done"],
        {"n": 3},
    )
    assert result.details == {"progress": True}


@pytest.mark.parametrize("name", NAMES)
def test_refusals(name: str) -> None:
    cls = getattr(serializer, name)
    with pytest.raises(ValueError, match="batched"):
        cls(batched=True)
    ours = cls()
    data, binary = ours.serialize(_native.Goodbye({}, "wamp.close.normal"))
    with pytest.raises(ProtocolError, match="must be"):
        ours.unserialize(data, not binary)
    with pytest.raises(ProtocolError):
        ours.unserialize(b"\xc1 not a message")
