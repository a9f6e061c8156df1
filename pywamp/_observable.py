"""Event listeners (``on``/``off``/``fire``) as Autobahn's ObservableMixin offers them.

Sessions fire ``connect``, ``join``, ``ready``, ``leave`` and ``disconnect``; a
Component is the parent of its sessions, so its listeners hear every session's events.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ("Observable", "Raised")


class Raised:
    """A listener that raised instead of returning."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Observable:
    """Named events with listeners; ``_parent`` (if set) hears every event too."""

    _parent: Observable | None = None
    _listeners: dict[str, list[Callable[..., Any]]] | None = None
    _valid_events: tuple[str, ...] | None = None

    def set_valid_events(self, valid_events: Iterable[str] | None = None) -> None:
        """Restrict ``on``/``fire`` to these event names (none given: no restriction)."""
        self._valid_events = tuple(valid_events) if valid_events else None

    def _check_event(self, event: str) -> None:
        if self._valid_events is not None and event not in self._valid_events:
            raise RuntimeError(
                f"Invalid event '{event}'. Expected one of: {', '.join(self._valid_events)}"
            )

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Call ``handler`` whenever ``event`` fires."""
        self._check_event(event)
        if not callable(handler):
            raise TypeError(f"listener for '{event}' must be callable, got {handler!r}")
        if self._listeners is None:
            self._listeners = {}
        self._listeners.setdefault(event, []).append(handler)

    def off(self, event: str | None = None, handler: Callable[..., Any] | None = None) -> None:
        """Remove one listener, every listener of ``event``, or every listener."""
        if event is None:
            if handler is not None:
                raise RuntimeError("Can't specify a specific handler without an event")
            self._listeners = {}
            return
        self._check_event(event)
        if not self._listeners or event not in self._listeners:
            return
        if handler is None:
            del self._listeners[event]
        else:
            with contextlib.suppress(ValueError):
                self._listeners[event].remove(handler)

    def _call_listeners(
        self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> list[Any]:
        """Call every listener (own, then the parent's): what each returned, or ``Raised``."""
        self._check_event(event)
        results: list[Any] = []
        if self._listeners:
            for handler in list(self._listeners.get(event, ())):
                try:
                    results.append(handler(*args, **kwargs))
                except Exception as e:
                    results.append(Raised(e))
        parent = self._parent
        if parent is not None:
            results.extend(parent._call_listeners(event, args, kwargs))
        return results
