"""pywamp and a real Autobahn|Python asyncio client on the same router: calls both ways,
errors, progress, cancellation, and pub/sub both ways."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationRunner as AbRunner  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession as AbSession  # noqa: E402
from autobahn.wamp import types as ab_types  # noqa: E402
from autobahn.wamp.exception import ApplicationError as AbApplicationError  # noqa: E402
from helpers import Inbox, eventually  # noqa: E402
from routers import Router  # noqa: E402

from pywamp import wamp  # noqa: E402
from pywamp.asyncio.wamp import Session  # noqa: E402
from pywamp.exception import ApplicationError  # noqa: E402
from pywamp.wamp.types import (  # noqa: E402
    CallDetails,
    CallOptions,
    CallResult,
    EventDetails,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)


class Joined(AbSession):
    """An Autobahn session that resolves ``joined`` once it is on the realm."""

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self.joined: asyncio.Future[None] = asyncio.get_event_loop().create_future()

    def onJoin(self, details: Any) -> None:
        self.joined.set_result(None)

    def onLeave(self, details: Any) -> None:
        self.disconnect()


@pytest.fixture(params=["json", "msgpack", "cbor"])
async def theirs(router: Router, request: pytest.FixtureRequest) -> AsyncIterator[AbSession]:
    from autobahn.wamp.serializer import create_transport_serializer

    holder: list[Joined] = []

    def make(config: Any) -> Joined:
        holder.append(Joined(config))
        return holder[0]

    runner = AbRunner(
        router.ws_url, router.realm, serializers=[create_transport_serializer(request.param)]
    )
    await runner.run(make, start_loop=False)
    await eventually(lambda: holder)  # Autobahn makes the session after its handshake
    session = holder[0]
    await asyncio.wait_for(session.joined, 5)
    yield session
    if session.is_attached():
        session.leave()
        await asyncio.sleep(0.05)


# -- ours calls theirs ---------------------------------------------------------------------


async def test_pywamp_calls_autobahn(session: Session, theirs: AbSession) -> None:
    def add(a: int, b: int) -> int:
        return a + b

    def split(text: str) -> Any:
        return ab_types.CallResult(*text.split(), count=len(text.split()))

    def fail(x: Any) -> None:
        raise AbApplicationError("com.interop.error", x, reason="because")

    def broken() -> None:
        raise ValueError("plain")

    async def count(n: int, details: Any = None) -> str:
        for i in range(n):
            details.progress(i)
        return "done"

    await theirs.register(add, "com.ab.add")
    await theirs.register(split, "com.ab.split")
    await theirs.register(fail, "com.ab.fail")
    await theirs.register(broken, "com.ab.broken")
    await theirs.register(
        count, "com.ab.count", options=ab_types.RegisterOptions(details_arg="details")
    )

    assert await session.call("com.ab.add", 2, 3) == 5
    result = await session.call("com.ab.split", "a b c")
    assert isinstance(result, CallResult)
    assert list(result.results) == ["a", "b", "c"] and result.kwresults == {"count": 3}
    with pytest.raises(ApplicationError) as info:
        await session.call("com.ab.fail", {"k": [1]})
    assert info.value.error == "com.interop.error"
    assert info.value.args == ({"k": [1]},) and info.value.kwargs == {"reason": "because"}
    with pytest.raises(ApplicationError) as info:
        await session.call("com.ab.broken")
    assert info.value.error == ApplicationError.RUNTIME_ERROR and info.value.args == ("plain",)
    progress = Inbox()
    assert (
        await session.call("com.ab.count", 3, options=CallOptions(on_progress=progress)) == "done"
    )
    assert progress.items == [((0,), {}), ((1,), {}), ((2,), {})]


async def test_pywamp_cancels_an_autobahn_endpoint(session: Session, theirs: AbSession) -> None:
    interrupted = Inbox()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            interrupted.put(True)
            raise

    await theirs.register(slow, "com.ab.slow")
    future = session.call("com.ab.slow", options=CallOptions(cancel_mode="kill"))
    await asyncio.sleep(0.2)
    future.cancel()
    await interrupted.wait()


# -- theirs calls ours ---------------------------------------------------------------------


@wamp.error("com.interop.not_found")
class NotFound(Exception):
    pass


async def test_autobahn_calls_pywamp(session: Session, theirs: AbSession) -> None:
    session.define(NotFound)

    async def lookup(key: str, details: CallDetails) -> Any:
        if key == "missing":
            raise NotFound(key)
        if key == "boom":
            raise RuntimeError("boom")
        if details.progress:
            details.progress("half")
        return CallResult(key, size=len(key), caller=details.caller)

    await session.register(lookup, "com.py.lookup", options=RegisterOptions(details=True))
    result = await theirs.call("com.py.lookup", "abc")
    assert list(result.results) == ["abc"] and result.kwresults == {
        "size": 3,
        "caller": theirs._session_id,
    }
    progress: list[Any] = []
    result = await theirs.call(
        "com.py.lookup",
        "xy",
        options=ab_types.CallOptions(on_progress=lambda *a: progress.append(a)),
    )
    assert list(result.results) == ["xy"] and progress == [("half",)]
    with pytest.raises(AbApplicationError) as info:
        await theirs.call("com.py.lookup", "missing")
    assert info.value.error == "com.interop.not_found" and list(info.value.args) == ["missing"]
    with pytest.raises(AbApplicationError) as info:
        await theirs.call("com.py.lookup", "boom")
    assert info.value.error == "wamp.error.runtime_error" and list(info.value.args) == ["boom"]


async def test_autobahn_calls_a_pywamp_pattern(session: Session, theirs: AbSession) -> None:
    class Tasks:
        @wamp.register("com.myapp.task.<task_id:int>.delete")
        def delete(self, task_id: int) -> str:
            return f"deleted {task_id + 1}"

    await session.register(Tasks())
    assert await theirs.call("com.myapp.task.129.delete") == "deleted 130"


async def test_autobahn_cancels_a_pywamp_endpoint(session: Session, theirs: AbSession) -> None:
    interrupted = Inbox()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            interrupted.put(True)
            raise

    await session.register(slow, "com.py.slow")
    future = theirs.call("com.py.slow")
    await asyncio.sleep(0.2)
    future.cancel()
    await interrupted.wait()


# -- pub/sub both ways ---------------------------------------------------------------------


async def test_pubsub_both_ways(session: Session, theirs: AbSession) -> None:
    ours, autobahn = Inbox(), Inbox()
    await session.subscribe(
        lambda *args, details, **kwargs: ours.put((args, kwargs, details)),
        "com.interop.to_py",
        options=SubscribeOptions(details=True),
    )
    await theirs.subscribe(
        lambda *args, details=None, **kwargs: autobahn.put((args, kwargs, details)),
        "com.interop.to_ab",
        options=ab_types.SubscribeOptions(details_arg="details"),
    )
    await theirs.publish(
        "com.interop.to_py", 1, "two", three=[3], options=ab_types.PublishOptions(acknowledge=True)
    )
    await session.publish(
        "com.interop.to_ab", {"a": None}, b=True, options=PublishOptions(acknowledge=True)
    )
    ((args, kwargs, details),) = await ours.wait()
    assert args == (1, "two") and kwargs == {"three": [3]}
    assert isinstance(details, EventDetails) and details.publisher == theirs._session_id
    ((args, kwargs, details),) = await autobahn.wait()
    assert args == ({"a": None},) and kwargs == {"b": True}
    assert details.publisher == session.session_id


async def test_autobahn_pattern_subscription_gets_our_events(
    session: Session, theirs: AbSession
) -> None:
    topics = Inbox()
    await theirs.subscribe(
        lambda x, details=None: topics.put((x, details.topic)),
        "com.interop.",
        options=ab_types.SubscribeOptions(match="prefix", details_arg="details"),
    )
    session.publish("com.interop.a.b", 1)
    session.publish("com.interop.c", 2)
    assert await topics.wait(2) == [(1, "com.interop.a.b"), (2, "com.interop.c")]
