"""``autobahn.twisted.rawsocket``'s client names: WAMP over RawSocket as Twisted protocols."""

from __future__ import annotations

from pywamp.twisted.transport import WampRawSocketClientFactory, WampRawSocketClientProtocol

__all__ = ("WampRawSocketClientFactory", "WampRawSocketClientProtocol")
