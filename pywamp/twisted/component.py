"""The Twisted drop-in for ``autobahn.twisted.component``: ``Component`` and ``run``.

The same component as the asyncio face (transport configuration, Autobahn's reconnect
knobs and back-off, decorators and listeners from :mod:`pywamp.component`) on the
reactor: ``start()`` and ``stop()`` return Deferreds, ``main(reactor, session)`` may
return a Deferred or be a coroutine, and the ``join`` listeners (``@component.register``,
``@component.subscribe``, ``on_join``) run again on every new session, so registrations
and subscriptions come back after a reconnect.

As on asyncio: ``stop()`` during a back-off delay, a connection attempt or an open
session ends the component instead of reconnecting; an opening handshake that times out
is a failed attempt that is retried; a transport lost in any state ends the attempt and
reconnects.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from pywamp._log import make_logger
from pywamp._observable import Raised
from pywamp.component import ComponentBase, TransportConfig
from pywamp.exception import ApplicationError, SessionNotReady, TransportLost
from pywamp.session import make_authenticator
from pywamp.twisted._adapter import as_deferred, get_reactor, sleep
from pywamp.twisted.transport import WampRawSocketClientFactory, WampWebSocketClientFactory
from pywamp.twisted.wamp import Session, client_endpoint
from pywamp.wamp.types import ComponentConfig

__all__ = ("Component", "run")

_NORMAL_REASONS = ("wamp.close.normal", "wamp.close.goodbye_and_out")
#: Seconds ``stop()`` waits for the router's GOODBYE before dropping the connection.
STOP_TIMEOUT = 5.0


def _observe(d: defer.Deferred[Any]) -> defer.Deferred[Any]:
    """A new Deferred with ``d``'s outcome; a failure is reported there, not twice."""
    out: defer.Deferred[Any] = defer.Deferred()

    def both(result: Any) -> Any:
        if isinstance(result, Failure):
            out.errback(result)
            return None
        out.callback(result)
        return result

    d.addBoth(both)
    return out


def _tls_options(transport: TransportConfig) -> Any:
    """Twisted TLS client options from the endpoint's ``tls`` (True, or a dict with
    ``hostname`` and ``trust_root``, a PEM file), as Autobahn's Twisted component reads it."""
    tls = transport.endpoint.get("tls")
    if not tls:
        return None
    from twisted.internet.ssl import Certificate, optionsForClientTLS

    host = transport.endpoint.get("host") or "localhost"
    if isinstance(tls, dict):
        trust_root = tls.get("trust_root")
        root = None
        if trust_root is not None:
            with open(trust_root, "rb") as pem:
                root = Certificate.loadPEM(pem.read())
        return optionsForClientTLS(tls.get("hostname") or host, trustRoot=root)
    if tls is True:
        return optionsForClientTLS(host)
    raise ValueError(
        "the Twisted component takes 'tls' as True or a dict (hostname, trust_root), "
        f"got {type(tls).__name__}"
    )


def _protocol_factory(transport: TransportConfig, session: Any) -> Any:
    """The RawSocket or WebSocket client factory for one configured transport."""
    size = transport.options.get("max_message_size")
    if transport.type == "rawsocket":
        factory: Any = WampRawSocketClientFactory(session, serializer=transport.serializers[0])
    else:
        address = transport.address()
        url = transport.url or f"ws://{address.host or 'localhost'}:{address.port or 80}/"
        factory = WampWebSocketClientFactory(
            session, url=url, serializers=transport.serializers, headers=transport.headers
        )
    if size:
        factory.max_message_size = size
    return factory


