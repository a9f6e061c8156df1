"""``session.register(obj)`` / ``session.subscribe(obj)`` on Twisted: one Deferred of all
the handles that is also the list of the individual Deferreds.

``yield session.register(obj)`` waits for every registration and gives the list of
registrations (the first failure once all are answered); the seed's
``gatherResults(session.register(obj))`` iterates it for the individual Deferreds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

__all__ = ("HandleList", "SessionHandles")


def _ignore(failure: Failure) -> None:
    """Mark a failure as seen: it is reported through the other handle."""


class HandleList(defer.Deferred):  # type: ignore[type-arg]
    """A Deferred of the list of handles; iterating gives the individual Deferreds.

    Whichever side the program uses reports a failure: waiting on this Deferred fails
    with the first error (and the individual failures count as seen); iterating it hands
    the individual Deferreds to the program (and this one's failure counts as seen).
    """

    def __init__(self, deferreds: Iterable[defer.Deferred[Any]]) -> None:
        super().__init__()
        self._items = list(deferreds)
        self._iterated = False
        self._outcomes: list[Any] = [None] * len(self._items)
        self._waiting = len(self._items)
        if not self._items:
            self.callback([])
            return
        for index, item in enumerate(self._items):
            item.addBoth(self._answered, index)

    def _answered(self, outcome: Any, index: int) -> Any:
        self._outcomes[index] = outcome
        self._waiting -= 1
        if self._waiting == 0:
            self._finish()
        return outcome

    def _finish(self) -> None:
        failures = [o for o in self._outcomes if isinstance(o, Failure)]
        if not failures:
            self.callback(self._outcomes)
            return
        if not self._iterated:
            for item in self._items:
                item.addErrback(_ignore)
        self.errback(failures[0])
        if self._iterated:
            self.addErrback(_ignore)

    def __iter__(self) -> Iterator[defer.Deferred[Any]]:  # type: ignore[override]
        self._iterated = True
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> defer.Deferred[Any]:
        self._iterated = True
        return self._items[index]


class SessionHandles:
    """Session mixin: ``register(obj)`` and ``subscribe(obj)`` give a :class:`HandleList`."""

    def register(self, *args: Any, **kwargs: Any) -> Any:
        result = super().register(*args, **kwargs)  # type: ignore[misc]
        return HandleList(result) if isinstance(result, list) else result

    def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        result = super().subscribe(*args, **kwargs)  # type: ignore[misc]
        return HandleList(result) if isinstance(result, list) else result
