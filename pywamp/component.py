"""What every face's ``Component`` shares: transport configuration (Autobahn's keys and
defaults), the reconnect back-off, and the decorators and listeners of a component.

The connect/back-off/join loop is here too, written once over a few hooks that each face
fills in (futures or Deferreds, the loop or the reactor): see :class:`ComponentBase`.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import ssl as _ssl
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from pywamp._log import Logger
from pywamp._observable import Observable, Raised
from pywamp.exception import ApplicationError, SessionNotReady, TransportLost
from pywamp.transport.url import Address, parse_url
from pywamp.wamp.types import ComponentConfig, RegisterOptions, SubscribeOptions

__all__ = ("ComponentBase", "TransportConfig", "parse_transports")

_TRANSPORT_KEYS = frozenset(
    {
        "type",
        "url",
        "endpoint",
        "serializer",
        "serializers",
        "options",
        "max_retries",
        "max_retry_delay",
        "initial_retry_delay",
        "retry_delay_growth",
        "retry_delay_jitter",
        "proxy",
        "headers",
    }
)
_ENDPOINT_KEYS = frozenset({"type", "host", "port", "path", "tls", "timeout", "version"})
_SERIALIZERS = ("json", "msgpack", "cbor")
COMPONENT_EVENTS = ("start", "connect", "join", "ready", "leave", "disconnect", "connectfailure")
NORMAL_REASONS = ("wamp.close.normal", "wamp.close.goodbye_and_out")
#: Seconds ``stop()`` waits for the router's GOODBYE before dropping the connection.
STOP_TIMEOUT = 5.0


class TransportConfig:
    """One configured transport with its reconnect state (Autobahn's ``_Transport``).

    Back-off: the first attempt is immediate; each later one waits the previous delay
    times ``retry_delay_growth`` (starting from ``initial_retry_delay``), jittered by a
    normal distribution with relative deviation ``retry_delay_jitter``, capped at
    ``max_retry_delay``. ``max_retries=-1`` retries forever.
    """

    def __init__(
        self,
        idx: int,
        kind: str,
        url: str | None,
        endpoint: dict[str, Any],
        serializers: list[str],
        max_retries: int = -1,
        max_retry_delay: float = 300,
        initial_retry_delay: float = 1.5,
        retry_delay_growth: float = 1.5,
        retry_delay_jitter: float = 0.1,
        options: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if kind == "rawsocket" and len(serializers) != 1:
            raise ValueError("'rawsocket' transport requires exactly one serializer")
        for name, value in (
            ("max_retry_delay", max_retry_delay),
            ("initial_retry_delay", initial_retry_delay),
            ("retry_delay_growth", retry_delay_growth),
            ("retry_delay_jitter", retry_delay_jitter),
        ):
            if type(value) not in (int, float) or value < 0:
                raise ValueError(f"'{name}' must be a non-negative number, got {value!r}")
        if type(max_retries) is not int or max_retries < -1:
            raise ValueError(f"'max_retries' must be an int >= -1, got {max_retries!r}")
        self.idx = idx
        self.type = kind
        self.url = url
        self.endpoint = endpoint
        self.serializers = serializers
        self.options = options or {}
        self.headers = headers
        self.max_retries = max_retries
        self.max_retry_delay = max_retry_delay
        self.initial_retry_delay = initial_retry_delay
        self.retry_delay_growth = retry_delay_growth
        self.retry_delay_jitter = retry_delay_jitter
        self._permanent_failure = False
        self.reset()

    def reset(self) -> None:
        """Back to the initial delay (after a successful join)."""
        self.connect_attempts = 0
        self.connect_successes = 0
        self.connect_failures = 0
        self.retry_delay = float(self.initial_retry_delay)

    def failed(self) -> None:
        """Never try this transport again (a fatal error)."""
        self._permanent_failure = True

    def can_reconnect(self) -> bool:
        """Whether another attempt is allowed."""
        if self._permanent_failure:
            return False
        return self.max_retries == -1 or self.connect_attempts < self.max_retries + 1

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt (0 for the first)."""
        if self.connect_attempts == 0:
            return 0.0
        if not self.can_reconnect():
            raise RuntimeError("max reconnects reached")
        delay = self.retry_delay * self.retry_delay_growth
        delay = random.normalvariate(delay, delay * self.retry_delay_jitter)
        self.retry_delay = max(0.0, min(delay, float(self.max_retry_delay)))
        return self.retry_delay

    def address(self) -> Address:
        """Where to connect, from the endpoint config (or the URL)."""
        endpoint = self.endpoint
        path = "/"
        secure = bool(endpoint.get("tls"))
        if self.type == "websocket" and self.url:
            parsed = parse_url(self.url)
            path = parsed.path
        if endpoint["type"] == "unix":
            return Address(self.type, False, None, None, path, endpoint["path"])
        return Address(self.type, secure, endpoint["host"], endpoint["port"], path)

    def ssl_context(self) -> _ssl.SSLContext | None:
        """The TLS context from the endpoint's ``tls`` (True, a dict, or an SSLContext)."""
        tls = self.endpoint.get("tls")
        if not tls:
            return None
        if isinstance(tls, _ssl.SSLContext):
            return tls
        if isinstance(tls, dict):
            return _ssl.create_default_context(cafile=tls.get("trust_root"))
        return _ssl.create_default_context()

    @property
    def timeout(self) -> float:
        """Seconds allowed for connecting and the transport handshake."""
        return float(self.endpoint.get("timeout", 10))

    def describe_endpoint(self) -> str:
        """A human-readable endpoint description."""
        endpoint = self.endpoint
        if endpoint["type"] == "unix":
            return f"unix:{endpoint['path']}"
        return f"{endpoint['type']}:{endpoint['host']}:{endpoint['port']}"


def _check_endpoint(endpoint: Any) -> dict[str, Any]:
    if not isinstance(endpoint, dict):
        raise ValueError("'endpoint' configuration must be a dict")
    if "type" not in endpoint:
        raise ValueError("'type' required in endpoint configuration")
    if endpoint["type"] not in ("tcp", "unix"):
        raise ValueError(f'invalid type "{endpoint["type"]}" in endpoint')
    for key in endpoint:
        if key not in _ENDPOINT_KEYS:
            raise ValueError(f"Invalid key '{key}' in endpoint configuration")
    if endpoint["type"] == "tcp":
        for key in ("host", "port"):
            if key not in endpoint:
                raise ValueError(f"'{key}' required in 'tcp' endpoint config")
        if "path" in endpoint:
            raise ValueError("'path' not valid in 'tcp' endpoint config")
        if type(endpoint["port"]) is not int:
            raise ValueError(f"invalid type {type(endpoint['port'])} for port in endpoint")
    else:
        if "path" not in endpoint:
            raise ValueError("'path' required for 'unix' endpoint config")
        for key in ("host", "port", "tls"):
            if key in endpoint:
                raise ValueError(f"'{key}' not valid in 'unix' endpoint config")
    tls = endpoint.get("tls")
    if tls is not None and not isinstance(tls, (bool, dict, _ssl.SSLContext)):
        raise ValueError("'tls' configuration must be a dict, bool or SSLContext instance")
    return endpoint


def _endpoint_from_url(url: str) -> dict[str, Any]:
    address = parse_url(url)
    if address.socket_path is not None:
        return {"type": "unix", "path": address.socket_path}
    return {"type": "tcp", "host": address.host, "port": address.port, "tls": address.secure}


def _serializers(kind: str, config: dict[str, Any]) -> list[str]:
    if kind == "websocket":
        if "serializer" in config:
            raise ValueError("'serializer' is only for rawsocket; use 'serializers'")
        names = config.get("serializers", ["cbor", "json"])
        if not isinstance(names, (list, tuple)) or not all(isinstance(s, str) for s in names):
            raise ValueError("'serializers' must be a list of strings")
    else:
        if "serializers" in config:
            raise ValueError("'serializers' is only for websocket; use 'serializer'")
        name = config.get("serializer", "cbor")
        if not isinstance(name, str):
            raise ValueError("'serializer' must be a string")
        names = [name]
    for name in names:
        if name not in _SERIALIZERS:
            raise ValueError(
                f"Invalid serializer '{name}' (expected one of: {', '.join(_SERIALIZERS)})"
            )
    return list(names)


def _transport(idx: int, config: Any) -> TransportConfig:
    if isinstance(config, str):
        config = {"url": config}
    if not isinstance(config, dict):
        raise ValueError(
            f"invalid type {type(config)} for transport configuration - must be a dict"
        )
    for key in config:
        if key not in _TRANSPORT_KEYS:
            raise ValueError(f"'{key}' is not a valid configuration item")
    url = config.get("url")
    kind = config.get("type")
    if kind is None:
        kind = "rawsocket" if url and not url.startswith("ws") else "websocket"
    if kind not in ("websocket", "rawsocket"):
        raise ValueError(f"Invalid transport type {kind}")
    if config.get("proxy") is not None:
        raise ValueError("pywamp does not connect through HTTP proxies ('proxy')")
    if kind == "rawsocket" and config.get("headers") is not None:
        raise ValueError("'headers' not supported for rawsocket transport")
    if "endpoint" in config:
        endpoint = _check_endpoint(config["endpoint"])
    elif url:
        endpoint = _endpoint_from_url(url)
    else:
        raise ValueError("Transport requires 'url' or 'endpoint'")
    options = config.get("options", {})
    if not isinstance(options, dict):
        raise ValueError(f"options must be a dict, not {type(options)}")
    knobs = {
        key: config[key]
        for key in (
            "max_retries",
            "max_retry_delay",
            "initial_retry_delay",
            "retry_delay_growth",
            "retry_delay_jitter",
        )
        if key in config
    }
    return TransportConfig(
        idx,
        kind,
        url,
        endpoint,
        _serializers(kind, config),
        options=options,
        headers=config.get("headers"),
        **knobs,
    )


def parse_transports(transports: Any) -> list[TransportConfig]:
    """Autobahn's ``transports=`` forms: a URL, a dict, or a list of URLs and dicts."""
    if transports is None:
        transports = "ws://127.0.0.1:8080/ws"
    if isinstance(transports, (str, dict)):
        transports = [transports]
    if not isinstance(transports, (list, tuple)) or not transports:
        raise ValueError("'transports' must be a URL, a dict or a non-empty list of them")
    return [_transport(idx, config) for idx, config in enumerate(transports)]


class ComponentBase(Observable):
    """Configuration, decorators, listeners and the reconnect loop of the faces' components.

    A face supplies the hooks below (``_sleep``, ``_awaitable``, ``_new_attempt``,
    ``_open_transport``, ``_spawn``, ``_context``), its ``start``/``stop`` and the
    exception type its cancellation raises.
    """

    log: Logger
    #: What a cancelled wait raises on this face.
    _cancelled: type[BaseException] = BaseException
    #: Failures that are the network's (logged at info level, not as errors).
    _network_errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(
        self,
        main: Callable[..., Any] | None = None,
        transports: Any = None,
        config: Any = None,
        realm: str = "realm1",
        extra: Any = None,
        authentication: dict[str, Any] | None = None,
        session_factory: Callable[..., Any] | None = None,
        is_fatal: Callable[[BaseException], bool] | None = None,
    ) -> None:
        self.set_valid_events(COMPONENT_EVENTS)
        if is_fatal is not None and not callable(is_fatal):
            raise ValueError('"is_fatal" must be a callable or None')
        if main is not None and not callable(main):
            raise ValueError('"main" must be a callable if given')
        if authentication is not None and not isinstance(authentication, dict):
            raise ValueError('"authentication" must be a dict of authenticator configs')
        if type(realm) is not str or not realm:
            raise ValueError(f'"realm" must be a non-empty str, got {realm!r}')
        self._entry = main
        self._is_fatal = is_fatal
        self._transports = parse_transports(transports)
        self._authentication = authentication or {}
        if session_factory is not None:
            self.session_factory = session_factory
        self._realm = realm
        self._extra = extra
        self._config = config
        self._session: Any = None
        self._stopping = False

    session_factory: Callable[..., Any]

    def subscribe(
        self, topic: str, options: SubscribeOptions | None = None, check_types: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: subscribe the function on every session this component joins."""
        if options is not None and not isinstance(options, SubscribeOptions):
            raise TypeError("options must be SubscribeOptions")

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            def do_subscription(session: Any, details: Any) -> Any:
                return session.subscribe(fn, topic=topic, options=options, check_types=check_types)

            self.on("join", do_subscription)
            return fn

        return decorator

    def register(
        self, uri: str, options: RegisterOptions | None = None, check_types: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register the function on every session this component joins."""
        if options is not None and not isinstance(options, RegisterOptions):
            raise TypeError("options must be RegisterOptions")

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            def do_registration(session: Any, details: Any) -> Any:
                return session.register(fn, procedure=uri, options=options, check_types=check_types)

            self.on("join", do_registration)
            return fn

        return decorator

    def on_join(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(session, details)`` on every join."""
        self.on("join", fn)
        return fn

    def on_leave(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(session, details)`` when a session leaves."""
        self.on("leave", fn)
        return fn

    def on_connect(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(session, transport)`` when a transport connects."""
        self.on("connect", fn)
        return fn

    def on_disconnect(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(session, was_clean=...)`` when a transport closes."""
        self.on("disconnect", fn)
        return fn

    def on_ready(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(session)`` once the join listeners and onJoin finished."""
        self.on("ready", fn)
        return fn

    def on_connectfailure(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: ``fn(component, error)`` when an attempt fails."""
        self.on("connectfailure", fn)
        return fn

    # -- face hooks ------------------------------------------------------------------------

    def _context(self) -> Any:
        """What ``main`` and the ``start`` listeners get first: the loop or the reactor."""
        raise NotImplementedError

    def _sleep(self, delay: float) -> Awaitable[Any]:
        raise NotImplementedError

    def _awaitable(self, result: Any) -> Awaitable[Any] | None:
        """``result`` as something to await, or None when it is a plain value."""
        raise NotImplementedError

    def _new_attempt(self) -> tuple[Awaitable[None], Callable[[BaseException | None], None]]:
        """The end of one attempt, and how to settle it once (None: ended normally)."""
        raise NotImplementedError

    def _open_transport(self, transport: TransportConfig, session: Any) -> Awaitable[Any]:
        """Connect ``session`` over ``transport`` up to the end of the transport handshake."""
        raise NotImplementedError

    def _spawn(self, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run the coroutine ``make()`` on a later turn of the loop or reactor."""
        raise NotImplementedError

    # -- the loop --------------------------------------------------------------------------

    async def _run(self) -> None:
        """Try the transports in turn with their back-off until one attempt ends normally."""
        await self._fire("start", self._context(), self)
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
                    await self._sleep(delay)
                if self._stopping:
                    return
                await self._connect_once(transport)
                return
            except self._cancelled:
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
        elif isinstance(error, self._network_errors):
            self.log.info("Connection failed: {error}", error=error)
        else:
            self.log.error("Connection failed: {error!r}", error=error)

    async def _fire(self, event: str, *args: Any) -> None:
        """Notify the component's own listeners (errors are logged, not raised)."""
        for result in self._call_listeners(event, args, {}):
            if isinstance(result, Raised):
                self.log.error(
                    "listener for '{event}' failed: {error!r}", event=event, error=result.error
                )
                continue
            pending = self._awaitable(result)
            if pending is not None:
                try:
                    await pending
                except Exception as e:
                    self.log.error("listener for '{event}' failed: {error!r}", event=event, error=e)

    def _create_session(self) -> Any:
        from pywamp.session import make_authenticator

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
        done, settle = self._new_attempt()

        def finish(error: BaseException | None = None) -> None:
            settle(None if self._stopping else error)

        session = self._create_session()
        self._watch(session, transport, finish)
        self._session = session
        try:
            await self._open_transport(transport, session)
            await done
        finally:
            self._session = None
            if session.is_connected():
                session.disconnect()

    def _watch(self, session: Any, transport: TransportConfig, finish: Callable[..., None]) -> None:
        """Turn the session's events into the outcome of this attempt."""

        def on_leave(session: Any, details: Any) -> None:
            self.log.info("session leaving '{reason}'", reason=details.reason)
            if details.reason in NORMAL_REASONS:
                finish(None)
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
                self._spawn(lambda: self._run_main(session, finish))

        session.on("leave", on_leave)
        session.on("disconnect", on_disconnect)
        session.on("join", on_join)

    async def _run_main(self, session: Any, finish: Callable[..., None]) -> None:
        assert self._entry is not None
        try:
            pending = self._awaitable(self._entry(self._context(), session))
            if pending is not None:
                await pending
        except Exception as error:
            self.log.debug("main failed: {error!r}", error=error)
            finish(error)
            session.disconnect()
            return
        with contextlib.suppress(SessionNotReady):
            session.leave()
