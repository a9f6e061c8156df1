"""The client's own part of a sequential call's reactor turns on Twisted, without a router
and without the wait for one: what pywamp's Twisted client does between the reactor's
wake-up and its next poll.

A plain socket in this process plays the router (RawSocket handshake, WELCOME,
REGISTERED), then writes one frame at a time to the client and the transport's
``doRead`` is called as the reactor calls it. "INVOCATION turn": an INVOCATION in, the
YIELD of ``lambda x: x`` out. "RESULT turn": a RESULT in, the Deferred of the previous
``call()`` fires into an ``inlineCallbacks`` loop that makes the next call, the CALL out.
Each figure includes the fake router's own ``send`` and ``recv`` (the "kernel floor" line:
the same four syscalls with nothing between them). Prints min and median of the rounds.

    .venv/bin/python benches/turn_twisted.py [--calls 5000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import struct
import sys
import threading
import time
from typing import Any

from twisted.internet import defer, endpoints, reactor, task
from twisted.python.failure import Failure

from pywamp import _native
from pywamp.twisted.rawsocket import WampRawSocketClientFactory
from pywamp.twisted.wamp import ApplicationSession
from pywamp.wamp.types import ComponentConfig

REGISTRATION = 77
CODEC = _native.Codec("msgpack")


def frame(message: Any) -> bytes:
    payload = CODEC.encode(message)
    return struct.pack(">I", len(payload)) + payload


def read_frame(sock: socket.socket) -> Any:
    head = b""
    while len(head) < 4:
        head += sock.recv(4 - len(head))
    size = struct.unpack(">I", head)[0] & 0xFFFFFF
    body = b""
    while len(body) < size:
        body += sock.recv(size - len(body))
    return CODEC.decode(body)


def fake_router(listener: socket.socket, peer: list[socket.socket]) -> None:
    """Answer the handshake, HELLO and one REGISTER; then the socket is the bench's."""
    sock, _ = listener.accept()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.recv(4)
    sock.sendall(bytes([0x7F, 0xF2, 0, 0]))  # msgpack, the largest messages
    while True:
        message = read_frame(sock)
        if isinstance(message, _native.Hello):
            sock.sendall(frame(_native.Welcome(1, {"roles": {"dealer": {}, "broker": {}}})))
        elif isinstance(message, _native.Register):
            sock.sendall(frame(_native.Registered(message.request_id, REGISTRATION)))
            break
    sock.settimeout(5)
    peer.append(sock)


def kernel_floor(calls: int) -> float:
    """µs per round of the four syscalls of a turn (send, recv, send, recv), nothing else."""
    listener = socket.create_server(("127.0.0.1", 0))
    a = socket.create_connection(listener.getsockname())
    b, _ = listener.accept()
    for s in (a, b):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a.setblocking(False)
    request, answer = b"\0\0\0\x12" + b"x" * 18, b"\0\0\0\x0c" + b"y" * 12
    start = time.perf_counter()
    for _ in range(calls):
        b.sendall(request)
        a.recv(65536)
        a.send(answer)
        b.recv(65536)
    took = (time.perf_counter() - start) / calls * 1e6
    for s in (a, b, listener):
        s.close()
    return took


def measure(session: Any, proto: Any, sock: socket.socket, calls: int, rounds: int) -> None:
    transport = proto.transport
    invocations = [
        frame(_native.Invocation(10**6 + i, REGISTRATION, {}, [i])) for i in range(calls)
    ]

    def invocation_turns() -> float:
        start = time.perf_counter()
        for data in invocations:
            sock.sendall(data)
            transport.doRead()
            sock.recv(65536)
        return (time.perf_counter() - start) / calls * 1e6

    def result_turns() -> float:
        first = session._peer.last_id + 1
        results = [frame(_native.Result(first + i, {}, [i])) for i in range(calls + 1)]

        @defer.inlineCallbacks
        def program() -> Any:
            for i in range(calls + 1):
                yield session.call("bench.echo", i)

        start = time.perf_counter()
        program()
        for data in results[:calls]:
            sock.sendall(data)
            transport.doRead()
            sock.recv(65536)
        took = (time.perf_counter() - start) / calls * 1e6
        sock.sendall(results[calls])  # the last call's answer, outside the timing
        transport.doRead()
        return took

    inv, res, floor = [], [], []
    for _ in range(rounds):
        inv.append(invocation_turns())
        res.append(result_turns())
        floor.append(kernel_floor(calls))
    for name, values in [("INVOCATION turn", inv), ("RESULT turn", res), ("kernel floor", floor)]:
        print(f"{name:16} min {min(values):6.2f} us   median {statistics.median(values):6.2f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000, help="turns per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    listener = socket.create_server(("127.0.0.1", 0))
    peer: list[socket.socket] = []
    joined: defer.Deferred[Any] = defer.Deferred()

    class Session(ApplicationSession):
        def onJoin(self, details: Any) -> None:
            joined.callback(self)

    @defer.inlineCallbacks
    def run() -> Any:
        thread = threading.Thread(target=fake_router, args=(listener, peer), daemon=True)
        thread.start()
        factory = WampRawSocketClientFactory(
            lambda: Session(ComponentConfig("realm1")), serializer="msgpack"
        )
        port = listener.getsockname()[1]
        proto = yield endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
        session = yield joined
        yield session.register(lambda x: x, "bench.echo")
        thread.join()
        # Out of the chunk that brought REGISTERED: its dispatch would hold our writes.
        yield task.deferLater(reactor, 0, lambda: None)
        measure(session, proto, peer[0], args.calls, args.rounds)
        proto.abort()

    def stop(result: Any) -> None:
        if isinstance(result, Failure):
            result.printTraceback(file=sys.stderr)
        reactor.stop()  # type: ignore[attr-defined]

    reactor.callWhenRunning(lambda: run().addBoth(stop))  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
