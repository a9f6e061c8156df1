"""Registrations of a dealer: the callees attached to one (procedure, match) and the
choice of the callee for each invocation (``invoke`` policy, ``runmode``, concurrency)."""

from __future__ import annotations

import random
import zlib
from typing import TYPE_CHECKING, Any

from pywamp.router.history import uri_details

if TYPE_CHECKING:
    from pywamp._native import MatchPolicy
    from pywamp.router.session import RouterSession

__all__ = ("INVOKE_POLICIES", "RUNMODES", "Callee", "Registration")

INVOKE_POLICIES = frozenset(("single", "roundrobin", "random", "first", "last"))
RUNMODES = frozenset(("any", "all", "partition"))


class Callee:
    """One session attached to a registration, with its REGISTER options."""

    __slots__ = ("concurrency", "disclose_caller", "forward_timeout", "inflight", "session")

    def __init__(
        self, session: RouterSession, forward_timeout: bool, concurrency: int, disclose: bool
    ) -> None:
        self.session = session
        self.forward_timeout = forward_timeout
        self.concurrency = concurrency  # 0: unlimited
        self.disclose_caller = disclose
        self.inflight = 0


class Registration:
    """One (procedure, match) and its callees in registration order."""

    __slots__ = ("callees", "created", "id", "invoke", "limited", "match", "order", "rr", "uri")

    def __init__(self, rid: int, uri: str, match: MatchPolicy, invoke: str, created: float) -> None:
        self.id = rid
        self.uri = uri
        self.match = match
        self.invoke = invoke
        self.created = created
        self.callees: dict[RouterSession, Callee] = {}
        self.order: list[Callee] = []
        self.limited = False
        self.rr = 0

    def _changed(self) -> None:
        self.order = list(self.callees.values())
        self.limited = any(c.concurrency for c in self.order)

    def details(self) -> dict[str, Any]:
        """RegistrationDetails of the registration meta API."""
        return {**uri_details(self.id, self.created, self.uri, self.match), "invoke": self.invoke}

    def available(self) -> list[Callee]:
        """The callees that may take one more invocation (all of them unless some are
        limited by ``concurrency``)."""
        order = self.order
        if self.limited:
            return [c for c in order if not c.concurrency or c.inflight < c.concurrency]
        return order

    def pick_all(self) -> list[Callee] | None:
        """runmode all: every available callee, or None when none is."""
        avail = self.available()
        return list(avail) if avail else None

    def pick(self, runmode: str, rkey: Any) -> Callee | None:
        """The callee of one invocation by ``runmode`` and the invoke policy, or None when
        none is available."""
        order = self.order
        if not order:
            return None
        if runmode == "partition":
            callee = order[zlib.crc32(str(rkey).encode()) % len(order)]
            if callee.concurrency and callee.inflight >= callee.concurrency:
                return None
            return callee
        avail = self.available() if self.limited else order
        if not avail:
            return None
        invoke = self.invoke
        if invoke == "single" or invoke == "first":
            return avail[0]
        if invoke == "roundrobin":
            callee = avail[self.rr % len(avail)]
            self.rr += 1
            return callee
        if invoke == "last":
            return avail[-1]
        return random.choice(avail)
