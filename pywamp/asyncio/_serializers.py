"""Serializer arguments as Autobahn takes them: names, or serializer objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ("serializer_name", "serializer_names")

_NAMES = ("json", "msgpack", "cbor")
_RAWSOCKET_IDS = {1: "json", 2: "msgpack", 3: "cbor"}


def serializer_name(serializer: Any) -> str:
    """``"cbor"``, or Autobahn's ``CBORSerializer()`` (its ``SERIALIZER_ID``), to a name."""
    name: Any
    if isinstance(serializer, str):
        name = serializer
    else:
        name = getattr(serializer, "SERIALIZER_ID", None)
        if name is None:
            raw = getattr(serializer, "RAWSOCKET_SERIALIZER_ID", None)
            name = _RAWSOCKET_IDS.get(raw) if isinstance(raw, int) else None
    if name not in _NAMES:
        raise ValueError(
            f"unsupported serializer {serializer!r} (pywamp speaks {', '.join(_NAMES)})"
        )
    return str(name)


def serializer_names(serializers: Iterable[Any] | None, default: tuple[str, ...]) -> list[str]:
    """A list of serializer names, in order of preference."""
    if serializers is None:
        return list(default)
    names = [serializer_name(s) for s in serializers]
    if not names:
        raise ValueError("serializers must name at least one serializer")
    return names
