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

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from twisted.internet import defer, error
from twisted.python.failure import Failure

from pywamp._log import make_logger
from pywamp.component import STOP_TIMEOUT, ComponentBase, TransportConfig
from pywamp.twisted._adapter import as_deferred, get_reactor, sleep
from pywamp.twisted.transport import WampRawSocketClientFactory, WampWebSocketClientFactory
from pywamp.twisted.wamp import Session, client_endpoint, protocol_factory
from pywamp.wamp.types import ComponentConfig

__all__ = ("Component", "RunnerComponent", "run")


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
    _cancelled = defer.CancelledError
    _network_errors = (OSError, error.ConnectError, error.ConnectionLost, defer.TimeoutError)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running: defer.Deferred[Any] | None = None
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

    # -- the hooks of the shared loop --------------------------------------------------------

    def _context(self) -> Any:
        return self._reactor

    def _sleep(self, delay: float) -> Awaitable[Any]:
        return sleep(delay, self._reactor)

    def _awaitable(self, result: Any) -> Awaitable[Any] | None:
        if result is not None and Session._is_awaitable(result):
            return as_deferred(result)
        return None

    def _new_attempt(self) -> tuple[Awaitable[None], Callable[[BaseException | None], None]]:
        done: defer.Deferred[None] = defer.Deferred()

        def settle(error: BaseException | None) -> None:
            if done.called:
                return
            if error is None:
                done.callback(None)
            else:
                done.errback(error)

        return done, settle

    def _open_transport(self, transport: TransportConfig, session: Any) -> Awaitable[Any]:
        endpoint = client_endpoint(
            transport.address(), _tls_options(transport), reactor=self._reactor
        )
        connecting = endpoint.connect(_protocol_factory(transport, session))
        connecting.addCallback(lambda proto: proto.opened)
        opened: defer.Deferred[Any] = connecting.addTimeout(transport.timeout, self._reactor)
        return opened

    def _spawn(self, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._reactor.callLater(0, lambda: defer.Deferred.fromCoroutine(make()))


class RunnerComponent(Component):
    """The reconnecting engine of ``ApplicationRunner(auto_reconnect=True)``: the runner's
    own session factory, URL, serializers, TLS options and (optional) endpoint, with the
    component's back-off; as Autobahn's runner, a first connection that fails is final."""

    def __init__(
        self,
        runner: Any,
        make: Callable[[ComponentConfig], Any] | Any,
        endpoint: Any = None,
        **knobs: Any,
    ) -> None:
        config = {"url": runner.url, **{k: v for k, v in knobs.items() if v is not None}}
        super().__init__(
            transports=[config],
            realm=runner.realm or "realm1",
            extra=runner.extra,
            is_fatal=lambda error: self._transports[0].connect_successes == 0,
        )
        self._runner = runner
        self._make = make
        self._endpoint = endpoint
        #: Fires with the protocol of the first connection (Autobahn's ``whenConnected``).
        self.connected: defer.Deferred[Any] = defer.Deferred()

    def _create_session(self) -> Any:
        config = ComponentConfig(self._realm, self._extra, runner=self._runner)
        session = self._make(config) if callable(self._make) else self._make
        self._runner._session = session
        return session

    def _open_transport(self, transport: TransportConfig, session: Any) -> Awaitable[Any]:
        runner = self._runner
        address, factory = protocol_factory(runner.url, session, runner.serializers, runner.headers)
        target = self._endpoint or client_endpoint(address, runner.ssl, self._reactor)

        def opened(proto: Any) -> Any:
            if not self.connected.called:
                self.connected.callback(proto)
            return proto

        connecting = target.connect(factory)
        connecting.addCallback(lambda proto: proto.opened.addCallback(lambda _: opened(proto)))
        result: defer.Deferred[Any] = connecting.addTimeout(transport.timeout, self._reactor)
        return result

    def start(self, reactor: Any = None) -> defer.Deferred[Any]:
        """Start; when the first connection fails, fail with its error (and ``connected``)."""
        errors: list[BaseException] = []
        self.on("connectfailure", lambda component, error: errors.append(error))
        done = super().start(reactor)

        def first_failed(failure: Failure) -> Failure:
            if self.connected.called:
                return failure
            first = Failure(errors[0]) if errors else failure  # type: ignore[no-untyped-call]
            self.connected.errback(first)
            return first

        return done.addErrback(first_failed)


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
