"""The Twisted face against a real router: publish/subscribe, acknowledged publications,
TLS transports and the life cycle of ``ApplicationSession`` hooks."""

from __future__ import annotations

from typing import Any

import pytest
from routers import Router
from twisted.internet import defer
from twisted.internet.ssl import Certificate, optionsForClientTLS
from tx_helpers import close, joined

from pywamp.exception import ApplicationError
from pywamp.twisted.wamp import ApplicationRunner, ApplicationSession
from pywamp.wamp.types import PublishOptions


def test_publish_subscribe_with_acknowledge(run: Any, router: Router) -> None:
    @defer.inlineCallbacks
    def scenario() -> Any:
        subscriber = yield joined(router.unix_url, router.realm)
        publisher = yield joined(router.ws_url, router.realm, serializers=["json"])
        got = defer.Deferred()
        events: list[Any] = []

        def on_create(id: int, label: str, price: float) -> None:
            events.append((id, label, price))
            if len(events) == 3:
                got.callback(events)

        try:
            sub = yield subscriber.subscribe("com.myapp.product.on_create", on_create)
            assert sub.active
            publication = yield publisher.publish(
                "com.myapp.product.on_create",
                103,
                "PyJacket",
                50.3,
                options=PublishOptions(acknowledge=True),
            )
            assert publication.id > 0
            assert publisher.publish("com.myapp.product.on_create", 104, "Hat", 9.5) is None
            publisher.publish("com.myapp.product.on_create", 105, "Scarf", 12.0)
            yield got
            yield sub.unsubscribe()
            try:
                yield publisher.publish("wamp.bad", 1, options=PublishOptions(acknowledge=True))
            except ApplicationError as err:
                return events, err.error
            return events, None
        finally:
            yield close(publisher, subscriber)

    events, error = run(scenario)
    assert events == [(103, "PyJacket", 50.3), (104, "Hat", 9.5), (105, "Scarf", 12.0)]
    assert error == "wamp.error.invalid_uri"


@pytest.mark.parametrize("url", ["rs_url", "ws_url"])
def test_a_burst_of_events_of_every_size_arrives_whole_and_in_order(
    run: Any, router: Router, url: str
) -> None:
    """Thousands of events published in one turn reach the subscriber in large reads,
    which it decodes a slice at a time: frames cut at any slice boundary come out whole."""
    sizes = [(i * 7919) % 20000 if i % 50 == 0 else i % 40 for i in range(3000)]

    @defer.inlineCallbacks
    def scenario() -> Any:
        subscriber = yield joined(getattr(router, url), router.realm, serializers=["msgpack"])
        publisher = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        got: defer.Deferred[None] = defer.Deferred()
        events: list[tuple[int, str]] = []

        def on_event(i: int, text: str) -> None:
            events.append((i, text))
            if len(events) == len(sizes):
                got.callback(None)

        try:
            yield subscriber.subscribe(on_event, "com.example.burst")
            yield publisher.publish("com.example.sync", options=PublishOptions(acknowledge=True))
            for i, size in enumerate(sizes):
                publisher.publish("com.example.burst", i, "x" * size)
            yield got
            return events
        finally:
            yield close(publisher, subscriber)

    assert run(scenario) == [(i, "x" * size) for i, size in enumerate(sizes)]


def test_events_published_just_before_disconnecting_are_delivered(run: Any, router: Router) -> None:
    """Publications wait for the end of the reactor turn to be written; disconnecting in
    the same turn does not lose them."""

    @defer.inlineCallbacks
    def scenario() -> Any:
        subscriber = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        publisher = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        got: defer.Deferred[None] = defer.Deferred()
        events: list[int] = []

        def on_event(i: int) -> None:
            events.append(i)
            if len(events) == 50:
                got.callback(None)

        try:
            yield subscriber.subscribe(on_event, "com.example.last")
            yield publisher.publish("com.example.sync", options=PublishOptions(acknowledge=True))
            for i in range(50):
                publisher.publish("com.example.last", i)
            closed = publisher.disconnect()
            yield got
            if closed is not None:
                yield closed
            return events
        finally:
            yield close(subscriber)

    assert run(scenario) == list(range(50))


