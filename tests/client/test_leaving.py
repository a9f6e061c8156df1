"""A session that sent GOODBYE is shutting down: it answers no INVOCATION or INTERRUPT
any more (``bp_sessions.md`` statechart: "Received other / ignore"), so the router is
left to answer the callers, and the procedure is free for the next callee at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import Inbox, eventually, record_sent
from routers import Router

import pywamp
from pywamp import _native
from pywamp.asyncio.wamp import Session
from pywamp.exception import ApplicationError


async def test_callee_leaving_mid_invocation_sends_nothing_after_goodbye(
    router: Router, other: Session
) -> None:
    """The endpoint is still running when its session leaves: the caller gets an error
    from the router, the callee sends GOODBYE and nothing else, and the URI is free."""
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(30)
        return "too late"

    callee = await pywamp.connect(router.ws_url, router.realm)
    await callee.register(slow, "com.leaving.slow")
    pending = asyncio.ensure_future(other.call("com.leaving.slow"))
    await asyncio.wait_for(started.wait(), 5)
    sent = record_sent(callee)
    await asyncio.wait_for(callee.leave(), 5)
    with pytest.raises(ApplicationError):
        await asyncio.wait_for(pending, 5)
    assert [type(m) for m in sent] == [_native.Goodbye]
    # A new callee takes the procedure over right away (no stale registration).
    async with pywamp.connect(router.rs_url, router.realm, serializer="cbor") as fresh:
        await fresh.register(lambda: "fresh", "com.leaving.slow")
        assert await other.call("com.leaving.slow") == "fresh"
    callee.disconnect()


async def test_interrupt_crossing_goodbye_is_not_answered(router: Router, other: Session) -> None:
    """The caller cancels; the router's INTERRUPT crosses the callee's GOODBYE on the wire
    (the callee leaves just before it reads the INTERRUPT). The callee must not answer it
    with ERROR: Crossbar would then keep a stale registration of the departed session."""
    started = asyncio.Event()
    ended = Inbox()

    async def slow() -> str:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            ended.put("cancelled")
            raise
        return "too late"

    callee = await pywamp.connect(router.ws_url, router.realm, serializer="msgpack")
    await callee.register(slow, "com.leaving.cancel")
    pending = asyncio.ensure_future(other.call("com.leaving.cancel"))
    await asyncio.wait_for(started.wait(), 5)
    sent = record_sent(callee)
    interrupts: list[Any] = []
    receive = callee.message_received

    def goodbye_first(message: Any) -> None:
        if type(message) is _native.Interrupt and not interrupts:
            interrupts.append(message)
            callee.leave()
        receive(message)

    callee.message_received = goodbye_first  # type: ignore[method-assign]
    pending.cancel()
    await eventually(lambda: interrupts)
    await asyncio.wait_for(callee.leave(), 5)
    await ended.wait()  # the endpoint is stopped once the session is closed
    assert [type(m) for m in sent] == [_native.Goodbye]
    async with pywamp.connect(router.ws_url, router.realm) as fresh:
        await fresh.register(lambda: "fresh", "com.leaving.cancel")
        assert await other.call("com.leaving.cancel") == "fresh"
    callee.disconnect()


async def test_invocation_arriving_after_goodbye_is_not_run(router: Router) -> None:
    """An INVOCATION that crosses our GOODBYE on the wire is ignored: the endpoint does
    not run and no YIELD or ERROR goes out."""
    ran: list[Any] = []
    async with pywamp.connect(router.ws_url, router.realm) as callee:
        reg = await callee.register(lambda: ran.append(1), "com.leaving.crossed")
        sent = record_sent(callee)
        callee.leave()
        # What the router would deliver if the call crossed the GOODBYE:
        callee.message_received(_native.Invocation(99, reg.id, {}, []))
        callee.message_received(_native.Interrupt(99, {"mode": "kill"}))
        await eventually(lambda: not callee.is_attached())
        assert ran == []
        assert [type(m) for m in sent] == [_native.Goodbye]
