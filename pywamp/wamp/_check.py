"""Errors for the option and detail classes, each naming the class, the field and the problem.

Autobahn validates these with ``assert``; pywamp raises ``TypeError`` (wrong type) or
``ValueError`` (right type, bad value) instead, so the checks also run under ``python -O``.
Only the failing branch calls in here: the valid path stays a few inline comparisons.
"""

from __future__ import annotations

from typing import Any


def bad_type(owner: str, name: str, expected: str, value: object) -> TypeError:
    """A TypeError such as "CallOptions.timeout must be an int or float, got str"."""
    return TypeError(f"{owner}.{name} must be {expected}, got {type(value).__name__}")


def bad_value(owner: str, name: str, expected: str, value: object) -> ValueError:
    """A ValueError such as "RegisterOptions.invoke must be one of ..., got 'all'"."""
    return ValueError(f"{owner}.{name} must be {expected}, got {value!r}")


def both_spellings(owner: str, name: str, old: str) -> TypeError:
    """Passing an option under its current and its old (seed) name at once is ambiguous."""
    return TypeError(f"{owner}() got both {name!r} and its old spelling {old!r}")


def check_forward_for(owner: str, value: Any, authid_optional: bool = True) -> None:
    """``forward_for`` is a list of {session: int, authid: str, authrole: str} dicts."""
    if type(value) is not list:
        raise bad_type(owner, "forward_for", "a list of dicts", value)
    for i, hop in enumerate(value):
        where = f"forward_for[{i}]"
        if type(hop) is not dict:
            raise bad_type(owner, where, "a dict", hop)
        for key in ("session", "authid", "authrole"):
            if key not in hop:
                raise ValueError(f"{owner}.{where} is missing the key {key!r}")
        if type(hop["session"]) is not int:
            raise bad_type(owner, f"{where}['session']", "an int", hop["session"])
        authid = hop["authid"]
        if type(authid) is not str and not (authid_optional and authid is None):
            expected = "a str or None" if authid_optional else "a str"
            raise bad_type(owner, f"{where}['authid']", expected, authid)
        if type(hop["authrole"]) is not str:
            raise bad_type(owner, f"{where}['authrole']", "a str", hop["authrole"])


def check_opt(owner: str, name: str, value: Any, typ: type, expected: str) -> None:
    """An optional field of exactly one type (bool is not an int here, as in Autobahn)."""
    if value is not None and type(value) is not typ:
        raise bad_type(owner, name, expected, value)


def check_choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> None:
    """An optional str field restricted to a fixed set of values."""
    if value is None:
        return
    if type(value) is not str:
        raise bad_type(owner, name, "a str", value)
    if value not in choices:
        raise bad_value(owner, name, "one of " + ", ".join(map(repr, choices)), value)


def check_one_or_list(owner: str, name: str, value: Any, typ: type, expected: str) -> None:
    """An optional field holding one value of ``typ`` or a list of them (publish filters)."""
    if value is None or type(value) is typ:
        return
    if type(value) is list:
        for item in value:
            if type(item) is not typ:
                raise bad_type(owner, name, f"{expected} or a list of them", item)
        return
    raise bad_type(owner, name, f"{expected} or a list of them", value)
