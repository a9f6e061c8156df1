"""Drop-in: the same application code, written against Autobahn's API, runs on Autobahn and
on pywamp (only the imported modules differ) and produces the same observations."""

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest
import txaio

txaio.use_asyncio()

import autobahn.asyncio.wamp as ab_asyncio_wamp  # noqa: E402
import autobahn.wamp as ab_wamp  # noqa: E402
import autobahn.wamp.request as ab_request  # noqa: E402
from routers import Router  # noqa: E402

import pywamp.asyncio.wamp as py_asyncio_wamp  # noqa: E402
import pywamp.wamp as py_wamp  # noqa: E402
import pywamp.wamp.request as py_request  # noqa: E402

FLAVOURS = {
    "autobahn": types.SimpleNamespace(
        wamp=ab_wamp, asyncio_wamp=ab_asyncio_wamp, request=ab_request
    ),
    "pywamp": types.SimpleNamespace(wamp=py_wamp, asyncio_wamp=py_asyncio_wamp, request=py_request),
}


def application(lib: Any, tag: str, done: asyncio.Future[list[Any]]) -> type:
    """An Autobahn-style component; every name it uses comes from ``lib``."""
    wamp = lib.wamp
    prefix = f"com.dropin.{tag}"

    @wamp.error(f"{prefix}.error.too_big")
    class TooBig(Exception):
        pass

    class Math:
        @wamp.register(f"{prefix}.square")
        def square(self, x: int) -> int:
            if x > 100:
                raise TooBig(x)
            return x * x

        @wamp.subscribe(f"{prefix}.on_square")
        def on_square(self, x: int, details: Any = None) -> None:
            self.seen = x

    class App(lib.asyncio_wamp.ApplicationSession):
        async def onJoin(self, details: Any) -> None:
            seen: list[Any] = [details.realm, details.authrole, type(details.session).__name__]
            self.define(TooBig)

            def add2(x: int, y: int) -> int:
                return x + y

            def pair(a: Any, b: Any) -> Any:
                return wamp.CallResult(b, a, swapped=True)

            async def slow_count(n: int, details: Any = None) -> str:
                for i in range(n):
                    details.progress(i)
                    await asyncio.sleep(0)
                return "counted"

            def fail() -> None:
                raise wamp.ApplicationError(f"{prefix}.error.failed", "why", code=7)

            await self.register(add2, f"{prefix}.add2")
            await self.register(pair, f"{prefix}.pair")
            await self.register(
                slow_count, f"{prefix}.count", options=wamp.RegisterOptions(details_arg="details")
            )
            await self.register(fail, f"{prefix}.fail")
            math = Math()
            registrations = await self.register(math)
            seen.append(sorted(r.procedure for r in registrations))

            seen.append(await self.call(f"{prefix}.add2", 2, 3))
            result = await self.call(f"{prefix}.pair", "a", "b")
            seen.append((type(result).__name__, list(result.results), result.kwresults))
            progress: list[Any] = []
            seen.append(
                await self.call(
                    f"{prefix}.count", 3, options=wamp.CallOptions(on_progress=progress.append)
                )
            )
            seen.append(progress)
            try:
                await self.call(f"{prefix}.fail")
            except wamp.ApplicationError as e:
                seen.append((e.error, list(e.args), e.kwargs))
            try:
                await self.call(f"{prefix}.square", 1000)
            except TooBig as e:
                seen.append(("TooBig", list(e.args)))
            try:
                await self.call(f"{prefix}.nobody")
            except wamp.ApplicationError as e:
                seen.append(e.error)

            events: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

            def on_event(*args: Any, **kwargs: Any) -> None:
                details = kwargs.pop("details")
                if not events.done():
                    events.set_result((list(args), kwargs, details.topic, details.publisher))

            subscription = await self.subscribe(
                on_event, f"{prefix}.topic", options=wamp.SubscribeOptions(details_arg="details")
            )
            publication = await self.publish(
                f"{prefix}.topic",
                1,
                x="y",
                options=wamp.PublishOptions(acknowledge=True, exclude_me=False),
            )
            seen.append(type(publication.id).__name__)
            seen.append(isinstance(publication, lib.request.Publication))
            seen.append(isinstance(subscription, lib.request.Subscription))
            args, kwargs, topic, publisher = await asyncio.wait_for(events, 5)
            seen.append((args, kwargs, topic, publisher == details.session))
            await subscription.unsubscribe()
            seen.append(subscription.active)
            seen.append(str(wamp.ApplicationError("com.x.y", 1, a=2)))
            self._seen = seen
            self.leave()

        def onLeave(self, details: Any) -> None:
            self._seen.append(details.reason)
            self.disconnect()

        def onDisconnect(self) -> None:
            if not done.done():
                done.set_result(self._seen)

    return App


@pytest.mark.parametrize("transport", ["websocket", "rawsocket"])
async def test_same_program_same_observations(router: Router, transport: str) -> None:
    observed = {}
    for name, lib in FLAVOURS.items():
        done: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        app = application(lib, name, done)
        url = router.url(transport)
        runner = lib.asyncio_wamp.ApplicationRunner(url, router.realm)
        await runner.run(app, start_loop=False)
        observed[name] = await asyncio.wait_for(done, 10)
    ours = _normalise(observed["pywamp"], "pywamp")
    theirs = _normalise(observed["autobahn"], "autobahn")
    assert ours == theirs
    assert len(ours) == 18  # every step ran
    assert observed["pywamp"][-1] == router.goodbye_reply


def _normalise(value: Any, tag: str) -> Any:
    """Replace the per-flavour URI prefix so both runs compare equal."""
    if isinstance(value, str):
        return value.replace(f"com.dropin.{tag}", "{p}")
    if isinstance(value, list):
        return [_normalise(v, tag) for v in value]
    if isinstance(value, tuple):
        return tuple(_normalise(v, tag) for v in value)
    if isinstance(value, dict):
        return {k: _normalise(v, tag) for k, v in value.items()}
    return value
