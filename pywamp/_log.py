"""txaio-style logging for the drop-in face: ``self.log.info("joined {realm}", realm=r)``.

Autobahn sessions expose ``self.log`` with brace-style formatting from keyword
arguments; application code written for Autobahn calls it, so pywamp offers the same
shape on top of the standard :mod:`logging` module. Formatting happens only when the
level is enabled.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

__all__ = ("Failure", "Logger", "make_logger")

TRACE = 5


class Failure:
    """An exception with its traceback, as Autobahn hands it to ``onUserError``.

    It has the attributes txaio's helpers read (``txaio.failure_message(fail)``,
    ``txaio.failure_format_traceback(fail)``), so handlers written for Autobahn work.
    """

    __slots__ = ("tb", "type", "value")

    def __init__(self, value: BaseException) -> None:
        self.value = value
        self.type = type(value)
        self.tb: TracebackType | None = value.__traceback__

    @property
    def _value(self) -> BaseException:
        return self.value

    @property
    def _type(self) -> type[BaseException]:
        return self.type

    @property
    def _traceback(self) -> TracebackType | None:
        return self.tb

    def getErrorMessage(self) -> str:
        """The exception's message (Twisted ``Failure`` spelling)."""
        return str(self.value) or self.type.__name__

    def getTraceback(self) -> str:
        """The formatted traceback."""
        return "".join(traceback.format_exception(self.type, self.value, self.tb))

    def __repr__(self) -> str:
        return f"<Failure {self.type.__name__}: {self.getErrorMessage()}>"


class Logger:
    """A logger whose methods take a ``str.format`` template and keyword arguments."""

    __slots__ = ("_logger",)

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def _emit(self, level: int, template: str, kwargs: dict[str, Any]) -> None:
        if not self._logger.isEnabledFor(level):
            return
        failure = kwargs.pop("log_failure", None)
        try:
            text = template.format(**kwargs) if kwargs else template
        except (KeyError, IndexError, ValueError, AttributeError):
            text = f"{template} {kwargs}"
        if failure is not None:
            text += "\n" + (
                failure.getTraceback() if isinstance(failure, Failure) else str(failure)
            )
        self._logger.log(level, text)

    def critical(self, template: str, **kwargs: Any) -> None:
        """Log at CRITICAL."""
        self._emit(logging.CRITICAL, template, kwargs)

    def error(self, template: str, **kwargs: Any) -> None:
        """Log at ERROR."""
        self._emit(logging.ERROR, template, kwargs)

    def warn(self, template: str, **kwargs: Any) -> None:
        """Log at WARNING (txaio's name)."""
        self._emit(logging.WARNING, template, kwargs)

    warning = warn

    def info(self, template: str, **kwargs: Any) -> None:
        """Log at INFO."""
        self._emit(logging.INFO, template, kwargs)

    def debug(self, template: str, **kwargs: Any) -> None:
        """Log at DEBUG."""
        self._emit(logging.DEBUG, template, kwargs)

    def trace(self, template: str, **kwargs: Any) -> None:
        """Log below DEBUG."""
        self._emit(TRACE, template, kwargs)

    def failure(self, template: str = "{log_failure}", failure: Any = None, **kwargs: Any) -> None:
        """Log an error with the traceback of ``failure`` (or of the exception being handled)."""
        if failure is None:
            current = traceback.format_exc()
            kwargs["log_failure"] = current
        else:
            kwargs["log_failure"] = failure
        if "{log_failure}" in template:
            template = template.replace("{log_failure}", "")
        self._emit(logging.ERROR, template, kwargs)


def make_logger(name: str = "pywamp") -> Logger:
    """A txaio-style logger named ``name``."""
    return Logger(name)
