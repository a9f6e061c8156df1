"""The seed guide's "Calling Procedures" and "Registering endpoints" sections, translated
to asyncio and run against a real router.

The seed printed its URI patterns with the ``<name>`` placeholders lost
(``com.myapp.task..delete``); they are restored here (``com.myapp.task.<taskId>.delete``).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import pytest
from helpers import Inbox

from pywamp import wamp
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError
from pywamp.wamp.types import (
    CallOptions,
    CallResult,
    Invocation,
    PublishOptions,
    RegisterOptions,
    Registration,
)

SALES = {"product1": 10, "product2": 20, "product3": 30, "product5": 50}


@pytest.fixture
async def backend(other: Session) -> Session:
    """The procedures the seed's "Calling Procedures" examples call."""
    votes: list[str] = []

    async def sales_by_product(product: str) -> int:
        await asyncio.sleep(0.01 * len(product))
        return SALES[product]

    def sqrt(x: float) -> float:
        if x < 0:
            raise ApplicationError("com.calculator.error.negative", "cannot take sqrt of negative")
        return float(x) ** 0.5

    def complex_add(*args: float, a: Any = None, b: Any = None) -> CallResult:
        if a is not None:
            return CallResult(real=a[0] + b[0], imag=a[1] + b[1])
        return CallResult(args[0] + args[2], args[1] + args[3])

    async def longop() -> None:
        await asyncio.sleep(30)

    async def log_delete(details: Any) -> int:
        for n in (10, 20, 30):
            details.progress(n)
        return 30

    procedures = {
        "com.timeservice.now": lambda: "2014-02-04T10:00:00Z",
        "com.supervotes.vote": votes.append,
        "com.myapp.ping": lambda: None,
        "com.myapp.add2": lambda a, b: a + b,
        "com.myapp.getuser": lambda nick, stars: {"nick": nick, "stars": stars},
        "com.myapp.getorders": lambda product, limit=5: [product] * limit,
        "com.myapp.sales_by_product": sales_by_product,
        "com.calculator.square": lambda x: x * x,
        "com.calculator.sqrt": sqrt,
        "com.math.complex.add": complex_add,
        "com.myapp.longop": longop,
        "com.myapp.votes": lambda: list(votes),
    }
    await asyncio.gather(*(other.register(fn, uri) for uri, fn in procedures.items()))
    await other.register(log_delete, "com.myapp.log.delete", options=RegisterOptions(details=True))
    return other


# -- Calling Procedures: Standard Calls ----------------------------------------------------


async def test_standard_calls(session: Session, backend: Session) -> None:
    now = await session.call("com.timeservice.now")
    assert now == "2014-02-04T10:00:00Z"

    printed: list[str] = []

    def success(future: asyncio.Future[Any]) -> None:
        printed.append(f"Now: {future.result()}")

    f = session.call("com.timeservice.now")
    f.add_done_callback(success)
    await f
    await asyncio.sleep(0)
    assert printed == ["Now: 2014-02-04T10:00:00Z"]

    assert await session.call("com.supervotes.vote", "cherrycream") is None
    assert await session.call("com.myapp.ping") is None
    assert await session.call("com.myapp.add2", 2, 5) == 7
    assert await session.call("com.myapp.getuser", nick="homer", stars=5) == {
        "nick": "homer",
        "stars": 5,
    }
    assert await session.call("com.myapp.getorders", "product5", limit=10) == ["product5"] * 10
    assert await session.call("com.myapp.votes") == ["cherrycream"]


# -- Batching Calls ------------------------------------------------------------------------


