"""The few framework operations the shared session needs, so one session serves asyncio
(futures, tasks) and Twisted (Deferreds) alike.

A face supplies one implementation: ``pywamp.asyncio._adapter.AsyncioAdapter`` here;
the Twisted face brings its own. The session never imports a framework.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Protocol

__all__ = ("Adapter", "TimerHandle")


class TimerHandle(Protocol):
    """What ``call_later`` returns."""

    def cancel(self) -> Any: ...


class Adapter(Protocol):
    """Futures, timers and tasks of one framework."""

    def create_future(self) -> Any:
        """A new pending future (asyncio Future / Deferred)."""

    def create_call_future(self, on_cancel: Callable[[int], None], request_id: int) -> Any:
        """A pending future whose cancellation by the application calls
        ``on_cancel(request_id)`` (to send CANCEL)."""

    def resolve(self, future: Any, value: Any) -> None:
        """Complete ``future`` with ``value`` unless it is already done (e.g. cancelled)."""

    def reject(self, future: Any, error: BaseException) -> None:
        """Fail ``future`` with ``error`` unless it is already done."""

    def is_done(self, future: Any) -> bool:
        """Whether ``future`` has a result, an error, or was cancelled."""

    def succeed(self, value: Any) -> Any:
        """An already completed future."""

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` after ``delay`` seconds."""

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine concurrently; the result can be passed to :meth:`cancel`."""

    def watch(self, awaitable: Any, callback: Callable[[Any, BaseException | None], None]) -> Any:
        """Run ``awaitable`` concurrently and call ``callback(result, error)`` when it ends
        (``error`` is the framework's cancellation exception when it was cancelled); the
        result can be passed to :meth:`cancel`. Cancelling it before it started still
        reports, so nothing is left unanswered."""

    def cancel(self, task: Any) -> None:
        """Cancel a spawned coroutine or a future."""

    def is_cancellation(self, error: BaseException) -> bool:
        """Whether ``error`` is the framework's cancellation exception."""

    def gather(self, awaitables: Iterable[Awaitable[Any]]) -> Awaitable[list[Any]]:
        """All results in order; fails with the first error once every item has finished."""

    def sleep(self, delay: float) -> Awaitable[None]:
        """A delay usable with ``await``."""

    def to_thread(self, fn: Callable[[], Any]) -> Awaitable[Any]:
        """``fn()`` run in the framework's thread pool (for work that would stall the loop,
        such as a password KDF)."""
