"""The Twisted implementation of the session adapter: Deferreds instead of futures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from functools import partial
from typing import Any

from twisted.internet import defer
from twisted.internet.interfaces import IDelayedCall
from twisted.python.failure import Failure

from pywamp.wamp.exception import CanceledError

__all__ = ("TwistedAdapter", "as_deferred", "get_reactor")

Deferred = defer.Deferred


def get_reactor() -> Any:
    """The global reactor, imported late so a program (or test) may install another first."""
    from twisted.internet import reactor

    return reactor


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def as_deferred(awaitable: Any) -> defer.Deferred[Any]:
    """A Deferred of any awaitable: Deferreds as they are, coroutines run as Deferreds."""
    if isinstance(awaitable, Deferred):
        return awaitable
    if isinstance(awaitable, Coroutine):
        return Deferred.fromCoroutine(awaitable)
    return Deferred.fromCoroutine(_await(awaitable))


def _cancel_call(on_cancel: Callable[[int], None], request_id: int, d: defer.Deferred[Any]) -> None:
    """A call's canceller: send CANCEL, and fail the Deferred with the seed's error."""
    on_cancel(request_id)
    d.errback(CanceledError("call was cancelled by the caller"))


class _Timer:
    """A delayed call whose ``cancel()`` may be called after it ran (as asyncio allows)."""

    __slots__ = ("_call",)

    _call: Any

    def __init__(self, call: IDelayedCall) -> None:
        self._call = call

    def cancel(self) -> None:
        if self._call.active():
            self._call.cancel()


def _report(callback: Callable[[Any, BaseException | None], None], outcome: Any) -> None:
    if isinstance(outcome, Failure):
        callback(None, outcome.value)
    else:
        callback(outcome, None)


def _first_failure(results: list[tuple[bool, Any]]) -> Any:
    for ok, value in results:
        if not ok:
            return value  # a Failure: continues down the errback chain
    return [value for _, value in results]


class TwistedAdapter:
    """Deferreds, delayed calls and coroutines-as-Deferreds on the global reactor."""

    __slots__ = ("reactor",)

    def __init__(self, reactor: Any = None) -> None:
        self.reactor = reactor if reactor is not None else get_reactor()

    @staticmethod
    def create_future() -> defer.Deferred[Any]:
        return Deferred()

    @staticmethod
    def create_call_future(
        on_cancel: Callable[[int], None], request_id: int
    ) -> defer.Deferred[Any]:
        return Deferred(partial(_cancel_call, on_cancel, request_id))

    @staticmethod
    def resolve(future: defer.Deferred[Any], value: Any) -> None:
        if not future.called:
            future.callback(value)

    @staticmethod
    def reject(future: defer.Deferred[Any], error: BaseException) -> None:
        if not future.called:
            future.errback(error)

    @staticmethod
    def is_done(future: defer.Deferred[Any]) -> bool:
        return bool(future.called)

    @staticmethod
    def succeed(value: Any) -> defer.Deferred[Any]:
        return defer.succeed(value)

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> _Timer:
        return _Timer(self.reactor.callLater(delay, callback, *args))

    @staticmethod
    def spawn(coro: Coroutine[Any, Any, Any]) -> defer.Deferred[Any]:
        return Deferred.fromCoroutine(coro)

    @staticmethod
    def watch(
        awaitable: Any, callback: Callable[[Any, BaseException | None], None]
    ) -> defer.Deferred[Any]:
        d = as_deferred(awaitable)
        d.addBoth(partial(_report, callback))
        return d

    @staticmethod
    def cancel(task: defer.Deferred[Any]) -> None:
        task.cancel()

    @staticmethod
    def is_cancellation(error: BaseException) -> bool:
        return isinstance(error, defer.CancelledError)

    @staticmethod
    def gather(awaitables: Iterable[Awaitable[Any]]) -> defer.Deferred[list[Any]]:
        deferreds = [as_deferred(a) for a in awaitables]
        return defer.DeferredList(deferreds, consumeErrors=True).addCallback(_first_failure)

    def sleep(self, delay: float) -> defer.Deferred[None]:
        return sleep(delay, self.reactor)

    def to_thread(self, fn: Callable[[], Any]) -> defer.Deferred[Any]:
        from twisted.internet.threads import deferToThreadPool

        return deferToThreadPool(self.reactor, self.reactor.getThreadPool(), fn)


def sleep(delay: float, reactor: Any = None) -> defer.Deferred[None]:
    """A Deferred that fires with None after ``delay`` seconds (cancelling stops the timer)."""
    from twisted.internet.task import deferLater

    return deferLater(reactor if reactor is not None else get_reactor(), delay, lambda: None)
