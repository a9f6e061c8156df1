"""pywamp: fast WAMP v2 for Python on a Rust core.

A drop-in replacement for Autobahn|Python's WAMP API (``pywamp.wamp``,
``pywamp.asyncio``, ``pywamp.twisted``), a small native asyncio face, and an embedded
router, all on one compiled core (``pywamp._native``).
"""

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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pywamp.connect import connect


def __getattr__(name: str) -> object:
    """``pywamp.connect`` is imported on first use: ``import pywamp`` stays light."""
    if name == "connect":
        from pywamp.connect import connect as function

        # Importing the submodule bound ``pywamp.connect`` to it; the function wins.
        globals()["connect"] = function
        return function
    raise AttributeError(f"module 'pywamp' has no attribute {name!r}")


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
