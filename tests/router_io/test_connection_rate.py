"""A listener's connection-rate bound over real sockets: connections past it are closed as
they are accepted, before any TLS handshake or WAMP byte; admitted ones (TLS started by
the listener itself) serve Autobahn clients as usual; the refusals are counted."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from io_harness import Endpoints, Tls, join, wait

from pywamp.router.server import Router
from pywamp.router.settings import ConfigError, ListenerConfig, RouterConfig, load_config
from pywamp.router.stats import ROUTER_STATS

RATE = 3  # new connections per second, in bursts of 3


def tls_listener(tls: Tls) -> ListenerConfig:
    """A universal TLS listener bounded to RATE new connections per second."""
    return ListenerConfig(
        "universal",
        port=0,
        tls_certificate=tls.certificate,
        tls_key=tls.certificate,
        max_connection_rate=RATE,
    )


@pytest.fixture
async def bounded(tls: Tls) -> AsyncIterator[Router]:
    """A universal TLS listener and a plain RawSocket one, each bounded to RATE per second."""
    plain = ListenerConfig("rawsocket", port=0, path=None, max_connection_rate=RATE)
    router = Router(RouterConfig(listeners=[tls_listener(tls), plain]))
    await router.start()
    yield router
    await router.stop()


async def tls_handshake(port: int, context: ssl.SSLContext) -> bool:
    """Whether a TLS handshake with the listener completes."""
    try:
        _, writer = await wait(
            asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
        )
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
        return False
    writer.close()
    return True


async def first_bytes(port: int, send: bytes) -> bytes:
    """What a plain connection gets back for ``send`` (b"" when closed unanswered)."""
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", port))
    try:
        writer.write(send)
        return await wait(reader.read(4))
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def test_tls_connections_over_the_rate_are_closed_before_the_handshake(
    bounded: Router, tls: Tls
) -> None:
    port = bounded.port(0)
    # A burst of 12 at once: the bucket holds 3, and refills by 3 per second.
    done = await asyncio.gather(*(tls_handshake(port, tls.client) for _ in range(12)))
    assert RATE <= done.count(True) <= RATE + 2  # + what refills while they arrive
    # A second later the bucket is full again: an Autobahn client joins over TLS (the
    # listener ran the handshake itself) on RawSocket and on WebSocket, and calls.
    await asyncio.sleep(1.1)
    ends = Endpoints({"universal-tls": port}, {}, tls.client)
    rawsocket = await join(ends, "tls-rawsocket", serializer="msgpack")
    websocket = await join(ends, "tls-websocket", serializer="json")
    await wait(websocket.register(lambda x: x * 2, "com.example.double"))
    assert await wait(rawsocket.call("com.example.double", 21)) == 42
    stats = await wait(rawsocket.call(ROUTER_STATS))
    assert stats["refused_connections"] == done.count(False)
    for peer in (rawsocket, websocket):
        peer.leave()


async def test_plain_connections_over_the_rate_get_no_handshake_answer(bounded: Router) -> None:
    port = bounded.port(1)
    hello = b"\x7f\xf2\x00\x00"  # RawSocket opening handshake: msgpack, 16 KiB
    answers = await asyncio.gather(*(first_bytes(port, hello) for _ in range(8)))
    answered = [a for a in answers if a]
    assert RATE <= len(answered) <= RATE + 2
    assert all(a[0] == 0x7F for a in answered)  # the admitted ones get the handshake reply
    await asyncio.sleep(1.1)
    assert (await first_bytes(port, hello))[:1] == b"\x7f"  # refilled


def test_rate_key_is_read_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "router.toml"
    path.write_text("[[listeners]]\nport = 9000\nmax_connection_rate = 50\n")
    assert load_config(path).listeners[0].max_connection_rate == 50
    path.write_text("[[listeners]]\nport = 9000\nmax_connection_rate = 0\n")
    with pytest.raises(
        ConfigError, match=r"listeners\[0\]\.max_connection_rate: must be at least 1"
    ):
        load_config(path)


async def test_stopping_ends_the_handshakes_under_way(tls: Tls) -> None:
    """A connection admitted but still in its TLS handshake when the router stops gets
    no session later: its handshake is cancelled and the connection closed."""
    router = Router(RouterConfig(listeners=[tls_listener(tls)]))
    await router.start()
    reader, writer = await wait(asyncio.open_connection("127.0.0.1", router.port(0)))
    for _ in range(100):  # accepted and admitted: its handshake waits for a ClientHello
        if router.admission[0].handshakes:
            break
        await asyncio.sleep(0.01)
    assert len(router.admission[0].handshakes) == 1
    await router.stop()
    assert await wait(reader.read()) == b""  # closed, nothing sent
    assert not router.admission[0].handshakes and not router.connections
    writer.close()
