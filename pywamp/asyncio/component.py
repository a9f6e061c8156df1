"""The asyncio drop-in for ``autobahn.asyncio.component``: ``Component`` and ``run``.

A component connects (and reconnects, with Autobahn's back-off knobs) to its
transports, joins a realm and re-runs its ``join`` listeners (``@component.register``,
``@component.subscribe``, ``on_join``) on every new session, so registrations and
subscriptions come back after a reconnect.

Unlike Autobahn's asyncio component: ``stop()`` during a back-off delay, a connection
attempt or an open session ends the component instead of reconnecting (autobahn-python
#1231); an opening handshake that times out is a failed attempt that the loop retries
(#1153); and a transport lost in any state ends the attempt and reconnects instead of
leaving the component hanging (#1556).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from pywamp._log import make_logger
from pywamp.asyncio.wamp import Session
from pywamp.component import STOP_TIMEOUT, ComponentBase, TransportConfig
from pywamp.transport import connect as connect_transport

__all__ = ("Component", "run")

log = logging.getLogger("pywamp.asyncio.component")


class Component(ComponentBase):
    """A WAMP application component: transports, a realm, authentication, listeners."""

    session_factory: Callable[..., Any] = Session
    log = make_logger("pywamp.asyncio.component")
    _cancelled = asyncio.CancelledError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Future[None]:
        """Start connecting; a future that resolves when the component is done.

        Done means: ``main`` finished, the session left normally, ``stop()`` was
        called, or every transport ran out of attempts (then the future fails).
        """
        if self._task is not None and not self._task.done():
            return asyncio.shield(self._task)
        loop = loop or asyncio.get_event_loop()
        self._loop = loop
        self._stopping = False
        for transport in self._transports:
            transport.reset()
        self._task = loop.create_task(self._run())
        return self._task

    def stop(self) -> asyncio.Future[None]:
        """Stop: leave the session (if joined) and never reconnect; a future of the end."""
        self._stopping = True
        task = self._task
        loop = self._loop or asyncio.get_event_loop()
        if task is None or task.done():
            done = loop.create_future()
            done.set_result(None)
            return done
        session = self._session
        if session is not None and session.is_attached():
            session.leave()
            loop.call_later(STOP_TIMEOUT, self._force_stop)
        else:
            task.cancel()
        return asyncio.shield(task)

    def _force_stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- the hooks of the shared loop --------------------------------------------------------

    def _context(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None
        return self._loop

    def _sleep(self, delay: float) -> Awaitable[None]:
        return asyncio.sleep(delay)

    def _awaitable(self, result: Any) -> Awaitable[Any] | None:
        return result if asyncio.isfuture(result) or asyncio.iscoroutine(result) else None

    def _new_attempt(self) -> tuple[Awaitable[None], Callable[[BaseException | None], None]]:
        done: asyncio.Future[None] = self._context().create_future()

        def settle(error: BaseException | None) -> None:
            if done.done():
                return
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

        return done, settle

    def _open_transport(self, transport: TransportConfig, session: Any) -> Awaitable[Any]:
        return connect_transport(
            transport.address(),
            session,
            serializers=transport.serializers,
            ssl=transport.ssl_context(),
            timeout=transport.timeout,
            headers=tuple((transport.headers or {}).items()),
            max_message_size=transport.options.get("max_message_size"),
        )

    def _spawn(self, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._context().create_task(make())


def run(
    components: Component | Iterable[Component],
    start_loop: bool = True,
    log_level: str | None = "info",
) -> Any:
    """Run components until all are done (stopping on SIGINT/SIGTERM).

    With ``start_loop=False`` returns a future of all of them on the current loop.
    """
    if isinstance(components, Component):
        components = [components]
    components = list(components) if not isinstance(components, list) else components
    for component in components:
        if not isinstance(component, Component):
            raise ValueError(
                '"components" must be a list of Component objects - encountered '
                f"item of type {type(component)}"
            )
    if log_level is not None and not logging.getLogger().handlers:
        logging.basicConfig(level=log_level.upper())

    async def all_done() -> None:
        loop = asyncio.get_running_loop()

        def stop_all() -> None:
            for component in components:
                component.stop()

        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop_all)
        results = await asyncio.gather(*(c.start(loop) for c in components), return_exceptions=True)
        for component, result in zip(components, results, strict=False):
            if isinstance(result, BaseException):
                log.error("Component '%s' error: %r", component, result)

    if not start_loop:
        return asyncio.ensure_future(all_done())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(all_done())
    finally:
        loop.close()
    return None
