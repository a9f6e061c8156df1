"""The Twisted face against a real router: Deferred results, errors, cancel, timeout,
inlineCallbacks with returnValue, gatherResults (API.md section 2, seed Twisted idioms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from routers import Router
from twisted.internet import defer
from twisted.python.failure import Failure
from tx_helpers import close, joined

from pywamp.exception import ApplicationError
from pywamp.twisted.util import sleep
from pywamp.wamp.exception import CanceledError
from pywamp.wamp.types import CallOptions, CallResult

URLS = ["websocket", "rawsocket", "unix"]


@pytest.fixture(params=URLS)
def url(request: pytest.FixtureRequest, router: Router) -> str:
    return router.url(request.param)


def test_call_returns_a_deferred_with_callbacks(run: Any, router: Router, url: str) -> None:
    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        caller = yield joined(url, router.realm)
        try:
            yield callee.register(lambda: "now", "com.timeservice.now")
            d = caller.call("com.timeservice.now")
            assert isinstance(d, defer.Deferred)
            assert not d.called
            seen: list[Any] = []
            d.addCallback(lambda now: f"Now: {now}")
            d.addCallback(seen.append)
            yield d
            return seen
        finally:
            yield close(caller, callee)

    assert run(scenario) == ["Now: now"]


def test_result_shapes_and_errors(run: Any, router: Router) -> None:
    def sqrt(x: float) -> float:
        if x < 0:
            raise ApplicationError("com.calculator.negative", "no square root of", x)
        return float(x) ** 0.5

    def broken() -> None:
        raise ValueError("plain failure")

    @defer.inlineCallbacks
    def scenario() -> Any:
        session = yield joined(router.ws_url, router.realm)
        try:
            yield defer.gatherResults(
                [
                    session.register(sqrt, "com.calculator.sqrt"),
                    session.register(lambda: CallResult(5, 8), "com.math.pair"),
                    session.register(lambda: CallResult(real=1, imag=2), "com.math.kw"),
                    session.register(broken, "com.broken"),
                ]
            )
            outcomes: dict[str, Any] = {}
            outcomes["root"] = yield session.call("com.calculator.sqrt", 9)
            pair = yield session.call("com.math.pair")
            outcomes["pair"] = list(pair.results)
            kw = yield session.call("com.math.kw")
            outcomes["kw"] = kw.kwresults
            try:
                yield session.call("com.calculator.sqrt", -1)
            except ApplicationError as err:
                outcomes["negative"] = (err.error, list(err.args))
            failures: list[Failure] = []
            d = session.call("com.broken")
            d.addCallbacks(lambda res: None, failures.append)
            yield d
            outcomes["broken"] = (failures[0].value.error, list(failures[0].value.args))
            try:
                yield session.call("com.nobody.home")
            except ApplicationError as err:
                outcomes["missing"] = err.error
            return outcomes
        finally:
            yield close(session)

    outcomes = run(scenario)
    assert outcomes["root"] == 3.0
    assert outcomes["pair"] == [5, 8]
    assert outcomes["kw"] == {"real": 1, "imag": 2}
    assert outcomes["negative"] == ("com.calculator.negative", ["no square root of", -1])
    assert outcomes["broken"] == ("wamp.error.runtime_error", ["plain failure"])
    assert outcomes["missing"] == ApplicationError.NO_SUCH_PROCEDURE


def test_cancel_fails_with_canceled_error_and_interrupts_the_callee(
    run: Any, router: Router
) -> None:
    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["cbor"])
        caller = yield joined(router.ws_url, router.realm)
        interrupted = defer.Deferred()

        @defer.inlineCallbacks
        def longop() -> Any:
            try:
                yield sleep(30)
            except defer.CancelledError:
                interrupted.callback("interrupted")
                raise
            return "finished"

        try:
            yield callee.register(longop, "com.myapp.longop")
            seen: list[Any] = []
            d = caller.call("com.myapp.longop", options=CallOptions(cancel_mode="kill"))
            d.addCallbacks(lambda res: seen.append("done"), seen.append)
            yield sleep(0.2)
            d.cancel()
            outcome = yield interrupted
            return seen, outcome
        finally:
            yield close(caller, callee)

    seen, outcome = run(scenario)
    assert len(seen) == 1 and isinstance(seen[0], Failure)
    assert seen[0].check(CanceledError) is CanceledError
    assert seen[0].value.error == ApplicationError.CANCELED
    assert outcome == "interrupted"


def test_timeout_raises_timeout_error(run: Any, router: Router) -> None:
    @defer.inlineCallbacks
    def scenario() -> Any:
        session = yield joined(router.ws_url, router.realm)
        try:
            yield session.register(lambda: sleep(5), "com.myapp.slow")
            try:
                yield session.call("com.myapp.slow", options=CallOptions(timeout=0.3))
            except TimeoutError as err:
                return err
            return None
        finally:
            yield close(session)

    err = run(scenario)
    assert isinstance(err, TimeoutError) and isinstance(err, ApplicationError)
    assert err.error == ApplicationError.TIMEOUT


def test_inline_callbacks_endpoint_with_return_value_and_progress(run: Any, router: Router) -> None:
    @defer.inlineCallbacks
    def slow_square(x: int) -> Any:
        yield sleep(0.01)
        defer.returnValue(x * x)  # the seed's spelling (deprecated in Twisted, still works)

    @defer.inlineCallbacks
    def longop(n: int, details: Any) -> Any:
        for i in range(n):
            details.progress(i)
            yield sleep(0.01)
        return n

    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["json"])
        caller = yield joined(router.ws_url, router.realm)
        try:
            from pywamp.wamp.types import RegisterOptions

            yield callee.register(slow_square, "com.myapp.slow_square")
            yield callee.register(
                longop, "com.myapp.longop", options=RegisterOptions(details_arg="details")
            )
            square = yield caller.call("com.myapp.slow_square", 7)
            progress: list[int] = []
            total = yield caller.call(
                "com.myapp.longop", 4, options=CallOptions(onProgress=progress.append)
            )
            return square, progress, total
        finally:
            yield close(caller, callee)

    with pytest.warns(DeprecationWarning):
        assert run(scenario) == (49, [0, 1, 2, 3], 4)


def test_batched_calls_with_gather_results(run: Any, router: Router) -> None:
    sales = {"product2": 20, "product3": 30, "product5": 50}

    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        caller = yield joined(router.rs_url, router.realm, serializers=["cbor"])
        try:
            yield callee.register(
                lambda p: sleep(0.05).addCallback(lambda _: sales[p]), "com.myapp.sales"
            )
            dl = [caller.call("com.myapp.sales", p) for p in sales]
            batch = yield defer.gatherResults(dl)
            many = yield defer.gatherResults(
                [caller.call("com.myapp.sales", "product5") for _ in range(100)]
            )
            return batch, set(many)
        finally:
            yield close(caller, callee)

    assert run(scenario) == ([20, 30, 50], {50})


def record_sends(proto: Any, sizes: list[int]) -> Callable[[], None]:
    """Record the size of each ``send`` the protocol makes on its TCP socket; returns
    what puts the socket's own ``send`` back."""
    socket_send = proto._send

    def send(data: bytes) -> Any:
        sizes.append(len(data))
        return socket_send(data)

    proto._send = send

    def restore() -> None:
        proto._send = socket_send

    return restore


