"""Open client connections and server listeners for any transport kind."""

from __future__ import annotations

import asyncio
import ssl as _ssl
from collections.abc import Callable, Sequence

from pywamp.transport.admission import ConnectionRate, admitting
from pywamp.transport.base import DISCONNECT, MessageHandler, WampTransport
from pywamp.transport.rawsocket import DEFAULT_MAX_MESSAGE_SIZE as RAWSOCKET_MAX
from pywamp.transport.rawsocket import RawSocketClient, RawSocketServer
from pywamp.transport.universal import UniversalServer
from pywamp.transport.url import Address, parse_url
from pywamp.transport.websocket import DEFAULT_MAX_MESSAGE_SIZE as WEBSOCKET_MAX
from pywamp.transport.websocket import WebSocketClient, WebSocketServer

__all__ = ("connect", "listen")

SslArg = _ssl.SSLContext | bool | None


def _client_ssl(address: Address, ssl: SslArg) -> _ssl.SSLContext | None:
    if isinstance(ssl, _ssl.SSLContext):
        return ssl
    if ssl or (ssl is None and address.secure):
        return _ssl.create_default_context()
    return None


async def connect(
    url: str | Address,
    handler: MessageHandler,
    *,
    serializers: Sequence[str] = ("cbor", "msgpack", "json"),
    ssl: SslArg = None,
    max_message_size: int | None = None,
    headers: Sequence[tuple[str, str]] = (),
    timeout: float = 10.0,
) -> WampTransport:
    """Connect to a router and finish the transport handshake; the handler gets
    ``transport_open`` before this returns."""
    address = parse_url(url) if isinstance(url, str) else url
    loop = asyncio.get_running_loop()
    factory: Callable[[], WampTransport]
    if address.kind == "rawsocket":
        size = max_message_size or RAWSOCKET_MAX
        factory = lambda: RawSocketClient(handler, serializers[0], size)  # noqa: E731
    else:
        size = max_message_size or WEBSOCKET_MAX
        host = address.host or "localhost"
        default_port = 443 if address.secure else 80
        if address.port not in (None, default_port):
            host = f"{host}:{address.port}"
        factory = lambda: WebSocketClient(  # noqa: E731
            handler, host, address.path, serializers, size, headers
        )
    context = _client_ssl(address, ssl)

    async def open_() -> WampTransport:
        if address.socket_path is not None:
            hostname = None if context is None else (address.host or "localhost")
            _, protocol = await loop.create_unix_connection(
                factory, address.socket_path, ssl=context, server_hostname=hostname
            )
        else:
            if address.host is None or address.port is None:
                raise ValueError(f"address {address!r} names no host and port")
            _, protocol = await loop.create_connection(
                factory, address.host, address.port, ssl=context
            )
        await protocol.opened
        return protocol

    return await asyncio.wait_for(open_(), timeout)


async def listen(
    kind: str,
    handler_factory: Callable[[], MessageHandler],
    *,
    host: str | None = "127.0.0.1",
    port: int = 0,
    socket_path: str | None = None,
    serializers: Sequence[str] = ("cbor", "msgpack", "json"),
    path: str | None = None,
    ssl: _ssl.SSLContext | None = None,
    max_message_size: int | None = None,
    open_timeout: float | None = None,
    max_queued: int | None = None,
    max_queued_messages: int = 10000,
    slow_policy: str = DISCONNECT,
    ping_interval: float | None = None,
    ping_timeout: float = 10.0,
    idle_timeout: float | None = None,
    rawsocket_ping: bool = False,
    connection_rate: ConnectionRate | None = None,
) -> asyncio.Server:
    """Serve ``kind`` ("rawsocket", "websocket" or "universal") on TCP or a Unix socket.

    Each accepted connection gets its own handler from ``handler_factory``. A connection
    that has not finished its opening handshake after ``open_timeout`` seconds (waiting
    for its first byte counts) is dropped, and so is a peer that lets more than
    ``max_queued`` bytes (or ``max_queued_messages``) wait to be sent to it; with
    ``slow_policy`` DROP, EVENTs over those bounds are dropped instead (see
    :class:`~pywamp.transport.base.WampTransport`). ``ping_interval`` sends keepalive
    pings to WebSocket peers, and to RawSocket peers if ``rawsocket_ping`` (a pong
    missing after ``ping_timeout`` drops the connection) and
    ``idle_timeout`` drops a peer silent for that long. Connections over
    ``connection_rate`` are closed as they are accepted, before any TLS handshake.
    """

    def configure(protocol: WampTransport) -> WampTransport:
        protocol.open_timeout = open_timeout
        protocol.max_queued = max_queued
        protocol.max_queued_messages = max_queued_messages
        protocol.slow_policy = slow_policy
        protocol.ping_interval = ping_interval
        protocol.ping_timeout = ping_timeout
        protocol.idle_timeout = idle_timeout
        return protocol

    rs_size = max_message_size or RAWSOCKET_MAX
    ws_size = max_message_size or WEBSOCKET_MAX

    def rawsocket() -> WampTransport:
        protocol = configure(RawSocketServer(handler_factory(), serializers, rs_size))
        if not rawsocket_ping:
            protocol.ping_interval = None
        return protocol

    def websocket() -> WampTransport:
        return configure(WebSocketServer(handler_factory(), serializers, path, ws_size))

    factories: dict[str, Callable[[], asyncio.Protocol]] = {
        "rawsocket": rawsocket,
        "websocket": websocket,
        "universal": lambda: UniversalServer(rawsocket, websocket, open_timeout),
    }
    if kind not in factories:
        raise ValueError(f"unknown listener kind {kind!r} (rawsocket, websocket, universal)")
    factory = factories[kind]
    if connection_rate is not None:
        factory = admitting(factory, connection_rate, ssl, open_timeout)
        ssl = None  # admitted connections start TLS themselves
    loop = asyncio.get_running_loop()
    if socket_path is not None:
        return await loop.create_unix_server(factory, socket_path, ssl=ssl)
    return await loop.create_server(factory, host, port, ssl=ssl)
