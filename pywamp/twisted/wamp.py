"""The Twisted drop-in for ``autobahn.twisted.wamp``: ``ApplicationSession``,
``ApplicationSessionFactory``, ``ApplicationRunner`` and the PEP 8 ``Session``.

Sessions return Deferreds from ``call``/``register``/...; hooks may be plain functions,
``inlineCallbacks`` functions or coroutines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from pywamp import session as _session
from pywamp._log import make_logger
from pywamp.transport.url import Address, parse_url
from pywamp.twisted._adapter import TwistedAdapter, get_reactor
from pywamp.twisted._handles import SessionHandles
from pywamp.twisted.transport import WampRawSocketClientFactory, WampWebSocketClientFactory
from pywamp.wamp.types import ComponentConfig

__all__ = (
    "ApplicationRunner",
    "ApplicationSession",
    "ApplicationSessionFactory",
    "Session",
    "connect_transport",
)


class ApplicationSession(SessionHandles, _session.Session):
    """A WAMP application session on Twisted (Autobahn's camelCase hooks)."""

    adapter_class = TwistedAdapter


class Session(SessionHandles, _session.SessionShim):
    """A WAMP session on Twisted with PEP 8 hooks (``on_join``, ``on_leave`` ...)."""

    adapter_class = TwistedAdapter


class ApplicationSessionFactory(_session.ApplicationSessionFactory):
    """Creates sessions of class ``session`` with one ``config``."""

    session = ApplicationSession


def tls_options(address: Address, ssl: Any) -> Any:
    """Twisted TLS client options: ``ssl`` as given (an ``IOpenSSLClientConnectionCreator``
    or ``CertificateOptions``), or the platform's trust for the URL's host."""
    if ssl is not None and ssl is not True:
        return ssl
    from twisted.internet.ssl import optionsForClientTLS

    return optionsForClientTLS(address.host or "localhost")


def client_endpoint(address: Address, ssl: Any = None, reactor: Any = None) -> Any:
    """A Twisted client endpoint for a parsed transport address."""
    from twisted.internet import endpoints

    reactor = reactor if reactor is not None else get_reactor()
    if address.socket_path is not None:
        return endpoints.UNIXClientEndpoint(reactor, address.socket_path)  # type: ignore[no-untyped-call]
    tcp: Any = endpoints.TCP4ClientEndpoint(reactor, address.host or "localhost", address.port or 0)
    if address.secure or (ssl is not None and ssl is not False):
        if not address.secure:
            raise RuntimeError(
                f"ssl argument conflicts with the non-TLS scheme of {address.kind} url"
            )
        return endpoints.wrapClientTLS(tls_options(address, ssl), tcp)
    return tcp


def protocol_factory(
    url: str,
    make: Callable[[], Any] | Any,
    serializers: Sequence[Any] | None = None,
    headers: Mapping[str, str] | None = None,
    max_message_size: int | None = None,
) -> tuple[Address, Any]:
    """The address and the protocol factory (RawSocket or WebSocket) for ``url``."""
    address = parse_url(url)
    if address.kind == "rawsocket":
        serializer = serializers[0] if serializers else None
        factory: Any = WampRawSocketClientFactory(make, serializer=serializer)
    else:
        factory = WampWebSocketClientFactory(
            make, url=url, serializers=serializers, headers=headers
        )
    if max_message_size:
        factory.max_message_size = max_message_size
    return address, factory


@defer.inlineCallbacks
def connect_transport(
    url: str,
    session: Any,
    serializers: Sequence[Any] | None = None,
    ssl: Any = None,
    headers: Mapping[str, str] | None = None,
    max_message_size: int | None = None,
    reactor: Any = None,
) -> Any:
    """Connect ``session`` to the router at ``url``; fires with the protocol once the
    RawSocket/WebSocket handshake is done (the session then joins from ``onConnect``)."""
    address, factory = protocol_factory(url, session, serializers, headers, max_message_size)
    proto = yield client_endpoint(address, ssl, reactor).connect(factory)
    yield proto.opened
    return proto


class ApplicationRunner:
    """Connect one application session to a router and run it (development and simple hosting).

    ``url`` may be ``ws://``/``wss://`` (WebSocket), ``rs://``/``rss://`` (RawSocket over
    TCP/TLS) or ``unix:/path`` (RawSocket over a Unix socket). ``run()`` stops the reactor
    when the connection closes.
    """

    log = make_logger("pywamp.twisted.wamp")

    def __init__(
        self,
        url: str,
        realm: str | None = None,
        extra: dict[str, Any] | None = None,
        serializers: Sequence[Any] | None = None,
        ssl: Any = None,
        proxy: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
        initial_retry_delay: float | None = None,
        max_retry_delay: float | None = None,
        retry_delay_growth: float | None = None,
        retry_delay_jitter: float | None = None,
    ) -> None:
        if type(url) is not str:
            raise TypeError(f"ApplicationRunner: url must be a str, got {type(url).__name__}")
        if realm is not None and type(realm) is not str:
            raise TypeError(f"ApplicationRunner: realm must be a str, got {type(realm).__name__}")
        if extra is not None and not isinstance(extra, dict):
            raise TypeError(f"ApplicationRunner: extra must be a dict, got {type(extra).__name__}")
        if proxy is not None:
            raise ValueError("ApplicationRunner: pywamp does not connect through HTTP proxies")
        parse_url(url)  # fail early on a bad URL
        self.url = url
        self.realm = realm
        self.extra = extra or {}
        self.serializers = serializers
        self.ssl = ssl
        self.proxy = proxy
        self.headers = headers
        self._retry = {
            "max_retries": max_retries,
            "initial_retry_delay": initial_retry_delay,
            "max_retry_delay": max_retry_delay,
            "retry_delay_growth": retry_delay_growth,
            "retry_delay_jitter": retry_delay_jitter,
        }
        self._session: Any = None
        self._component: Any = None

    def stop(self) -> defer.Deferred[Any]:
        """Stop reconnecting (``auto_reconnect=True``) and leave; a Deferred of the end."""
        if self._component is None:
            return defer.succeed(None)
        done: defer.Deferred[Any] = self._component.stop()
        return done

    def run(
        self,
        make: Callable[[ComponentConfig], Any] | Any,
        start_reactor: bool = True,
        auto_reconnect: bool = False,
        log_level: str = "info",
        endpoint: Any = None,
        reactor: Any = None,
    ) -> Any:
        """Connect and run the session made by ``make(config)``.

        With ``start_reactor=False`` returns a Deferred that fires with the protocol once
        connected, as Autobahn does; otherwise runs the reactor until the session is gone.
        With ``auto_reconnect=True`` a lost connection is made again with the back-off of
        the ``*_retry_*`` knobs (a first connection that fails is final, as in Autobahn)
        until the session leaves normally or ``stop()`` is called.
        """
        reactor = reactor if reactor is not None else get_reactor()
        if auto_reconnect:
            return self._run_reconnecting(make, start_reactor, endpoint, reactor)

        def create() -> Any:
            config = ComponentConfig(self.realm, self.extra, runner=self)
            session = make(config) if callable(make) else make
            self._session = session
            return session

        address, factory = protocol_factory(self.url, create, self.serializers, self.headers)
        target = endpoint if endpoint is not None else client_endpoint(address, self.ssl, reactor)
        connecting = target.connect(factory)
        if not start_reactor:
            return connecting

        outcome: dict[str, Any] = {}

        def connected(proto: Any) -> None:
            proto._session.on("disconnect", lambda *_, **__: _stop(reactor))

        def failed(failure: Any) -> None:
            outcome["error"] = failure.value
            self.log.error("connecting to {url} failed: {error}", url=self.url, error=failure.value)
            _stop(reactor)

        connecting.addCallbacks(connected, failed)
        reactor.run()
        if "error" in outcome:
            raise outcome["error"]
        return None

    def _run_reconnecting(
        self, make: Callable[[ComponentConfig], Any] | Any, start: bool, endpoint: Any, reactor: Any
    ) -> Any:
        from pywamp.twisted.component import RunnerComponent

        component = RunnerComponent(self, make, endpoint, **self._retry)
        self._component = component
        if not start:
            component.start(reactor).addErrback(lambda _: None)
            return component.connected
        outcome: dict[str, Any] = {}

        def ended(result: Any) -> None:
            if isinstance(result, Failure):
                outcome["error"] = result.value
                self.log.error("{url}: {error}", url=self.url, error=result.value)
            _stop(reactor)

        reactor.addSystemEventTrigger("before", "shutdown", self.stop)
        reactor.callWhenRunning(lambda: component.start(reactor).addBoth(ended))
        reactor.run()
        if "error" in outcome:
            raise outcome["error"]
        return None


def _stop(reactor: Any) -> None:
    """Stop the reactor unless it is stopping already (an onDisconnect may have)."""
    from twisted.internet.error import ReactorNotRunning

    with contextlib.suppress(ReactorNotRunning):
        reactor.stop()
