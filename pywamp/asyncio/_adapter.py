"""The asyncio implementation of the session adapter: real ``asyncio.Future`` objects."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from functools import partial
from typing import Any

__all__ = ("AsyncioAdapter", "CallFuture")


class CallFuture(asyncio.Future):  # type: ignore[type-arg]
    """The future ``call()`` returns: cancelling it sends CANCEL to the router.

    A subclass rather than a done-callback per call: ``cancel()`` is rare, calls are not.
    asyncio Tasks and ``wait_for`` cancel what they await through this method too.
    """

    __slots__ = ("_on_cancel", "_request_id")

    _on_cancel: Callable[[int], None]
    _request_id: int

    def cancel(self, msg: Any = None) -> bool:
        if not super().cancel(msg):
            return False
        self._on_cancel(self._request_id)
        return True


def _report(
    callback: Callable[[Any, BaseException | None], None], task: asyncio.Future[Any]
) -> None:
    if task.cancelled():
        callback(None, asyncio.CancelledError())
        return
    error = task.exception()
    callback(None if error is not None else task.result(), error)


async def _gather(awaitables: Iterable[Awaitable[Any]]) -> list[Any]:
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


class AsyncioAdapter:
    """Futures, timers and tasks on one asyncio event loop."""

    __slots__ = ("_tasks", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        #: Spawned tasks, held until done (the loop itself only keeps weak references).
        self._tasks: set[asyncio.Task[Any]] = set()

    def create_future(self) -> asyncio.Future[Any]:
        return self.loop.create_future()

    def create_call_future(self, on_cancel: Callable[[int], None], request_id: int) -> CallFuture:
        future = CallFuture(loop=self.loop)  # the C constructor: no Python __init__ per call
        future._on_cancel = on_cancel
        future._request_id = request_id
        return future

    @staticmethod
    def resolve(future: asyncio.Future[Any], value: Any) -> None:
        if not future.done():
            future.set_result(value)

    @staticmethod
    def reject(future: asyncio.Future[Any], error: BaseException) -> None:
        if not future.done():
            future.set_exception(error)

    @staticmethod
    def is_done(future: asyncio.Future[Any]) -> bool:
        return future.done()

    def succeed(self, value: Any) -> asyncio.Future[Any]:
        future = self.loop.create_future()
        future.set_result(value)
        return future

    def call_later(
        self, delay: float, callback: Callable[..., Any], *args: Any
    ) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, callback, *args)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def watch(
        self, awaitable: Any, callback: Callable[[Any, BaseException | None], None]
    ) -> asyncio.Future[Any]:
        task: asyncio.Future[Any] = asyncio.ensure_future(awaitable, loop=self.loop)
        task.add_done_callback(partial(_report, callback))
        return task

    @staticmethod
    def cancel(task: asyncio.Future[Any]) -> None:
        task.cancel()

    @staticmethod
    def is_cancellation(error: BaseException) -> bool:
        return isinstance(error, asyncio.CancelledError)

    def gather(self, awaitables: Iterable[Awaitable[Any]]) -> asyncio.Task[list[Any]]:
        return self.loop.create_task(_gather(list(awaitables)))

    @staticmethod
    def sleep(delay: float) -> Awaitable[None]:
        return asyncio.sleep(delay)

    def to_thread(self, fn: Callable[[], Any]) -> asyncio.Future[Any]:
        return self.loop.run_in_executor(None, fn)
