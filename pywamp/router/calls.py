"""Calls in flight: a CALL between its INVOCATION(s) and its final RESULT or ERROR."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from pywamp.router.errors import ProtocolViolation

if TYPE_CHECKING:
    from pywamp._native import Error, Result
    from pywamp.router.registrations import Callee, Registration
    from pywamp.router.session import RouterSession
    from pywamp.router.timers import TimerEntry

Notify: TypeAlias = "Callable[[Result | Error, float, list[Any]], None]"


class Leg:
    """One INVOCATION of a call. A plain call is its own leg; runmode all has one per callee."""

    __slots__ = ("callee", "done", "index", "invocation")

    def __init__(self, callee: Callee, invocation: int, index: int) -> None:
        self.callee = callee
        self.invocation = invocation
        self.index = index
        self.done = False


class PendingCall(Leg):
    """A CALL between its INVOCATION(s) and the final RESULT or ERROR."""

    __slots__ = (
        "caller",
        "canceling",
        "details",
        "legs",
        "notify",
        "progress_open",
        "receive_progress",
        "registration",
        "remaining",
        "request_id",
        "results",
        "timeout",
        "timer",
    )

    def __init__(
        self,
        caller: RouterSession,
        request_id: int,
        registration: Registration,
        callee: Callee,
        invocation: int,
    ) -> None:
        self.callee = callee
        self.invocation = invocation
        self.index = 0
        self.done = False
        self.caller = caller
        self.request_id = request_id
        self.registration = registration
        self.legs: list[Leg] | None = None  # runmode all only
        self.details: dict[str, Any] = {}
        self.receive_progress = False
        self.progress_open = False
        self.canceling = False
        self.remaining = 1
        self.results: list[Any] = []
        self.timeout = 0.0
        self.timer: TimerEntry | None = None
        # A call the router itself made (pywamp.router.callout): the final RESULT or
        # ERROR goes to this callback instead of a caller's transport.
        self.notify: Notify | None = None

    def all_legs(self) -> Sequence[Leg]:
        """Every INVOCATION of the call."""
        return (self,) if self.legs is None else self.legs

    def leg(self, callee: RouterSession, invocation: int) -> Leg:
        """The leg a callee's answer belongs to."""
        if self.legs is None:
            return self
        for leg in self.legs:
            if leg.invocation == invocation and leg.callee.session is callee:
                return leg
        raise KeyError(invocation)


def late_answer(session: RouterSession, invocation: int, what: str) -> None:
    """An answer to no pending invocation: late (ignored) or never sent (a violation)."""
    if invocation > session.invocation_ids:
        raise ProtocolViolation(f"{what} for an INVOCATION that was never sent")


def gathered(args: list[Any] | None, kwargs: dict[str, Any] | None, payload: bytes | None) -> Any:
    """One callee's share of a runmode-all RESULT."""
    if payload is not None:
        return {"payload": payload}
    if kwargs:
        return {"args": args or [], "kwargs": kwargs}
    if not args:
        return None
    return args[0] if len(args) == 1 else args