async def test_batching_calls(session: Session, backend: Session) -> None:
    sales = await session.call("com.myapp.sales_by_product", "product1")
    sales_sq = await session.call("com.calculator.square", sales)
    assert sales_sq == 100

    d1 = session.call("com.myapp.sales_by_product", "product1")
    d2 = session.call("com.myapp.sales_by_product", "product2")
    assert (await d1, await d2) == (10, 20)

    printed: list[str] = []

    def print_sales(product: str, future: asyncio.Future[Any]) -> None:
        printed.append(f"Sales {product}: {future.result()}")

    fl = []
    for product in ["product2", "product3", "product5"]:
        f = session.call("com.myapp.sales_by_product", product)
        f.add_done_callback(functools.partial(print_sales, product))
        fl.append(f)
    assert await asyncio.gather(*fl) == [20, 30, 50]
    await asyncio.sleep(0)
    assert sorted(printed) == ["Sales product2: 20", "Sales product3: 30", "Sales product5: 50"]

    async def get_and_print_sales(product: str) -> None:
        sales = await session.call("com.myapp.sales_by_product", product)
        printed.append(f"Sales {product}: {sales}")

    printed.clear()
    tasks = [
        asyncio.ensure_future(get_and_print_sales(p)) for p in ["product2", "product3", "product5"]
    ]
    await asyncio.wait(tasks)
    assert sorted(printed) == ["Sales product2: 20", "Sales product3: 30", "Sales product5: 50"]


# -- Calls with complex results ------------------------------------------------------------


async def test_complex_results(session: Session, backend: Session) -> None:
    c = await session.call("com.math.complex.add", 5, 8, 2, 3)
    assert f"Result: {c.results[0]} + {c.results[1]}i" == "Result: 7 + 11i"
    c = await session.call("com.math.complex.add", a=(5, 8), b=(2, 3))
    assert f"Result: {c.kwresults['real']} + {c.kwresults['imag']}i" == "Result: 7 + 11i"


# -- Handling errors -----------------------------------------------------------------------


async def test_handling_errors(session: Session, backend: Session) -> None:
    try:
        res = await session.call("com.calculator.sqrt", -1)
    except ApplicationError as err:
        printed = f"Error: {err}"
    else:
        printed = f"Result: {res}"
    assert printed.startswith("Error: ApplicationError(error=<com.calculator.error.negative>")

    outcome: list[str] = []

    def done(future: asyncio.Future[Any]) -> None:
        try:
            res = future.result()
        except Exception as err:
            outcome.append(f"Error: {type(err).__name__}")
        else:
            outcome.append(f"Result: {res}")

    f = session.call("com.calculator.sqrt", -1)
    f.add_done_callback(done)
    with pytest.raises(ApplicationError):
        await f
    g = session.call("com.calculator.sqrt", 16)
    g.add_done_callback(done)
    await g
    await asyncio.sleep(0)
    assert outcome == ["Error: ApplicationError", "Result: 4.0"]


# -- Canceling calls, Call timeout ---------------------------------------------------------


async def test_canceling_calls(session: Session, backend: Session) -> None:
    seen: list[str] = []

    def done(future: asyncio.Future[Any]) -> None:
        seen.append("Canceled." if future.cancelled() else "Alrighty.")

    f = session.call("com.myapp.longop")
    f.add_done_callback(done)
    f.cancel()
    await asyncio.sleep(0)
    assert seen == ["Canceled."]


async def test_call_timeout(session: Session, backend: Session) -> None:
    try:
        await session.call("com.myapp.longop", options=CallOptions(timeout=1))
    except TimeoutError:
        printed = "Giving up."
    except Exception as err:
        printed = f"Error: {err}"
    assert printed == "Giving up."


# -- Call with progressive results ---------------------------------------------------------


async def test_call_with_progressive_results(session: Session, backend: Session) -> None:
    deleted: list[str] = []

    def deleted_so_far(n: int) -> None:
        deleted.append(f"{n} items deleted so far ..")

    total = await session.call(
        "com.myapp.log.delete", options=CallOptions(onProgress=deleted_so_far)
    )
    assert total == 30
    assert deleted == [f"{n} items deleted so far .." for n in (10, 20, 30)]


# -- Distributed calls ---------------------------------------------------------------------


@pytest.mark.needs("sharded_registration")
async def test_distributed_calls(session: Session, other: Session) -> None:
    opts = RegisterOptions(invoke="roundrobin")
    await other.register(lambda: 1, "com.myapp.customer.count", options=opts)
    await session.register(lambda: 2, "com.myapp.customer.count", options=opts)
    result = await session.call("com.myapp.customer.count", options=CallOptions(runAt="all"))
    assert sorted(result) == [1, 2]


