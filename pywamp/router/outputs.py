"""What the sans-IO router core asks its driver to do.

Every entry point of :class:`~pywamp.router.core.RouterCore` returns a list of outputs,
to be carried out in order:

``Send(message, recipients)``
    Write ``message`` to every session in ``recipients`` (a sequence of
    :class:`~pywamp.router.session.RouterSession`). A message addressed to many sessions
    is one object, so a driver encodes it once per serializer, not once per recipient.
``Close(session, reason)``
    Close that session's transport once what was sent before is flushed (after an ABORT,
    or when a killed session does not answer GOODBYE). ``reason`` is a URI for logs.
``Timer(deadline)``
    Call ``RouterCore.on_timer(now)`` at or after ``deadline`` (same clock as ``now``).
    Emitted when a timer earlier than every pending one is created; a driver may keep
    one wake-up and re-arm it from ``RouterCore.next_deadline()`` after ``on_timer``.

Messages, their dicts and lists, and the recipient tuples may be shared between outputs
and kept by the core (event history, retained events): a driver must never mutate them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from pywamp._native import Message
    from pywamp.router.session import RouterSession


class Send(NamedTuple):
    """Write one message to each recipient."""

    message: Message
    recipients: Sequence[RouterSession]


class Close(NamedTuple):
    """Close the session's transport after flushing what was sent before."""

    session: RouterSession
    reason: str


class Timer(NamedTuple):
    """Call on_timer at or after this deadline."""

    deadline: float


Output: TypeAlias = Send | Close | Timer
