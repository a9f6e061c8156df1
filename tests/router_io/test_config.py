"""Configuration files: a pywamp TOML file and a Crossbar config.json, read and served to
Autobahn clients; ignored Crossbar keys are named in one warning; mistakes are errors
that name the file, the key and the problem."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallOptions, RegisterOptions
from io_harness import Collector, Endpoints, Tls, allow_all, join, wait

from pywamp.router.authorization import RoleAuthorizer
from pywamp.router.config import Disclosure, HistoryTopic
from pywamp.router.server import Router
from pywamp.router.settings import ConfigError, ListenerConfig, RouterConfig, load_config


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def full_toml(directory: Path, tls: Tls) -> str:
    return f"""
[limits]
max_message_size = 65536
handshake_timeout = 2.5
max_queued_bytes = 1048576
max_sessions = 500

[[listeners]]
kind = "universal"
host = "127.0.0.1"
port = 0
path = "wamp"

[[listeners]]
kind = "rawsocket"
socket = "{directory / "r.sock"}"
serializers = ["msgpack"]
max_sessions = 50

[[listeners]]
kind = "websocket"
port = 0
serializers = ["json", "cbor"]
tls = {{ certificate = "{tls.certificate}", key = "{tls.certificate}" }}

[[realms]]
name = "apps"
strict_uris = true
call_timeout_unit = "ms"
disclose = {{ caller = false, publisher = true }}
history = [{{ uri = "com.log.", match = "prefix", limit = 3 }}]

