"""The URI matcher against a plain scan of every key, and the spec's examples."""

from __future__ import annotations

import gc
import weakref
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywamp._native import Matcher, is_valid_uri
from pywamp.exception import InvalidUri

if TYPE_CHECKING:
    from pywamp._native import MatchPolicy

POLICIES: list[MatchPolicy] = ["exact", "prefix", "wildcard"]


def key_is_valid(uri: str, match: MatchPolicy) -> bool:
    """Which keys the matcher takes: loose URIs; prefix may end with a dot; wildcard
    may have empty components but is not the empty string."""
    if match == "exact":
        return is_valid_uri(uri)
    if match == "prefix":
        return is_valid_uri(uri[:-1] if uri.endswith(".") else uri)
    return uri != "" and is_valid_uri(uri, allow_empty=True)


def specificity(pattern: str) -> list[bool]:
    """Literal components win over wildcards at the first position they differ."""
    return [part != "" for part in pattern.split(".")]


def reference(entries: dict[tuple[str, MatchPolicy], Any], uri: str) -> list[Any]:
    """Every matching value by scanning all keys: exact, prefix longest first, then
    wildcard most specific first."""
    parts = uri.split(".")
    exact: list[Any] = []
    prefix: list[tuple[int, Any]] = []
    wildcard: list[tuple[list[bool], Any]] = []
    for (key, match), value in entries.items():
        if match == "exact" and key == uri:
            exact.append(value)
        elif match == "prefix" and uri.startswith(key):
            prefix.append((len(key), value))
        elif match == "wildcard":
            pattern = key.split(".")
            if len(pattern) == len(parts) and all(
                (u != "") if p == "" else (p == u) for p, u in zip(pattern, parts, strict=True)
            ):
                wildcard.append((specificity(key), value))
    prefix.sort(key=lambda item: item[0], reverse=True)
    wildcard.sort(key=lambda item: item[0], reverse=True)
    return exact + [v for _, v in prefix] + [v for _, v in wildcard]


component = st.sampled_from(["", "a", "b", "ab", "ba", "a-b", "ü", "\ud800"])
uris = st.lists(component, min_size=1, max_size=5).map(".".join)


@st.composite
def keys(draw: st.DrawFn) -> tuple[str, MatchPolicy]:
    match = draw(st.sampled_from(POLICIES))
    uri = draw(uris)
    if match == "prefix" and uri:
        # Prefix keys may end anywhere, not only at a dot.
        uri = uri[: draw(st.integers(1, len(uri)))]
    return uri, match


@settings(max_examples=300)
@given(
    ops=st.lists(st.one_of(keys(), st.integers(0, 1000)), max_size=60),
    probes=st.lists(uris, min_size=1, max_size=20),
)
def test_agrees_with_a_scan_of_every_key(
    ops: list[tuple[str, MatchPolicy] | int], probes: list[str]
) -> None:
    m: Matcher[int] = Matcher()
    entries: dict[tuple[str, MatchPolicy], int] = {}
    for n, op in enumerate(ops):
        if isinstance(op, int):
            if entries:
                key = list(entries)[op % len(entries)]
                assert m.remove(*key) == entries.pop(key)
                assert key not in m
            continue
        uri, match = op
        if "\ud800" in uri or not key_is_valid(uri, match):
            with pytest.raises(InvalidUri):
                m.add(uri, match, n)
        elif op in entries:
            with pytest.raises(KeyError):
                m.add(uri, match, n)
        else:
            m.add(uri, match, n)
            entries[op] = n
        assert len(m) == len(entries)
    for (uri, match), value in entries.items():
        assert m.get(uri, match) == value
        assert (uri, match) in m
    for uri in probes + [key for key, _ in entries]:
        expected = reference(entries, uri)
        assert m.match(uri) == expected, uri
        assert m.best(uri) == (expected[0] if expected else None), uri


def test_spec_registration_precedence() -> None:
    m: Matcher[int] = Matcher()
    m.add("a1.b2.c3.d4.e55", "exact", 1)
    m.add("a1.b2.c3", "prefix", 2)
    m.add("a1.b2.c3.d4", "prefix", 3)
    m.add("a1.b2..d4.e5", "wildcard", 4)
    m.add("a1.b2.c33..e5", "wildcard", 5)
    m.add("a1.b2..d4.e5..g7", "wildcard", 6)
    m.add("a1.b2..d4..f6.g7", "wildcard", 7)
    assert m.best("a1.b2.c3.d4.e55") == 1
    assert m.best("a1.b2.c3.d98.e74") == 2
    assert m.best("a1.b2.c3.d4.e325") == 3
    assert m.best("a1.b2.c55.d4.e5") == 4
    assert m.best("a1.b2.c88.d4.e5.f6.g7") == 6
    assert m.best("a2.b2.c2.d2.e2") is None
    # Prefixes match by characters (the spec's prefix sections), so "a1.b2.c3" also
    # covers "a1.b2.c33..."; without it the spec's wildcard pick stands.
    assert m.best("a1.b2.c33.d4.e5") == 2
    m.remove("a1.b2.c3", "prefix")
    assert m.best("a1.b2.c33.d4.e5") == 5
    assert m.match("a1.b2.c33.d4.e5") == [5, 4]


