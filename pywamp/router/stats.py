"""Router statistics through the meta API: ``pywamp.router.stats`` and ``pywamp.session.stats``.

The WAMP meta API fixes the shape of ``wamp.session.get``, so the counters of the
asyncio driver (messages and bytes each way, EVENTs dropped for slow readers, queue
high-water marks, sessions per realm) are served by two procedures of pywamp's own
namespace, registered in every realm that has the meta API on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pywamp.router import errors
from pywamp.router.dealer import MetaError

if TYPE_CHECKING:
    from pywamp.router.outputs import Output
    from pywamp.router.realm import Realm
    from pywamp.router.server import Router
    from pywamp.router.session import RouterSession

__all__ = ("ROUTER_STATS", "SESSION_STATS", "RealmCounters", "install", "transport_counters")

Args = list[Any]
Kwargs = dict[str, Any]
Answer = tuple[list[Any] | None, dict[str, Any] | None]

ROUTER_STATS = "pywamp.router.stats"
SESSION_STATS = "pywamp.session.stats"

_COUNTERS = ("messages_in", "messages_out", "bytes_in", "bytes_out", "dropped")


@dataclass
class RealmCounters:
    """What the sessions of one realm that are gone counted, plus realm-wide events."""

    messages_in: int = 0
    messages_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    dropped: int = 0
    #: Sessions whose connection was cut because they read too slowly.
    slow_disconnects: int = 0
    #: HELLOs refused because the realm was full (``limits.max_sessions_per_realm``).
    refused: int = 0
    #: The most bytes that ever waited for one session of this realm.
    queue_high_water: int = 0

    def add(self, transport: Any) -> None:
        """Fold in the counters of a connection that is closing."""
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(transport, name, 0))
        high = getattr(transport, "queue_high_water", 0)
        if high > self.queue_high_water:
            self.queue_high_water = high


def transport_counters(transport: Any) -> dict[str, int]:
    """One connection's counters as the stats procedures name them."""
    get = getattr
    return {
        "messages_received": get(transport, "messages_in", 0),
        "messages_sent": get(transport, "messages_out", 0),
        "bytes_received": get(transport, "bytes_in", 0),
        "bytes_sent": get(transport, "bytes_out", 0),
        "dropped_events": get(transport, "dropped", 0),
        "queued_bytes": transport.write_buffer_size() if transport.is_open else 0,
        "queued_messages": _queued_messages(transport),
        "queue_high_water": get(transport, "queue_high_water", 0),
    }


def _queued_messages(transport: Any) -> int:
    count = getattr(transport, "queued_messages", None)
    return int(count()) if count is not None else 0


def realm_stats(router: Router, realm: Realm) -> dict[str, Any]:
    """The counters of a realm: its live sessions' plus those of the ones that left."""
    totals = replace(router.counters(realm.name))
    for session in realm.sessions.values():
        transport = getattr(session.handle, "transport", None)
        if transport is not None:
            totals.add(transport)
    return {
        "realm": realm.name,
        "sessions": len(realm.sessions),
        "messages_received": totals.messages_in,
        "messages_sent": totals.messages_out,
        "bytes_received": totals.bytes_in,
        "bytes_sent": totals.bytes_out,
        "dropped_events": totals.dropped,
        "slow_disconnects": totals.slow_disconnects,
        "refused_sessions": totals.refused,
        "queue_high_water": totals.queue_high_water,
    }


def install(router: Router, realm: Realm) -> None:
    """Serve the stats procedures in ``realm`` (when its meta API is on)."""
    if not realm.meta_api:
        return

    def router_stats(
        caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: list[Output]
    ) -> Answer:
        """pywamp.router.stats() → this realm's counters, and sessions per realm."""
        stats = realm_stats(router, realm)
        stats["connections"] = len(router.connections)
        stats["refused_connections"] = sum(rate.refused for rate in router.admission)
        stats["sessions_per_realm"] = {
            name: len(r.sessions) for name, r in router.core.realms.items()
        }
        return [stats], None

    def session_stats(
        caller: RouterSession, args: Args, kwargs: Kwargs, now: float, out: list[Output]
    ) -> Answer:
        """pywamp.session.stats([session]) → one session's counters (default: the caller)."""
        sid = args[0] if args else caller.id
        if not isinstance(sid, int) or isinstance(sid, bool):
            raise MetaError(errors.INVALID_ARGUMENT, "session must be an integer")
        session = realm.sessions.get(sid)
        if session is None:
            raise MetaError(errors.NO_SUCH_SESSION, f"no session {sid} in this realm")
        transport = getattr(session.handle, "transport", None)
        stats: dict[str, Any] = {"session": sid}
        if transport is not None:
            stats.update(transport_counters(transport))
        return [stats], None

    realm.dealer.meta_procedures[ROUTER_STATS] = router_stats
    realm.dealer.meta_procedures[SESSION_STATS] = session_stats
