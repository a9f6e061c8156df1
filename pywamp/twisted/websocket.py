"""``autobahn.twisted.websocket``'s WAMP client names: WAMP over WebSocket on Twisted."""

from __future__ import annotations

from pywamp.twisted.transport import WampWebSocketClientFactory, WampWebSocketClientProtocol

__all__ = ("WampWebSocketClientFactory", "WampWebSocketClientProtocol")
