"""The embedded router on asyncio: listeners, connections, and the driver of the core.

:class:`Router` owns a :class:`~pywamp.router.core.RouterCore` and carries out what it
returns: a message addressed to many sessions is encoded and framed once per kind of
transport and serializer, then the same bytes are queued to every recipient.
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
import time
from pathlib import Path
from typing import Any

from pywamp import _native
from pywamp.exception import ProtocolError
from pywamp.router.core import RouterCore
from pywamp.router.outputs import Close, Output, Send, Timer
from pywamp.router.session import RouterSession
from pywamp.router.settings import ListenerConfig, RouterConfig, load_config
from pywamp.transport import WampTransport, listen
from pywamp.transport.inprocess import InProcessTransport, pair

__all__ = ("Router",)

log = logging.getLogger("pywamp.router")

_CODECS = {name: _native.Codec(name) for name in ("json", "msgpack", "cbor")}  # type: ignore[arg-type]
_PROTOCOL_VIOLATION = "wamp.error.protocol_violation"


class Connection:
    """The router's handler of one transport: feeds the core, owns one session."""

    __slots__ = ("router", "session", "transport")

    def __init__(self, router: Router) -> None:
        self.router = router
        self.transport: WampTransport | InProcessTransport | None = None
        self.session: RouterSession | None = None

    def transport_open(self, transport: WampTransport | InProcessTransport) -> None:
        self.transport = transport
        info = transport.info
        details = {
            "type": info.kind,
            "peer": info.peer,
            "serializer": info.serializer,
            "is_secure": info.is_secure,
        }
        if info.protocol:
            details["protocol"] = info.protocol
        if info.http_path:
            details["http_path"] = info.http_path
        self.session = self.router.core.attach(details, self)
        self.router.connections.add(self)

    def message_received(self, message: Any) -> None:
        router = self.router
        router.execute(router.core.receive(self.session, message, time.time()))  # type: ignore[arg-type]

    def protocol_violation(self, error: ProtocolError) -> None:
        if self.transport is not None:
            self.transport.send(_native.Abort({"message": str(error)}, _PROTOCOL_VIOLATION))
            self.transport.close()

    def transport_closed(self, error: BaseException | None) -> None:
        router = self.router
        router.connections.discard(self)
        if self.session is not None:
            router.execute(router.core.detach(self.session, time.time()))
        self.transport = None


class Router:
    """An embedded WAMP router: ``await router.start()`` in the application's loop."""

    def __init__(self, config: RouterConfig | None = None) -> None:
        self.config = config if config is not None else RouterConfig()
        self.core = RouterCore(self.config.realms, now=time.time())
        self.connections: set[Connection] = set()
        self.servers: list[asyncio.Server] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_deadline: float | None = None

    @classmethod
    def from_config(cls, path: str | Path) -> Router:
        """A router configured by a TOML file or a Crossbar ``config.json``."""
        return cls(load_config(path))

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Open every configured listener."""
        for listener in self.config.listeners:
            self.servers.append(await self._listen(listener))

    async def stop(self) -> None:
        """Say GOODBYE to every session, then close the listeners and connections."""
        self.execute(self.core.shutdown(time.time()))
        for server in self.servers:
            server.close()
        await asyncio.sleep(0)  # let the GOODBYEs leave
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
        for server in self.servers:
            await server.wait_closed()
        self.servers.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def __aenter__(self) -> Router:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def addresses(self) -> list[str]:
        """What the listeners serve, as ``kind host:port`` or ``kind unix:path``."""
        out = []
        for listener, server in zip(self.config.listeners, self.servers, strict=False):
            for sock in server.sockets:
                name = sock.getsockname()
                where = f"unix:{name}" if isinstance(name, str) else f"{name[0]}:{name[1]}"
                out.append(f"{listener.kind} {where}")
        return out

    def port(self, index: int = 0) -> int:
        """The TCP port of a listener (useful with port 0)."""
        return int(self.servers[index].sockets[0].getsockname()[1])

    def connect_inprocess(self, handler: Any) -> InProcessTransport:
        """Join a client-side handler to this router without a socket."""
        client, _ = pair(handler, Connection(self))
        return client

    # -- the driver ---------------------------------------------------------------------

    def execute(self, outputs: list[Output]) -> None:
        """Carry out what the core asked for, in order."""
        for output in outputs:
            kind = type(output)
            if kind is Send:
                self._send(output)  # type: ignore[arg-type]
            elif kind is Close:
                connection = output.session.handle  # type: ignore[union-attr]
                if connection.transport is not None:
                    connection.transport.close()
            elif kind is Timer:
                self._arm(output.deadline)  # type: ignore[union-attr]

    def _send(self, output: Send) -> None:
        recipients = output.recipients
        message = output.message
        if len(recipients) == 1:
            transport = recipients[0].handle.transport
            if transport is not None:
                transport.send(message)
            return
        frames: dict[Any, bytes] = {}
        encoded: dict[str, bytes] = {}
        for recipient in recipients:
            transport = recipient.handle.transport
            if transport is None:
                continue
            key = transport.framing_key
            if key is None:
                transport.send(message)
                continue
            frame = frames.get(key)
            if frame is None:
                serializer = key[1]
                payload = encoded.get(serializer)
                if payload is None:
                    payload = encoded[serializer] = _CODECS[serializer].encode(message)
                frame = frames[key] = transport.stream.frame(payload)  # type: ignore[union-attr]
            transport.send_framed(frame)  # type: ignore[union-attr]

    def _arm(self, deadline: float) -> None:
        if self._timer_deadline is not None and self._timer_deadline <= deadline:
            return
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer_deadline = deadline
        self._timer = loop.call_later(max(0.0, deadline - time.time()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_deadline = None
        self.execute(self.core.on_timer(time.time()))
        deadline = self.core.next_deadline()
        if deadline is not None:
            self._arm(deadline)

    async def _listen(self, listener: ListenerConfig) -> asyncio.Server:
        context = None
        if listener.tls_certificate is not None:
            context = _ssl.create_default_context(_ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(listener.tls_certificate, listener.tls_key)
        return await listen(
            listener.kind,
            lambda: Connection(self),
            host=listener.host,
            port=listener.port,
            socket_path=listener.socket_path,
            serializers=listener.serializers,
            path=listener.path,
            ssl=context,
            max_message_size=self.config.limits.max_message_size,
        )