def test_answers_to_one_received_chunk_leave_in_one_write(run: Any, router: Router) -> None:
    """100 calls sent in one turn reach the callee in a few chunks; its YIELDs for each
    chunk reach the socket together, not one send per message."""

    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        caller = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        try:
            yield callee.register(lambda x: x, "com.example.echo")
            writes: list[int] = []
            restore = record_sends(callee.transport, writes)
            results = yield defer.gatherResults(
                [caller.call("com.example.echo", i) for i in range(100)]
            )
            restore()
            return results, writes
        finally:
            yield close(caller, callee)

    results, writes = run(scenario)
    assert results == list(range(100))
    assert 1 <= len(writes) <= 20


def test_calls_made_in_one_reactor_turn_leave_in_one_send(run: Any, router: Router) -> None:
    """100 calls made by the program (outside any received chunk) are written together at
    the next turn, straight on the socket: no registering it for writability."""

    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        caller = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        try:
            yield callee.register(lambda x: x, "com.example.echo")
            yield sleep(0)  # the registration's answer has been written and dispatched
            sends: list[int] = []
            waits: list[bool] = []
            socket = caller.transport.transport
            start_writing = socket.startWriting

            def wait_writable() -> None:
                waits.append(True)
                start_writing()

            restore = record_sends(caller.transport, sends)
            socket.startWriting = wait_writable
            try:
                calls = [caller.call("com.example.echo", i) for i in range(100)]
                assert sends == []  # nothing leaves before the turn ends
                results = yield defer.gatherResults(calls)
            finally:
                restore()
                socket.startWriting = start_writing
            return results, sends, waits
        finally:
            yield close(caller, callee)

    results, sends, waits = run(scenario)
    assert results == list(range(100))
    assert len(sends) == 1
    assert waits == []


def test_large_answers_the_socket_cannot_take_at_once_arrive_whole(
    run: Any, router: Router
) -> None:
    """Answers written while a chunk is dispatched go to the socket at once; what it does
    not take (here megabytes of results) is queued and sent in order, nothing lost."""

    @defer.inlineCallbacks
    def scenario() -> Any:
        callee = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        caller = yield joined(router.rs_url, router.realm, serializers=["msgpack"])
        try:
            yield callee.register(lambda i: bytes([i]) * 300_000, "com.example.blob")
            results = yield defer.gatherResults(
                [caller.call("com.example.blob", i) for i in range(40)]
            )
            return [(len(r), set(r)) for r in results]
        finally:
            yield close(caller, callee)

    assert run(scenario) == [(300_000, {i}) for i in range(40)]
