"""pywamp's Twisted client and a real Autobahn|Python Twisted client (``autobahn.twisted``)
on pywamp's router, over RawSocket and WebSocket: calls both ways (results, errors,
progress, cancellation) and pub/sub both ways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import txaio
from routers import Router
from twisted.internet import defer, endpoints, reactor
from tx_helpers import close, joined

from pywamp import wamp
from pywamp.exception import ApplicationError
from pywamp.twisted.util import sleep
from pywamp.wamp.types import CallOptions, CallResult, RegisterOptions, SubscribeOptions


@pytest.fixture(autouse=True)
def txaio_on_twisted() -> Iterator[None]:
    """Autobahn's Twisted classes need txaio on Twisted; the other tests use asyncio, and
    txaio refuses a second framework unless its choice is forgotten first."""
    txaio._explicit_framework = None
    txaio.use_twisted()
    yield
    txaio._explicit_framework = None
    txaio.use_asyncio()


@defer.inlineCallbacks
def autobahn_joined(url: str, realm: str) -> Any:
    """An ``autobahn.twisted`` session joined on ``realm`` over RawSocket (``rs://``, msgpack)
    or WebSocket (``ws://``)."""
    from autobahn.twisted.rawsocket import WampRawSocketClientFactory
    from autobahn.twisted.wamp import ApplicationSession
    from autobahn.twisted.websocket import WampWebSocketClientFactory
    from autobahn.wamp.serializer import MsgPackSerializer
    from autobahn.wamp.types import ComponentConfig

    ready: defer.Deferred[Any] = defer.Deferred()

    class Joined(ApplicationSession):  # type: ignore[misc]
        def onJoin(self, details: Any) -> None:
            ready.callback(self)

    make = lambda: Joined(ComponentConfig(realm))  # noqa: E731
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    if url.startswith("rs://"):
        factory: Any = WampRawSocketClientFactory(make, serializer=MsgPackSerializer())
    else:
        factory = WampWebSocketClientFactory(make, url=url)
    yield endpoints.TCP4ClientEndpoint(reactor, host, int(port)).connect(factory)
    session = yield ready.addTimeout(10, reactor)
    return session


@defer.inlineCallbacks
def autobahn_close(session: Any) -> Any:
    if session.is_attached():
        yield session.leave()
    yield sleep(0.05)


@pytest.fixture(params=["rawsocket", "websocket"])
def urls(request: pytest.FixtureRequest, pywamp_router: Router) -> tuple[str, str, str]:
    """(our URL, their URL, realm): each side on the transport under test."""
    url = pywamp_router.rs_url if request.param == "rawsocket" else pywamp_router.ws_url
    return url, url, pywamp_router.realm


def test_autobahn_calls_pywamp(run: Any, urls: tuple[str, str, str]) -> None:
    ours_url, theirs_url, realm = urls

    def add(a: int, b: int) -> int:
        return a + b

    def split(text: str) -> CallResult:
        head, _, tail = text.partition(" ")
        return CallResult(head, tail, length=len(text))

    def longop(n: int, details: Any) -> int:
        for i in range(n):
            details.progress(i)
        return n

    @wamp.register("com.example.<kind>.fail")
    def fail(kind: str) -> None:
        raise ApplicationError(f"com.example.{kind}", "failed on purpose", kind=kind)

    @defer.inlineCallbacks
    def scenario() -> Any:
        from autobahn.wamp.exception import ApplicationError as AbError
        from autobahn.wamp.types import CallOptions as AbCallOptions

        ours = yield joined(ours_url, realm, serializers=["cbor"])
        theirs = yield autobahn_joined(theirs_url, realm)
        try:
            yield defer.gatherResults(
                [
                    ours.register(add, "com.example.add"),
                    ours.register(split, "com.example.split"),
                    ours.register(
                        longop,
                        "com.example.longop",
                        options=RegisterOptions(details_arg="details"),
                    ),
                    ours.register(fail),
                ]
            )
            out: dict[str, Any] = {"add": (yield theirs.call("com.example.add", 2, 3))}
            parts = yield theirs.call("com.example.split", "hello world")
            out["split"] = (list(parts.results), parts.kwresults)
            progress: list[int] = []
            out["longop"] = yield theirs.call(
                "com.example.longop", 3, options=AbCallOptions(on_progress=progress.append)
            )
            out["progress"] = progress
            try:
                yield theirs.call("com.example.disk.fail")
            except AbError as err:
                out["fail"] = (err.error, list(err.args), err.kwargs)
            return out
        finally:
            yield autobahn_close(theirs)
            yield close(ours)

    assert run(scenario) == {
        "add": 5,
        "split": (["hello", "world"], {"length": 11}),
        "longop": 3,
        "progress": [0, 1, 2],
        "fail": ("com.example.disk", ["failed on purpose"], {"kind": "disk"}),
    }


def test_pywamp_calls_autobahn_and_cancels(run: Any, urls: tuple[str, str, str]) -> None:
    ours_url, theirs_url, realm = urls
    interrupted: defer.Deferred[Any] = defer.Deferred()

    @defer.inlineCallbacks
    def slow() -> Any:
        try:
            yield sleep(30)
        except defer.CancelledError:
            interrupted.callback("interrupted")
            raise

    @defer.inlineCallbacks
    def scenario() -> Any:
        from autobahn.wamp.exception import ApplicationError as AbError

        theirs = yield autobahn_joined(theirs_url, realm)
        ours = yield joined(ours_url, realm, serializers=["json"])

        def sqrt(x: float) -> float:
            if x < 0:
                raise AbError("com.example.negative", "no root of", x)
            return float(x) ** 0.5

        try:
            yield theirs.register(sqrt, "com.example.sqrt")
            yield theirs.register(slow, "com.example.slow")
            out: dict[str, Any] = {"sqrt": (yield ours.call("com.example.sqrt", 16))}
            try:
                yield ours.call("com.example.sqrt", -1)
            except ApplicationError as err:
                out["negative"] = (err.error, list(err.args))
            d = ours.call("com.example.slow", options=CallOptions(cancel_mode="kill"))
            d.addErrback(lambda f: type(f.value).__name__)
            yield sleep(0.1)
            d.cancel()
            out["cancel"] = yield d
            out["callee"] = yield interrupted.addTimeout(5, reactor)
            return out
        finally:
            yield close(ours)
            yield autobahn_close(theirs)

    assert run(scenario) == {
        "sqrt": 4.0,
        "negative": ("com.example.negative", ["no root of", -1]),
        "cancel": "CanceledError",
        "callee": "interrupted",
    }


def test_pubsub_both_ways(run: Any, urls: tuple[str, str, str]) -> None:
    ours_url, theirs_url, realm = urls

    @defer.inlineCallbacks
    def scenario() -> Any:
        from autobahn.wamp.types import PublishOptions as AbPublishOptions
        from autobahn.wamp.types import SubscribeOptions as AbSubscribeOptions

        theirs = yield autobahn_joined(theirs_url, realm)
        ours = yield joined(ours_url, realm, serializers=["msgpack"])
        to_ours: defer.Deferred[Any] = defer.Deferred()
        to_theirs: defer.Deferred[Any] = defer.Deferred()

        def on_ours(product: str, details: Any) -> None:
            to_ours.callback((product, details.topic, details.publisher == theirs._session_id))

        def on_theirs(*args: Any, **kwargs: Any) -> None:
            details = kwargs.pop("details")
            to_theirs.callback((args, kwargs, details.topic))

        try:
            yield ours.subscribe(
                on_ours,
                "com.example.product.",
                options=SubscribeOptions(match="prefix", details_arg="details"),
            )
            yield theirs.subscribe(
                on_theirs,
                "com.example..created",
                options=AbSubscribeOptions(match="wildcard", details_arg="details"),
            )
            yield theirs.publish(
                "com.example.product.hat",
                "hat",
                options=AbPublishOptions(acknowledge=True, exclude_me=False),
            )
            ours.publish("com.example.order.created", 7, price=9.5)
            got_ours = yield to_ours.addTimeout(5, reactor)
            got_theirs = yield to_theirs.addTimeout(5, reactor)
            return got_ours, got_theirs
        finally:
            yield close(ours)
            yield autobahn_close(theirs)

    assert run(scenario) == (
        ("hat", "com.example.product.hat", True),
        ((7,), {"price": 9.5}, "com.example.order.created"),
    )
