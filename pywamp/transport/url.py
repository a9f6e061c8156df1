"""Transport addresses: ``ws://``, ``wss://``, ``rs://``, ``rss://`` (also ``tcp://``) and
``unix:/path`` (RawSocket over a Unix socket)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ("Address", "parse_url")

_SCHEMES = {
    "ws": ("websocket", False, 80),
    "wss": ("websocket", True, 443),
    "rs": ("rawsocket", False, 8080),
    "rss": ("rawsocket", True, 443),
    "tcp": ("rawsocket", False, 8080),
    "tcps": ("rawsocket", True, 443),
}


@dataclass(frozen=True, slots=True)
class Address:
    """Where and how to connect: TCP ``host``/``port``, or a Unix ``socket_path``."""

    kind: str  # "websocket" | "rawsocket"
    secure: bool = False
    host: str | None = None
    port: int | None = None
    path: str = "/"  # the HTTP path (WebSocket)
    socket_path: str | None = None


def parse_url(url: str) -> Address:
    """Parse a transport URL into an :class:`Address`; ValueError names what is wrong."""
    if url.startswith("unix:"):
        socket_path = url[len("unix:") :]
        if socket_path.startswith("//"):
            socket_path = socket_path[2:]
        if not socket_path:
            raise ValueError(f"transport URL {url!r} names no socket path")
        return Address("rawsocket", socket_path=socket_path)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"unsupported transport URL scheme {parts.scheme!r} in {url!r}")
    if not parts.hostname:
        raise ValueError(f"transport URL {url!r} names no host")
    kind, secure, default_port = _SCHEMES[scheme]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Address(kind, secure, parts.hostname, parts.port or default_port, path)
