"""Autobahn's ``autobahn.util``: time stamps, ids, tokens, timing and small mixins.

Not provided: ``hl*`` (Crossbar's terminal colouring), ``machine_id``, ``parse_keyfile`` /
``write_keyfile`` (Crossbar node key files) and ``tls_unique`` / ``peer_certificate_details``
(pyOpenSSL transport internals): none belongs to the WAMP client or router API.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import math
import secrets
import sys
import time
from collections.abc import Awaitable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pprint import pformat
from typing import Any, Protocol, TypeVar, overload

from pywamp._ids import IdSequence, session_id
from pywamp._observable import Observable, Raised

__all__ = (
    "EqualityMixin",
    "IdGenerator",
    "ObservableMixin",
    "Stopwatch",
    "Tracker",
    "encode_truncate",
    "generate_activation_code",
    "generate_serial_number",
    "generate_token",
    "generate_user_password",
    "id",
    "newid",
    "public",
    "rid",
    "rtime",
    "utcnow",
    "utcstr",
    "with_0x",
    "without_0x",
    "xor",
)

_T = TypeVar("_T")

#: Autobahn's token alphabet: base36 without the look-alikes 0/O/D, 1/I, 8/B and 2/Z.
DEFAULT_TOKEN_CHARS = "345679ACEFGHJKLMNPQRSTUVWXY"
#: Autobahn's password alphabet (z-base-32 without 0, l, v and 2).
DEFAULT_ZBASE32_CHARS = "13456789abcdefghijkmnopqrstuwxyz"

_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def public(obj: _T) -> _T:
    """Mark ``obj`` as public API (``obj._is_public``), as Autobahn's decorator does."""
    with contextlib.suppress(AttributeError):  # e.g. a builtin: nothing to mark
        obj._is_public = True  # type: ignore[attr-defined]
    return obj


def encode_truncate(
    text: str | None, limit: int, encoding: str = "utf8", return_encoded: bool = True
) -> str | bytes | None:
    """Encode ``text`` in at most ``limit`` bytes without splitting a multi-byte character."""
    # Autobahn asserts its argument types; the same exception keeps callers' handlers valid.
    if text is not None and type(text) is not str:
        raise AssertionError(f"text must be str or None, was {type(text)}")
    if type(limit) is not int or limit < 0:
        raise AssertionError(f"limit must be an int >= 0, was {limit!r}")
    if text is None:
        return None
    encoded = text.encode(encoding)
    if len(encoded) > limit:
        text = encoded[:limit].decode(encoding, "ignore")
        encoded = text.encode(encoding)
    return encoded if return_encoded else text


def xor(d1: bytes, d2: bytes) -> bytes:
    """Byte-wise XOR of two equally long byte strings."""
    for name, value in (("d1", d1), ("d2", d2)):
        if type(value) is not bytes:
            raise Exception(f"invalid type {type(value)} for {name} - must be binary")
    if len(d1) != len(d2):
        raise Exception(f"cannot XOR binary string of differing length ({len(d1)} != {len(d2)})")
    return (int.from_bytes(d1, "big") ^ int.from_bytes(d2, "big")).to_bytes(len(d1), "big")


@overload
def with_0x(address: str) -> str: ...
@overload
def with_0x(address: str | None) -> str | None: ...
def with_0x(address: str | None) -> str | None:
    """``address`` with a ``0x`` prefix (empty or None stays as it is)."""
    if address and not address.startswith("0x"):
        return f"0x{address}"
    return address


@overload
def without_0x(address: str) -> str: ...
@overload
def without_0x(address: str | None) -> str | None: ...
def without_0x(address: str | None) -> str | None:
    """``address`` without its ``0x`` prefix (empty or None stays as it is)."""
    if address and address.startswith("0x"):
        return address[2:]
    return address


