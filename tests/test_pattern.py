"""Decorator URI patterns: wire URI and policy, binding, and agreement with Autobahn."""

import pytest
from autobahn.wamp.uri import Pattern
from hypothesis import assume, given
from hypothesis import strategies as st

from pywamp._native import Matcher, UriPattern
from pywamp.exception import InvalidUri


@pytest.mark.parametrize(
    ("pattern", "uri", "match", "names"),
    [
        ("com.myapp.task.<task_id>.delete", "com.myapp.task..delete", "wildcard", ["task_id"]),
        (
            "com.myapp.<country>.<state>.<city>.on_concert",
            "com.myapp....on_concert",
            "wildcard",
            ["country", "state", "city"],
        ),
        ("com.myapp.product.<id:int>.update", "com.myapp.product..update", "wildcard", ["id"]),
        ("com.myapp.<a:str>.<b:string>", "com.myapp..", "wildcard", ["a", "b"]),
        ("com.myapp.us.<path:suffix>", "com.myapp.us.", "prefix", ["path"]),
        ("com.myapp.<rest:suffix>", "com.myapp.", "prefix", ["rest"]),
        ("com.myapp...get_name", "com.myapp...get_name", "wildcard", []),
        ("com.myapp.hello", "com.myapp.hello", "exact", []),
        ("com.myapp.getUser", "com.myapp.getUser", "exact", []),
    ],
)
def test_compiles_to_wire_uri_and_policy(
    pattern: str, uri: str, match: str, names: list[str]
) -> None:
    p = UriPattern(pattern)
    assert (p.pattern, p.uri, p.match, p.names) == (pattern, uri, match, names)
    assert repr(p) == f"UriPattern({pattern!r})"


def test_binds_the_concert_example() -> None:
    p = UriPattern("com.myapp.<country>.<state>.<city>.on_concert")
    assert p.bind("com.myapp.us.montana.billings.on_concert") == {
        "country": "us",
        "state": "montana",
        "city": "billings",
    }
    for topic in [
        "com.myapp.us.montana.billings",
        "com.myapp.us.montana.billings.on_challenge",
        "com.myapp.us.newmexico.albuquerque.citycenter.on_concert",
    ]:
        assert p.bind(topic) is None


def test_binds_int_and_suffix() -> None:
    p = UriPattern("com.myapp.product.<id:int>.update")
    assert p.bind("com.myapp.product.130.update") == {"id": 130}
    assert p.bind("com.myapp.product.-7.update") == {"id": -7}
    assert p.bind("com.myapp.product.+7.update") == {"id": 7}
    big = 10**40
    assert p.bind(f"com.myapp.product.{big}.update") == {"id": big}
    # Only ASCII digits with an optional sign: what int() also takes ("1_000", Arabic
    # digits) is refused, and a non-number means no match.
    for value in ["t130", "1.5", "1_000", "\u0661", "0x10", "+", "-"]:
        assert p.bind(f"com.myapp.product.{value}.update") is None, value
    p = UriPattern("com.myapp.us.<path:suffix>")
    assert p.bind("com.myapp.us.newmexico.albuquerque.citycenter.on_concert") == {
        "path": "newmexico.albuquerque.citycenter.on_concert"
    }
    assert p.bind("com.myapp.de.bavaria.munich.on_concert") is None
    assert p.bind("com.myapp.usa.texas") is None
    assert p.bind("com.myapp.us.\ud800") == {"path": "\ud800"}


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "the pattern is empty"),
        ("com.myapp.task.<task-id>.delete", 'component 4: placeholder name "task-id"'),
        ("a.<1st>", "placeholder name"),
        ("a.<>", "placeholder name"),
        ("a.<x:float>", 'unknown placeholder type "float"'),
        ("a.<x:INT>", "unknown placeholder type"),
        ("a.<x>.<x:int>", 'component 3: the name "x" is used twice'),
        ("a.<rest:suffix>.b", "component 2: a suffix placeholder must be the last"),
        ("a.<x>.<rest:suffix>", "cannot follow wildcards"),
        ("<rest:suffix>", "needs literal components before it"),
        ("<x>", "single wildcard component"),
        ("a.b c", "component 2 contains the character ' '"),
        ("a.b#c", "component 2 contains the character '#'"),
        ("a.x<y>", "component 2: '<' and '>' must enclose a whole component"),
        ("a.<y", "must enclose a whole component"),
        ("a.\ud800", "lone surrogate"),
    ],
)
def test_invalid_patterns_name_the_problem(pattern: str, problem: str) -> None:
    with pytest.raises(InvalidUri) as caught:
        UriPattern(pattern)
    assert problem in str(caught.value)