[[realms]]
name = "realm1"
retention = false
"""


def test_defaults_without_a_file() -> None:
    config = RouterConfig()
    [listener] = config.listeners
    assert (listener.kind, listener.host, listener.port, listener.path) == (
        "universal",
        "127.0.0.1",
        8080,
        "/ws",
    )
    assert set(listener.serializers) == {"json", "msgpack", "cbor"}
    assert [realm.name for realm in config.realms] == ["realm1"]
    assert config.realms[0].disclose == Disclosure(caller=True, publisher=True)
    assert config.limits.max_message_size == 16 * 1024 * 1024
    assert config.limits.handshake_timeout == 10.0
    assert config.limits.max_queued_bytes == 16 * 1024 * 1024


def test_toml_file_is_read(short_dir: Path, tls: Tls) -> None:
    config = load_config(write(short_dir, "router.toml", full_toml(short_dir, tls)))
    assert config.limits.max_message_size == 65536
    assert config.limits.handshake_timeout == 2.5
    assert config.limits.max_queued_bytes == 1048576
    assert config.limits.max_sessions == 500
    universal, unix, secure = config.listeners
    assert (universal.kind, universal.port, universal.path) == ("universal", 0, "/wamp")
    assert (unix.kind, unix.socket_path, unix.host) == (
        "rawsocket",
        str(short_dir / "r.sock"),
        None,
    )
    assert tuple(unix.serializers) == ("msgpack",)
    assert (unix.max_sessions, universal.max_sessions) == (50, None)
    assert secure.tls_certificate == secure.tls_key == tls.certificate
    apps, realm1 = config.realms
    assert (apps.name, apps.strict_uris, apps.call_timeout_unit) == ("apps", True, "ms")
    assert apps.disclose == Disclosure(caller=False, publisher=True)
    assert list(apps.history) == [HistoryTopic("com.log.", "prefix", 3)]
    assert (realm1.name, realm1.retention) == ("realm1", False)


async def test_router_from_toml_serves_autobahn(short_dir: Path, tls: Tls) -> None:
    router = Router.from_config(write(short_dir, "router.toml", full_toml(short_dir, tls)))
    await router.start()
    try:
        ports = {"universal": router.port(0), "universal-tls": router.port(2)}
        endpoints = Endpoints(ports, {"rawsocket-unix": str(short_dir / "r.sock")}, tls.client)
        callee = await join(endpoints, "rawsocket-unix", serializer="msgpack", realm="apps")
        # the TLS listener is WebSocket only, on any path
        caller = await join(endpoints, "tls-websocket", serializer="cbor", realm="apps")
        await wait(
            callee.register(
                lambda details: details.caller,
                "com.who",
                options=RegisterOptions(details_arg="details"),
            )
        )
        assert await wait(caller.call("com.who")) is None  # disclose.caller = false
        # call_timeout_unit = "ms": Autobahn's 1 is one millisecond here
        await wait(callee.register(_never, "com.never"))
        with pytest.raises(ApplicationError) as info:
            await wait(caller.call("com.never", options=CallOptions(timeout=1)), 0.5)
        assert info.value.error == "wamp.error.timeout"
        # history of the prefix topic
        for i in range(5):
            caller.publish(f"com.log.{i}", i)
        sub = await wait(caller.call("wamp.subscription.lookup", "com.log.", {"match": "prefix"}))
        events = await wait(caller.call("wamp.subscription.get_events", sub))
        assert [e["args"] for e in events] == [[2], [3], [4]]
        # strict URIs
        with pytest.raises(ApplicationError) as info:
            await wait(callee.register(lambda: None, "com.Not-Strict"))
        assert info.value.error == "wamp.error.invalid_uri"
        # the universal listener takes RawSocket, and WebSocket on its path only
        other = await join(endpoints, "universal-rawsocket", serializer="json")
        await other.close()
        await callee.close()
        await caller.close()
    finally:
        await router.stop()


async def _never() -> None:
    await asyncio.sleep(60)


def crossbar_json(directory: Path, tls: Tls) -> dict[str, Any]:
    """A config.json as ``crossbar init`` writes it, with a few more transports."""
    return {
        "$schema": "https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json",
        "version": 2,
        "controller": {},
        "workers": [
            {
                "type": "router",
                "options": {"pythonpath": [".."]},
                "realms": [
                    {
                        "name": "realm1",
                        "store": {
                            "type": "memory",
                            "limit": 2,
                            "event-history": [
                                {"uri": "com.cb"},
                                {"uri": "com.cb.", "match": "prefix", "limit": 10},
                            ],
                        },
                        "roles": [
                            {
                                "name": "anonymous",
                                "permissions": [allow_all(disclose=False)],
                            }
                        ],
                    }
                ],
                "transports": [
                    {
                        "type": "universal",
                        "endpoint": {"type": "tcp", "port": 0, "interface": "127.0.0.1"},
                        "rawsocket": {"serializers": ["cbor", "msgpack", "json"]},
                        "websocket": {
                            "ws": {
                                "type": "websocket",
                                "serializers": ["cbor", "msgpack", "json"],
                                "options": {"auto_ping_interval": 10000},
                            }
                        },
                        "web": {
                            "paths": {"/": {"type": "static", "directory": "../web"}},
                        },
                    },
                    {
                        "type": "websocket",
                        "endpoint": {
                            "type": "tcp",
                            "port": 0,
                            "interface": "127.0.0.1",
                            "tls": {"certificate": tls.certificate, "key": tls.certificate},
                        },
                        "serializers": ["json"],
                    },
                    {
                        "type": "rawsocket",
                        "endpoint": {"type": "unix", "path": str(directory / "cb.sock")},
                        "serializers": ["msgpack"],
                        "max_message_size": 1048576,
                    },
                ],
                "components": [],
            }
        ],
    }


def test_crossbar_config_is_read_and_ignored_keys_are_named(
    short_dir: Path, tls: Tls, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(short_dir, "config.json", json.dumps(crossbar_json(short_dir, tls)))
    with caplog.at_level(logging.WARNING, "pywamp.router"):
        config = load_config(path)
    [realm] = config.realms
    assert realm.name == "realm1"
    assert realm.disclose == Disclosure(caller=False, publisher=False)
    assert realm.disclosure("anonymous") == Disclosure(caller=False, publisher=False)
    assert list(realm.history) == [
        HistoryTopic("com.cb", "exact", 2),
        HistoryTopic("com.cb.", "prefix", 10),
    ]
    universal, secure, unix = config.listeners
    assert (universal.kind, universal.host, universal.port, universal.path) == (
        "universal",
        "127.0.0.1",
        0,
        "/ws",
    )
    assert (secure.kind, secure.tls_certificate, tuple(secure.serializers)) == (
        "websocket",
        tls.certificate,
        ("json",),
    )
    assert (unix.kind, unix.socket_path) == ("rawsocket", str(short_dir / "cb.sock"))
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    text = warning.getMessage()
    assert str(path) in text
    for ignored in ("controller", "workers[0].options", "web", "max_message_size"):
        assert ignored in text, ignored
    for served in ("realms", "endpoint", "serializers"):
        assert f".{served}," not in text and not text.endswith(f".{served}")


async def test_router_from_crossbar_config_serves_autobahn(short_dir: Path, tls: Tls) -> None:
    path = write(short_dir, "config.json", json.dumps(crossbar_json(short_dir, tls)))
    router = Router.from_config(path)
    await router.start()
    try:
        ports = {"universal": router.port(0), "universal-tls": router.port(1)}
        endpoints = Endpoints(ports, {"rawsocket": str(short_dir / "cb.sock")}, tls.client)
        endpoints.paths["rawsocket-unix"] = endpoints.paths.pop("rawsocket")
        sub = await join(endpoints, "rawsocket-unix", serializer="msgpack")
        pub = await join(endpoints, "tls-websocket", serializer="json")
        ws = await join(endpoints, "universal-websocket", serializer="cbor")
        events = Collector()
        from autobahn.wamp.types import SubscribeOptions

        await wait(sub.subscribe(events, "com.cb", options=SubscribeOptions(details_arg="d")))
        for word in ("hello", "crossbar", "users"):
            pub.publish("com.cb", word)
        items = await events.count(3)
        assert [args for args, _ in items] == [("hello",), ("crossbar",), ("users",)]
        assert items[0][1]["d"].publisher is None  # the role discloses nobody
        # the store's event history: the last 2 (the store's limit)
        sub_id = await wait(ws.call("wamp.subscription.lookup", "com.cb"))
        history = await wait(ws.call("wamp.subscription.get_events", sub_id))
        assert [e["args"] for e in history] == [["crossbar"], ["users"]]
        await ws.close()
        await sub.close()
        await pub.close()
    finally:
        await router.stop()


def test_crossbar_disclosure_is_per_role(short_dir: Path, tls: Tls) -> None:
    data = crossbar_json(short_dir, tls)
    roles = data["workers"][0]["realms"][0]["roles"]
    backend = copy.deepcopy(roles[0])
    backend["name"] = "backend"
    backend["permissions"][0]["disclose"] = {"caller": True, "publisher": False}
    roles.append(backend)
    config = load_config(write(short_dir, "config.json", json.dumps(data)))
    realm = config.realms[0]
    assert realm.disclosure("anonymous") == Disclosure(caller=False, publisher=False)
    assert realm.disclosure("backend") == Disclosure(caller=True, publisher=False)
    # a role the file does not name gets what any named role discloses
    assert realm.disclosure("somebody") == Disclosure(caller=True, publisher=False)


def test_crossbar_restricted_permissions_are_enforced(short_dir: Path, tls: Tls) -> None:
    data = crossbar_json(short_dir, tls)
    permission = data["workers"][0]["realms"][0]["roles"][0]["permissions"][0]
    permission.update({"uri": "com.example.", "match": "prefix"})
    permission["allow"]["register"] = False
    realm = load_config(write(short_dir, "config.json", json.dumps(data))).realms[0]
    authorizer = realm.authorizer
    assert isinstance(authorizer, RoleAuthorizer)
    rules = authorizer.roles["anonymous"]
    assert rules.rule("com.example.add") is not None
    assert rules.rule("com.other.add") is None
    assert not rules.rule("com.example.add").allows("register")  # type: ignore[union-attr]


def _set(data: dict[str, Any], where: str, value: Any) -> None:
    """Set data[a][b][c] for where = "a.b.c" (list indices as numbers)."""
    keys: list[Any] = [int(k) if k.isdigit() else k for k in where.split(".")]
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("workers.0.realms.0.colour", "red", "workers[0].realms[0].colour: unknown key"),
        ("workers.0.transports.1.endpoint.port", 70000, "must be a TCP port"),
        ("workers.0.transports.1.endpoint.port", "8080", "port: must be int"),
        ("workers.0.transports.1.serializers", ["json", "xml"], "serializers[1]: must be one of"),
        ("workers.0.transports.1.type", "mqtt", "must be websocket, rawsocket or universal"),
        ("workers.0.transports.2.endpoint", {"type": "unix"}, "a unix endpoint needs a path"),
        ("workers.0.transports.0.endpoint.type", "udp", "type: must be one of tcp, unix"),
        ("workers.0.type", "container", "needs exactly one worker of type router"),
        ("workers.0.realms.0.store.type", "redis", "store.type: must be one of memory, lmdb"),
        ("workers.0.realms.0.store.event-history.0.limit", 0, "must be a positive number"),
        ("workers.0.realms.0.store.event-history.1.uri", "com..x y", "not a valid prefix URI"),
        ("workers.0.realms.0.roles.0.permissions.0.disclose.caller", "no", "must be bool"),
    ],
)
def test_crossbar_mistakes_name_the_key(
    short_dir: Path, tls: Tls, where: str, value: Any, expected: str
) -> None:
    data = copy.deepcopy(crossbar_json(short_dir, tls))
    _set(data, where, value)
    path = write(short_dir, "config.json", json.dumps(data))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 1", "config.colour: unknown key (known: limits, listeners, realms)"),
        ("[limits]\nmax_size = 1", "limits.max_size: unknown key"),
        ("[limits]\nmax_message_size = 100", "limits.max_message_size: must be in 512"),
        ("[limits]\nmax_message_size = '1M'", "limits.max_message_size: must be int"),
        ("[limits]\nhandshake_timeout = 0", "limits.handshake_timeout: must be seconds"),
        ("[limits]\nmax_queued_bytes = 10", "limits.max_queued_bytes: must be at least"),
        ("[limits]\nmax_sessions = 0", "limits.max_sessions: must be at least 1"),
        ("[[listeners]]\nkind = 'http'", "listeners[0].kind: must be one of"),
        ("[[listeners]]\nport = -1", "listeners[0].port: must be a TCP port"),
        ("[[listeners]]\nmax_sessions = 0", "listeners[0].max_sessions: must be at least 1"),
        ("[[listeners]]\nserializers = []", "listeners[0].serializers: must name at least one"),
        ("[[listeners]]\ntls = { key = 'k.pem' }", "listeners[0].tls: needs certificate"),
        ("[[realms]]\nstrict_uris = true", "realms[0]: needs a name"),
        ("[[realms]]\nname = 'a'\n[[realms]]\nname = 'a'", "realm 'a' is configured twice"),
        ("[[realms]]\nname = 'a'\ncall_timeout_unit = 'h'", "call_timeout_unit: must be one of"),
        ("[[realms]]\nname = 'a'\ndisclose = { caller = 'yes' }", "disclose.caller: must be bool"),
        ("[[realms]]\nname = 'a'\nhistory = [{ match = 'exact' }]", "history[0]: needs a uri"),
        ("[[realms]]\nname = 'a'\nhistory = [{ uri = 'a..b' }]", "history[0].uri: not a valid"),
        ("[[realms]]\nname = 'a'\nhistory = [{ uri = 'a', limit = 0 }]", "limit: must be a"),
        ("listeners = [", "not valid TOML"),
    ],
)
def test_toml_mistakes_name_the_key_and_file(short_dir: Path, text: str, expected: str) -> None:
    path = write(short_dir, "router.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")
    assert expected in str(info.value)


def test_missing_file_and_bad_json(short_dir: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(short_dir / "nowhere.toml")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(write(short_dir, "config.json", "{"))


def test_relative_paths_are_relative_to_the_file(short_dir: Path, tls: Tls) -> None:
    (short_dir / "certs").mkdir()
    (short_dir / "certs" / "server.pem").write_bytes(Path(tls.certificate).read_bytes())
    text = """
