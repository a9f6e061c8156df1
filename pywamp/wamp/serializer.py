"""Autobahn's serializer objects (``autobahn.wamp.serializer``), on the native codec.

Programs pass them to choose a serializer: ``ApplicationRunner(url, realm,
serializers=[MsgPackSerializer()])``, a factory's ``serializer=`` or ``serializers=``;
pywamp's factories take these and Autobahn's alike (by ``SERIALIZER_ID``). Each also
(de)serializes pywamp's messages, as Autobahn's do its own. UBJSON, FlatBuffers and the
batched WebSocket variants are not spoken.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pywamp import _native
from pywamp.exception import ProtocolError
from pywamp.transport.rawsocket import SERIALIZER_IDS

__all__ = ("CBORSerializer", "JsonSerializer", "MsgPackSerializer", "Serializer")


class Serializer:
    """One WAMP serializer: its names on the wire, and its codec."""

    SERIALIZER_ID: ClassVar[_native.Serializer]
    RAWSOCKET_SERIALIZER_ID: ClassVar[int]
    MIME_TYPE: ClassVar[str]
    #: Whether the serialized messages are binary (WebSocket binary frames).
    BINARY: ClassVar[bool] = True

    def __init__(self, batched: bool = False) -> None:
        if batched:
            raise ValueError(f"pywamp does not speak the batched {self.SERIALIZER_ID} serializer")
        self._codec = _native.Codec(self.SERIALIZER_ID)

    def serialize(self, msg: Any) -> tuple[bytes, bool]:
        """A pywamp message's bytes, and whether they are binary."""
        return self._codec.encode(msg), self.BINARY

    def unserialize(self, payload: bytes, isBinary: bool | None = None) -> list[Any]:
        """The messages in one payload (one: pywamp speaks no batched mode)."""
        if isBinary is not None and isBinary != self.BINARY:
            kind = "binary" if self.BINARY else "text"
            raise ProtocolError(f"{self.SERIALIZER_ID} messages must be {kind}")
        return [self._codec.decode(payload)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class JsonSerializer(Serializer):
    """JSON (``wamp.2.json``), binary values as ``"\\0"`` + base64 strings."""

    SERIALIZER_ID = "json"
    RAWSOCKET_SERIALIZER_ID = SERIALIZER_IDS["json"]
    MIME_TYPE = "application/json"
    BINARY = False


class MsgPackSerializer(Serializer):
    """MessagePack (``wamp.2.msgpack``)."""

    SERIALIZER_ID = "msgpack"
    RAWSOCKET_SERIALIZER_ID = SERIALIZER_IDS["msgpack"]
    MIME_TYPE = "application/x-msgpack"


class CBORSerializer(Serializer):
    """CBOR (``wamp.2.cbor``)."""

    SERIALIZER_ID = "cbor"
    RAWSOCKET_SERIALIZER_ID = SERIALIZER_IDS["cbor"]
    MIME_TYPE = "application/cbor"
