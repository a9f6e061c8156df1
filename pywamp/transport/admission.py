"""Admission of new connections at a listener: a bound on their rate, checked the moment a
connection is accepted, before any of its bytes is read.

Over TLS that is before the handshake, which is what makes a connection flood expensive:
each handshake is public-key work on the router's one thread. A listener with a rate
bound therefore starts TLS itself (``loop.start_tls``) on the connections it admits,
instead of letting the server wrap every accepted socket.
"""

from __future__ import annotations

import asyncio
import logging
import ssl as _ssl
import time
from collections.abc import Callable

__all__ = ("ConnectionRate", "admitting")

log = logging.getLogger("pywamp.transport")


class ConnectionRate:
    """A token bucket: ``rate`` new connections per second, in bursts of up to ``burst``
    (default: one second's worth); ``refused`` counts the connections turned away, and
    ``handshakes`` holds the TLS handshakes of admitted ones still running."""

    __slots__ = ("burst", "handshakes", "rate", "refused", "stamp", "tokens")

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError(f"a connection rate must be positive, got {rate}")
        self.rate = rate
        self.burst = max(1.0, rate if burst is None else burst)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.refused = 0
        self.handshakes: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        """The listener closed: the handshakes under way end without a session."""
        for task in self.handshakes:
            task.cancel()

    def admit(self) -> bool:
        """Take one token if there is one (the bucket refills with time)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.refused += 1
        return False


class _Refused(asyncio.Protocol):
    """A connection over the rate: closed at once, nothing read, no handshake started."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.abort()  # type: ignore[attr-defined]


class _Early(asyncio.Protocol):
    """Holds what arrives over TLS between the end of the handshake and the moment the
    connection's own protocol takes over (the peer may speak first, in the same read)."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.eof = False
        self.lost = False

    def data_received(self, data: bytes) -> None:
        self.data.append(data)

    def eof_received(self) -> bool:
        self.eof = True
        return True  # keep the transport open: the protocol decides when it takes over

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


class _TlsGate(asyncio.Protocol):
    """Runs the TLS handshake of an admitted connection, then hands the TLS transport to
    the connection's own protocol (which sees nothing of the plain socket)."""

    def __init__(
        self,
        protocol: asyncio.Protocol,
        context: _ssl.SSLContext,
        timeout: float | None,
        running: set[asyncio.Task[None]],
    ) -> None:
        self.protocol = protocol
        self.context = context
        self.timeout = timeout
        self.running = running
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()  # the ClientHello is for start_tls, not for this gate
        self.task = task = asyncio.get_running_loop().create_task(self._handshake(transport))
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def _handshake(self, transport: asyncio.Transport) -> None:
        loop = asyncio.get_running_loop()
        # Python 3.10's transport registers its reader after connection_made() even when
        # paused there: take it off again (this also cancels a read already queued), or
        # the ClientHello would reach the TLS protocol before it is set up, and be lost.
        transport.resume_reading()
        transport.pause_reading()
        early = _Early()
        try:
            tls = await loop.start_tls(
                transport, early, self.context, server_side=True, ssl_handshake_timeout=self.timeout
            )
        except Exception as exc:  # any peer can fail its handshake: not the router's error
            log.debug("TLS handshake failed: %r", exc)
            transport.abort()
            return
        if tls is None or early.lost:
            return
        protocol = self.protocol
        tls.set_protocol(protocol)
        protocol.connection_made(tls)
        for data in early.data:
            protocol.data_received(data)
        if early.eof and not protocol.eof_received():
            tls.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """The plain socket closed before the handshake finished."""
        if self.task is not None and not self.task.done():
            self.task.cancel()


def admitting(
    factory: Callable[[], asyncio.Protocol],
    rate: ConnectionRate,
    ssl: _ssl.SSLContext | None,
    handshake_timeout: float | None,
) -> Callable[[], asyncio.Protocol]:
    """A protocol factory that refuses connections over ``rate`` and runs TLS (when
    ``ssl``) only for those it admits; serve it without ``ssl``."""

    def admit() -> asyncio.Protocol:
        if not rate.admit():
            return _Refused()
        if ssl is None:
            return factory()
        return _TlsGate(factory(), ssl, handshake_timeout, rate.handshakes)

    return admit
