"""The seed's callee examples on Twisted, as written (``yield`` in ``inlineCallbacks``),
against Crossbar.io and pywamp's router: argument shapes, distributed calls, objects
with decorated methods, progressive results, invocation details, pattern registrations.

The seed printed its URI patterns with the ``<name>`` placeholders lost
(``com.myapp.task..delete``); the decorator examples restore them.
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
from pywamp.wamp.exception import ApplicationError
from pywamp.wamp.types import CallOptions, Invocation, PublishOptions, RegisterOptions


def test_call_argument_shapes(run: Any, router: Router) -> None:
    votes: list[str] = []

    def backend(session: ApplicationSession) -> Any:
        return register_all(
            session,
            {
                "com.supervotes.vote": votes.append,
                "com.myapp.ping": lambda: None,
                "com.myapp.add2": lambda a, b: a + b,
                "com.myapp.getuser": lambda nick, stars: f"{nick} ({'*' * stars})",
                "com.myapp.getorders": lambda product, limit: [f"{product}-{limit}"],
            },
        )

    def program(session: ApplicationSession, print: Any) -> Any:
        print((yield session.call("com.supervotes.vote", "cherrycream")))
        print((yield session.call("com.myapp.ping")))
        result = yield session.call("com.myapp.add2", 2, 5)
        print(result)
        result = yield session.call("com.myapp.getuser", nick="homer", stars=5)
        print(result)
        result = yield session.call("com.myapp.getorders", "product5", limit=10)
        print(result)

    printed = seed(run, router, program, backend)
    assert printed == ["None", "None", "7", "homer (*****)", "['product5-10']"]
    assert votes == ["cherrycream"]


@pytest.mark.needs("sharded_registration")
def test_distributed_calls(run: Any, router: Router) -> None:
    """``runAt="all"`` gives the list of the results of every callee (API.md)."""
    opts = RegisterOptions(invoke="roundrobin")

    def backend(session: ApplicationSession) -> Any:
        return session.register(lambda: 1, "com.myapp.customer.count", options=opts)

    def program(session: ApplicationSession, print: Any) -> Any:
        yield session.register(lambda: 2, "com.myapp.customer.count", options=opts)
        result = yield session.call("com.myapp.customer.count", options=CallOptions(runAt="all"))
        print(sorted(result))

    assert seed(run, router, program, backend) == ["[1, 2]"]


def test_distributed_call_any_and_partition(run: Any, router: Router) -> None:
    pages: list[str] = []

    def backend(session: ApplicationSession) -> Any:
        return register_all(
            session,
            {
                "com.myapp.pageview.log": lambda page: pages.append(page),
                "com.myapp.order.place": lambda order: f"placed {order['id']}",
            },
        )

    def program(session: ApplicationSession, print: Any) -> Any:
        yield session.call(
            "com.myapp.pageview.log",
            page="http://www.myapp.com/page1.html",
            options=CallOptions(runAt="any"),
        )
        result = yield session.call(
            "com.myapp.order.place",
            order={"id": 7},
            options=CallOptions(runAt="partition", pkey=2391),
        )
        print(result)

    assert seed(run, router, program, backend) == ["placed 7"]
    assert pages == ["http://www.myapp.com/page1.html"]


def test_yield_register_object_gives_the_registrations(run: Any, router: Router) -> None:
    """``yield session.register(obj)`` waits for every registration (Autobahn on Twisted);
    the same object iterates as the individual Deferreds (the seed's gatherResults)."""

    def program(session: ApplicationSession, print: Any) -> Any:
        registrations = yield session.register(DecoratedCalculator())
        print(sorted(r.procedure for r in registrations))
        print((yield session.call("com.calculator.add", 2, 3)))
        pending = session.register(DecoratedCalculator())
        print(len(pending), all(isinstance(d, defer.Deferred) for d in pending))
        try:
            yield pending
        except ApplicationError as err:
            print(f"Registration failed: {err.error}")
        for registration in registrations:
            yield registration.unregister()
        regs = yield gatherResults(session.register(DecoratedCalculator()))
        print(f"Ok, {len(regs)} object endpoints registered!")
        print((yield session.call("com.calculator.square", 4)))

    assert seed(run, router, program) == [
        "['com.calculator.add', 'com.calculator.square']",
        "5",
        "2 True",
        "Registration failed: wamp.error.procedure_already_exists",
        "Ok, 2 object endpoints registered!",
        "16",
    ]


def test_yield_subscribe_object_gives_the_subscriptions(run: Any, router: Router) -> None:
    class Watcher:
        def __init__(self) -> None:
            self.seen: defer.Deferred[Any] = defer.Deferred()

        @wamp.topic("com.myapp.product.on_create")
        def on_create(self, id: int) -> None:
            self.seen.callback(id)

        @wamp.topic("com.myapp.product.on_delete")
        def on_delete(self, id: int) -> None:
            """Subscribed but not published to."""

    watcher = Watcher()

    def backend(session: ApplicationSession) -> Any:
        return session.subscribe(watcher)

    def program(session: ApplicationSession, print: Any) -> Any:
        session.publish("com.myapp.product.on_create", 103)
        print((yield watcher.seen))

    assert seed(run, router, program, backend) == ["103"]


def test_producing_progressive_results(run: Any, router: Router) -> None:
    @defer.inlineCallbacks
    def longop(n: int, invocation: Any = Invocation) -> Any:
        for i in range(n):
            invocation.progress(i)
            yield sleep(0.01)
        return n

    def backend(session: ApplicationSession) -> Any:
        return session.register("com.myapp.longop_progress", longop)

    def program(session: ApplicationSession, print: Any) -> Any:
        def processedSoFar(i: int) -> None:
            print(f"{i} items processed so far ..")

        total = yield session.call(
            "com.myapp.longop_progress", 10, options=CallOptions(onProgress=processedSoFar)
        )
        print(f"{total} items deleted in total.")

    assert seed(run, router, program, backend) == [
        *(f"{i} items processed so far .." for i in range(10)),
        "10 items deleted in total.",
    ]


def test_registration_with_invocation_details(run: Any, router: Router) -> None:
    """The endpoint notifies all but the caller; a third session sees the event."""
    deleted: list[str] = []
    caller_saw: list[Any] = []
    watcher_saw: defer.Deferred[Any] = defer.Deferred()

    def program(session: ApplicationSession, print: Any) -> Any:
        callee = yield joined(router.unix_url, router.realm, serializers=["cbor"])
        watcher = yield joined(router.rs_url, router.realm, serializers=["json"])
        try:

            def deleteTask(taskId: str, invocation: Any = Invocation) -> None:
                deleted.append(taskId)
                # .. and notify all but the caller (options positional, as in the seed)
                callee.publish(
                    "com.myapp.task.on_delete", taskId, PublishOptions(exclude=[invocation.caller])
                )

            yield callee.register("com.myapp.task.delete", deleteTask)
            yield session.subscribe("com.myapp.task.on_delete", caller_saw.append)
            yield watcher.subscribe("com.myapp.task.on_delete", watcher_saw.callback)
            yield session.call("com.myapp.task.delete", "t130")
            print(f"watcher: {(yield watcher_saw)}")
            # An acknowledged publication from the callee arrives after any earlier event.
            yield callee.publish("com.myapp.sync", options=PublishOptions(acknowledge=True))
            yield sleep(0.1)
            print(f"caller: {caller_saw}")
        finally:
            yield close(watcher, callee)

    assert seed(run, router, program) == ["watcher: t130", "caller: []"]
    assert deleted == ["t130"]


def test_pattern_based_registration_with_invocation(run: Any, router: Router) -> None:
    notices: defer.Deferred[Any] = defer.Deferred()

    def backend(session: ApplicationSession) -> Any:
        def deleteTask(invocation: Any = Invocation) -> None:
            # retrieve wildcard component from procedure URI
            taskId = invocation.procedure.split(".")[3]
            session.publish(f"com.myapp.task.{taskId}.on_delete")

        return session.register(
            "com.myapp.task..delete", deleteTask, options=RegisterOptions(match="wildcard")
        )

    def program(session: ApplicationSession, print: Any) -> Any:
        yield session.subscribe(
            "com.myapp.task.t130.on_delete", lambda: notices.callback("t130 deleted")
        )
        yield session.call("com.myapp.task.t130.delete")
        print((yield notices))

    assert seed(run, router, program, backend) == ["t130 deleted"]


def test_pattern_registrations_via_decorators(run: Any, router: Router) -> None:
    db = {"item": {"i1": "Hat"}, "user": {"u1": "Homer"}}
    deleted: list[str] = []

    def backend(session: ApplicationSession) -> Any:
        @wamp.procedure("com.myapp.task.<taskId>.delete")
        def deleteTask(taskId: str) -> None:
            deleted.append(taskId)
            session.publish(f"com.myapp.task.{taskId}.on_delete")

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

        return gatherResults(
            [
                session.register(deleteTask, options=RegisterOptions(match="wildcard")),
                session.register(get_item_name),
                session.register(get_object_name),
            ]
        )

    def program(session: ApplicationSession, print: Any) -> Any:
        yield session.call("com.myapp.task.t130.delete")
        print((yield session.call("com.myapp.item.i1.get_name")))
        print((yield session.call("com.myapp.user.u1.get_name")))
        try:
            yield session.call("com.myapp.car.c1.get_name")
        except ApplicationError as err:
            print(f"Error: {err.error}")

    assert seed(run, router, program, backend) == [
        "Hat",
        "Homer",
        "Error: com.myapp.error.no_such_object_type",
    ]
    assert deleted == ["t130"]


def test_prefix_registration_via_decorator(run: Any, router: Router) -> None:
    @wamp.procedure("com.myapp.<path:suffix>")
    def generic_proc(path: str, *args: Any) -> Any:
        if path == "proc.echo":
            return list(args)
        raise ApplicationError(ApplicationError.NO_SUCH_PROCEDURE, path)

    def backend(session: ApplicationSession) -> Any:
        return session.register(generic_proc)

    def program(session: ApplicationSession, print: Any) -> Any:
        print((yield session.call("com.myapp.proc.echo", 1, "two")))
        try:
            yield session.call("com.myapp.proc.other")
        except ApplicationError as err:
            print(f"Error: {err.error} {list(err.args)}")

    assert seed(run, router, program, backend) == [
        "[1, 'two']",
        "Error: wamp.error.no_such_procedure ['proc.other']",
    ]
