"""Event retention (one event per topic) and event history (last N events per subscription).

History follows ``rfc/text/advanced/pubsub_event_history.md``: it is kept per
subscription; events published with session-id black/white lists are not stored; a
query is filtered by the caller's authid/authrole against the stored lists.
Timestamps are RFC 3339 in UTC with milliseconds.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pywamp.router.errors import INVALID_ARGUMENT
from pywamp.util import utcstr

if TYPE_CHECKING:
    from pywamp.router.filters import Filter
    from pywamp.router.session import RouterSession


class QueryError(Exception):
    """A bad get_events argument: answered with ERROR ``uri``."""

    def __init__(self, uri: str, message: str) -> None:
        super().__init__(message)
        self.uri = uri


def rfc3339(t: float) -> str:
    """POSIX seconds as ``2026-01-02T03:04:05.678Z``."""
    return utcstr(datetime.fromtimestamp(t, timezone.utc))


def uri_details(entry_id: int, created: float, uri: str, match: str) -> dict[str, Any]:
    """The meta API's details shared by a subscription and a registration."""
    return {"id": entry_id, "created": rfc3339(created), "uri": uri, "match": match}


def parse_rfc3339(text: object, key: str) -> float:
    """An RFC 3339 timestamp as POSIX seconds (naive times are UTC)."""
    if not isinstance(text, str):
        raise QueryError(INVALID_ARGUMENT, f"{key} must be an RFC 3339 string")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise QueryError(INVALID_ARGUMENT, f"{key} is not an RFC 3339 timestamp") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


class Retained:
    """The retained event of one topic."""

    __slots__ = ("args", "details", "filter", "kwargs", "payload", "publication", "topic")

    def __init__(
        self,
        publication: int,
        topic: str,
        details: dict[str, Any],
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        payload: bytes | None,
        filter: Filter | None,
    ) -> None:
        self.publication = publication
        self.topic = topic
        self.details = details
        self.args = args
        self.kwargs = kwargs
        self.payload = payload
        self.filter = filter


class Stored(Retained):
    """One event kept in a subscription's history."""

    __slots__ = ("time",)

    def __init__(
        self,
        time: float,
        publication: int,
        topic: str,
        details: dict[str, Any],
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        payload: bytes | None,
        filter: Filter | None,
    ) -> None:
        super().__init__(publication, topic, details, args, kwargs, payload, filter)
        self.time = time


_TIME_KEYS = ("from_time", "after_time", "before_time", "until_time")
_PUB_KEYS = ("from_publication", "after_publication", "before_publication", "until_publication")
_KNOWN = frozenset((*_TIME_KEYS, *_PUB_KEYS, "reverse", "limit", "topic"))


class EventHistory:
    """The last ``limit`` events of one subscription."""

    __slots__ = ("events",)

    def __init__(self, limit: int) -> None:
        self.events: deque[Stored] = deque(maxlen=limit)

    def append(
        self,
        now: float,
        publication: int,
        topic: str,
        details: dict[str, Any],
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        payload: bytes | None,
        filter: Filter | None,
    ) -> None:
        """Keep one event (the oldest falls out when full)."""
        # Kept at millisecond precision, so a timestamp read back selects exactly.
        stamp = int(now * 1000) / 1000
        stored = Stored(stamp, publication, topic, details, args, kwargs, payload, filter)
        self.events.append(stored)

    def query(
        self, subscription: int, caller: RouterSession, kwargs: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The events a ``wamp.subscription.get_events`` call asks for, oldest first."""
        unknown = set(kwargs) - _KNOWN
        if unknown:
            raise QueryError(INVALID_ARGUMENT, f"unknown get_events option {sorted(unknown)[0]}")
        events = list(self.events)
        events = _cut_by_publication(events, kwargs)
        bounds = {key: parse_rfc3339(kwargs[key], key) for key in _TIME_KEYS if key in kwargs}
        topic = kwargs.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise QueryError(INVALID_ARGUMENT, "topic must be a URI")
        picked = [
            e
            for e in events
            if _in_time(e.time, bounds)
            and (topic is None or e.topic == topic)
            and (e.filter is None or e.filter.allows_identity(caller.authid, caller.authrole))
        ]
        reverse = kwargs.get("reverse", False)
        if not isinstance(reverse, bool):
            raise QueryError(INVALID_ARGUMENT, "reverse must be a bool")
        if reverse:
            picked.reverse()
        limit = kwargs.get("limit")
        if limit is not None:
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise QueryError(INVALID_ARGUMENT, "limit must be a positive integer")
            picked = picked[:limit]
        return [_as_dict(subscription, e) for e in picked]


def _cut_by_publication(events: list[Stored], kwargs: dict[str, Any]) -> list[Stored]:
    for key in _PUB_KEYS:
        if key not in kwargs:
            continue
        wanted = kwargs[key]
        if not isinstance(wanted, int) or isinstance(wanted, bool):
            raise QueryError(INVALID_ARGUMENT, f"{key} must be a publication id")
        index = next((i for i, e in enumerate(events) if e.publication == wanted), None)
        if index is None:
            return []
        if key == "from_publication":
            events = events[index:]
        elif key == "after_publication":
            events = events[index + 1 :]
        elif key == "before_publication":
            events = events[:index]
        else:
            events = events[: index + 1]
    return events


def _in_time(t: float, bounds: dict[str, float]) -> bool:
    if not bounds:
        return True
    v = bounds.get("from_time")
    if v is not None and not t >= v:
        return False
    v = bounds.get("after_time")
    if v is not None and not t > v:
        return False
    v = bounds.get("before_time")
    if v is not None and not t < v:
        return False
    v = bounds.get("until_time")
    return v is None or t <= v


def _as_dict(subscription: int, e: Stored) -> dict[str, Any]:
    record: dict[str, Any] = {
        "timestamp": rfc3339(e.time),
        "subscription": subscription,
        "publication": e.publication,
        "topic": e.topic,
        "details": e.details,
    }
    if e.args is not None:
        record["args"] = e.args
    if e.kwargs is not None:
        record["kwargs"] = e.kwargs
    if e.payload is not None:
        record["payload"] = e.payload
    return record
