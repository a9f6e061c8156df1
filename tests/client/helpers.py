"""Small helpers shared by the client tests (no fakes: they observe real sessions)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pywamp.asyncio.wamp import Session


def record_sent(session: Session) -> list[Any]:
    """Keep a copy of every message the session sends from now on (they still go out)."""
    sent: list[Any] = []
    transport = session.transport
    original = transport.send

    def send(message: Any) -> None:
        sent.append(message)
        original(message)

    transport.send = send
    return sent


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``check()`` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} seconds: {check}")
        await asyncio.sleep(0.01)


class Inbox:
    """Collects values delivered to handlers and lets a test wait for a number of them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = asyncio.Event()

    def put(self, item: Any) -> None:
        self.items.append(item)
        self._changed.set()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.put((args, kwargs))

    async def wait(self, count: int = 1, timeout: float = 5.0) -> list[Any]:
        async def loop() -> None:
            while len(self.items) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout)
        return self.items

    async def quiet(self, seconds: float = 0.2) -> list[Any]:
        """Wait a little and return what arrived (to check that nothing more does)."""
        await asyncio.sleep(seconds)
        return self.items
