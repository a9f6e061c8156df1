"""The CALL round trip through a sans-IO ``RouterCore``, shared by the router benches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywamp._native import Call, Register, Yield
from pywamp.router import RouterCore, RouterSession

NOW = 1_700_000_000.0


def call_roundtrip(
    core: RouterCore, callee: RouterSession, caller: RouterSession
) -> tuple[Callable[[], Any], Call]:
    """Register ``com.example.add`` for ``callee``; a CALL → INVOCATION → YIELD → RESULT
    round trip from ``caller`` (returns the RESULT), and the CALL it sends."""
    core.receive(callee, Register(1, {}, "com.example.add"), NOW)
    call = Call(1, {}, "com.example.add", [2, 3])
    receive = core.receive

    def roundtrip() -> Any:
        invocation = receive(caller, call, NOW)[0].message
        return receive(callee, Yield(invocation.request_id, {}, [5]), NOW)[0].message

    return roundtrip, call
