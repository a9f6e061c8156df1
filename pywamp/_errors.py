"""Exceptions <-> WAMP ERROR messages: ``define()``, ``@wamp.error`` classes, runtime errors.

An endpoint that raises an ``ApplicationError`` sends its URI and payload; a class
mapped with ``session.define`` (or decorated with ``@wamp.error``) sends its URI; any
other exception becomes ``wamp.error.runtime_error`` with the exception's arguments, as
in Autobahn. In the other direction an ERROR whose URI is mapped is raised as that
class, anything else as ``ApplicationError``.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from typing import Any

from pywamp import _native
from pywamp.exception import ApplicationError, SerializationError

__all__ = ("CallTimeoutError", "ErrorMapping")


# ``asyncio.TimeoutError`` is the built-in ``TimeoutError`` from Python 3.11 on.
_TIMEOUTS: tuple[type[BaseException], ...] = (
    (TimeoutError,) if sys.version_info >= (3, 11) else (TimeoutError, asyncio.TimeoutError)
)


class CallTimeoutError(ApplicationError, *_TIMEOUTS):  # type: ignore[misc]
    """A call that ran out of time (``CallOptions(timeout=...)``).

    Both an ``ApplicationError`` with URI ``wamp.error.timeout`` (what the router
    answers when it enforces the timeout) and a ``TimeoutError`` / ``asyncio.TimeoutError``,
    so any of those ``except`` clauses catches it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        ApplicationError.__init__(self, ApplicationError.TIMEOUT, *args, **kwargs)

    __str__ = ApplicationError.__str__


_ERROR_DETAIL_FIELDS = ("callee", "callee_authid", "callee_authrole", "forward_for", "enc_algo")


class ErrorMapping:
    """The two tables behind ``define()``: exception class -> URI and URI -> class."""

    __slots__ = ("ecls_to_uri", "uri_to_ecls")

    def __init__(self) -> None:
        self.ecls_to_uri: dict[type, str] = {}
        self.uri_to_ecls: dict[str, type] = {ApplicationError.INVALID_PAYLOAD: SerializationError}

    def define(self, exception: type, error: str | None = None) -> None:
        """Map ``exception`` to ``error`` (or to its ``@wamp.error`` URI) both ways."""
        if not isinstance(exception, type) or not issubclass(exception, BaseException):
            raise TypeError(f"define() maps exception classes, got {exception!r}")
        patterns = vars(exception).get("_wampuris")
        if error is None:
            if not patterns:
                raise RuntimeError(
                    f"cannot define {exception.__name__}: it has no @wamp.error URI "
                    "(decorate it or pass error=)"
                )
            uri = patterns[0].uri()
        else:
            if patterns:
                raise RuntimeError(
                    f"cannot define {exception.__name__} with error={error!r}: "
                    "the class already carries a @wamp.error URI"
                )
            if type(error) is not str or not _native.is_valid_uri(error):
                raise ValueError(f"define(): error must be a valid URI, got {error!r}")
            uri = error
        self.ecls_to_uri[exception] = uri
        self.uri_to_ecls[uri] = exception

    def uri_of(self, exc: BaseException) -> str:
        """The error URI an exception is sent under."""
        if isinstance(exc, ApplicationError):
            return str(exc.error)
        table = self.ecls_to_uri
        if table:
            for cls in type(exc).__mro__:
                uri = table.get(cls)
                if uri is not None:
                    return uri
        return ApplicationError.RUNTIME_ERROR

    def to_message(
        self, request_type: int, request_id: int, exc: BaseException, with_traceback: bool
    ) -> _native.Error:
        """The ERROR message reporting ``exc`` for a request (an INVOCATION)."""
        uri = self.uri_of(exc)
        args = list(exc.args) if exc.args else None
        kwargs = getattr(exc, "kwargs", None)
        kwargs = dict(kwargs) if isinstance(kwargs, dict) and kwargs else None
        if with_traceback:
            kwargs = kwargs or {}
            kwargs["traceback"] = "".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__)
            )
        return _native.Error(request_type, request_id, {}, uri, args, kwargs)

    def from_message(self, message: _native.Error) -> tuple[BaseException, BaseException | None]:
        """The exception an ERROR raises, and the error from a mapped class's constructor
        (reported to ``onUserError``) when that class could not be built."""
        uri = message.error
        args = message.args or ()
        kwargs = message.kwargs or {}
        exc: BaseException | None = None
        failure: BaseException | None = None
        ecls = self.uri_to_ecls.get(uri)
        if ecls is not None:
            try:
                exc = ecls(*args, **kwargs)
            except Exception as e:
                failure = e
        if exc is None:
            if uri == ApplicationError.TIMEOUT:
                exc = CallTimeoutError(*args, **kwargs)
            else:
                exc = ApplicationError(uri, *args, **kwargs)
        details = message.details
        if details and isinstance(exc, ApplicationError):
            for name in _ERROR_DETAIL_FIELDS:
                if name in details:
                    setattr(exc, name, details[name])
        return exc, failure
