"""Every Twisted example of the seed ("Programming with WAMP"), run as written against a
real router: plain Deferreds, inlineCallbacks, gatherResults, decorators and patterns.

``print`` is shadowed per test to record what the program prints.
"""

from __future__ import annotations

from typing import Any

import pytest
from routers import Router
from twisted.internet import defer
from twisted.internet.defer import gatherResults
from tx_helpers import DecoratedCalculator, close, joined, register_all, seed

from pywamp import wamp
from pywamp.twisted.util import sleep
from pywamp.twisted.wamp import ApplicationSession
from pywamp.wamp.exception import ApplicationError, CanceledError
from pywamp.wamp.types import CallOptions, Invocation


def sales_backend(session: ApplicationSession) -> Any:
    sales = {"product1": 10, "product2": 20, "product3": 30, "product5": 50}
    return register_all(
        session,
        {
            "com.timeservice.now": lambda: "2014-02-04T12:00:00Z",
            "com.myapp.sales_by_product": lambda p: sleep(0.01).addCallback(lambda _: sales[p]),
            "com.calculator.square": lambda x: x * x,
        },
    )


def test_calling_with_deferreds_and_inline_callbacks(run: Any, router: Router) -> None:
    def program(session: ApplicationSession, print: Any) -> Any:
        now = yield session.call("com.timeservice.now")
        print(now)
        d = session.call("com.timeservice.now")
        d.addCallback(print)
        yield d
        d = session.call("com.timeservice.now")
        d.addCallback(lambda now: f"Now: {now}")
        d.addCallback(print)
        yield d

        def success(now: Any) -> None:
            print(f"Now: {now}")

        d = session.call("com.timeservice.now")
        d.addCallback(success)
        yield d

    assert seed(run, router, program, sales_backend) == [
        "2014-02-04T12:00:00Z",
        "2014-02-04T12:00:00Z",
        "Now: 2014-02-04T12:00:00Z",
        "Now: 2014-02-04T12:00:00Z",
    ]


def test_batching_calls(run: Any, router: Router) -> None:
    def program(session: ApplicationSession, print: Any) -> Any:
        sales = yield session.call("com.myapp.sales_by_product", "product1")
        sales_sq = yield session.call("com.calculator.square", sales)
        print(f"Squared sales: {sales_sq}")
        d1 = session.call("com.myapp.sales_by_product", "product1")
        d2 = session.call("com.myapp.sales_by_product", "product2")
        sales1 = yield d1
        print(f"Sales 1: {sales1}")
        sales2 = yield d2
        print(f"Sales 2: {sales2}")

        def print_sales(sales: Any, product: Any) -> None:
            print(f"Sales {product}: {sales}")

        d1 = session.call("com.myapp.sales_by_product", "product1")
        d2 = session.call("com.myapp.sales_by_product", "product2")
        d1.addCallback(print_sales, 1)
        d2.addCallback(print_sales, 2)
        yield gatherResults([d1, d2])
        sales = []
        for product in ["product2", "product3", "product5"]:
            sales.append((yield session.call("com.myapp.sales_by_product", product)))
        print(f"Sales: {sales}")
        dl = []
        for product in ["product2", "product3", "product5"]:
            dl.append(session.call("com.myapp.sales_by_product", product))
        sales = yield gatherResults(dl)
        print(f"Sales: {sales}")
        dl = []
        for product in ["product2", "product3", "product5"]:
            d = session.call("com.myapp.sales_by_product", product)
            d.addCallback(print_sales, product)
            dl.append(d)
        yield gatherResults(dl)

    printed = seed(run, router, program, sales_backend)
    assert printed[:3] == ["Squared sales: 100", "Sales 1: 10", "Sales 2: 20"]
    assert sorted(printed[3:5]) == ["Sales 1: 10", "Sales 2: 20"]
    assert printed[5:7] == ["Sales: [20, 30, 50]", "Sales: [20, 30, 50]"]
    assert sorted(printed[7:]) == ["Sales product2: 20", "Sales product3: 30", "Sales product5: 50"]


