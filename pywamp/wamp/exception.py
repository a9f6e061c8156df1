"""The exceptions of the drop-in face (``autobahn.wamp.exception``).

The hierarchy itself lives in ``pywamp.exception`` (shared with the native core); this
module re-exports it and adds Autobahn's URI-mapped exceptions and the seed's
``CanceledError``.
"""

from __future__ import annotations

from typing import Any

from pywamp.exception import (
    ApplicationError,
    Error,
    HandshakeError,
    InvalidUri,
    InvalidUriError,
    ProtocolError,
    SerializationError,
    SessionNotReady,
    TransportError,
    TransportLost,
)
from pywamp.wamp.uri import error

__all__ = (
    "ApplicationError",
    "CanceledError",
    "Error",
    "HandshakeError",
    "InvalidPayload",
    "InvalidUri",
    "InvalidUriError",
    "NotAuthorized",
    "ProtocolError",
    "SerializationError",
    "SessionNotReady",
    "TransportError",
    "TransportLost",
    "TypeCheckError",
)

# As in Autobahn, InvalidUri carries the error URI so that session.define(InvalidUri) maps it.
error(ApplicationError.INVALID_URI)(InvalidUri)


@error(ApplicationError.NOT_AUTHORIZED)
class NotAuthorized(Exception):
    """Not authorized to perform the action (``wamp.error.not_authorized``)."""


@error(ApplicationError.INVALID_PAYLOAD)
class InvalidPayload(Exception):
    """The application payload could not be processed (``wamp.error.invalid_payload``)."""


class TypeCheckError(ApplicationError):
    """Arguments that do not fit the endpoint's or handler's type hints (``check_types``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(ApplicationError.TYPE_CHECK_ERROR, *args, **kwargs)


class CanceledError(ApplicationError):
    """A call that was cancelled (the seed's ``autobahn.wamp.error.CanceledError``).

    It is the ``ApplicationError`` with URI ``wamp.error.canceled``, the error a router
    answers a CANCEL with, so code written against Autobahn that catches
    ``ApplicationError`` and tests ``.error == ApplicationError.CANCELED`` keeps working,
    and the seed's ``isinstance(err, CanceledError)`` works too. ``str()`` prints as that
    ApplicationError does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(ApplicationError.CANCELED, *args, **kwargs)
