"""Encoded WAMP messages for the framing tests, and what a stream's feed() yields for them.

The payloads are real WAMP messages encoded by the reference libraries (json, msgpack,
cbor2), so the same tests check framing alone and, with the native codec, decoding.
"""

from __future__ import annotations

import json
from typing import Any

import cbor2
import msgpack

from pywamp import _native

SERIALIZERS = ("json", "msgpack", "cbor")
SUBPROTOCOLS = {"json": "wamp.2.json", "msgpack": "wamp.2.msgpack", "cbor": "wamp.2.cbor"}
RAWSOCKET_IDS = {"json": 1, "msgpack": 2, "cbor": 3}

# The native codec turns payloads into message objects; until it is built in, the
# framing layer hands payloads out as bytes.
_CODEC: Any = getattr(_native, "Codec", None)


def encode(serializer: str, message: list[Any]) -> bytes:
    """A WAMP message (as a list) encoded by the reference library of ``serializer``."""
    if serializer == "json":
        return json.dumps(message, separators=(",", ":")).encode()
    if serializer == "msgpack":
        return bytes(msgpack.packb(message))
    return cbor2.dumps(message)


def publish(serializer: str, size: int = 0, request_id: int = 1) -> bytes:
    """An encoded PUBLISH whose one argument is a string of ``size`` characters."""
    return encode(serializer, [16, request_id, {}, "com.example.topic", ["x" * size]])


def publish_of_length(serializer: str, length: int) -> bytes:
    """An encoded PUBLISH of exactly ``length`` octets (for limits such as 16 MiB)."""
    size = length - len(publish(serializer, 0))
    # String length prefixes grow with the size; shrink until the total fits exactly.
    for candidate in range(size, size - 16, -1):
        payload = publish(serializer, candidate)
        if len(payload) == length:
            return payload
    raise AssertionError(f"no PUBLISH of exactly {length} octets for {serializer}")


def decoded(serializer: str, payload: bytes) -> Any:
    """What feed() yields for a message frame carrying ``payload``."""
    if _CODEC is None:
        return payload
    return _CODEC(serializer).decode(payload)


def sendable(serializer: str, payload: bytes) -> Any:
    """What send() takes to put ``payload`` (or its re-encoding) on the wire."""
    return decoded(serializer, payload)


def same_message(serializer: str, a: bytes, b: bytes) -> bool:
    """Whether two encodings carry the same WAMP message (encoders may differ in bytes)."""
    if serializer == "json":
        return bool(json.loads(a) == json.loads(b))
    if serializer == "msgpack":
        return bool(msgpack.unpackb(a) == msgpack.unpackb(b))
    return bool(cbor2.loads(a) == cbor2.loads(b))
