"""pywamp: fast WAMP v2 for Python on a Rust core.

A drop-in replacement for Autobahn|Python's WAMP API (``pywamp.wamp``,
``pywamp.asyncio``, ``pywamp.twisted``), a small native asyncio face, and an embedded
router, all on one compiled core (``pywamp._native``).
"""

from pywamp._connect import connect
from pywamp._native import __version__
from pywamp.exception import (
    ApplicationError,
    Error,
    InvalidUri,
    ProtocolError,
    SerializationError,
    TransportError,
    TransportLost,
)

__all__ = (
    "ApplicationError",
    "Error",
    "InvalidUri",
    "ProtocolError",
    "SerializationError",
    "TransportError",
    "TransportLost",
    "__version__",
    "connect",
)