class Component(ComponentBase):
    """A WAMP application component on Twisted: transports, a realm, listeners."""

    session_factory: Callable[..., Any] = Session
    log = make_logger("pywamp.twisted.component")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session: Any = None
        self._running: defer.Deferred[Any] | None = None
        self._stopping = False
        self._reactor: Any = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self, reactor: Any = None) -> defer.Deferred[Any]:
        """Start connecting; a Deferred that fires when the component is done.

        Done means: ``main`` finished, the session left normally, ``stop()`` was called,
        or every transport ran out of attempts (then the Deferred fails).
        """
        if self._running is not None and not self._running.called:
            return _observe(self._running)
        self._reactor = reactor if reactor is not None else get_reactor()
        self._stopping = False
        for transport in self._transports:
            transport.reset()
        self._running = defer.Deferred.fromCoroutine(self._run())
        return _observe(self._running)

    def stop(self) -> defer.Deferred[Any]:
        """Stop: leave the session (if joined) and never reconnect; a Deferred of the end."""
        self._stopping = True
        running = self._running
        if running is None or running.called:
            return defer.succeed(None)
        session = self._session
        done = _observe(running)
        if session is not None and session.is_attached():
            session.leave()
            timer = self._reactor.callLater(STOP_TIMEOUT, self._force_stop)
            done.addBoth(lambda result: (timer.active() and timer.cancel(), result)[1])
        else:
            running.cancel()
        return done

    def _force_stop(self) -> None:
        if self._running is not None and not self._running.called:
            self._running.cancel()

    async def _run(self) -> None:
        await self._fire("start", self._reactor, self)
        candidates = itertools.cycle(self._transports)
        while not self._stopping:
            if not any(t.can_reconnect() for t in self._transports):
                raise RuntimeError("Component failed: Exhausted all transport connect attempts")
            transport = next(t for t in candidates if t.can_reconnect())
            delay = transport.next_delay()
            if delay > 0:
                self.log.info(
                    "trying transport {idx} ({where}) in {delay:.2f} seconds",
                    idx=transport.idx,
                    where=transport.url or transport.describe_endpoint(),
                    delay=delay,
                )
            try:
                if delay > 0:
                    await sleep(delay, self._reactor)
                if self._stopping:
                    return
                await self._connect_once(transport)
                return
            except defer.CancelledError:
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
                    self.log.info("error was fatal; failing transport {idx}", idx=transport.idx)
                    transport.failed()

    def _log_failure(self, error: BaseException) -> None:
        if isinstance(error, ApplicationError):
            self.log.error("{message}", message=error.error_message())
        else:
            self.log.info("Connection failed: {error!r}", error=error)

    async def _fire(self, event: str, *args: Any) -> None:
        """Notify the component's own listeners (errors are logged, not raised)."""
        for result in self._call_listeners(event, args, {}):
            if isinstance(result, Raised):
                self.log.error(
                    "listener for '{event}' failed: {error!r}", event=event, error=result.error
                )
            elif result is not None and Session._is_awaitable(result):
                try:
                    await as_deferred(result)
                except Exception as e:
                    self.log.error("listener for '{event}' failed: {error!r}", event=event, error=e)

    # -- one connection ----------------------------------------------------------------------

    def _create_session(self) -> Any:
        session = self.session_factory(ComponentConfig(self._realm, self._extra))
        for name, config in self._authentication.items():
            session.add_authenticator(make_authenticator(name, config))
        session._parent = self
        return session

    async def _connect_once(self, transport: TransportConfig) -> None:
        """One attempt: connect, join, run until the session ends. Returns when it ended
        normally; raises when it failed (so the loop reconnects)."""
        self.log.info(
            'connecting once using transport type "{kind}" over endpoint "{endpoint}"',
            kind=transport.type,
            endpoint=transport.describe_endpoint(),
        )
        transport.connect_attempts += 1
        done: defer.Deferred[None] = defer.Deferred()
        session = self._create_session()
        self._watch(session, transport, done)
        self._session = session
        try:
            endpoint = client_endpoint(
                transport.address(), _tls_options(transport), reactor=self._reactor
            )
            connecting = endpoint.connect(_protocol_factory(transport, session))
            connecting.addCallback(lambda proto: proto.opened)
            await connecting.addTimeout(transport.timeout, self._reactor)
            await done
        finally:
            self._session = None
            if session.is_connected():
                session.disconnect()

    def _watch(self, session: Any, transport: TransportConfig, done: defer.Deferred[None]) -> None:
        """Turn the session's events into the outcome of this attempt."""

        def finish(error: BaseException | None = None) -> None:
            if done.called:
                return
            if error is None or self._stopping:
                done.callback(None)
            else:
                done.errback(error)

        def on_leave(session: Any, details: Any) -> None:
            self.log.info("session leaving '{reason}'", reason=details.reason)
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
                # Next turn: the join listeners (registrations ...) send their requests first.
                self._reactor.callLater(0, self._start_main, session, finish)

        session.on("leave", on_leave)
        session.on("disconnect", on_disconnect)
        session.on("join", on_join)

    def _start_main(self, session: Any, finish: Callable[..., None]) -> None:
        defer.Deferred.fromCoroutine(self._run_main(session, finish))

    async def _run_main(self, session: Any, finish: Callable[..., None]) -> None:
        assert self._entry is not None
        try:
            result = self._entry(self._reactor, session)
            if result is not None and Session._is_awaitable(result):
                await as_deferred(result)
        except Exception as error:
            self.log.debug("main failed: {error!r}", error=error)
            finish(error)
            session.disconnect()
            return
        with contextlib.suppress(SessionNotReady):
            session.leave()


def run(
    components: Component | Iterable[Component],
    log_level: str | None = "info",
    stop_at_close: bool = True,
) -> None:
    """Run components on the reactor until all are done (Autobahn's Twisted ``run``).

    Stopping the reactor (SIGINT, SIGTERM) stops every component first. With
    ``stop_at_close=False`` the reactor keeps running after the components are done.
    """
    if isinstance(components, Component):
        components = [components]
    components = list(components)
    for component in components:
        if not isinstance(component, Component):
            raise ValueError(
                '"components" must be a list of Component objects - encountered '
                f"item of type {type(component)}"
            )
    if log_level is not None:
        import logging

        if not logging.getLogger().handlers:
            logging.basicConfig(level=log_level.upper())
    reactor = get_reactor()
    log = make_logger("pywamp.twisted.component")

    def stop_all() -> defer.Deferred[Any]:
        return defer.DeferredList([c.stop() for c in components], consumeErrors=True)

    def report(results: list[tuple[bool, Any]]) -> None:
        for component, (ok, value) in zip(components, results, strict=True):
            if not ok:
                log.error("Component '{c}' error: {e}", c=component, e=value.value)
        if stop_at_close and reactor.running:
            reactor.stop()

    def start() -> None:
        started = [c.start(reactor) for c in components]
        defer.DeferredList(started, consumeErrors=True).addCallback(report)

    reactor.addSystemEventTrigger("before", "shutdown", stop_all)
    reactor.callWhenRunning(start)
    reactor.run()