def _utc_naive() -> datetime:
    """The current UTC time without tzinfo (Autobahn's ``datetime.utcnow()``, not deprecated)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def utcstr(ts: datetime | None = None) -> str:
    """``ts`` (default: now) as ISO 8601 with milliseconds and a ``Z``, Autobahn's format."""
    if ts is not None and not isinstance(ts, datetime):
        raise AssertionError(f"ts must be a datetime or None, was {type(ts)}")
    return (ts or _utc_naive()).strftime(_UTC_FORMAT)[:-3] + "Z"


def utcnow() -> str:
    """The current UTC time as :func:`utcstr` formats it."""
    return utcstr()


def parseutc(datestr: str) -> datetime | None:
    """utcstr's text (milliseconds optional) as a naive datetime, or None: Autobahn's old parser."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", _UTC_FORMAT + "Z"):
        try:
            return datetime.strptime(datestr, fmt)
        except (TypeError, ValueError):
            continue
    return None


class IdGenerator:
    """Sequential WAMP request ids 1, 2, ... wrapping after 2**53 (the router's sequence)."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids = IdSequence()

    def next(self) -> int:
        """The next id of the sequence."""
        return self._ids.next()

    __next__ = next


def rid() -> int:
    """A random id from [1, 2**53] from the OS generator (the router's session ids)."""
    return session_id()


def id() -> int:
    """A random id from [1, 2**53]; unlike Autobahn's (Mersenne Twister) it is not guessable."""
    return session_id()


def newid(length: int = 16) -> str:
    """A random base64 string of ``length`` characters (for keys and access tokens)."""
    raw = secrets.token_bytes(math.ceil(float(length) * 3 / 4))  # 4 characters per 3 bytes
    return base64.b64encode(raw)[:length].decode("ascii")


def generate_token(
    char_groups: int,
    chars_per_group: int,
    chars: str | None = None,
    sep: str | None = None,
    lower_case: bool | None = False,
) -> str:
    """A random token such as ``M6X5-YO5W-T5IK``: ``char_groups`` groups joined by ``sep``."""
    # Autobahn asserts its argument types; the same exception keeps callers' handlers valid.
    if type(char_groups) is not int or type(chars_per_group) is not int:
        raise AssertionError("char_groups and chars_per_group must be int")
    if chars is not None and type(chars) is not str:
        raise AssertionError(f"chars must be str, was {type(chars)}")
    alphabet = chars or DEFAULT_TOKEN_CHARS
    if lower_case:
        alphabet = alphabet.lower()
    token = "".join(secrets.choice(alphabet) for _ in range(char_groups * chars_per_group))
    if chars_per_group <= 1:
        return token
    groups = (token[i : i + chars_per_group] for i in range(0, len(token), chars_per_group))
    return (sep or "-").join(groups)


def generate_activation_code() -> str:
    """A one-time activation code such as ``W97F-96MJ-YGJL`` (57 bits)."""
    return generate_token(3, 4, chars=DEFAULT_TOKEN_CHARS)


def generate_serial_number() -> str:
    """A globally unique serial number such as ``YRAC-EL4X-FQQE-AW4T-WNUV-VN6T`` (114 bits)."""
    return generate_token(6, 4, chars=DEFAULT_TOKEN_CHARS)


def generate_user_password() -> str:
    """A user password such as ``kgojzi61dn5dtb6d`` (16 z-base-32 characters, 80 bits)."""
    return generate_token(16, 1, chars=DEFAULT_ZBASE32_CHARS, lower_case=True)


#: Autobahn's clock: wall time, except the high-resolution counter on Windows.
_clock = time.perf_counter if sys.platform == "win32" else time.time


def rtime() -> float:
    """The current time in seconds, meaningful only relative to other ``rtime()`` values."""
    return _clock()


class Stopwatch:
    """Accumulates the time it ran between pauses."""

    def __init__(self, start: bool = True) -> None:
        self._elapsed = 0.0
        self._started: float | None = rtime() if start else None

    def elapsed(self) -> float:
        """Seconds run so far (the current run included)."""
        if self._started is None:
            return self._elapsed
        return self._elapsed + (rtime() - self._started)

    def pause(self) -> float:
        """Stop accumulating; the seconds run so far."""
        self._elapsed = self.elapsed()
        self._started = None
        return self._elapsed

    def resume(self) -> float:
        """Accumulate again; the seconds run so far."""
        if self._started is None:
            self._started = rtime()
            return self._elapsed
        return self.elapsed()

    def stop(self) -> float:
        """Stop and reset; the seconds run until now."""
        elapsed = self.pause()
        self._elapsed = 0.0
        return elapsed


class Tracker:
    """Timestamps by key, to report the time between two tracked points."""

    def __init__(self, tracker: Any, tracked: Any) -> None:
        self.tracker = tracker
        self.tracked = tracked
        self._timings: dict[Any, float] = {}
        self._offset = rtime()
        self._dt_offset = _utc_naive()

    def track(self, key: Any) -> None:
        """Record the current time under ``key``."""
        self._timings[key] = rtime()

    def diff(self, start_key: Any, end_key: Any, formatted: bool = True) -> float | str | None:
        """Seconds from ``start_key`` to ``end_key``, or (``formatted``) e.g. ``'  12 ms'``."""
        timings = self._timings
        if start_key not in timings or end_key not in timings:
            return "n.a.".rjust(8) if formatted else None
        d = timings[end_key] - timings[start_key]
        if not formatted:
            return d
        if d < 0.00001:
            text = f"{round(d * 1e9)} ns"
        elif d < 0.01:
            text = f"{round(d * 1e6)} us"
        elif d < 10:
            text = f"{round(d * 1e3)} ms"
        else:
            text = f"{round(d)} s"
        return text.rjust(8)

    def absolute(self, key: Any) -> datetime:
        """The (naive) UTC time at which ``key`` was tracked."""
        elapsed = self[key]
        if elapsed is None:
            raise KeyError(f'No such key "{key}".')
        return self._dt_offset + timedelta(seconds=elapsed)

    def __getitem__(self, key: Any) -> float | None:
        if key in self._timings:
            return self._timings[key] - self._offset
        return None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._timings)

    def __str__(self) -> str:
        return pformat(self._timings)


