"""pywamp.util behaves as autobahn.util: same output where it is deterministic, same
format and alphabet where it is random, same exception types for bad arguments."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from _compare import SETTINGS
from autobahn import util as ab
from hypothesis import given
from hypothesis import strategies as st

from pywamp import util

MAX_ID = 2**53
BASE64 = re.compile(r"[A-Za-z0-9+/]*")
TOKEN = ab.DEFAULT_TOKEN_CHARS

#: The names the drop-in promises (parseutc is Autobahn's older API, gone from its __all__).
PROVIDED = [
    "utcnow",
    "utcstr",
    "parseutc",
    "id",
    "rid",
    "newid",
    "rtime",
    "generate_token",
    "generate_activation_code",
    "generate_serial_number",
    "generate_user_password",
    "IdGenerator",
    "Stopwatch",
    "Tracker",
    "EqualityMixin",
    "ObservableMixin",
    "public",
    "encode_truncate",
    "xor",
    "with_0x",
    "without_0x",
]


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """What a call returned, or the exact type of what it raised."""
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as e:
        return "raised", type(e)


def raised(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> type[BaseException]:
    kind, value = outcome(fn, *args, **kwargs)
    assert kind == "raised", f"{fn.__module__}.{fn.__name__}{args} returned {value!r}"
    return value  # type: ignore[no-any-return]


# -- names ------------------------------------------------------------------------


def test_every_exported_name_is_autobahns() -> None:
    missing = [name for name in util.__all__ if not hasattr(ab, name)]
    assert not missing, f"not in autobahn.util: {missing}"
    assert set(util.__all__) <= set(ab.__all__)


def test_every_promised_name_is_provided() -> None:
    assert [name for name in PROVIDED if not hasattr(util, name)] == []
    assert set(util.__all__) == set(PROVIDED) - {"parseutc"}


def test_token_alphabets_are_autobahns() -> None:
    assert util.DEFAULT_TOKEN_CHARS == ab.DEFAULT_TOKEN_CHARS
    assert util.DEFAULT_ZBASE32_CHARS == ab.DEFAULT_ZBASE32_CHARS


# -- time stamps ----------------------------------------------------------------------

DATETIMES = st.datetimes(min_value=datetime(1000, 1, 1))


@SETTINGS
@given(DATETIMES)
def test_utcstr_is_autobahns(ts: datetime) -> None:
    assert util.utcstr(ts) == ab.utcstr(ts)


@SETTINGS
@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=2)))))
def test_utcstr_of_aware_datetime_is_autobahns(ts: datetime) -> None:
    assert util.utcstr(ts) == ab.utcstr(ts)


@SETTINGS
@given(DATETIMES)
def test_parseutc_round_trips_utcstr(ts: datetime) -> None:
    in_ms = ts.replace(microsecond=ts.microsecond // 1000 * 1000)
    assert util.parseutc(util.utcstr(ts)) == in_ms
    assert util.parseutc(ab.utcstr(ts)) == in_ms


def test_parseutc_reads_seconds_and_rejects_other_text() -> None:
    assert util.parseutc("2011-11-23T12:23:00Z") == datetime(2011, 11, 23, 12, 23)
    assert util.parseutc("2014-05-23T13:03:44.123Z") == datetime(2014, 5, 23, 13, 3, 44, 123000)
    for bad in ("", "2011-11-23", "2011-11-23T12:23:00", "2011-13-23T12:23:00Z", None, 5):
        assert util.parseutc(bad) is None  # type: ignore[arg-type]


def test_utcnow_is_now_in_autobahns_format() -> None:
    before = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    ours, theirs = util.utcnow(), ab.utcnow()
    after = datetime.now(timezone.utc).replace(tzinfo=None)
    pattern = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    assert pattern.fullmatch(ours) and pattern.fullmatch(theirs)
    parsed = util.parseutc(ours)
    assert parsed is not None and before <= parsed <= after
    assert util.utcstr() <= ab.utcstr()  # same clock, called in this order


@pytest.mark.parametrize("bad", ["2011-11-23T12:23:00Z", 0, 1.5, time.time])
def test_utcstr_rejects_what_autobahn_rejects(bad: Any) -> None:
    assert raised(util.utcstr, bad) is raised(ab.utcstr, bad)


# -- bytes and strings ------------------------------------------------------------------

ENCODINGS = st.sampled_from(["utf8", "utf-16", "utf-32", "latin-1", "ascii"])


@SETTINGS
@given(st.one_of(st.none(), st.text()), st.integers(0, 40), ENCODINGS, st.booleans())
def test_encode_truncate_is_autobahns(
    text: str | None, limit: int, encoding: str, return_encoded: bool
) -> None:
    ours = outcome(util.encode_truncate, text, limit, encoding, return_encoded)
    theirs = outcome(ab.encode_truncate, text, limit, encoding, return_encoded)
    assert ours == theirs


def test_encode_truncate_never_splits_a_character() -> None:
    assert util.encode_truncate("aä€😀", 5) == "aä".encode()
    assert util.encode_truncate("aä€😀", 6, return_encoded=False) == "aä€"
    assert util.encode_truncate(None, 3) is None


@pytest.mark.parametrize(
    "args", [(b"abc", 3), ("abc", -1), ("abc", "3"), ("abc", 3.0), ("abc", True), (5, 3)]
)
def test_encode_truncate_rejects_what_autobahn_rejects(args: tuple[Any, Any]) -> None:
    assert raised(util.encode_truncate, *args) is raised(ab.encode_truncate, *args)


@SETTINGS
@given(
    st.integers(0, 64).flatmap(
        lambda n: st.tuples(st.binary(min_size=n, max_size=n), st.binary(min_size=n, max_size=n))
    )
)
def test_xor_is_autobahns(pair: tuple[bytes, bytes]) -> None:
    d1, d2 = pair
    assert util.xor(d1, d2) == ab.xor(d1, d2)
    assert util.xor(util.xor(d1, d2), d2) == d1


@pytest.mark.parametrize(
    "args",
    [(b"ab", b"abc"), ("ab", b"ab"), (b"ab", "ab"), (bytearray(b"ab"), b"ab"), (None, None)],
)
def test_xor_rejects_what_autobahn_rejects(args: tuple[Any, Any]) -> None:
    ours, theirs = raised(util.xor, *args), raised(ab.xor, *args)
    assert ours is theirs is Exception


@pytest.mark.parametrize(
    "address", [None, "", "0x", "0x12ab", "12ab", "0X12ab", "x0", "00x1", b"", False]
)
def test_0x_prefix_is_autobahns(address: Any) -> None:
    assert outcome(util.with_0x, address) == outcome(ab.with_0x, address)
    assert outcome(util.without_0x, address) == outcome(ab.without_0x, address)


@pytest.mark.parametrize("address", [b"0x12", b"12", 12])
def test_0x_prefix_rejects_what_autobahn_rejects(address: Any) -> None:
    assert raised(util.with_0x, address) is raised(ab.with_0x, address)
    assert raised(util.without_0x, address) is raised(ab.without_0x, address)


# -- ids ----------------------------------------------------------------------------


def test_id_generator_is_autobahns() -> None:
    ours, theirs = util.IdGenerator(), ab.IdGenerator()
    assert [next(ours) for _ in range(5)] + [ours.next()] == [next(theirs) for _ in range(5)] + [
        theirs.next()
    ]
    assert [ours.next(), next(ours)] == [7, 8]


def test_id_generator_wraps_after_2_pow_53_as_autobahns() -> None:
    ours, theirs = util.IdGenerator(), ab.IdGenerator()
    ours._ids.last = MAX_ID - 2
    theirs._next = MAX_ID - 2
    expected = [MAX_ID - 1, MAX_ID, 1, 2]
    assert [next(ours) for _ in range(4)] == [next(theirs) for _ in range(4)] == expected


@pytest.mark.parametrize("draw", [util.rid, util.id])
def test_random_ids_are_in_wamp_range(draw: Callable[[], int]) -> None:
    ids = [draw() for _ in range(2000)]
    assert all(type(i) is int and 1 <= i <= MAX_ID for i in ids)
    assert len(set(ids)) == len(ids)
    assert max(ids) > 2**52  # spread over the whole range (fails with p = 2**-2000)


@pytest.mark.parametrize("length", [*range(-3, 41), 100])
def test_newid_has_autobahns_length_and_alphabet(length: int) -> None:
    ours, theirs = outcome(util.newid, length), outcome(ab.newid, length)
    if theirs[0] == "raised":  # below -1: a negative byte count for the OS generator
        assert ours == theirs
        return
    assert ours[0] == "ok" and len(ours[1]) == len(theirs[1]) == max(length, 0)
    assert BASE64.fullmatch(ours[1])


def test_newid_default_length_is_autobahns() -> None:
    assert len(util.newid()) == len(ab.newid()) == 16


def test_newid_is_random() -> None:
    assert len({util.newid() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("length", ["x", None, 2.5, "16"])
def test_newid_rejects_what_autobahn_rejects(length: Any) -> None:
    assert raised(util.newid, length) is raised(ab.newid, length)


# -- tokens -------------------------------------------------------------------------


def shape(token: str, sep: str) -> list[int]:
    """The group lengths of a token."""
    return [len(group) for group in token.split(sep)]


@SETTINGS
@given(
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from([None, "", "abc", "XYZ01", TOKEN]),
    st.sampled_from([None, "", "-", "_", "::"]),
    st.sampled_from([None, False, True]),
)
def test_generate_token_is_shaped_as_autobahns(
    groups: int, per_group: int, chars: str | None, sep: str | None, lower_case: bool | None
) -> None:
    ours = util.generate_token(groups, per_group, chars, sep, lower_case)
    theirs = ab.generate_token(groups, per_group, chars, sep, lower_case)
    separator = sep or "-"
    assert shape(ours, separator) == shape(theirs, separator)
    alphabet = chars or TOKEN
    if lower_case:
        alphabet = alphabet.lower()
    assert set(ours.replace(separator, "")) <= set(alphabet)


def test_generate_token_uses_the_whole_alphabet() -> None:
    drawn = "".join(util.generate_token(4, 4) for _ in range(200)).replace("-", "")
    assert set(drawn) == set(TOKEN)
    lower = "".join(util.generate_token(40, 1, lower_case=True) for _ in range(100))
    assert set(lower) == set(TOKEN.lower())


@pytest.mark.parametrize(
    "args",
    [
        ("3", 4),
        (3, 4.0),
        (True, 4),
        (3, None),
        (3, 4, b"abc"),
        (3, 4, ["a", "b"]),
        (3, 4, None, 5),  # a separator that is not a string
    ],
)
def test_generate_token_rejects_what_autobahn_rejects(args: tuple[Any, ...]) -> None:
    assert raised(util.generate_token, *args) is raised(ab.generate_token, *args)


def test_activation_code_is_accepted_by_autobahns_parser() -> None:
    codes = [util.generate_activation_code() for _ in range(200)]
    assert all(ab.parse_activation_code(code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_serial_number_has_autobahns_form() -> None:
    pattern = re.compile(rf"[{TOKEN}]{{4}}(-[{TOKEN}]{{4}}){{5}}")
    assert pattern.fullmatch(ab.generate_serial_number())
    assert all(pattern.fullmatch(util.generate_serial_number()) for _ in range(200))


def test_user_password_has_autobahns_form() -> None:
    pattern = re.compile(rf"[{ab.DEFAULT_ZBASE32_CHARS}]{{16}}")
    assert pattern.fullmatch(ab.generate_user_password())
    assert all(pattern.fullmatch(util.generate_user_password()) for _ in range(200))


# -- public ---------------------------------------------------------------------------


def test_public_marks_as_autobahns() -> None:
    for mark in (util.public, ab.public):

        def fn() -> None: ...

        class Cls: ...

        assert mark(fn) is fn and getattr(fn, "_is_public", None) is True
        assert mark(Cls) is Cls and getattr(Cls, "_is_public", None) is True
        assert mark(len) is len  # a builtin takes no attributes: returned unmarked
        assert not hasattr(len, "_is_public")


@pytest.mark.parametrize("obj", [None, 5, "text", (1,)])
def test_public_passes_unmarkable_objects_through_as_autobahns(obj: Any) -> None:
    assert outcome(util.public, obj) == outcome(ab.public, obj) == ("ok", obj)


# -- timing ---------------------------------------------------------------------------


def test_rtime_is_autobahns_clock() -> None:
    first = util.rtime()
    theirs = ab.rtime()
    assert first <= theirs <= util.rtime()
    assert abs(util.rtime() - time.time()) < 1.0


def test_stopwatch_not_started_is_zero_as_autobahns() -> None:
    for stopwatch in (util.Stopwatch(start=False), ab.Stopwatch(start=False)):
        assert stopwatch.elapsed() == 0
        assert stopwatch.pause() == 0
        assert stopwatch.stop() == 0


def test_stopwatch_accumulates_between_pauses() -> None:
    stopwatch = util.Stopwatch()
    time.sleep(0.02)
    first = stopwatch.pause()
    assert first >= 0.02
    time.sleep(0.02)
    assert stopwatch.elapsed() == first == stopwatch.pause()  # paused: nothing accumulates
    assert stopwatch.resume() == first
    time.sleep(0.02)
    assert stopwatch.resume() >= first + 0.02  # resuming a running watch reports it
    total = stopwatch.stop()
    assert total >= first + 0.02
    assert stopwatch.elapsed() == 0


def test_tracker_diff_formats_as_autobahns() -> None:
    ours, theirs = util.Tracker("tracker", "tracked"), ab.Tracker("tracker", "tracked")
    assert (ours.tracker, ours.tracked) == ("tracker", "tracked")
    offset = 1000.0
    steps = [0.0, 3e-6, 4e-4, 0.5, 9.9996, 42.5, 1234.0]
    timings = {f"k{i}": offset + sum(steps[: i + 1]) for i in range(len(steps))}
    for tracker in (ours, theirs):
        tracker._timings = dict(timings)
        tracker._offset = offset
    keys = [*timings, "missing"]
    for start in keys:
        for end in keys:
            assert ours.diff(start, end) == theirs.diff(start, end)
            assert ours.diff(start, end, formatted=False) == theirs.diff(start, end, False)
    assert [ours[key] for key in keys] == [theirs[key] for key in keys]
    assert list(ours) == list(theirs) == list(timings)
    assert str(ours) == str(theirs)


def test_tracker_tracks_real_time() -> None:
    tracker = util.Tracker(None, None)
    tracker.track("start")
    time.sleep(0.01)
    tracker.track("end")
    assert re.fullmatch(r" *\d+ ms", str(tracker.diff("start", "end")))
    elapsed = tracker.diff("start", "end", formatted=False)
    assert isinstance(elapsed, float) and elapsed >= 0.01
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert abs(tracker.absolute("end") - now) < timedelta(seconds=1)
    assert tracker.absolute("end") > tracker.absolute("start")


def test_tracker_absolute_of_unknown_key_raises_as_autobahns() -> None:
    assert raised(util.Tracker(1, 2).absolute, "x") is raised(ab.Tracker(1, 2).absolute, "x")


# -- EqualityMixin --------------------------------------------------------------------


def equality_classes(mixin: type) -> tuple[type, type, type]:
    class Message(mixin):  # type: ignore[misc]
        def __init__(self, **attrs: Any) -> None:
            self.__dict__.update(attrs)

    class Sub(Message):
        pass

    class Other(mixin):  # type: ignore[misc]
        def __init__(self, **attrs: Any) -> None:
            self.__dict__.update(attrs)

    return Message, Sub, Other


PAIRS = [
    ("Message", {"a": 1, "b": [2]}, "Message", {"a": 1, "b": [2]}),
    ("Message", {"a": 1}, "Message", {"a": 2}),
    ("Message", {"a": 1, "_x": 1}, "Message", {"a": 1, "_x": 2}),  # private: ignored
    ("Message", {}, "Message", {"a": 1}),  # only self's attributes count
    ("Message", {"a": 1}, "Sub", {"a": 1}),
    ("Sub", {"a": 1}, "Message", {"a": 1}),
    ("Message", {"a": 1}, "Other", {"a": 1}),
    ("Message", {"a": 1}, "Message", {}),  # other lacks the attribute: KeyError
]


@pytest.mark.parametrize(("left", "left_attrs", "right", "right_attrs"), PAIRS)
def test_equality_is_autobahns(
    left: str, left_attrs: dict[str, Any], right: str, right_attrs: dict[str, Any]
) -> None:
    results = []
    for mixin in (util.EqualityMixin, ab.EqualityMixin):
        classes = dict(zip(["Message", "Sub", "Other"], equality_classes(mixin), strict=True))
        a, b = classes[left](**left_attrs), classes[right](**right_attrs)
        results.append((outcome(lambda a=a, b=b: a == b), outcome(lambda a=a, b=b: a != b)))
    assert results[0] == results[1]


def test_equality_mixin_objects_are_unhashable_as_autobahns() -> None:
    for mixin in (util.EqualityMixin, ab.EqualityMixin):
        message = equality_classes(mixin)[0](a=1)
        assert raised(hash, message) is TypeError
        assert message != "text"


# -- ObservableMixin ------------------------------------------------------------------


def observables() -> tuple[Any, Any]:
    ours, theirs = util.ObservableMixin(), ab.ObservableMixin()
    for observable in (ours, theirs):
        observable.set_valid_events(["join", "leave"])
    return ours, theirs


async def test_fire_gathers_listener_results_as_autobahns() -> None:
    async def later(x: int) -> int:
        await asyncio.sleep(0)
        return x + 1

    results = []
    for observable in observables():
        assert await observable.fire("join", 1) == []
        observable.on("join", lambda x: x * 2)
        observable.on("join", later)
        observable.on("leave", lambda x: -x)
        results.append((await observable.fire("join", 3), await observable.fire("leave", 3)))
    assert results[0] == results[1] == ([6, 4], [-3])


async def test_fire_fails_with_a_listeners_error_as_autobahns() -> None:
    async def broken() -> None:
        raise KeyError("async")

    for observable in observables():
        observable.on("join", lambda: 1)
        observable.on("join", lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            await observable.fire("join")
        observable.off("join")
        observable.on("join", broken)
        with pytest.raises(KeyError):
            await observable.fire("join")


async def test_off_removes_listeners_as_autobahns() -> None:
    def one() -> int:
        return 1

    def two() -> int:
        return 2

    results = []
    for observable in observables():
        observable.on("join", one)
        observable.on("join", two)
        observable.on("leave", one)
        observable.off("join", one)
        observable.off("join", lambda: 0)  # never added: ignored
        first = await observable.fire("join")
        observable.off("join")
        second = await observable.fire("join"), await observable.fire("leave")
        observable.off()
        third = await observable.fire("leave")
        results.append((first, second, third))
    assert results[0] == results[1] == ([2], ([], [1]), [])


async def test_invalid_events_raise_as_autobahns() -> None:
    messages = []
    for observable in observables():
        with pytest.raises(RuntimeError) as on_error:
            observable.on("nope", print)
        observable.on("join", print)
        with pytest.raises(RuntimeError) as fire_error:
            observable.fire("nope")
        with pytest.raises(RuntimeError):
            observable.off(None, print)  # a handler without an event
        messages.append((str(on_error.value), str(fire_error.value)))
    assert messages[0] == messages[1]


def test_fire_outside_asyncio_gives_a_deferred_under_twisted() -> None:
    from twisted.internet import defer

    observable = util.ObservableMixin()
    assert isinstance(observable.fire("anything"), defer.Deferred)
    observable.on("join", lambda x: x + 1)
    observable.on("join", lambda x: defer.succeed(x * 10))
    got: list[Any] = []
    observable.fire("join", 2).addCallback(got.append)
    assert got == [[3, 20]]
    observable.on("join", lambda x: 1 / 0)
    failures: list[Any] = []
    observable.fire("join", 2).addErrback(failures.append)
    assert [f.type for f in failures] == [ZeroDivisionError]


def test_fire_without_a_framework_raises() -> None:
    code = (
        "from pywamp.util import ObservableMixin\n"
        "try:\n"
        "    ObservableMixin().fire('x')\n"
        "except RuntimeError as e:\n"
        "    print('RuntimeError', e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.startswith("RuntimeError")


async def test_no_valid_events_means_no_restriction_as_autobahns() -> None:
    for observable in (util.ObservableMixin(), ab.ObservableMixin()):
        observable.set_valid_events([])
        observable.on("anything", lambda: 1)
        assert await observable.fire("anything") == [1]
