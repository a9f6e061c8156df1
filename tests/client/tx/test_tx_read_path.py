"""The Twisted face's own read path on TCP: the reactor calls the protocol's reader in place
of the transport's ``doRead``. Frames split over many reads, many frames and a large one in
one read, PING answered with PONG, the connection lost in the middle of a frame (closed or
reset), the router half-closing and TLS started on the connection: each over real sockets.
The router side is the native framer behind a plain Twisted server socket, so it can cut
frames wherever a test says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import trustme
from routers import Router
from twisted.internet import defer, reactor, task
from twisted.internet.ssl import Certificate, PrivateCertificate, optionsForClientTLS
from tx_helpers import close, joined
from tx_scripted import ScriptedRouter
from tx_scripted import scripted as scripted_router

from pywamp import _native
from pywamp.exception import TransportLost
from pywamp.twisted.wamp import ApplicationSession
from pywamp.wamp.types import ComponentConfig


def write_in_pieces(transport: Any, data: bytes, size: int) -> defer.Deferred[None]:
    """Write ``data`` ``size`` bytes at a time, one piece per 2 ms, so each is its own read."""
    pieces = [data[i : i + size] for i in range(0, len(data), size)]

    @defer.inlineCallbacks
    def write_all() -> Any:
        for piece in pieces:
            transport.write(piece)
            yield task.deferLater(reactor, 0.002, lambda: None)

    return write_all()  # type: ignore[no-any-return]


class Recorder(ApplicationSession):
    """Records the hooks that ran."""

    def __init__(self, config: ComponentConfig) -> None:
        super().__init__(config)
        self.hooks: list[str] = []
        self.gone: defer.Deferred[None] = defer.Deferred()

    def onJoin(self, details: Any) -> None:
        self.hooks.append("join")

    def onDisconnect(self) -> None:
        self.hooks.append("disconnect")
        if not self.gone.called:
            self.gone.callback(None)


def scripted(
    script: Callable[[ScriptedRouter, Any], None], body: Callable[[Recorder, ScriptedRouter], Any]
) -> Any:
    """Join a :class:`Recorder` to a :class:`ScriptedRouter` running ``script`` over TCP
    (checking that the path under test is in use), run ``body(session, router)`` and fire
    with its result."""

    def checked(session: Recorder, router: ScriptedRouter) -> Any:
        proto = session._transport
        assert proto.transport.doRead == proto._read  # the path under test is in use
        return body(session, router)

    return scripted_router(script, checked, Recorder(ComponentConfig("realm1")))


def answer(call: Any, *args: Any) -> Any:
    return _native.Result(call.request_id, {}, list(args))


def test_a_result_arriving_a_few_bytes_at_a_time(run: Any) -> None:
    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Call):
            frame = router.stream.send(answer(item, "x" * 50, item.args[0]))
            write_in_pieces(router.transport, frame, 3)

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        first = yield session.call("com.example.echo", 1)
        second = yield session.call("com.example.echo", 2)
        return first, second

    first, second = run(scripted, script, body)
    assert list(first.results) == ["x" * 50, 1]
    assert list(second.results) == ["x" * 50, 2]


def test_a_ping_split_over_reads_is_answered_with_its_payload(run: Any) -> None:
    pongs: defer.Deferred[bytes] = defer.Deferred()

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Pong) and not pongs.called:
            pongs.callback(item.payload)

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        yield write_in_pieces(router.transport, router.stream.ping(b"are you there?"), 5)
        payload = yield pongs.addTimeout(5, reactor)
        result = yield session.call("com.example.after_ping")  # the stream is still in step
        return payload, result

    def answering(router: ScriptedRouter, item: Any) -> None:
        script(router, item)
        if isinstance(item, _native.Call):
            router.transport.write(router.stream.send(answer(item, "ok")))

    assert run(scripted, answering, body) == (b"are you there?", "ok")


def test_many_frames_and_a_large_one_in_one_write(run: Any) -> None:
    """200 RESULTs, one of them 3 MB, reach the client in one write of the router."""
    calls: list[Any] = []

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Call):
            calls.append(item)
        if len(calls) == 200:
            answers = [
                answer(call, "y" * 3_000_000 if call.args[0] == 100 else call.args[0])
                for call in calls
            ]
            router.transport.write(b"".join(router.stream.send(a) for a in answers))
            calls.clear()

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        results = yield defer.gatherResults([session.call("com.example.n", i) for i in range(200)])
        return results

    results = run(scripted, script, body)
    assert results == [("y" * 3_000_000 if i == 100 else i) for i in range(200)]


@pytest.mark.parametrize("how", ["close", "reset"])
def test_the_connection_lost_in_the_middle_of_a_frame(run: Any, how: str) -> None:
    """Half a RESULT, then the router closes (FIN) or resets (RST) the connection: the call
    fails with TransportLost, the session disconnects, the transport lets go of the reader."""

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Call):
            frame = router.stream.send(answer(item, "never whole"))
            router.transport.write(frame[: len(frame) // 2])
            if how == "close":
                router.transport.loseConnection()
            else:
                reactor.callLater(0.05, router.transport.abortConnection)  # type: ignore[attr-defined]

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        tcp = session.transport.transport
        try:
            yield session.call("com.example.cut")
        except TransportLost as e:
            error = e
        yield session.gone
        return type(error).__name__, session.hooks, "doRead" in vars(tcp)

    assert run(scripted, script, body) == ("TransportLost", ["join", "disconnect"], False)


def test_the_router_half_closing_ends_the_session(run: Any) -> None:
    """The router shuts its sending side: the client reads the end of the stream, fails the
    pending call and closes its side too (the router sees the connection end)."""

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Call):
            router.transport.loseWriteConnection()

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        try:
            yield session.call("com.example.half")
        except TransportLost as e:
            error = e
        yield session.gone
        items = yield router.ended.addTimeout(5, reactor)
        return type(error).__name__, session.hooks, [type(i).__name__ for i in items]

    assert run(scripted, script, body) == (
        "TransportLost",
        ["join", "disconnect"],
        ["Hello", "Call"],
    )


def test_only_plain_tcp_reads_through_the_protocol(run: Any, pywamp_router: Router) -> None:
    """Against the real router: TCP uses the protocol's reader (and gives it back once
    closed); a Unix socket and TLS keep Twisted's read path; calls work on each."""
    tls = optionsForClientTLS("127.0.0.1", trustRoot=Certificate.loadPEM(pywamp_router.ca_pem))

    @defer.inlineCallbacks
    def scenario() -> Any:
        seen = {}
        callee = yield joined(pywamp_router.rs_url, pywamp_router.realm)
        try:
            yield callee.register(lambda x: x * 2, "com.example.double")
            for name, url, extra in [
                ("tcp", pywamp_router.rs_url, {}),
                ("unix", pywamp_router.unix_url, {}),
                ("tls", pywamp_router.tls_rs_url, {"ssl": tls}),
            ]:
                caller = yield joined(url, pywamp_router.realm, **extra)
                proto = caller.transport
                own = getattr(proto.transport, "doRead", None) == proto._read
                results = yield defer.gatherResults(
                    [caller.call("com.example.double", i) for i in range(50)]
                )
                tcp = proto.transport
                yield close(caller)
                seen[name] = (own, results == [i * 2 for i in range(50)], "doRead" in vars(tcp))
        finally:
            yield close(callee)
        return seen

    assert run(scenario) == {
        "tcp": (True, True, False),
        "unix": (False, True, False),
        "tls": (False, True, False),
    }


