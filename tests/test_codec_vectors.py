"""The WAMP test vectors (wamp-proto testsuite) against pywamp's codec.

Every json/msgpack/cbor sample decodes to its expected attributes (the vectors' names,
such as ``registration_id`` or ``roles``, mapped onto ours), our encoding of it decodes
to the same message, and every validation sample is accepted or refused as it says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wamp_messages import BY_TYPE, SERIALIZERS, vectors_dir

from pywamp import ProtocolError
from pywamp._native import Codec

ALIASES = {
    "registration_id": "registration",
    "subscription_id": "subscription",
    "session_id": "session",
    "publication_id": "publication",
    "method": "authmethod",
}


def _vector_files() -> list[Path]:
    return sorted(vectors_dir().glob("singlemessage/*/*.json"))


def _samples(kind: str) -> list[Any]:
    """pytest params (file, sample); a single failing param when the vectors are missing."""
    params = []
    for path in _vector_files():
        for i, sample in enumerate(json.loads(path.read_text())["samples"]):
            if kind in sample:
                params.append(pytest.param(path, sample, id=f"{path.stem}-{i}"))
    return params or [pytest.param(None, None, id="vectors-missing")]


def expected_fields(cls: type[Any], attrs: dict[str, Any]) -> dict[str, Any]:
    """The vectors' expected attributes in our field names (absent and empty become None)."""
    out: dict[str, Any] = {}
    for name, value in attrs.items():
        if name == "message_type":
            continue
        if name == "roles":
            out["details"] = {"roles": value}
        elif name == "payload":
            out["payload"] = None if value is None else bytes.fromhex(value)
        else:
            out[ALIASES.get(name, name)] = value
    for name in cls.__match_args__:
        if out.get(name) in ([], {}) and name in ("args", "kwargs"):
            out[name] = None
        out.setdefault(name, None)
    return out


@pytest.mark.parametrize(("path", "sample"), _samples("expected_attributes"))
def test_sample_decodes_to_expected_attributes(
    testvectors: Path, path: Path, sample: dict[str, Any]
) -> None:
    attrs = sample["expected_attributes"]
    cls = BY_TYPE[attrs["message_type"]]
    expected = expected_fields(cls, attrs)
    for ser in SERIALIZERS:
        codec = Codec(ser)
        variants = sample["serializers"][ser]
        assert variants, f"no {ser} bytes in {path}"
        for variant in variants:
            msg = codec.decode(bytes.fromhex(variant["bytes_hex"]))
            assert type(msg) is cls
            assert {name: getattr(msg, name) for name in cls.__match_args__} == expected
            assert msg == cls(**expected)
            again = codec.decode(codec.encode(msg))
            assert again == msg
            if ser == "json" and ", " not in variant["bytes"]:
                # The compact samples are autobahn's output: ours is byte-identical.
                assert codec.encode(msg).decode() == variant["bytes"]


def _wire(wmsg: list[Any]) -> list[Any]:
    """A validation sample as a message: a string where args belong is the sample's hex
    spelling of a binary payload."""
    wire = list(wmsg)
    fields = BY_TYPE[wire[0]].__match_args__
    if "payload" in fields:
        at = fields.index("args") + 1
        if len(wire) > at and isinstance(wire[at], str):
            wire[at] = bytes.fromhex(wire[at])
    return wire


@pytest.mark.parametrize(("path", "sample"), _samples("wmsg"))
def test_validation_sample_is_accepted_or_refused(
    testvectors: Path, path: Path, sample: dict[str, Any]
) -> None:
    wire = _wire(sample["wmsg"])
    for ser in SERIALIZERS:
        codec = Codec(ser)
        data = codec.encode_value(wire)
        error = sample.get("expected_error")
        if error is None:
            msg = codec.decode(data)
            assert wire[0] == msg.TYPE
            assert codec.decode(codec.encode(msg)) == msg
        else:
            assert error["type"] == "protocol_violation"
            with pytest.raises(ProtocolError, match=error["contains"]):
                codec.decode(data)


def test_every_message_type_has_vectors(testvectors: Path) -> None:
    codes = {json.loads(p.read_text())["wamp_message_code"] for p in _vector_files()}
    assert codes == set(BY_TYPE)
