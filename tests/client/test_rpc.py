"""Remote procedure calls against a real router: results, errors, cancel, timeout,
progress, registration forms and bad use (API.md section 2)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import Inbox, eventually, record_sent
from routers import Router

from pywamp import _native, wamp
from pywamp._errors import CallTimeoutError
from pywamp.asyncio.wamp import Session
from pywamp.exception import (
    ApplicationError,
    InvalidUri,
    SerializationError,
    SessionNotReady,
    TransportLost,
)
from pywamp.handles import Registration
from pywamp.wamp.types import (
    CallDetails,
    CallOptions,
    CallResult,
    Invocation,
    PublishOptions,
    RegisterOptions,
)

# -- results -------------------------------------------------------------------------------


async def test_call_returns_a_real_future_at_once(session: Session, other: Session) -> None:
    await other.register(lambda: "now", "com.timeservice.now")
    future = session.call("com.timeservice.now")
    assert isinstance(future, asyncio.Future)
    assert not future.done()
    done = asyncio.get_running_loop().create_future()
    future.add_done_callback(lambda f: done.set_result(f.result()))
    assert await asyncio.wait_for(done, 5) == "now"


async def test_result_shapes(session: Session, other: Session) -> None:
    await other.register(lambda: None, "com.r.none")
    await other.register(lambda x: x, "com.r.one")
    await other.register(lambda: CallResult(1, 2), "com.r.many")
    await other.register(lambda: CallResult(real=1.5, imag=-2), "com.r.kw")
    await other.register(lambda: CallResult(1, b=2), "com.r.both")
    assert await session.call("com.r.none") is None
    assert await session.call("com.r.one", [1, 2]) == [1, 2]
    many = await session.call("com.r.many")
    assert isinstance(many, CallResult) and list(many.results) == [1, 2] and many.kwresults == {}
    kw = await session.call("com.r.kw")
    assert isinstance(kw, CallResult) and kw.kwresults == {"real": 1.5, "imag": -2}
    both = await session.call("com.r.both")
    assert list(both.results) == [1] and both.kwresults == {"b": 2}
    one = await session.call("com.r.one", 7, options=CallOptions(details=True))
    assert isinstance(one, CallResult) and list(one.results) == [7]


async def test_arguments_positional_and_keyword(session: Session, other: Session) -> None:
    def getorders(product: str, limit: int = 5, *, extra: Any = None) -> list[Any]:
        return [product, limit, extra]

    await other.register(getorders, "com.myapp.getorders")
    assert await session.call("com.myapp.getorders", "p5", limit=10) == ["p5", 10, None]
    assert await session.call("com.myapp.getorders", "p1", extra={"a": b"\x00\x01"}) == [
        "p1",
        5,
        {"a": b"\x00\x01"},
    ]


async def test_no_such_procedure(session: Session) -> None:
    with pytest.raises(ApplicationError) as info:
        await session.call("com.nobody.home")
    assert info.value.error == ApplicationError.NO_SUCH_PROCEDURE


# -- errors --------------------------------------------------------------------------------


async def test_application_error_reaches_the_caller(session: Session, other: Session) -> None:
    def sqrt(x: float) -> float:
        if x < 0:
            raise ApplicationError("com.calculator.error.negative", x, hint="positive only")
        return float(x) ** 0.5

    await other.register(sqrt, "com.calculator.sqrt")
    with pytest.raises(ApplicationError) as info:
        await session.call("com.calculator.sqrt", -1)
    error = info.value
    assert error.error == "com.calculator.error.negative"
    assert error.args == (-1,)
    assert error.kwargs == {"hint": "positive only"}
    assert str(error).startswith("ApplicationError(error=<com.calculator.error.negative>")


async def test_plain_exception_becomes_runtime_error(session: Session, other: Session) -> None:
    def broken() -> None:
        raise ValueError("the message")

    await other.register(broken, "com.broken")
    with pytest.raises(ApplicationError) as info:
        await session.call("com.broken")
    assert info.value.error == ApplicationError.RUNTIME_ERROR
    assert info.value.args == ("the message",)


@wamp.error("com.myapp.error.product_missing")
class ProductMissing(Exception):
    pass


class OutOfStock(Exception):
    pass


async def test_defined_errors_map_both_ways(session: Session, other: Session) -> None:
    other.define(ProductMissing)
    other.define(OutOfStock, "com.myapp.error.out_of_stock")
    session.define(ProductMissing)
    session.define(OutOfStock, "com.myapp.error.out_of_stock")

    def order(product: str) -> None:
        if product == "missing":
            raise ProductMissing(product, "is gone")
        raise OutOfStock(product)

    await other.register(order, "com.myapp.order")
    with pytest.raises(ProductMissing) as missing:
        await session.call("com.myapp.order", "missing")
    assert missing.value.args == ("missing", "is gone")
    with pytest.raises(OutOfStock) as stock:
        await session.call("com.myapp.order", "p1")
    assert stock.value.args == ("p1",)


async def test_defined_error_travels_as_its_uri(session: Session, other: Session) -> None:
    """A caller that did not define the class sees the URI the callee mapped it to."""
    other.define(OutOfStock, "com.myapp.error.out_of_stock")

    def order() -> None:
        raise OutOfStock("p2")

    await other.register(order, "com.myapp.order2")
    with pytest.raises(ApplicationError) as info:
        await session.call("com.myapp.order2")
    assert info.value.error == "com.myapp.error.out_of_stock"
    assert info.value.args == ("p2",)


async def test_unserializable_result_is_reported(session: Session, other: Session) -> None:
    await other.register(lambda: object(), "com.bad.result")
    with pytest.raises(SerializationError):
        await session.call("com.bad.result")


# -- cancel and timeout --------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "kill", "killnowait", "skip"])
async def test_cancel_sends_cancel(session: Session, other: Session, mode: str | None) -> None:
    started = asyncio.Event()
    interrupted = Inbox()

    async def longop() -> str:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            interrupted.put("interrupted")
            raise
        return "finished"

    await other.register(longop, "com.myapp.longop")
    sent = record_sent(session)
    future = session.call("com.myapp.longop", options=CallOptions(cancel_mode=mode))
    await asyncio.wait_for(started.wait(), 5)
    assert future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await future
    cancels = [m for m in sent if isinstance(m, _native.Cancel)]
    assert len(cancels) == 1
    assert cancels[0].options == ({"mode": mode} if mode else {})
    if mode != "skip":  # skip leaves the callee running, by definition
        await interrupted.wait(1)
    # The session stays usable after a cancelled call.
    await other.register(lambda: 1, "com.myapp.after_cancel")
    assert await session.call("com.myapp.after_cancel") == 1


async def test_cancel_through_task_cancellation(session: Session, other: Session) -> None:
    async def slow() -> None:
        await asyncio.sleep(30)

    await other.register(slow, "com.slow.task")
    sent = record_sent(session)
    task = asyncio.ensure_future(session.call("com.slow.task"))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert any(isinstance(m, _native.Cancel) for m in sent)


async def test_timeout_is_sent_and_enforced_locally(session: Session, other: Session) -> None:
    interrupted = Inbox()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            interrupted.put(True)
            raise

    await other.register(slow, "com.slow.timeout")
    sent = record_sent(session)
    loop = asyncio.get_running_loop()
    began = loop.time()
    # 1.001 s goes to the router as 2 (whole seconds, as Autobahn sends and Crossbar
    # reads); Crossbar's one-second timer buckets then fire after 1 s at the earliest,
    # so the local timer is the one that fires here.
    with pytest.raises(ApplicationError) as info:
        await session.call("com.slow.timeout", options=CallOptions(timeout=1.001))
    elapsed = loop.time() - began
    assert info.value.error == ApplicationError.TIMEOUT
    assert isinstance(info.value, TimeoutError)  # the seed's ``except TimeoutError``
    assert "timed out after 1.001 seconds" in str(info.value)
    assert 0.95 < elapsed < 1.5
    calls = [m for m in sent if isinstance(m, _native.Call)]
    assert calls[0].options["timeout"] == 2
    cancels = [m for m in sent if isinstance(m, _native.Cancel)]
    assert [c.options for c in cancels] == [{"mode": "killnowait"}]
    await interrupted.wait(1)


async def test_router_timeout_error_has_the_same_type(session: Session, other: Session) -> None:
    """When the router's timeout answers first, the caller sees the same exception type
    (Crossbar answers ``wamp.error.canceled`` "timeout reached")."""

    async def slow() -> None:
        await asyncio.sleep(30)

    await other.register(slow, "com.slow.router_timeout")
    future = session.call("com.slow.router_timeout", options=CallOptions(timeout=1))
    # Stop the local timer: only the router can end this call now.
    session._peer.calls[max(session._peer.calls)].timer.cancel()
    with pytest.raises(CallTimeoutError) as info:
        await asyncio.wait_for(future, 10)
    assert info.value.error == ApplicationError.TIMEOUT


# -- progressive results -------------------------------------------------------------------


async def test_progressive_results(session: Session, other: Session) -> None:
    async def longop(n: int, details: CallDetails) -> int:
        assert details.progress is not None
        for i in range(n):
            details.progress(i, of=n)
        return n

    await other.register(longop, "com.myapp.longop", options=RegisterOptions(details=True))
    progress = Inbox()
    total = await session.call("com.myapp.longop", 3, options=CallOptions(on_progress=progress))
    assert total == 3
    assert progress.items == [((0,), {"of": 3}), ((1,), {"of": 3}), ((2,), {"of": 3})]


async def test_progress_is_none_without_on_progress(session: Session, other: Session) -> None:
    seen = Inbox()
    await other.register(
        lambda details: seen.put(details.progress),
        "com.p.none",
        options=RegisterOptions(details=True),
    )
    await session.call("com.p.none")
    assert seen.items == [None]


@pytest.mark.needs("progressive_call_invocations")
async def test_progressive_call_invocations(session: Session, other: Session) -> None:
    chunks = Inbox()

    def upload(chunk: bytes, details: CallDetails) -> Any:
        chunks.put((chunk, details.is_progress))
        return None if details.is_progress else len(chunks.items)

    await other.register(upload, "com.myapp.upload", options=RegisterOptions(details=True))
    call = session.call_progressive("com.myapp.upload", b"a")
    call.send(b"b")
    result = await asyncio.wait_for(call.finish(b"c"), 5)
    assert result == 3
    assert chunks.items == [(b"a", True), (b"b", True), (b"c", False)]


# -- sharded registration (seed runAt / pkey) ----------------------------------------------


async def test_run_at_maps_to_runmode_and_rkey(session: Session, other: Session) -> None:
    await other.register(lambda order: order["id"], "com.myapp.order.place")
    sent = record_sent(session)
    future = session.call(
        "com.myapp.order.place", order={"id": 7}, options=CallOptions(runAt="partition", pkey=2391)
    )
    call = next(m for m in sent if isinstance(m, _native.Call))
    assert call.options["runmode"] == "partition" and call.options["rkey"] == 2391
    future.cancel()


@pytest.mark.needs("sharded_registration")
async def test_run_at_all_gathers_every_callee(router: Router, session: Session) -> None:
    from pywamp import connect

    async with connect(router.ws_url, router.realm) as a, connect(router.ws_url, router.realm) as b:
        opts = RegisterOptions(invoke="roundrobin")
        await a.register(lambda: "a", "com.myapp.customer.count", options=opts)
        await b.register(lambda: "b", "com.myapp.customer.count", options=opts)
        result = await session.call("com.myapp.customer.count", options=CallOptions(runAt="all"))
        assert sorted(result) == ["a", "b"]


# -- registration forms --------------------------------------------------------------------


class Calculator:
    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    @wamp.register("com.calculator.add")
    def add(self, a: int, b: int) -> int:
        return a + b + self.offset

    @wamp.procedure("com.calculator.square")
    async def square(self, x: int) -> int:
        return x * x + self.offset

    def not_exposed(self) -> None:
        raise AssertionError("must not be registered")


async def test_register_orders_and_bound_methods(session: Session, other: Session) -> None:
    calc = Calculator(100)
    reg1 = await other.register(calc.add, "com.calc.add")  # Autobahn's order
    reg2 = await other.register("com.calc.square", calc.square)  # the seed's order
    assert isinstance(reg1, Registration) and isinstance(reg2, Registration)
    assert reg1.procedure == "com.calc.add" and reg2.procedure == "com.calc.square"
    assert await session.call("com.calc.add", 1, 2) == 103
    assert await session.call("com.calc.square", 3) == 109


async def test_register_decorated_object(session: Session, other: Session) -> None:
    registrations = await other.register(Calculator())
    assert sorted(r.procedure for r in registrations) == [
        "com.calculator.add",
        "com.calculator.square",
    ]
    assert await session.call("com.calculator.add", 2, 3) == 5
    assert await session.call("com.calculator.square", 4) == 16


async def test_register_decorated_object_as_futures(session: Session, other: Session) -> None:
    registrations = await asyncio.gather(*other.register(Calculator(1), prefix="v2."))
    assert sorted(r.procedure for r in registrations) == [
        "v2.com.calculator.add",
        "v2.com.calculator.square",
    ]
    assert await session.call("v2.com.calculator.add", 2, 3) == 6


async def test_register_decorated_function(session: Session, other: Session) -> None:
    @wamp.procedure("com.myapp.hello")
    def hello(msg: str) -> str:
        return f"You said {msg}. I say hello!"

    registration = await other.register(hello)
    assert registration.procedure == "com.myapp.hello"
    assert await session.call("com.myapp.hello", "foooo") == "You said foooo. I say hello!"


async def test_unregister_by_handle_and_by_session(session: Session, other: Session) -> None:
    reg1 = await other.register(lambda: 1, "com.unreg.one")
    reg2 = await other.register(lambda: 2, "com.unreg.two")
    assert await session.call("com.unreg.one") == 1
    await reg1.unregister()
    await other.unregister(reg2)
    assert not reg1.active and not reg2.active
    for uri in ("com.unreg.one", "com.unreg.two"):
        with pytest.raises(ApplicationError) as info:
            await session.call(uri)
        assert info.value.error == ApplicationError.NO_SUCH_PROCEDURE


async def test_procedure_already_exists(other: Session, session: Session) -> None:
    await other.register(lambda: 1, "com.taken")
    with pytest.raises(ApplicationError) as info:
        await session.register(lambda: 2, "com.taken")
    assert info.value.error == ApplicationError.PROCEDURE_ALREADY_EXISTS


async def test_shared_registration_roundrobin(session: Session, other: Session) -> None:
    opts = RegisterOptions(invoke="roundrobin")
    await other.register(lambda: "other", "com.shared", options=opts)
    await session.register(lambda: "session", "com.shared", options=opts)
    results = [await session.call("com.shared") for _ in range(4)]
    assert sorted(results) == ["other", "other", "session", "session"]


# -- invocation details --------------------------------------------------------------------


async def test_call_details(session: Session, other: Session) -> None:
    seen = Inbox()
    await other.register(
        lambda x, details: seen.put(details), "com.d.kw", options=RegisterOptions(details=True)
    )
    await other.register(
        lambda x, info: seen.put(info), "com.d.arg", options=RegisterOptions(details_arg="info")
    )

    def seed_style(x: int, invocation: Any = Invocation) -> None:
        seen.put(invocation)

    await other.register(seed_style, "com.d.seed")
    for uri in ("com.d.kw", "com.d.arg", "com.d.seed"):
        await session.call(uri, 1)
    for details, uri in zip(seen.items, ("com.d.kw", "com.d.arg", "com.d.seed"), strict=True):
        assert isinstance(details, CallDetails)
        assert details.caller == session.session_id
        assert details.caller_authrole == "anonymous"
        assert details.procedure == uri
        assert details.registration.procedure == uri


async def test_concurrent_async_endpoints(session: Session, other: Session) -> None:
    gate = asyncio.Event()

    async def wait(i: int) -> int:
        await gate.wait()
        return i

    await other.register(wait, "com.concurrent")
    futures = [session.call("com.concurrent", i) for i in range(20)]
    await asyncio.sleep(0.1)
    gate.set()
    assert await asyncio.gather(*futures) == list(range(20))


# -- URI patterns --------------------------------------------------------------------------


async def test_pattern_registrations(session: Session, other: Session) -> None:
    seen = Inbox()
    await other.register(
        lambda details: seen.put(details.procedure),
        "com.myapp.task..delete",
        options=RegisterOptions(match="wildcard", details=True),
    )
    await other.register(
        lambda details: seen.put(details.procedure),
        "com.myapp.files.",
        options=RegisterOptions(match="prefix", details=True),
    )
    await session.call("com.myapp.task.t130.delete")
    await session.call("com.myapp.files.a.b.c")
    assert seen.items == ["com.myapp.task.t130.delete", "com.myapp.files.a.b.c"]


class Items:
    @wamp.register("com.myapp.item.<item_id:int>.get_name")
    def get_item_name(self, item_id: int) -> str:
        return f"item-{item_id + 1}"

    @wamp.register("com.myapp.<obj_type>.<obj_id>.describe")
    def describe(self, obj_type: str, obj_id: str, verbose: bool = False) -> list[Any]:
        return [obj_type, obj_id, verbose]

    @wamp.register("com.myapp.proc.<path:suffix>")
    def generic(self, *args: Any, path: str) -> list[Any]:
        return [path, *args]


async def test_decorator_patterns_bind_components(session: Session, other: Session) -> None:
    sent = record_sent(other)
    await other.register(Items())
    registers = {m.procedure: m.options for m in sent if isinstance(m, _native.Register)}
    assert registers == {
        "com.myapp.item..get_name": {"match": "wildcard"},
        "com.myapp...describe": {"match": "wildcard"},
        "com.myapp.proc.": {"match": "prefix"},
    }
    assert await session.call("com.myapp.item.41.get_name") == "item-42"
    assert await session.call("com.myapp.user.u7.describe", True) == ["user", "u7", True]
    assert await session.call("com.myapp.proc.echo.deep", 1, 2) == ["echo.deep", 1, 2]


# -- bad use -------------------------------------------------------------------------------


async def test_bad_uri_and_payload_fail_at_once(session: Session) -> None:
    with pytest.raises(InvalidUri):
        session.call("com..bad")
    with pytest.raises(TypeError):
        session.call(42)  # type: ignore[arg-type]
    with pytest.raises(SerializationError):
        session.call("com.payload", object())
    with pytest.raises(InvalidUri):
        session.register(lambda: 1, "com. bad")
    with pytest.raises(TypeError):
        session.register(lambda: 1, "com.ok", options=CallOptions())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        session.register(lambda: 1)
    # Nothing was left pending by the failures.
    assert not session._peer.calls and not session._peer.registers


async def test_pending_calls_fail_when_the_transport_drops(
    session: Session, other: Session
) -> None:
    async def never() -> None:
        await asyncio.sleep(60)

    await other.register(never, "com.never")
    futures = [session.call("com.never") for _ in range(3)]
    await asyncio.sleep(0.05)
    # Queued in this loop turn, dropped with the connection: never answered.
    futures.append(session.register(lambda: 1, "com.never.reg"))
    futures.append(session.subscribe(lambda: 1, "com.never.topic"))
    futures.append(session.publish("com.never.topic", options=PublishOptions(acknowledge=True)))
    session.transport.abort()
    for future in futures:
        with pytest.raises(TransportLost):
            await asyncio.wait_for(future, 5)
    await eventually(lambda: not session.is_connected())
    with pytest.raises(TransportLost):
        session.call("com.never")
    with pytest.raises(TransportLost):
        session.publish("com.topic")


async def test_actions_after_leave_fail(session: Session) -> None:
    await session.leave()
    with pytest.raises((SessionNotReady, TransportLost)):
        session.call("com.any")
    with pytest.raises((SessionNotReady, TransportLost)):
        session.register(lambda: 1, "com.any")


#: How each router refuses a call to a callee at its concurrency limit.
CONCURRENCY_ERROR = {
    "crossbar": "crossbar.error.max_concurrency_reached",
    "pywamp": "wamp.error.no_available_callee",
}


async def test_register_concurrency_limit(router: Router, session: Session, other: Session) -> None:
    gate = asyncio.Event()

    async def one_at_a_time() -> str:
        await gate.wait()
        return "ok"

    await other.register(one_at_a_time, "com.limited", options=RegisterOptions(concurrency=1))
    first = session.call("com.limited")
    await asyncio.sleep(0.1)
    with pytest.raises(ApplicationError) as info:
        await session.call("com.limited")
    assert info.value.error == CONCURRENCY_ERROR[router.name]
    gate.set()
    assert await first == "ok"


PAYLOAD = [
    b"\x00\xffbinary",
    "unicode ✓ \u2603",
    2**53,
    -1.5,
    None,
    True,
    {"nested": [{"deep": [1, [2, [3]]]}], "empty": {}},
    [],
]


@pytest.mark.parametrize("serializer", ["json", "msgpack", "cbor"])
@pytest.mark.parametrize("kind", ["websocket", "rawsocket"])
async def test_payload_round_trip(
    router: Router, other: Session, serializer: str, kind: str
) -> None:
    """Values survive caller -> router -> callee -> router -> caller for each serializer
    (the callee speaks msgpack over RawSocket, so the router converts between them)."""
    from pywamp import connect

    seen = Inbox()

    def echo(*args: Any, **kwargs: Any) -> CallResult:
        seen.put((list(args), kwargs))
        return CallResult(*args, **kwargs)

    await other.register(echo, f"com.echo.{serializer}.{kind}")
    async with connect(router.url(kind), router.realm, serializer=serializer) as caller:
        result = await caller.call(f"com.echo.{serializer}.{kind}", *PAYLOAD, key=PAYLOAD)
    assert list(result.results) == PAYLOAD and result.kwresults == {"key": PAYLOAD}
    assert seen.items == [(PAYLOAD, {"key": PAYLOAD})]


async def test_check_types(session: Session, other: Session) -> None:
    def add(a: int, b: int | None = None) -> int:
        return a + (b or 0)

    await other.register(add, "com.typed.add", check_types=True)
    assert await session.call("com.typed.add", 1, 2) == 3
    with pytest.raises(ApplicationError) as info:
        await session.call("com.typed.add", "1", 2)
    assert info.value.error == ApplicationError.TYPE_CHECK_ERROR
    assert "'a' expected type=int got=str" in str(info.value.args)
