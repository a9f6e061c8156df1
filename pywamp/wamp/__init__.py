"""The drop-in face of ``autobahn.wamp``: decorators, exceptions and option/detail types.

Change ``from autobahn import wamp`` to ``from pywamp import wamp`` and the names work
the same; the seed's ``wamp.procedure`` and ``wamp.topic`` are ``register`` and
``subscribe``.
"""

from typing import TYPE_CHECKING

from pywamp.wamp.exception import (
    ApplicationError,
    Error,
    InvalidUri,
    ProtocolError,
    SerializationError,
    SessionNotReady,
    TransportLost,
)
from pywamp.wamp.types import (
    CallDetails,
    CallOptions,
    CallResult,
    CloseDetails,
    ComponentConfig,
    EventDetails,
    PublishOptions,
    RegisterOptions,
    SessionDetails,
    SubscribeOptions,
)
from pywamp.wamp.uri import error, procedure, register, subscribe, topic

if TYPE_CHECKING:
    from pywamp.wamp.interfaces import ISession

__all__ = (
    "ApplicationError",
    "CallDetails",
    "CallOptions",
    "CallResult",
    "CloseDetails",
    "ComponentConfig",
    "Error",
    "EventDetails",
    "ISession",
    "InvalidUri",
    "ProtocolError",
    "PublishOptions",
    "RegisterOptions",
    "SerializationError",
    "SessionDetails",
    "SessionNotReady",
    "SubscribeOptions",
    "TransportLost",
    "error",
    "procedure",
    "register",
    "subscribe",
    "topic",
)


def __getattr__(name: str) -> object:
    """``ISession``, imported on first use: the session layer imports this package."""
    if name == "ISession":
        from pywamp.wamp.interfaces import ISession

        return ISession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