async def test_distributed_call_any(session: Session, other: Session) -> None:
    pages = Inbox()
    await other.register(lambda page: pages.put(page), "com.myapp.pageview.log")
    await session.call(
        "com.myapp.pageview.log",
        page="http://www.myapp.com/page1.html",
        options=CallOptions(runAt="any"),
    )
    assert pages.items == ["http://www.myapp.com/page1.html"]


@pytest.mark.needs("sharded_registration")
async def test_distributed_call_partition(session: Session, other: Session) -> None:
    """``runAt="partition", pkey=...``: one key always reaches the same callee."""
    opts = RegisterOptions(invoke="roundrobin")
    await other.register(
        lambda order: ("other", order["id"]), "com.myapp.order.place", options=opts
    )
    await session.register(
        lambda order: ("self", order["id"]), "com.myapp.order.place", options=opts
    )
    placed = [
        await session.call(
            "com.myapp.order.place",
            order={"id": n},
            options=CallOptions(runAt="partition", pkey=2391),
        )
        for n in range(4)
    ]
    assert [order for _, order in placed] == [0, 1, 2, 3]
    assert len({owner for owner, _ in placed}) == 1


# -- Registering endpoints: Basic registration ---------------------------------------------


async def test_basic_registration(session: Session, other: Session) -> None:
    def hello(msg: str) -> str:
        return f"You said {msg}. I say hello!"

    try:
        await other.register("com.myapp.hello", hello)
    except ApplicationError as err:
        raise AssertionError(f"Registration failed: {err}") from err
    res = await session.call("com.myapp.hello", "foooo")
    assert res == "You said foooo. I say hello!"


class Calculator:
    def add(self, a: int, b: int) -> int:
        return a + b

    def square(self, x: int) -> int:
        return x * x


async def test_registering_object_methods(session: Session, other: Session) -> None:
    calc = Calculator()
    await other.register("com.calculator.add", calc.add)
    await other.register("com.calculator.square", calc.square)
    assert await session.call("com.calculator.add", 2, 3) == 5
    assert await session.call("com.calculator.square", 3) == 9


async def test_batched_registrations(session: Session, other: Session) -> None:
    calc = Calculator()
    dl = [
        other.register("com.calculator.add", calc.add),
        other.register("com.calculator.square", calc.square),
    ]
    regs = await asyncio.gather(*dl)
    assert f"Ok, {len(regs)} object endpoints registered!" == "Ok, 2 object endpoints registered!"
    assert await session.call("com.calculator.square", 5) == 25


# -- Registrations via decorators ----------------------------------------------------------


@wamp.procedure("com.myapp.hello")
def hello(msg: str) -> str:
    return f"You said {msg}. I say hello!"


class DecoratedCalculator:
    @wamp.procedure("com.calculator.add")
    def add(self, a: int, b: int) -> int:
        return a + b

    @wamp.procedure("com.calculator.square")
    def square(self, x: int) -> int:
        return x * x


async def test_registrations_via_decorators(session: Session, other: Session) -> None:
    await other.register(hello)
    assert await session.call("com.myapp.hello", "x") == "You said x. I say hello!"
    calc = DecoratedCalculator()
    registrations = await asyncio.gather(*other.register(calc))
    assert (
        f"Ok, {len(registrations)} object endpoints registered!"
        == "Ok, 2 object endpoints registered!"
    )
    assert await session.call("com.calculator.add", 20, 22) == 42


# -- Unregistering -------------------------------------------------------------------------


async def test_unregistering(session: Session, other: Session) -> None:
    registration = await other.register("com.myapp.hello", hello)
    assert isinstance(registration, Registration)  # as autobahn.wamp.types names it
    assert registration.procedure == "com.myapp.hello" and registration.active
    await other.unregister(registration)
    assert not registration.active
    with pytest.raises(ApplicationError) as info:
        await session.call("com.myapp.hello", "anyone?")
    assert info.value.error == ApplicationError.NO_SUCH_PROCEDURE


# -- Producing progressive results in invocations ------------------------------------------


async def test_producing_progressive_results(session: Session, other: Session) -> None:
    async def longop(n: int, invocation: Any = Invocation) -> int:
        for i in range(n):
            invocation.progress(i)
            await asyncio.sleep(0.01)
        return n

    await other.register("com.myapp.longop", longop)
    processed: list[str] = []

    def processed_so_far(i: int) -> None:
        processed.append(f"{i} items processed so far ..")

    total = await session.call(
        "com.myapp.longop", 10, options=CallOptions(onProgress=processed_so_far)
    )
    assert total == 10
    assert processed == [f"{i} items processed so far .." for i in range(10)]