def test_longest_portion_before_each_wildcard_wins() -> None:
    m: Matcher[str] = Matcher()
    m.add("a1...d4", "wildcard", "short")
    m.add("a1.b2..d4", "wildcard", "long")
    assert m.best("a1.b2.c3.d4") == "long"
    assert m.match("a1.b2.c3.d4") == ["long", "short"]


def test_spec_subscription_examples() -> None:
    m: Matcher[str] = Matcher()
    m.add("com.myapp.topic.emergency", "prefix", "prefix")
    m.add("com.myapp..userevent", "wildcard", "wildcard")
    for topic in [
        "com.myapp.topic.emergency.11",
        "com.myapp.topic.emergency-low",
        "com.myapp.topic.emergency.category.severe",
        "com.myapp.topic.emergency",
    ]:
        assert m.match(topic) == ["prefix"]
    assert m.match("com.myapp.topic.emerge") == []
    for topic in ["com.myapp.foo.userevent", "com.myapp.bar.userevent", "com.myapp.a12.userevent"]:
        assert m.match(topic) == ["wildcard"]
    for topic in ["com.myapp.foo.userevent.bar", "com.myapp.foo.user", "com.myapp2.foo.userevent"]:
        assert m.match(topic) == []


def test_one_uri_under_every_policy() -> None:
    m: Matcher[str] = Matcher()
    m.add("a.b", "wildcard", "w")
    m.add("a.b", "prefix", "p")
    m.add("a.b", "exact", "e")
    assert len(m) == 3
    assert m.match("a.b") == ["e", "p", "w"]
    assert m.best("a.b") == "e"
    assert m.remove("a.b", "exact") == "e"
    assert m.best("a.b") == "p"
    assert m.get("a.b", "exact") is None
    assert ("a.b", "exact") not in m
    assert ("a.b", "prefix") in m


def test_errors() -> None:
    m: Matcher[int] = Matcher()
    m.add("a.b", "exact", 1)
    with pytest.raises(KeyError, match="already taken"):
        m.add("a.b", "exact", 2)
    assert m.get("a.b", "exact") == 1
    with pytest.raises(KeyError) as missing:
        m.remove("a.c", "exact")
    assert missing.value.args == (("a.c", "exact"),)
    with pytest.raises(InvalidUri, match=r"invalid exact URI .*component 2 is empty"):
        m.add("a..b", "exact", 3)
    with pytest.raises(InvalidUri, match="whitespace"):
        m.add("a.b c", "prefix", 3)
    with pytest.raises(InvalidUri):
        m.add("", "wildcard", 3)
    with pytest.raises(InvalidUri, match="surrogate"):
        m.add("a.\ud800", "exact", 3)
    with pytest.raises(ValueError, match="unknown match policy 'fuzzy'"):
        m.add("a.b", "fuzzy", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        m.get("a.b", "EXACT")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ("a.b", "regex") in m  # type: ignore[operator]  # noqa: B015
    with pytest.raises(TypeError):
        m.add(b"a.b", "exact", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m.match(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        "a.b" in m  # type: ignore[operator]  # noqa: B015
    assert len(m) == 1


def test_lookups_of_any_string_never_fail() -> None:
    m: Matcher[int] = Matcher()
    m.add("a.", "prefix", 1)
    m.add("a..c", "wildcard", 2)
    assert m.match("a.\ud800.c") == [1, 2]
    assert m.match("") == []
    assert m.best("..") is None
    assert m.match("a..c") == [1]
    assert m.match("a. .c") == [1, 2]


def test_values_are_held_and_released() -> None:
    class Value:
        pass

    m: Matcher[Value] = Matcher()
    v = Value()
    ref = weakref.ref(v)
    m.add("a.b", "wildcard", v)
    assert m.best("a.b") is v
    assert m.match("a.b")[0] is v
    del v
    assert ref() is not None
    m.remove("a.b", "wildcard")
    assert ref() is None


def test_cycles_through_stored_values_are_collected() -> None:
    class Owner:
        matcher: Matcher[Any]

    owner = Owner()
    owner.matcher = Matcher()
    owner.matcher.add("com.example.self", "exact", owner)
    owner.matcher.add("com.example.", "prefix", [owner])
    ref = weakref.ref(owner)
    del owner
    gc.collect()
    assert ref() is None


def test_generic_alias() -> None:
    alias = Matcher[int]
    assert alias.__origin__ is Matcher  # type: ignore[attr-defined]


def test_many_matches_come_back_in_order() -> None:
    m: Matcher[int] = Matcher()
    for k in range(20):
        m.add("x." + "a" * k, "prefix", k)
    m.add("x." + "a" * 30, "exact", 100)
    m.add("x.", "wildcard", 200)
    assert m.match("x." + "a" * 30) == [100, *range(19, -1, -1), 200]
    assert m.best("x." + "a" * 30) == 100
    assert m.best("x." + "a" * 25) == 19
