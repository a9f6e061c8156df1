"""The cost of the slow-consumer bound on the normal publish path: queuing EVENT frames
with ``offer_framed`` (bounded, policy drop) against ``send_framed`` (no bound), to a
peer that reads everything, over a real socket pair."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from pywamp import _native
from pywamp.transport.base import DROP
from pywamp.transport.rawsocket import RawSocketServer

BATCH = 100


class _Sink:
    def transport_open(self, transport: Any) -> None: ...
    def message_received(self, message: Any) -> None: ...
    def protocol_violation(self, error: Any) -> None: ...
    def transport_closed(self, error: Any) -> None: ...


@pytest.fixture
def wired() -> Iterator[tuple[asyncio.AbstractEventLoop, RawSocketServer, socket.socket]]:
    loop = asyncio.new_event_loop()
    ours, peer = socket.socketpair()
    peer.setblocking(False)

    async def open_() -> RawSocketServer:
        protocol = RawSocketServer(_Sink())
        protocol.max_queued = 16 << 20
        protocol.slow_policy = DROP
        await loop.connect_accepted_socket(lambda: protocol, ours)
        protocol.data_received(b"\x7f\xf2\x00\x00")  # msgpack, 16 MiB
        return protocol

    protocol = loop.run_until_complete(open_())
    yield loop, protocol, peer
    protocol.abort()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    peer.close()


def _frame(protocol: RawSocketServer) -> bytes:
    event = _native.Event(1, 2, {}, ["x" * 100])
    return protocol.stream.frame(_native.Codec("msgpack").encode(event))  # type: ignore[no-any-return]


def _drain(peer: socket.socket) -> None:
    try:
        while peer.recv(1 << 20):
            pass
    except BlockingIOError:
        pass


def _burst(benchmark: Any, protocol: RawSocketServer, peer: socket.socket, method: str) -> None:
    """Benchmark ``BATCH`` EVENT frames through ``protocol.<method>``, flushed and drained."""
    frame = _frame(protocol)
    send = getattr(protocol, method)

    def run() -> None:
        for _ in range(BATCH):
            send(frame)
        protocol._flush()
        _drain(peer)

    benchmark(run)
    assert protocol.messages_out >= BATCH


@pytest.mark.benchmark(group="router-event-queue")
def test_send_framed_unbounded(benchmark: Any, wired: Any) -> None:
    _loop, protocol, peer = wired
    _burst(benchmark, protocol, peer, "send_framed")


@pytest.mark.benchmark(group="router-event-queue")
def test_offer_framed_bounded_drop(benchmark: Any, wired: Any) -> None:
    _loop, protocol, peer = wired
    _burst(benchmark, protocol, peer, "offer_framed")
    assert protocol.dropped == 0
