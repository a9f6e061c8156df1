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
import itertools
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

from pywamp._log import make_logger
from pywamp._observable import Raised
from pywamp.asyncio.wamp import Session
from pywamp.component import ComponentBase, TransportConfig
from pywamp.exception import ApplicationError, SessionNotReady, TransportLost
from pywamp.session import make_authenticator
from pywamp.transport import connect as connect_transport
from pywamp.wamp.types import ComponentConfig

__all__ = ("Component", "run")

log = logging.getLogger("pywamp.asyncio.component")

_NORMAL_REASONS = ("wamp.close.normal", "wamp.close.goodbye_and_out")
#: Seconds ``stop()`` waits for the router's GOODBYE before dropping the connection.
STOP_TIMEOUT = 5.0


class Component(ComponentBase):
    """A WAMP application component: transports, a realm, authentication, listeners."""

    session_factory: Callable[..., Any] = Session
    log = make_logger("pywamp.asyncio.component")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
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
        self._task = loop.create_task(self._run(loop))
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

    async def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        await self._fire("start", loop, self)
        candidates = itertools.cycle(self._transports)
        while not self._stopping:
            if not any(t.can_reconnect() for t in self._transports):
                raise RuntimeError("Component failed: Exhausted all transport connect attempts")
            transport = next(t for t in candidates if t.can_reconnect())
            delay = transport.next_delay()
            if delay > 0:
                log.info(
                    "trying transport %d (%s) in %.2f seconds",
                    transport.idx,
                    transport.url or transport.describe_endpoint(),
                    delay,
                )
            try:
                if delay > 0:
                    await asyncio.sleep(delay)
                if self._stopping:
                    return
                await self._connect_once(loop, transport)
                return
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except Exception as error:
                if self._stopping:
                    return
                transport.connect_failures += 1
                await self._fire("connectfailure", self, error)
                self._log_failure(error)
                if self._is_fatal is not None and self._is_fatal(error):
                    log.info("error was fatal; failing transport %d", transport.idx)
                    transport.failed()

    @staticmethod
    def _log_failure(error: BaseException) -> None:
        if isinstance(error, ApplicationError):
            log.error("%s", error.error_message())
        elif isinstance(error, OSError):
            log.info("Connection failed with OS error: %s", error)
        else:
            log.error("Connection failed: %r", error)

    async def _fire(self, event: str, *args: Any) -> None:
        """Notify the component's own listeners (errors are logged, not raised)."""
        for result in self._call_listeners(event, args, {}):
            if isinstance(result, Raised):
                log.error("listener for '%s' failed: %r", event, result.error)
            elif asyncio.isfuture(result) or asyncio.iscoroutine(result):
                try:
                    await result
                except Exception as e:
                    log.error("listener for '%s' failed: %r", event, e)

    # -- one connection ----------------------------------------------------------------------

    def _create_session(self) -> Any:
        session = self.session_factory(ComponentConfig(self._realm, self._extra))
        for name, config in self._authentication.items():
            session.add_authenticator(make_authenticator(name, config))
        session._parent = self
        return session

    async def _connect_once(
        self, loop: asyncio.AbstractEventLoop, transport: TransportConfig
    ) -> None:
        """One attempt: connect, join, run until the session ends. Returns when it ended
        normally; raises when it failed (so the loop reconnects)."""
        log.info(
            'connecting once using transport type "%s" over endpoint "%s"',
            transport.type,
            transport.describe_endpoint(),
        )
        transport.connect_attempts += 1
        done: asyncio.Future[None] = loop.create_future()
        session = self._create_session()
        self._watch(loop, session, transport, done)
        self._session = session
        try:
            await connect_transport(
                transport.address(),
                session,
                serializers=transport.serializers,
                ssl=transport.ssl_context(),
                timeout=transport.timeout,
                headers=tuple((transport.headers or {}).items()),
                max_message_size=transport.options.get("max_message_size"),
            )
            await done
        finally:
            self._session = None
            if session.is_connected():
                session.disconnect()

    def _watch(
        self,
        loop: asyncio.AbstractEventLoop,
        session: Any,
        transport: TransportConfig,
        done: asyncio.Future[None],
    ) -> None:
        """Turn the session's events into the outcome of this attempt."""

        def finish(error: BaseException | None = None) -> None:
            if done.done():
                return
            if error is None or self._stopping:
                done.set_result(None)
            else:
                done.set_exception(error)

        def on_leave(session: Any, details: Any) -> None:
            log.info("session leaving '%s'", details.reason)
            if details.reason in _NORMAL_REASONS:
                finish()
            else:
                finish(ApplicationError(details.reason, details.message or ""))

        def on_disconnect(session: Any, was_clean: bool = True) -> None:
            # A joined session reports its end through "leave" first; reaching here
            # undecided means the connection ended before the session did.
            finish(TransportLost("the transport closed before the session ended"))

        def on_join(session: Any, details: Any) -> None:
            transport.reset()
            transport.connect_successes += 1
            if self._entry is not None:
                loop.create_task(self._run_main(loop, session, finish))

        session.on("leave", on_leave)
        session.on("disconnect", on_disconnect)
        session.on("join", on_join)

    async def _run_main(
        self, loop: asyncio.AbstractEventLoop, session: Any, finish: Callable[..., None]
    ) -> None:
        assert self._entry is not None
        try:
            result = self._entry(loop, session)
            if asyncio.isfuture(result) or asyncio.iscoroutine(result):
                await result
        except Exception as error:
            log.debug("main failed: %r", error)
            finish(error)
            session.disconnect()
            return
        with contextlib.suppress(SessionNotReady):
            session.leave()


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