class EqualityMixin:
    """Equality by class and public (non-underscore) attributes, for message-like objects."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, self.__class__):
            return False
        theirs = other.__dict__
        return all(
            value == theirs[key] for key, value in self.__dict__.items() if not key.startswith("_")
        )


class _Futures(Protocol):
    """The framework operations ``fire`` needs (asyncio's or Twisted's adapter)."""

    def create_future(self) -> Any: ...
    def reject(self, future: Any, error: BaseException) -> None: ...
    def succeed(self, value: Any) -> Any: ...
    def gather(self, awaitables: Iterable[Awaitable[Any]]) -> Awaitable[list[Any]]: ...


def _futures() -> _Futures:
    """asyncio's on a running loop, else Twisted's (Deferreds need no running reactor)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if "twisted.internet.defer" not in sys.modules:
            raise RuntimeError(
                "ObservableMixin.fire() needs a running asyncio loop or Twisted"
            ) from None
        from pywamp.twisted._adapter import TwistedAdapter

        return TwistedAdapter
    from pywamp.asyncio._adapter import AsyncioAdapter

    return AsyncioAdapter(loop)


class ObservableMixin(Observable):
    """Autobahn's event listeners (``on``/``off``/``fire``) on pywamp's Observable."""

    def fire(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Call listeners now; a future (or Deferred) of their results, or of the first error."""
        futures = _futures()
        if self._listeners is None:
            return futures.succeed([])
        pending = []
        for result in self._call_listeners(event, args, kwargs):
            if isinstance(result, Raised):
                failed = futures.create_future()
                futures.reject(failed, result.error)
                pending.append(failed)
            elif inspect.isawaitable(result):
                pending.append(result)
            else:
                pending.append(futures.succeed(result))
        return futures.gather(pending)
