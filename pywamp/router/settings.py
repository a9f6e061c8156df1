"""Router configuration: listeners, limits and realms, from TOML or a Crossbar config.

A pywamp TOML file (every key optional; these are the defaults)::

    [limits]
    max_message_size = 16777216   # bytes, both ways (RawSocket rounds up to a power of 2)
    handshake_timeout = 10.0      # seconds from connect to a joined session
    max_queued_bytes = 16777216   # bytes that may wait for a peer that reads slowly
    max_queued_messages = 10000   # messages that may wait for such a peer
    slow_consumer = "drop"        # over a bound: "drop" EVENTs (counted) | "disconnect"
    max_sessions = 10000          # connections at once; one more is refused with ABORT
    max_sessions_per_realm = 0    # joined sessions per realm (0: no bound); ABORT past it
    idle_timeout = 0.0            # seconds without a byte from the peer: dropped (0: off)
    auto_ping_interval = 0.0      # seconds between keepalive pings (0: off)
    auto_ping_timeout = 10.0      # seconds a ping may wait for its pong: dropped
    rawsocket_ping = false        # ping RawSocket peers too (Autobahn's asyncio one can't)
    busy_poll_us = 50             # `pywamp router`: µs to poll before sleeping (0: off)

    [[listeners]]
    kind = "universal"            # "universal" | "websocket" | "rawsocket"
    host = "127.0.0.1"
    port = 8080
    path = "/ws"                  # WebSocket path
    serializers = ["cbor", "msgpack", "json"]
    # socket = "/run/pywamp.sock" # a Unix socket instead of host/port
    # tls = { certificate = "cert.pem", key = "key.pem" }
    # max_sessions = 1000         # connections this listener serves at once
    # max_connection_rate = 100   # new connections per second (bursts of as many); more
    #                             # are closed on accept, before any TLS handshake

    [[realms]]
    name = "realm1"
    strict_uris = false
    retention = true              # PUBLISH.Options.retain is honoured
    call_timeout_unit = "auto"    # "auto" | "ms" | "s" (see pywamp.router.config)
    disclose = { caller = true, publisher = true }
    history = [{ uri = "com.example.topic", match = "exact", limit = 100 }]
    # auth and roles: see docs/security.md (none: everyone joins as "anonymous"
    # and may do everything)
    # auth.ticket = { type = "static", principals = { alice = { ticket = "${T}", role = "user" } } }
    # roles = [{ name = "user", permissions = [{ uri = "com.example.", match = "prefix",
    #            allow = { call = true, subscribe = true } }] }]

Crossbar users pass their ``.crossbar/config.json`` instead: its router worker's realms
(roles with their permissions or authorizer, the event history of the store) and its
websocket/rawsocket/universal transports with their ``auth`` sections are read; Crossbar
keys pywamp does not implement are named in one warning; keys neither knows, and wrong
values, are errors that name the key and the file. In both formats, relative paths (TLS
files, Unix sockets) are relative to the file's directory, and TLS files must exist.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pywamp._native import is_valid_uri
from pywamp.busypoll import DEFAULT_SPIN_US
from pywamp.router import auth_settings
from pywamp.router.auth_settings import AuthSpec, MethodSpec
from pywamp.router.config import Disclosure, HistoryTopic, RealmConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ("ConfigError", "Limits", "ListenerConfig", "RouterConfig", "load_config")

log = logging.getLogger("pywamp.router")

SERIALIZERS = ("cbor", "msgpack", "json")
KINDS = ("universal", "websocket", "rawsocket")


ANONYMOUS: AuthSpec = {"anonymous": MethodSpec("anonymous", anonymous=(None, "anonymous"))}


class ConfigError(ValueError):
    """A configuration file names an unknown key or holds a wrong value."""


@dataclass
class Limits:
    """Bounds on what one connection may send and how long it may take to join."""

    max_message_size: int = 16 * 1024 * 1024
    #: Seconds from connect to the end of the transport handshake, and again to a joined
    #: session; a connection that is slower (or silent) is dropped.
    handshake_timeout: float = 10.0
    #: Bytes that may wait to be sent to one peer (see ``slow_consumer``).
    max_queued_bytes: int = 16 * 1024 * 1024
    #: Messages that may wait to be sent to one peer (see ``slow_consumer``).
    max_queued_messages: int = 10000
    #: Over either queue bound: "drop" drops EVENTs for that peer and counts them (other
    #: messages are queued up to twice the bounds, then the peer is disconnected);
    #: "disconnect" drops the connection at once.
    slow_consumer: str = "drop"
    #: Connections served at once; the next one is answered with ABORT and closed.
    max_sessions: int = 10000
    #: Sessions joined to one realm at once (0: no bound); one more HELLO gets ABORT.
    max_sessions_per_realm: int = 0
    #: Seconds without a byte from the peer before its connection is dropped (0: off).
    idle_timeout: float = 0.0
    #: Seconds between WebSocket/RawSocket pings from the router (0: no pings).
    auto_ping_interval: float = 0.0
    #: Seconds a ping may go unanswered before the connection is dropped.
    auto_ping_timeout: float = 10.0
    #: Ping RawSocket peers too (off: Autobahn's asyncio RawSocket client fails on PING).
    rawsocket_ping: bool = False
    #: Microseconds the ``pywamp router`` process polls for the next event before its
    #: loop sleeps (pywamp.busypoll; 0: a plain loop). An embedded router runs on its
    #: host's loop and ignores this.
    busy_poll_us: int = DEFAULT_SPIN_US


LIMIT_KEYS = (
    "max_message_size",
    "handshake_timeout",
    "max_queued_bytes",
    "max_queued_messages",
    "slow_consumer",
    "max_sessions",
    "max_sessions_per_realm",
    "idle_timeout",
    "auto_ping_interval",
    "auto_ping_timeout",
    "rawsocket_ping",
    "busy_poll_us",
)


@dataclass
class ListenerConfig:
    """One listening socket."""

    kind: str = "universal"
    host: str | None = "127.0.0.1"
    port: int = 8080
    path: str | None = "/ws"
    serializers: Sequence[str] = SERIALIZERS
    socket_path: str | None = None
    tls_certificate: str | None = None
    tls_key: str | None = None
    #: Named in each session's transport details (``listener``): per-listener auth.
    name: str | None = None
    #: Keepalive of this listener's connections in seconds (None: ``[limits]``'s).
    auto_ping_interval: float | None = None
    auto_ping_timeout: float | None = None
    #: Connections this listener serves at once (None: only ``[limits]``'s bound).
    max_sessions: int | None = None
    #: New connections per second this listener accepts (None: no bound); the rest are
    #: closed on accept, before a TLS handshake.
    max_connection_rate: int | None = None


@dataclass
class RouterConfig:
    """Everything a :class:`~pywamp.router.server.Router` serves."""

    realms: list[RealmConfig] = field(default_factory=lambda: [RealmConfig()])
    listeners: list[ListenerConfig] = field(default_factory=lambda: [ListenerConfig()])
    limits: Limits = field(default_factory=Limits)


def load_config(path: str | Path) -> RouterConfig:
    """Read a TOML file, or a Crossbar ``config.json`` (by its ``.json`` suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON: {exc}") from None
        from pywamp.router.crossbar_config import CrossbarReader

        return CrossbarReader(path).crossbar(data)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _Reader(path).toml(data)


class _Reader:
    """Walks a parsed file, checking keys and values, naming the file in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ignored: list[str] = []
        self.auth_specs: list[tuple[str, AuthSpec]] = []  # (where, spec) for realm checks
        self.listener_auth: dict[str, tuple[str, AuthSpec | None]] = {}

    def fail(self, where: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {problem}")

    def table(
        self,
        value: Any,
        where: str,
        known: Sequence[str],
        crossbar_only: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Check a table's keys: ``known`` are read, ``crossbar_only`` are noted."""
        if not isinstance(value, Mapping):
            raise self.fail(where, f"must be a table, got {type(value).__name__}")
        out = {}
        for key, item in value.items():
            if key in known:
                out[key] = item
            elif key in crossbar_only:
                self.ignored.append(f"{where}.{key}")
            else:
                allowed = ", ".join(sorted(known))
                raise self.fail(f"{where}.{key}", f"unknown key (known: {allowed})")
        return out

    def typed(self, value: Any, where: str, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(where, f"must be {names}, got {value!r}")
        return value

    def choice(self, value: Any, where: str, choices: Sequence[str]) -> str:
        if value not in choices:
            raise self.fail(where, f"must be one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def serializers(self, value: Any, where: str) -> tuple[str, ...]:
        self.typed(value, where, list)
        for i, name in enumerate(value):
            self.choice(name, f"{where}[{i}]", SERIALIZERS)
        if not value:
            raise self.fail(where, "must name at least one serializer")
        return tuple(value)

    def local_path(self, value: Any, where: str) -> str:
        """A path from the file: relative ones are relative to the file's directory."""
        path = Path(self.typed(value, where, str)).expanduser()
        return str(path if path.is_absolute() else self.path.parent / path)

    def existing_file(self, value: Any, where: str) -> str:
        path = self.local_path(value, where)
        if not Path(path).is_file():
            raise self.fail(where, f"no such file: {path}")
        return path

    def port(self, value: Any, where: str) -> int:
        port = self.typed(value, where, int)
        if not 0 <= port <= 65535:
            raise self.fail(where, f"must be a TCP port (0..65535), got {port}")
        return int(port)

    # -- pywamp TOML ----------------------------------------------------------------------

    def toml(self, data: Mapping[str, Any]) -> RouterConfig:
        top = self.table(data, "config", ("limits", "listeners", "realms"))
        config = RouterConfig()
        if "limits" in top:
            limits = self.table(top["limits"], "limits", LIMIT_KEYS)
            if "max_message_size" in limits:
                size = self.typed(limits["max_message_size"], "limits.max_message_size", int)
                if not 512 <= size <= 16 * 1024 * 1024:
                    raise self.fail("limits.max_message_size", "must be in 512 .. 16777216")
                config.limits.max_message_size = size
            if "handshake_timeout" in limits:
                where = "limits.handshake_timeout"
                seconds = self.typed(limits["handshake_timeout"], where, (int, float))
                if isinstance(seconds, bool) or not 0 < seconds <= 3600:
                    raise self.fail(where, f"must be seconds in (0, 3600], got {seconds!r}")
                config.limits.handshake_timeout = float(seconds)
            for key, lowest in (("max_queued_bytes", 65536), ("max_sessions", 1)):
                if key in limits:
                    setattr(config.limits, key, self.at_least(limits[key], f"limits.{key}", lowest))
            self.limits_more(limits, config.limits)
        if "listeners" in top:
            listeners = self.typed(top["listeners"], "listeners", list)
            config.listeners = [
                self.listener(t, f"listeners[{i}]") for i, t in enumerate(listeners)
            ]
        if "realms" in top:
            realms = self.typed(top["realms"], "realms", list)
            config.realms = [self.realm(t, f"realms[{i}]") for i, t in enumerate(realms)]
            self.unique([r.name for r in config.realms], "realms")
        self.check_authenticator_realms(config)
        return config

    def limits_more(self, limits: Mapping[str, Any], out: Limits) -> None:
        """The queue, keepalive and per-realm keys of ``[limits]``."""
        if "max_queued_messages" in limits:
            out.max_queued_messages = self.at_least(
                limits["max_queued_messages"], "limits.max_queued_messages", 1
            )
        if "slow_consumer" in limits:
            out.slow_consumer = self.choice(
                limits["slow_consumer"], "limits.slow_consumer", ("drop", "disconnect")
            )
        if "max_sessions_per_realm" in limits:
            where = "limits.max_sessions_per_realm"
            out.max_sessions_per_realm = self.at_least(
                limits["max_sessions_per_realm"], where, 0, " (0: no bound)"
            )
        if "busy_poll_us" in limits:
            where = "limits.busy_poll_us"
            out.busy_poll_us = self.at_least(limits["busy_poll_us"], where, 0, " (0: off)")
            if out.busy_poll_us > 10000:
                raise self.fail(where, f"must be at most 10000, got {out.busy_poll_us}")
        if "rawsocket_ping" in limits:
            out.rawsocket_ping = self.typed(limits["rawsocket_ping"], "limits.rawsocket_ping", bool)
        for key in ("idle_timeout", "auto_ping_interval", "auto_ping_timeout"):
            if key in limits:
                setattr(out, key, self.seconds(limits[key], f"limits.{key}", key))

    def at_least(self, value: Any, where: str, minimum: int, meaning: str = "") -> int:
        """An int of ``minimum`` or more."""
        count = self.typed(value, where, int)
        if count < minimum:
            raise self.fail(where, f"must be at least {minimum}{meaning}, got {count}")
        return int(count)

    def seconds(self, value: Any, where: str, key: str, unit: float = 1.0) -> float:
        """A duration in ``[0, 86400]`` seconds (given in ``unit`` seconds); a ping timeout
        must be more than 0."""
        number = self.typed(value, where, (int, float))
        seconds = float(number) * unit
        if isinstance(number, bool) or not 0 <= seconds <= 86400:
            raise self.fail(where, f"must be seconds in [0, 86400], got {number!r}")
        if key == "auto_ping_timeout" and seconds == 0:
            raise self.fail(where, "must be more than 0 seconds")
        return seconds

    def keepalive(
        self, t: Mapping[str, Any], where: str, listener: ListenerConfig, unit: float = 1.0
    ) -> None:
        """A listener's own ``auto_ping_interval``/``auto_ping_timeout``."""
        for key in ("auto_ping_interval", "auto_ping_timeout"):
            if key in t:
                setattr(listener, key, self.seconds(t[key], f"{where}.{key}", key, unit))

    def check_authenticator_realms(self, config: RouterConfig) -> None:
        """A dynamic authenticator's ``authenticator-realm`` must be served."""
        names = {r.name for r in config.realms}
        for _, spec in self.auth_specs:
            for m in spec.values():
                if m.dynamic_realm is not None and m.dynamic_realm not in names:
                    raise self.fail(
                        f"{m.where}.authenticator-realm", f"no realm {m.dynamic_realm!r}"
                    )

    def listener(self, value: Any, where: str) -> ListenerConfig:
        known = ("kind", "host", "port", "path", "serializers", "socket", "tls")
        more = ("auto_ping_interval", "auto_ping_timeout", "max_sessions", "max_connection_rate")
        t = self.table(value, where, (*known, *more))
        out = ListenerConfig()
        self.keepalive(t, where, out)
        if "max_sessions" in t:
            out.max_sessions = self.at_least(t["max_sessions"], f"{where}.max_sessions", 1)
        if "max_connection_rate" in t:
            key = f"{where}.max_connection_rate"
            out.max_connection_rate = self.at_least(t["max_connection_rate"], key, 1)
        if "kind" in t:
            out.kind = self.choice(t["kind"], f"{where}.kind", KINDS)
        if "host" in t:
            out.host = self.typed(t["host"], f"{where}.host", str)
        if "port" in t:
            out.port = self.port(t["port"], f"{where}.port")
        if "path" in t:
            path = self.typed(t["path"], f"{where}.path", str)
            out.path = path if path.startswith("/") else "/" + path
        if "serializers" in t:
            out.serializers = self.serializers(t["serializers"], f"{where}.serializers")
        if "socket" in t:
            out.socket_path = self.local_path(t["socket"], f"{where}.socket")
            out.host = None
        if "tls" in t:
            tls = self.table(t["tls"], f"{where}.tls", ("certificate", "key"))
            if "certificate" not in tls:
                raise self.fail(f"{where}.tls", "needs certificate (and key)")
            out.tls_certificate = self.existing_file(tls["certificate"], f"{where}.tls.certificate")
            out.tls_key = self.existing_file(tls.get("key", tls["certificate"]), f"{where}.tls.key")
        return out

    def realm(self, value: Any, where: str) -> RealmConfig:
        known = (
            "name",
            "strict_uris",
            "call_timeout_unit",
            "disclose",
            "history",
            "retention",
            "auth",
            "roles",
        )
        t = self.table(value, where, known)
        if "name" not in t:
            raise self.fail(where, "needs a name")
        realm = RealmConfig(name=self.typed(t["name"], f"{where}.name", str))
        if "strict_uris" in t:
            realm.strict_uris = self.typed(t["strict_uris"], f"{where}.strict_uris", bool)
        if "retention" in t:
            realm.retention = self.typed(t["retention"], f"{where}.retention", bool)
        if "call_timeout_unit" in t:
            unit = self.choice(
                t["call_timeout_unit"], f"{where}.call_timeout_unit", ("auto", "ms", "s")
            )
            realm.call_timeout_unit = unit  # type: ignore[assignment]
        if "disclose" in t:
            d = self.table(t["disclose"], f"{where}.disclose", ("caller", "publisher"))
            realm.disclose = Disclosure(
                caller=self.typed(d.get("caller", True), f"{where}.disclose.caller", bool),
                publisher=self.typed(d.get("publisher", True), f"{where}.disclose.publisher", bool),
            )
        if "history" in t:
            topics = self.typed(t["history"], f"{where}.history", list)
            realm.history = [self.history(h, f"{where}.history[{i}]") for i, h in enumerate(topics)]
        roles = None
        if "roles" in t:
            authz = auth_settings.read_roles(self, t["roles"], f"{where}.roles")
            realm.authorizer = authz
            realm.role_disclose = authz.role_disclose()
            roles = list(authz.roles)
        if "auth" in t:
            spec = auth_settings.read_auth(self, t["auth"], f"{where}.auth", crossbar=False)
            self.auth_specs.append((f"{where}.auth", spec))
            realm.authenticator = auth_settings.build(spec, realm.name, roles)
        elif roles is not None:
            realm.authenticator = auth_settings.build(ANONYMOUS, realm.name, roles)
        return realm

    def history(self, value: Any, where: str) -> HistoryTopic:
        t = self.table(value, where, ("uri", "match", "limit"))
        if "uri" not in t:
            raise self.fail(where, "needs a uri")
        match = self.choice(
            t.get("match", "exact"), f"{where}.match", ("exact", "prefix", "wildcard")
        )
        limit = self.typed(t.get("limit", 100), f"{where}.limit", int)
        return self.history_topic(t["uri"], match, limit, where)

    def history_topic(self, uri: Any, match: str, limit: int, where: str) -> HistoryTopic:
        uri = self.typed(uri, f"{where}.uri", str)
        if not is_valid_uri(uri, allow_empty=match != "exact"):
            raise self.fail(f"{where}.uri", f"not a valid {match} URI: {uri!r}")
        if limit < 1:
            raise self.fail(f"{where}.limit", f"must be a positive number of events, got {limit}")
        return HistoryTopic(uri, match, limit)  # type: ignore[arg-type]

    def unique(self, names: list[str], where: str) -> None:
        seen = set()
        for name in names:
            if name in seen:
                raise self.fail(where, f"realm {name!r} is configured twice")
            seen.add(name)

    # -- Crossbar config.json -----------------------------------------------------------