@pytest.mark.parametrize("kind", ["tls_ws_url", "tls_rs_url"])
def test_tls_transports(run: Any, router: Router, kind: str) -> None:
    options = optionsForClientTLS("127.0.0.1", trustRoot=Certificate.loadPEM(router.ca_pem))

    @defer.inlineCallbacks
    def scenario() -> Any:
        session = yield joined(getattr(router, kind), router.realm, ssl=options)
        try:
            yield session.register(lambda a, b: a + b, "com.calculator.add")
            result = yield session.call("com.calculator.add", 2, 3)
            return result, session.transport_details.is_secure
        finally:
            yield close(session)

    assert run(scenario) == (5, True)


def test_tls_refuses_an_untrusted_router(run: Any, router: Router) -> None:
    with pytest.raises(Exception, match=r"certificate verify failed|SSL"):
        run(joined, router.tls_rs_url, router.realm)


def test_runner_without_reactor_start_runs_session_hooks(run: Any, router: Router) -> None:
    """``ApplicationRunner.run(..., start_reactor=False)``: Autobahn's hooks in order."""
    log: list[str] = []
    left = defer.Deferred()

    class App(ApplicationSession):
        def onConnect(self) -> None:
            log.append("connect")
            self.join(self.config.realm)

        @defer.inlineCallbacks
        def onJoin(self, details: Any) -> Any:
            log.append(f"join {details.realm} {self.config.extra['who']}")
            yield self.register(lambda: "pong", "com.app.ping")
            log.append((yield self.call("com.app.ping")))
            self.leave()

        def onLeave(self, details: Any) -> None:
            log.append(f"leave {details.reason}")
            super().onLeave(details)

        def onDisconnect(self) -> None:
            log.append("disconnect")
            left.callback(None)

    runner = ApplicationRunner(router.rs_url, router.realm, extra={"who": "tx"})

    def start() -> Any:
        d = runner.run(App, start_reactor=False)
        return d.addCallback(lambda proto: left)

    run(start)
    # The router's answer to GOODBYE: the spec's reason, or Crossbar's echo of ours.
    reply = "wamp.close.normal" if router.name == "crossbar" else "wamp.close.goodbye_and_out"
    assert log == [
        "connect",
        f"join {router.realm} tx",
        "pong",
        f"leave {reply}",
        "disconnect",
    ]


def test_rawsocket_ping_is_answered_with_pong(run: Any) -> None:
    """A router that pings over RawSocket gets a PONG with the same payload (Autobahn's
    Twisted RawSocket client does not answer). The router side here is the native framer
    behind a plain Twisted server socket."""
    from twisted.internet import endpoints, protocol, reactor

    from pywamp import _native
    from pywamp.twisted.wamp import ApplicationSession, connect_transport
    from pywamp.wamp.types import ComponentConfig

    seen: defer.Deferred[Any] = defer.Deferred()

    class PingingRouter(protocol.Protocol):
        stream: Any = None

        def dataReceived(self, data: bytes) -> None:
            if self.stream is None:
                serializer_id, _ = _native.rawsocket_parse_handshake(data[:4])
                self.transport.write(_native.rawsocket_handshake(serializer_id, 1 << 20))
                self.stream = _native.RawSocket("json", max_receive=1 << 20, max_send=1 << 20)
                self.transport.write(self.stream.ping(b"are you there"))
                data = data[4:]
            for item in self.stream.feed(data):
                if isinstance(item, _native.Pong) and not seen.called:
                    seen.callback(item.payload)

    @defer.inlineCallbacks
    def scenario() -> Any:
        factory = protocol.Factory.forProtocol(PingingRouter)
        port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        session = ApplicationSession(ComponentConfig("realm1"))
        try:
            url = f"rs://127.0.0.1:{port.getHost().port}"
            yield connect_transport(url, session, serializers=["json"])
            payload = yield seen.addTimeout(5, reactor)
            return payload
        finally:
            session.disconnect()
            yield port.stopListening()

    assert run(scenario) == b"are you there"
