"""Helpers that compare a pywamp class with Autobahn's on the same constructor arguments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

# The machine is shared with compilers: generation speed and run time are not under test.
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values of every kind, valid for some fields and wrong for others.
JUNK = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=6),
    st.binary(max_size=4),
    st.lists(st.one_of(st.integers(0, 9), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(0, 9), max_size=2),
    # near misses: right type, wrong value, or a malformed forward_for hop
    st.sampled_from(["regex", "all", "", 0, -1, 0.0]),
    st.sampled_from(
        [
            [{"session": 1}],
            [{"session": "1", "authid": "a", "authrole": "r"}],
            [{"session": 1, "authid": None, "authrole": "r"}],
            [{"session": 1, "authid": "a", "authrole": None}],
            ["hop"],
        ]
    ),
)
TEXT = st.text(max_size=12)
IDS = st.integers(0, 2**53)
HOP = st.fixed_dictionaries(
    {"session": IDS, "authid": st.one_of(st.none(), TEXT), "authrole": TEXT}
)
FORWARD_FOR = st.lists(HOP, max_size=2)


def opt(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """None, a valid value (most often), or junk (one time in five)."""
    return st.integers(0, 4).flatmap(lambda i: JUNK if i == 0 else st.none() if i == 1 else valid)


def kwargs_of(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the fields as keyword arguments."""
    return st.fixed_dictionaries({}, optional=fields)


def build(cls: Any, *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    try:
        return cls(*args, **kwargs), None
    except BaseException as exc:
        return None, exc


def assert_same(
    ours_cls: Any, theirs_cls: Any, *args: Any, attrs: tuple[str, ...] = (), **kwargs: Any
) -> tuple[Any, Any]:
    """Autobahn asserting means pywamp raises TypeError/ValueError; otherwise both objects
    print the same and have the same attributes."""
    theirs, their_exc = build(theirs_cls, *args, **kwargs)
    event("autobahn refuses" if their_exc is not None else "autobahn accepts")
    if their_exc is not None:
        assert isinstance(their_exc, AssertionError), their_exc
        with pytest.raises((TypeError, ValueError)):
            ours_cls(*args, **kwargs)
        return None, None
    ours = ours_cls(*args, **kwargs)
    assert str(ours) == str(theirs)
    assert same_repr(ours, theirs)
    for name in attrs:
        a, b = getattr(ours, name), getattr(theirs, name)
        assert a is b or a == b, name  # "is": the same nan passed to both
    return ours, theirs


def same_repr(ours: object, theirs: object) -> bool:
    """Both use the default repr: <module.Class object at 0x...> with the same class name."""
    pattern = r"<(?:pywamp\.wamp\.types|autobahn\.wamp\.types)\.(\w+) object at 0x[0-9a-f]+>"
    a, b = re.fullmatch(pattern, repr(ours)), re.fullmatch(pattern, repr(theirs))
    return a is not None and b is not None and a.group(1) == b.group(1)


def public_slots(cls: Any) -> tuple[str, ...]:
    return tuple(n.lstrip("_") for n in cls.__slots__)