# -- Registration with invocation details --------------------------------------------------


async def test_registration_with_invocation_details(
    session: Session, other: Session, router: Any
) -> None:
    from pywamp import connect

    deleted: list[str] = []

    def delete_task(task_id: str, invocation: Any = Invocation) -> None:
        deleted.append(task_id)
        # .. and notify all but the caller (options passed positionally, as in the seed)
        other.publish(
            "com.myapp.task.on_delete", task_id, PublishOptions(exclude=[invocation.caller])
        )

    await other.register("com.myapp.task.delete", delete_task)
    caller_events, watcher_events = Inbox(), Inbox()
    await session.subscribe("com.myapp.task.on_delete", caller_events)
    async with connect(router.ws_url, router.realm) as watcher:
        await watcher.subscribe("com.myapp.task.on_delete", watcher_events)
        await session.call("com.myapp.task.delete", "t130")
        assert await watcher_events.wait() == [(("t130",), {})]
    assert deleted == ["t130"]
    assert await caller_events.quiet() == []


# -- Pattern-based registrations -----------------------------------------------------------


async def test_pattern_based_registration(session: Session, other: Session) -> None:
    notices = Inbox()
    await session.subscribe("com.myapp.task.t130.on_delete", notices)

    def delete_task(invocation: Any = Invocation) -> None:
        task_id = invocation.procedure.split(".")[3]
        other.publish(f"com.myapp.task.{task_id}.on_delete")

    await other.register(
        "com.myapp.task..delete", delete_task, options=RegisterOptions(match="wildcard")
    )
    await session.call("com.myapp.task.t130.delete")
    assert await notices.wait() == [((), {})]


async def test_pattern_registration_via_decorators(session: Session, other: Session) -> None:
    db = {"item": {"i1": "Hat"}, "user": {"u1": "Homer"}}
    deleted: list[str] = []

    @wamp.procedure("com.myapp.task.<taskId>.delete")
    def deleteTask(taskId: str) -> None:
        deleted.append(taskId)
        other.publish(f"com.myapp.task.{taskId}.on_delete")

    @wamp.procedure("com.myapp.item.<id>.get_name")
    def get_item_name(id: str) -> str:
        return db["item"][id]

    @wamp.procedure("com.myapp.<obj_type>.<id>.get_name")
    def get_object_name(obj_type: str, id: str) -> str:
        if obj_type == "item":
            return db["item"][id]
        elif obj_type == "user":
            return db["user"][id]
        else:
            raise ApplicationError("com.myapp.error.no_such_object_type")

    await other.register(deleteTask, options=RegisterOptions(match="wildcard"))
    await other.register(get_item_name)
    await other.register(get_object_name)

    await session.call("com.myapp.task.t130.delete")
    assert deleted == ["t130"]
    # Exact beats prefix, the longer literal run beats the shorter one among wildcards.
    assert await session.call("com.myapp.item.i1.get_name") == "Hat"
    assert await session.call("com.myapp.user.u1.get_name") == "Homer"
    with pytest.raises(ApplicationError) as info:
        await session.call("com.myapp.car.c1.get_name")
    assert info.value.error == "com.myapp.error.no_such_object_type"


async def test_prefix_registration_via_decorator(session: Session, other: Session) -> None:
    """The seed's ``generic_proc(path)`` on ``com.myapp.<path:suffix>``. On its own: a
    prefix registration wins over every wildcard one (the spec's precedence)."""

    @wamp.procedure("com.myapp.<path:suffix>")
    def generic_proc(path: str, *args: Any) -> Any:
        if path == "proc.echo":
            return list(args)
        raise ApplicationError(ApplicationError.NO_SUCH_PROCEDURE, path)

    await other.register(generic_proc)
    assert await session.call("com.myapp.proc.echo", 1, "two") == [1, "two"]
    with pytest.raises(ApplicationError) as info:
        await session.call("com.myapp.proc.other")
    assert info.value.args == ("proc.other",)
