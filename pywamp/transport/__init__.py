"""asyncio transports for WAMP: RawSocket and WebSocket, client and server, one port for both.

Each feeds the native framer and hands decoded messages to a :class:`MessageHandler`.
"""

from pywamp.transport.base import MessageHandler, TransportInfo, WampTransport
from pywamp.transport.connect import connect, listen
from pywamp.transport.url import Address, parse_url

__all__ = (
    "Address",
    "MessageHandler",
    "TransportInfo",
    "WampTransport",
    "connect",
    "listen",
    "parse_url",
)
