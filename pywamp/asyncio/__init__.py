"""The asyncio drop-in for ``autobahn.asyncio``: sessions, runner, component, factories."""

from pywamp.asyncio.component import Component, run
from pywamp.asyncio.rawsocket import WampRawSocketClientFactory, WampRawSocketServerFactory
from pywamp.asyncio.wamp import ApplicationRunner, ApplicationSession, Session
from pywamp.asyncio.websocket import WampWebSocketClientFactory, WampWebSocketServerFactory

__all__ = (
    "ApplicationRunner",
    "ApplicationSession",
    "Component",
    "Session",
    "WampRawSocketClientFactory",
    "WampRawSocketServerFactory",
    "WampWebSocketClientFactory",
    "WampWebSocketServerFactory",
    "run",
)