def test_complex_results_errors_cancel_timeout_progress(run: Any, router: Router) -> None:
    def complex_add(*args: Any, **kwargs: Any) -> Any:
        from pywamp.wamp.types import CallResult

        if args:
            return CallResult(args[0] + args[2], args[1] + args[3])
        a, b = kwargs["a"], kwargs["b"]
        return CallResult(real=a[0] + b[0], imag=a[1] + b[1])

    def sqrt(x: float) -> float:
        if x < 0:
            raise ApplicationError("com.calculator.negative", "cannot take sqrt of negative")
        return float(x) ** 0.5

    @defer.inlineCallbacks
    def log_delete(details: Any = Invocation) -> Any:
        for n in (10, 20):
            details.progress(n)
            yield sleep(0.01)
        return 30

    def backend(session: ApplicationSession) -> Any:
        return register_all(
            session,
            {
                "com.math.complex.add": complex_add,
                "com.calculator.sqrt": sqrt,
                "com.myapp.longop": lambda: sleep(0.5),
                "com.myapp.log.delete": log_delete,
            },
        )

    def program(session: ApplicationSession, print: Any) -> Any:
        c = yield session.call("com.math.complex.add", 5, 8, 2, 3)
        print(f"Result: {c.results[0]} + {c.results[1]}i")
        c = yield session.call("com.math.complex.add", a=(5, 8), b=(2, 3))
        print("Result: {} + {}i".format(c.kwresults["real"], c.kwresults["imag"]))
        try:
            res = yield session.call("com.calculator.sqrt", -1)
        except ApplicationError as err:
            print(f"Error: {err.error}")
        else:
            print(f"Result: {res}")

        def success(res: Any) -> None:
            print(f"Result: {res}")

        def failed(failure: Any) -> None:
            err = failure.value
            print(f"Error: {err.error}")

        d = session.call("com.calculator.sqrt", -1)
        d.addCallbacks(success, failed)
        yield d

        def done(res: Any) -> None:
            print("Alrighty.")

        def nope(err: Any) -> None:
            if isinstance(err.value, CanceledError):
                print("Canceled.")
            else:
                print(f"Error: {err}")

        d = session.call("com.myapp.longop")
        d.addCallbacks(done, nope)
        d.cancel()
        yield d
        try:
            total = yield session.call("com.myapp.longop", options=CallOptions(timeout=0.2))
        except TimeoutError:
            print("Giving up.")
        except Exception as err:
            print(f"Error: {err}")
        else:
            print(total)

        def deletedSoFar(n: int) -> None:
            print(f"{n} items deleted so far ..")

        total = yield session.call(
            "com.myapp.log.delete", options=CallOptions(onProgress=deletedSoFar)
        )
        print(f"{total} items deleted in total.")
        # Let the invocation cancelled with mode "skip" end before the callee leaves:
        # Crossbar keeps a registration whose callee leaves with one outstanding.
        yield sleep(0.5)

    assert seed(run, router, program, backend) == [
        "Result: 7 + 11i",
        "Result: 7 + 11i",
        "Error: com.calculator.negative",
        "Error: com.calculator.negative",
        "Canceled.",
        "Giving up.",
        "10 items deleted so far ..",
        "20 items deleted so far ..",
        "30 items deleted in total.",
    ]


class Calculator:
    def add(self, a: int, b: int) -> int:
        return a + b

    def square(self, x: int) -> int:
        return x * x


def test_registering_endpoints(run: Any, router: Router) -> None:
    def hello(msg: str) -> str:
        return f"You said {msg}. I say hello!"

    @wamp.procedure("com.myapp.hello2")
    def hello2(msg: str) -> str:
        return f"You said {msg}. I say hello!"

    def program(session: ApplicationSession, print: Any) -> Any:
        try:
            registration = yield session.register("com.myapp.hello", hello)
        except ApplicationError as err:
            print(f"Registration failed: {err}")
        else:
            print("Ok, endpoint registered!")
        res = yield session.call("com.myapp.hello", "foooo")
        print(res)
        calc = Calculator()
        yield session.register("com.calculator.add", calc.add)
        yield session.register("com.calculator.square", calc.square)
        print((yield session.call("com.calculator.add", 2, 3)))
        try:
            dl = []
            dl.append(session.register("com.calculator.add", calc.add))
            dl.append(session.register("com.calculator.square", calc.square))
            regs = yield gatherResults(dl)
        except Exception as err:
            print(f"Registration failed: {err.subFailure.value.error}")  # type: ignore[attr-defined]
        else:
            print(f"Ok, {len(regs)} object endpoints registered!")
        yield session.unregister(registration)
        print("Ok, endpoint unregistered!")
        yield session.register(hello2)
        print((yield session.call("com.myapp.hello2", "bar")))
        other = yield joined(router.unix_url, router.realm)
        try:
            registrations = yield defer.gatherResults(other.register(DecoratedCalculator()))
        except Exception as err:
            print(f"Registration failed: {err.subFailure.value.error}")  # type: ignore[attr-defined]
        else:
            print(f"Ok, {len(registrations)} object endpoints registered!")
        yield close(other)

    assert seed(run, router, program) == [
        "Ok, endpoint registered!",
        "You said foooo. I say hello!",
        "5",
        "Registration failed: wamp.error.procedure_already_exists",
        "Ok, endpoint unregistered!",
        "You said bar. I say hello!",
        "Registration failed: wamp.error.procedure_already_exists",
    ]


@pytest.mark.parametrize("delay", [0.01])
def test_inline_callbacks_slow_square(run: Any, delay: float) -> None:
    """The seed's introduction: ``sleep`` and ``returnValue`` inline."""

    @defer.inlineCallbacks
    def slow_square(x: int) -> Any:
        yield sleep(delay)
        defer.returnValue(x * x)

    with pytest.warns(DeprecationWarning):
        assert run(slow_square, 3) == 9