def test_tls_started_on_the_connection_takes_twisted_paths_again(run: Any) -> None:
    """``startTLS`` on a joined TCP connection (both ends): the bytes from then on are
    encrypted both ways, so the protocol hands reads and writes back to Twisted."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    server_tls = PrivateCertificate.loadPEM(
        server_cert.private_key_pem.bytes() + server_cert.cert_chain_pems[0].bytes()
    ).options()
    client_tls = optionsForClientTLS(
        "127.0.0.1", trustRoot=Certificate.loadPEM(ca.cert_pem.bytes())
    )

    def script(router: ScriptedRouter, item: Any) -> None:
        if isinstance(item, _native.Call):
            router.transport.write(router.stream.send(answer(item, item.args[0] * 2)))

    @defer.inlineCallbacks
    def body(session: Recorder, router: ScriptedRouter) -> Any:
        tcp = session.transport.transport
        router.transport.startTLS(server_tls)
        tcp.startTLS(client_tls)
        results = yield defer.gatherResults([session.call("com.example.x", i) for i in range(3)])
        more = yield session.call("com.example.x", 21)
        peer_certificate = tcp.getPeerCertificate()
        return results, more, "doRead" in vars(tcp), peer_certificate is not None

    assert run(scripted, script, body) == ([0, 2, 4], 42, False, True)