def autobahn_accepts(pattern: str) -> bool:
    try:
        Pattern(pattern, Pattern.URI_TARGET_ENDPOINT)
    except TypeError:
        return False
    return True


@given(st.text(st.sampled_from("abzAZ09_-:"), max_size=8))
def test_placeholder_names_are_identifiers(name: str) -> None:
    """Every name Autobahn accepts, plus the seed's camelCase ones (``<taskId>``)."""
    pattern = f"com.myapp.<{name}>.x"
    try:
        UriPattern(pattern)
    except InvalidUri:
        ours = False
    else:
        ours = True
    assert ours == (name.isidentifier() and name.isascii())
    if autobahn_accepts(pattern):
        assert ours


# Patterns inside Autobahn's grammar (its literals are [a-z0-9][a-z0-9_-]*).
literal = st.sampled_from(["com", "myapp", "a", "b1", "x-y", "on_concert"])
placeholder_kind = st.sampled_from(["", ":str", ":string", ":int"])


@st.composite
def autobahn_patterns(draw: st.DrawFn) -> str:
    size = draw(st.integers(2, 5))
    parts = []
    for i in range(size):
        if draw(st.booleans()):
            parts.append(draw(literal))
        else:
            parts.append(f"<n{i}{draw(placeholder_kind)}>")
    return ".".join(parts)


value = st.sampled_from(["com", "myapp", "a", "b1", "7", "-3", "+12", "0", "x-y", "1e3", "Ü"])


@given(pattern=autobahn_patterns(), parts=st.lists(value, min_size=1, max_size=6))
def test_bind_agrees_with_autobahn(pattern: str, parts: list[str]) -> None:
    uri = ".".join(parts)
    ours = UriPattern(pattern).bind(uri)
    theirs = Pattern(pattern, Pattern.URI_TARGET_ENDPOINT)
    try:
        _, kwargs = theirs.match(uri)  # type: ignore[no-untyped-call]
    except ValueError:  # no match, or int() refused the value
        assert ours is None
    else:
        if theirs.uri_type == Pattern.URI_TYPE_EXACT:
            # Autobahn does not check exact URIs in match(); we do.
            assert ours == ({} if uri == pattern else None)
        else:
            assert ours == kwargs


uri_component = st.sampled_from(["", "a", "b", "ab", "1", "-1", "x y"])
pattern_component = st.sampled_from(["", "a", "b", "ab", "<p>", "<q:int>", "<r:str>"])


@given(
    parts=st.lists(pattern_component, min_size=1, max_size=4),
    suffix=st.booleans(),
    uri_parts=st.lists(uri_component, min_size=1, max_size=5),
)
def test_bind_matches_where_the_matcher_does(
    parts: list[str], suffix: bool, uri_parts: list[str]
) -> None:
    if suffix:
        parts = [p for p in parts if p and not p.startswith("<")] + ["<rest:suffix>"]
    pattern = ".".join(parts)
    try:
        p = UriPattern(pattern)
    except InvalidUri:
        assume(False)
        return
    m: Matcher[int] = Matcher()
    m.add(p.uri, p.match, 1)
    uri = ".".join(uri_parts)
    bound = p.bind(uri)
    matched = m.best(uri) is not None
    if bound is not None:
        assert matched
        assert list(bound) == p.names
    elif ":int" not in pattern:
        assert not matched
