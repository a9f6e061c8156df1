"""Handles the session gives back: registrations, subscriptions, batches of futures and
progressive calls.

Their attributes and ``str()`` follow Autobahn's ``autobahn.wamp.request`` classes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any

from pywamp.exception import Error

if TYPE_CHECKING:
    from pywamp._handlers import Endpoint, Handler
    from pywamp.session import Session

__all__ = ("FutureList", "ProgressiveCall", "Registration", "Subscription")


class Registration:
    """A procedure registered by this session: ``await reg.unregister()`` removes it."""

    __slots__ = ("active", "endpoint", "id", "procedure", "session")

    def __init__(self, session: Session, registration_id: int, procedure: str, endpoint: Endpoint):
        self.id = registration_id
        self.active = True
        self.session = session
        self.procedure = procedure
        self.endpoint = endpoint

    def unregister(self) -> Any:
        """Unregister at the router; a future that resolves once it confirmed."""
        if not self.active:
            raise Error(f"registration {self.id} ({self.procedure}) is no longer active")
        return self.session._unregister(self)

    def __str__(self) -> str:
        return f'Registration(id={self.id}, is_active={self.active}, procedure="{self.procedure}")'

    __repr__ = __str__


class Subscription:
    """One handler on a topic; several handlers of a session share one broker subscription."""

    __slots__ = ("active", "handler", "id", "session", "topic")

    def __init__(self, subscription_id: int, topic: str, session: Session, handler: Handler):
        self.id = subscription_id
        self.topic = topic
        self.active = True
        self.session = session
        self.handler = handler

    def unsubscribe(self) -> Any:
        """Detach this handler; the broker subscription goes when its last handler does."""
        if not self.active:
            raise Error(f"subscription {self.id} ({self.topic}) is no longer active")
        return self.session._unsubscribe(self)

    def __str__(self) -> str:
        return f"Subscription(id={self.id}, is_active={self.active})"

    __repr__ = __str__


class FutureList(list):  # type: ignore[type-arg]
    """The futures of registering or subscribing every decorated method of an object.

    Iterate it for the individual futures (``asyncio.gather(*session.register(obj))``,
    Twisted ``gatherResults(session.register(obj))``) or await it for the list of
    handles; awaiting raises the first error once all requests have been answered.
    """

    def __init__(
        self,
        futures: Iterable[Any],
        gather: Callable[[Iterable[Awaitable[Any]]], Awaitable[list[Any]]],
    ) -> None:
        super().__init__(futures)
        self._gather = gather

    def __await__(self) -> Generator[Any, None, list[Any]]:
        return self._gather(list(self)).__await__()


class ProgressiveCall:
    """A call whose arguments are streamed: progressive call invocations (caller side).

    ``session.call_progressive(uri, *args)`` (or ``session.call(uri, *args,
    options=CallOptions(progress=True))``) sends the first chunk; :meth:`send` sends
    more, :meth:`finish` the last one. Await the object (or :attr:`future`) for the
    result; ``CallOptions(on_progress=...)`` still receives progressive results.
    """

    __slots__ = ("_options", "_session", "finished", "future", "procedure", "request_id")

    def __init__(
        self,
        session: Session,
        request_id: int,
        procedure: str,
        future: Any,
        options: dict[str, Any],
    ) -> None:
        self._session = session
        self.request_id = request_id
        self.procedure = procedure
        self.future = future
        self._options = options
        self.finished = False

    def send(self, *args: Any, **kwargs: Any) -> None:
        """Send one more chunk of arguments (CALL with ``progress: true``)."""
        self._session._call_chunk(self, args, kwargs, True)

    def finish(self, *args: Any, **kwargs: Any) -> Any:
        """Send the last chunk; returns the call's future."""
        self._session._call_chunk(self, args, kwargs, False)
        return self.future

    def cancel(self) -> bool:
        """Cancel the call (sends CANCEL)."""
        return bool(self.future.cancel())

    def __await__(self) -> Generator[Any, None, Any]:
        return self.future.__await__()  # type: ignore[no-any-return]

    def __str__(self) -> str:
        state = "finished" if self.finished else "streaming"
        return f"ProgressiveCall(request={self.request_id}, procedure={self.procedure}, {state})"