[[listeners]]
socket = "run/r.sock"
tls = { certificate = "certs/server.pem" }
"""
    config = load_config(write(short_dir, "router.toml", text))
    [listener] = config.listeners
    assert listener.socket_path == str(short_dir / "run" / "r.sock")
    assert listener.tls_certificate == listener.tls_key == str(short_dir / "certs" / "server.pem")
    data = crossbar_json(short_dir, tls)
    data["workers"][0]["transports"][1]["endpoint"]["tls"] = {
        "certificate": "certs/server.pem",
        "key": "certs/server.pem",
    }
    data["workers"][0]["transports"][2]["endpoint"]["path"] = "cb.sock"
    config = load_config(write(short_dir, "config.json", json.dumps(data)))
    assert config.listeners[1].tls_key == str(short_dir / "certs" / "server.pem")
    assert config.listeners[2].socket_path == str(short_dir / "cb.sock")


def test_missing_tls_files_are_named(short_dir: Path, tls: Tls) -> None:
    path = write(short_dir, "router.toml", "[[listeners]]\ntls = { certificate = 'gone.pem' }\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}: listeners[0].tls.certificate: no such file: {short_dir / 'gone.pem'}"
    )
    data = crossbar_json(short_dir, tls)
    del data["workers"][0]["transports"][1]["endpoint"]["tls"]["key"]
    with pytest.raises(ConfigError, match=r"transports\[1\]\.endpoint\.tls: needs a key"):
        load_config(write(short_dir, "config.json", json.dumps(data)))


async def test_a_listener_that_cannot_open_closes_the_others(short_dir: Path) -> None:
    path = str(short_dir / "first.sock")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        first = ListenerConfig("rawsocket", host=None, socket_path=path)
        router = Router(RouterConfig(listeners=[first, ListenerConfig(port=busy)]))
        with pytest.raises(OSError):
            await router.start()
    with pytest.raises(OSError):  # nobody listens on the first listener any more
        await asyncio.open_unix_connection(path)
    assert router.addresses == []


async def test_port_of_a_unix_listener_is_an_error(short_dir: Path) -> None:
    unix = ListenerConfig("rawsocket", host=None, socket_path=str(short_dir / "u.sock"))
    async with Router(RouterConfig(listeners=[unix])) as router:
        assert router.addresses == [f"rawsocket unix:{short_dir / 'u.sock'}"]
        with pytest.raises(ValueError, match="has no port"):
            router.port(0)
