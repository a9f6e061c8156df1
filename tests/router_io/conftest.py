"""Fixtures: an in-process Router on every kind of listener, and its client TLS context."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from io_harness import SHORT_HANDSHAKE, SMALL_LIMIT, SMALL_QUEUE, Endpoints, Tls

from pywamp.router import Accept, Disclosure, HistoryTopic, RealmConfig
from pywamp.router.server import Router
from pywamp.router.settings import ListenerConfig, RouterConfig


@dataclass(frozen=True)
class AsRequested:
    """Authentication for the ``roles`` test realm: the HELLO's authid and authrole."""

    def hello(
        self, realm: str, details: dict[str, Any], transport: Mapping[str, Any], now: float
    ) -> Accept:
        return Accept(details.get("authid") or "nobody", details.get("authrole") or "anonymous")


@pytest.fixture(scope="session")
def tls() -> Iterator[Tls]:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    directory = Path(tempfile.mkdtemp(prefix="pywamp-tls-"))
    pem = directory / "server.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(pem))
    client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    ca.configure_trust(client)
    yield Tls(str(pem), client)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory whose paths fit in a Unix socket address (108 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="pw-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


HISTORY = (
    HistoryTopic("com.history.exact", "exact", 5),
    HistoryTopic("com.history.pre.", "prefix", 100),
)


LISTENER_NAMES = (
    "universal",
    "websocket",
    "rawsocket",
    "rawsocket-unix",
    "universal-unix",
    "universal-tls",
)


def router_config(
    tls: Tls,
    directory: Path,
    max_message_size: int | None = None,
    handshake_timeout: float | None = None,
    max_queued_bytes: int | None = None,
) -> RouterConfig:
    """realm1 as users get it (plus event history topics), and two realms for tests of
    identity filters (``roles``: authid/authrole as asked) and of disclosure (``private``)."""
    listeners = {
        "universal": ListenerConfig("universal", port=0),
        "websocket": ListenerConfig("websocket", port=0),
        "rawsocket": ListenerConfig("rawsocket", port=0, path=None),
        "rawsocket-unix": ListenerConfig(
            "rawsocket", host=None, socket_path=str(directory / "rs.sock")
        ),
        "universal-unix": ListenerConfig(
            "universal", host=None, socket_path=str(directory / "uni.sock")
        ),
        "universal-tls": ListenerConfig(
            "universal", port=0, tls_certificate=tls.certificate, tls_key=tls.certificate
        ),
    }
    config = RouterConfig(
        realms=[
            RealmConfig("realm1", history=HISTORY),
            RealmConfig("roles", authenticator=AsRequested()),
            RealmConfig("private", disclose=Disclosure(caller=False, publisher=False)),
        ],
        listeners=list(listeners.values()),
    )
    assert tuple(listeners) == LISTENER_NAMES
    if max_message_size is not None:
        config.limits.max_message_size = max_message_size
    if handshake_timeout is not None:
        config.limits.handshake_timeout = handshake_timeout
    if max_queued_bytes is not None:
        config.limits.max_queued_bytes = max_queued_bytes
    return config


def endpoints_of(router: Router, client_ssl: ssl.SSLContext) -> Endpoints:
    ports: dict[str, int] = {}
    paths: dict[str, str] = {}
    for name, listener, server in zip(
        LISTENER_NAMES,
        router.config.listeners,
        router.servers,
        strict=True,
    ):
        if listener.socket_path is not None:
            paths[name] = listener.socket_path
        else:
            ports[name] = server.sockets[0].getsockname()[1]
    return Endpoints(ports, paths, client_ssl)


@pytest.fixture
async def router(tls: Tls, short_dir: Path) -> AsyncIterator[Router]:
    server = Router(router_config(tls, short_dir))
    await server.start()
    yield server
    await server.stop()
    await asyncio.sleep(0.01)  # let the clients see their connections end


@pytest.fixture
def endpoints(router: Router, tls: Tls) -> Endpoints:
    return endpoints_of(router, tls.client)


@pytest.fixture
async def small_router(tls: Tls, short_dir: Path) -> AsyncIterator[Router]:
    """A router with tight limits: messages of SMALL_LIMIT bytes, SHORT_HANDSHAKE seconds
    from connect to a joined session, SMALL_QUEUE bytes waiting for a peer (who is then
    disconnected: the ``slow_consumer`` policy "disconnect")."""
    config = router_config(tls, short_dir, SMALL_LIMIT, SHORT_HANDSHAKE, SMALL_QUEUE)
    config.limits.slow_consumer = "disconnect"
    server = Router(config)
    await server.start()
    yield server
    await server.stop()
    await asyncio.sleep(0.01)


@pytest.fixture
def small_endpoints(small_router: Router, tls: Tls) -> Endpoints:
    return endpoints_of(small_router, tls.client)
