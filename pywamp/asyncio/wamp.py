"""The asyncio drop-in for ``autobahn.asyncio.wamp``: ``ApplicationSession``,
``ApplicationSessionFactory``, ``ApplicationRunner`` and the PEP 8 ``Session``.

Sessions return real ``asyncio.Future`` objects from ``call``/``register``/...; hooks may
be plain functions or coroutines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl as _ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pywamp import session as _session
from pywamp._log import make_logger
from pywamp.asyncio._adapter import AsyncioAdapter
from pywamp.asyncio.rawsocket import WampRawSocketClientFactory
from pywamp.asyncio.websocket import WampWebSocketClientFactory
from pywamp.transport.url import parse_url
from pywamp.wamp.types import ComponentConfig

__all__ = ("ApplicationRunner", "ApplicationSession", "ApplicationSessionFactory", "Session")


class ApplicationSession(_session.Session):
    """A WAMP application session on asyncio (Autobahn's camelCase hooks)."""

    adapter_class = AsyncioAdapter


class Session(_session.SessionShim):
    """A WAMP session on asyncio with PEP 8 hooks (``on_join``, ``on_leave`` ...)."""

    adapter_class = AsyncioAdapter


class ApplicationSessionFactory(_session.ApplicationSessionFactory):
    """Creates sessions of class ``session`` with one ``config``."""

    session = ApplicationSession


class ApplicationRunner:
    """Connect one application session to a router and run it (development and simple hosting).

    ``url`` may be ``ws://``/``wss://`` (WebSocket), ``rs://``/``rss://`` (RawSocket over
    TCP/TLS) or ``unix:/path`` (RawSocket over a Unix socket). ``run()`` stops the loop
    when the connection closes.
    """

    log = make_logger("pywamp.asyncio.wamp")

    def __init__(
        self,
        url: str,
        realm: str | None = None,
        extra: dict[str, Any] | None = None,
        serializers: Sequence[Any] | None = None,
        ssl: _ssl.SSLContext | bool | None = None,
        proxy: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if type(url) is not str:
            raise TypeError(f"ApplicationRunner: url must be a str, got {type(url).__name__}")
        if realm is not None and type(realm) is not str:
            raise TypeError(f"ApplicationRunner: realm must be a str, got {type(realm).__name__}")
        if extra is not None and not isinstance(extra, dict):
            raise TypeError(f"ApplicationRunner: extra must be a dict, got {type(extra).__name__}")
        if proxy is not None:
            raise ValueError("ApplicationRunner: pywamp does not connect through HTTP proxies")
        self.url = url
        self.realm = realm
        self.extra = extra or {}
        self.serializers = serializers
        self.ssl = ssl
        self.proxy = proxy
        self.headers = headers
        self._session: Any = None

    def stop(self) -> None:
        """Autobahn's runner cannot stop reconnecting either: it does not reconnect."""
        raise NotImplementedError()

    def _factory(self, make: Callable[[ComponentConfig], Any] | Any) -> Any:
        address = parse_url(self.url)

        def create() -> Any:
            session = make(ComponentConfig(self.realm, self.extra)) if callable(make) else make
            self._session = session
            return session

        if address.kind == "rawsocket":
            serializer = self.serializers[0] if self.serializers else None
            return address, WampRawSocketClientFactory(create, serializer=serializer)
        return address, WampWebSocketClientFactory(
            create, url=self.url, serializers=self.serializers, headers=self.headers
        )

    def _ssl(self, secure: bool) -> _ssl.SSLContext | None:
        if self.ssl is None:
            return _ssl.create_default_context() if secure else None
        if self.ssl and not secure:
            raise RuntimeError(
                f"ssl argument value passed to {type(self).__name__} conflicts with the "
                f'non-TLS scheme of the url argument "{self.url}"'
            )
        if isinstance(self.ssl, _ssl.SSLContext):
            return self.ssl
        return _ssl.create_default_context() if self.ssl else None

    def run(
        self,
        make: Callable[[ComponentConfig], Any] | Any,
        start_loop: bool = True,
        log_level: str = "info",
    ) -> Any:
        """Connect and run the session made by ``make(config)``.

        With ``start_loop=False`` returns the coroutine of ``loop.create_connection``
        (yielding ``(transport, protocol)``), as Autobahn does.
        """
        address, factory = self._factory(make)
        context = self._ssl(address.secure)

        def connection() -> Any:
            loop = asyncio.get_running_loop()
            if address.socket_path is not None:
                return loop.create_unix_connection(factory, address.socket_path, ssl=context)
            return loop.create_connection(factory, address.host, address.port, ssl=context)

        if not start_loop:
            return _call_in_loop(connection)

        if log_level and not logging.getLogger().handlers:
            logging.basicConfig(level=log_level.upper())
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            _, protocol = loop.run_until_complete(_call_in_loop(connection))
            session = protocol._session
            session.on("disconnect", lambda *_, **__: loop.stop())
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGTERM, loop.stop)
            with contextlib.suppress(KeyboardInterrupt):
                loop.run_forever()
            if session.is_attached():
                leave = session.leave()
                if leave is not None:
                    loop.run_until_complete(asyncio.wait_for(leave, 5))
        finally:
            loop.close()
        return None


async def _call_in_loop(make_coro: Callable[[], Any]) -> Any:
    """Await ``make_coro()`` inside the running loop (the loop is known only there)."""
    return await make_coro()
