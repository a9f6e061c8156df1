"""Records of requests a client has sent and not yet seen answered.

They hold the framework's future (asyncio Future or Twisted Deferred) as an opaque
object: this layer never resolves it, the session does.
"""

from __future__ import annotations

from typing import Any

__all__ = ("PendingCall", "PendingRequest")


class PendingCall:
    """A CALL in flight: where its result goes and how progress and timeouts are handled."""

    __slots__ = (
        "cancel_mode",
        "details",
        "future",
        "gather",
        "on_progress",
        "procedure",
        "request_id",
        "timeout",
        "timer",
    )

    def __init__(
        self,
        request_id: int,
        procedure: str,
        future: Any,
        on_progress: Any = None,
        details: bool = False,
    ) -> None:
        self.request_id = request_id
        self.procedure = procedure
        self.future = future
        self.on_progress = on_progress
        self.details = details
        self.cancel_mode: str | None = None
        #: runmode "all": the RESULT's args are the callees' results, one each.
        self.gather = False
        self.timeout: float | None = None
        self.timer: Any = None


class PendingRequest:
    """A SUBSCRIBE, UNSUBSCRIBE, REGISTER, UNREGISTER or acknowledged PUBLISH in flight.

    ``subject`` is the URI (subscribe/register) or the id (unsubscribe/unregister);
    ``target`` the handler or endpoint to attach once the router confirms.
    """

    __slots__ = ("future", "request_id", "subject", "target")

    def __init__(self, request_id: int, future: Any, subject: Any = None, target: Any = None):
        self.request_id = request_id
        self.future = future
        self.subject = subject
        self.target = target
