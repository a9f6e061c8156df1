"""URI decorators record what Autobahn's record; patterns compile through the native core."""

from __future__ import annotations

from typing import Any

import pytest
from _compare import SETTINGS
from autobahn import wamp as ab_wamp
from autobahn.wamp import types as ab_types
from autobahn.wamp import uri as ab_uri
from hypothesis import given
from hypothesis import strategies as st

from pywamp import wamp
from pywamp.exception import InvalidUri
from pywamp.wamp import types, uri

LITERAL = st.from_regex(r"[a-z0-9][a-z0-9_\-]{0,5}", fullmatch=True)
NAME = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """URI patterns in Autobahn's grammar: literals, <name>, <name:type>, empty components."""
    count = draw(st.integers(1, 5))
    names = iter(draw(st.lists(NAME, min_size=count, max_size=count, unique=True)))
    parts = []
    for i in range(count):
        kind = draw(st.sampled_from(["literal", "literal", "named", "typed", "empty"]))
        if kind == "literal" or (kind == "empty" and count == 1):
            parts.append(draw(LITERAL))
        elif kind == "named":
            parts.append(f"<{next(names)}>")
        elif kind == "typed":
            types_ = ["str", "string", "int"] + (["suffix"] if i == count - 1 else [])
            parts.append(f"<{next(names)}:{draw(st.sampled_from(types_))}>")
        else:
            parts.append("")
    return ".".join(parts)


def recorded(obj: Any) -> list[tuple[str, bool, bool, bool, str | None, Any]]:
    return [
        (p.uri(), p.is_endpoint(), p.is_handler(), p.is_exception(), str(p.options), None)
        for p in obj._wampuris
    ]


@SETTINGS
@given(patterns(), st.booleans(), st.sampled_from([None, True, False]))
def test_decorators_record_like_autobahn(pattern: str, with_options: bool, check: Any) -> None:
    reg = types.RegisterOptions(invoke="roundrobin") if with_options else None
    ab_reg = ab_types.RegisterOptions(invoke="roundrobin") if with_options else None
    sub = types.SubscribeOptions(match="wildcard") if with_options else None
    ab_sub = ab_types.SubscribeOptions(match="wildcard") if with_options else None

    def ours() -> None: ...

    def theirs() -> None: ...

    wamp.register(pattern, reg, check)(ours)
    wamp.subscribe(pattern, sub, check)(ours)
    ab_wamp.register(pattern, ab_reg, check)(theirs)
    ab_wamp.subscribe(pattern, ab_sub, check)(theirs)
    assert recorded(ours) == recorded(theirs)
    assert [p.check_types for p in ours._wampuris] == [check, check]  # type: ignore[attr-defined]

    @wamp.error(pattern)
    class OurError(Exception): ...

    @ab_wamp.error(pattern)
    class TheirError(Exception): ...

    assert recorded(OurError) == recorded(TheirError)


def test_register_without_uri_uses_the_function_name() -> None:
    @wamp.register()
    def add2(a: int, b: int) -> int:
        return a + b

    @ab_wamp.register(None)
    def theirs(a: int, b: int) -> int:
        return a + b

    assert add2._wampuris[0].uri() == "add2"  # type: ignore[attr-defined]
    assert theirs._wampuris[0].uri() == "theirs"  # type: ignore[attr-defined]
    assert add2(1, 2) == 3  # the decorator returns the function itself


def test_seed_aliases_and_stacking() -> None:
    assert wamp.procedure is wamp.register and wamp.topic is wamp.subscribe

    @wamp.procedure("com.myapp.hello")
    @wamp.procedure("com.myapp.hi")
    def hello(msg: str) -> str:
        return f"You said {msg}. I say hello!"

    assert [p.uri() for p in hello._wampuris] == ["com.myapp.hi", "com.myapp.hello"]  # type: ignore[attr-defined]
    assert all(p.kind == "endpoint" for p in hello._wampuris)  # type: ignore[attr-defined]


def test_error_classes_keep_their_own_list() -> None:
    @wamp.error("com.myapp.error.base")
    class Base(Exception): ...

    @wamp.error("com.myapp.error.derived")
    class Derived(Base): ...

    assert [p.uri() for p in Base._wampuris] == ["com.myapp.error.base"]  # type: ignore[attr-defined]
    assert [p.uri() for p in Derived._wampuris] == ["com.myapp.error.derived"]  # type: ignore[attr-defined]
    assert Derived._wampuris[0].options is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("make", "exc", "words"),
    [
        (lambda: wamp.register(lambda: None), TypeError, "@wamp.register('"),
        (lambda: wamp.register(""), ValueError, "must not be empty"),
        (
            lambda: wamp.register("a", options=types.SubscribeOptions()),
            TypeError,
            "RegisterOptions",
        ),
        (lambda: wamp.subscribe(None), TypeError, "wamp.subscribe(uri)"),
        (
            lambda: wamp.subscribe("a", options=types.RegisterOptions()),
            TypeError,
            "SubscribeOptions",
        ),
        (lambda: wamp.subscribe("a", check_types="yes"), TypeError, "check_types"),
        (lambda: wamp.register("a")(42), TypeError, "callables"),
        (lambda: wamp.error("com.e")(int), TypeError, "Exception subclasses"),
        (lambda: wamp.error("com.e")(print), TypeError, "Exception subclasses"),
        (lambda: wamp.register()(len), TypeError, "cannot record"),
    ],
)
def test_bad_decorator_use(make: Any, exc: type, words: str) -> None:
    with pytest.raises(exc) as info:
        make()
    assert words in str(info.value)


@SETTINGS
@given(st.text(alphabet="ab.*", max_size=10))
def test_convert_starred_uri_like_autobahn(text: str) -> None:
    assert uri.convert_starred_uri(text) == ab_uri.convert_starred_uri(text)


def test_convert_starred_uri_refuses_non_str() -> None:
    with pytest.raises(TypeError, match="convert_starred_uri"):
        uri.convert_starred_uri(b"a.*")  # type: ignore[arg-type]


def test_decorated_finds_functions_and_methods() -> None:
    class Calculator:
        @wamp.procedure("com.calculator.add")
        def add(self, a: int, b: int) -> int:
            return a + b

        @wamp.procedure("com.calculator.square")
        def square(self, x: int) -> int:
            return x * x

        @wamp.topic("com.calculator.on_reset")
        def on_reset(self) -> None: ...

        def plain(self) -> None: ...

    calc = Calculator()
    found = {p.uri(): (fn, p.kind) for fn, p in uri.decorated(calc)}
    assert sorted(found) == [
        "com.calculator.add",
        "com.calculator.on_reset",
        "com.calculator.square",
    ]
    assert found["com.calculator.add"][0](2, 5) == 7  # bound to the object
    assert found["com.calculator.on_reset"][1] == "handler"

    @wamp.procedure("com.myapp.hello")
    def hello(msg: str) -> str:
        return msg

    assert [(fn, p.uri()) for fn, p in uri.decorated(hello)] == [(hello, "com.myapp.hello")]
    assert uri.decorated(object()) == []


def test_pattern_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="target"):
        uri.Pattern("com.x", 9)
    with pytest.raises(TypeError, match="uri must be a str"):
        uri.Pattern(None, uri.Pattern.URI_TARGET_ENDPOINT)  # type: ignore[arg-type]
    pat = uri.Pattern("com.x", uri.Pattern.URI_TARGET_EXCEPTION, types.RegisterOptions())
    assert (
        pat.options is None
        and pat.is_exception()
        and repr(pat) == "Pattern('com.x', kind='exception')"
    )


# -- compiled by the native core (pywamp._native.UriPattern) ---------------------------------


def endpoint(text: str, options: Any = None) -> uri.Pattern:
    return uri.Pattern(text, uri.Pattern.URI_TARGET_ENDPOINT, options)


def test_named_components_become_wildcards() -> None:
    pat = endpoint("com.myapp.task.<task_id>.delete")
    assert (pat.wire_uri, pat.match_policy, pat.names) == (
        "com.myapp.task..delete",
        "wildcard",
        ["task_id"],
    )
    assert pat.uri_type == uri.Pattern.URI_TYPE_WILDCARD
    assert pat.bind("com.myapp.task.t130.delete") == {"task_id": "t130"}
    assert pat.bind("com.myapp.task.t130.update") is None
    assert pat.match("com.myapp.task.t130.delete") == ([], {"task_id": "t130"})
    with pytest.raises(ValueError, match="does not match"):
        pat.match("com.myapp.other")
    assert pat.wire_options() == {"match": "wildcard"}


def test_seed_patterns() -> None:
    concert = uri.Pattern(
        "com.myapp.<country>.<state>.<city>.on_concert", uri.Pattern.URI_TARGET_HANDLER
    )
    assert concert.wire_uri == "com.myapp....on_concert"  # as the seed prints it
    assert concert.bind("com.myapp.us.montana.billings.on_concert") == {
        "country": "us",
        "state": "montana",
        "city": "billings",
    }
    assert concert.bind("com.myapp.us.newmexico.albuquerque.citycenter.on_concert") is None
    us = uri.Pattern("com.myapp.us.<path:suffix>", uri.Pattern.URI_TARGET_HANDLER)
    assert (us.wire_uri, us.match_policy) == ("com.myapp.us.", "prefix")
    assert us.bind("com.myapp.us.newmexico.albuquerque.citycenter.on_concert") == {
        "path": "newmexico.albuquerque.citycenter.on_concert"
    }
    assert us.wire_options(types.SubscribeOptions(get_retained=True)) == {
        "match": "prefix",
        "get_retained": True,
    }


def test_seed_camel_case_names() -> None:
    camel = endpoint("com.myapp.task.<taskId>.delete")
    assert camel.bind("com.myapp.task.t130.delete") == {"taskId": "t130"}


def test_int_components_are_converted() -> None:
    pat = endpoint("com.myapp.product.<product:int>.update")
    assert pat.bind("com.myapp.product.123456.update") == {"product": 123456}
    assert pat.bind("com.myapp.product.abc.update") is None


def test_exact_patterns_and_their_options() -> None:
    pat = endpoint("com.myapp.hello", types.RegisterOptions(invoke="random"))
    assert (pat.wire_uri, pat.match_policy, pat.names) == ("com.myapp.hello", "exact", [])
    assert pat.match("anything.the.router.sent") == ([], {})
    assert pat.wire_options() == {"invoke": "random"}
    # without names, the text goes out as written and explicit options decide (Autobahn)
    prefix = endpoint("com.myapp.", types.RegisterOptions(match="prefix"))
    assert (prefix.wire_uri, prefix.wire_options()) == ("com.myapp.", {"match": "prefix"})
    anonymous = endpoint("com.myapp..get_name")
    assert anonymous.wire_options() == {"match": "wildcard"}  # as in the seed
    assert anonymous.match("com.myapp.item.get_name") == ([], {})


def test_options_that_contradict_the_pattern() -> None:
    pat = endpoint("com.myapp.task.<task_id>.delete")
    assert pat.wire_options(types.RegisterOptions(match="wildcard")) == {"match": "wildcard"}
    with pytest.raises(ValueError, match="match='prefix'"):
        pat.wire_options(types.RegisterOptions(match="prefix"))


@pytest.mark.parametrize(
    "bad", ["com.<a>.<a>", "com.<rest:suffix>.x", "com.<x:float>", "com.<>.x", "com. .x"]
)
def test_malformed_patterns_raise_invalid_uri(bad: str) -> None:
    pat = endpoint(bad)  # recording does not compile
    with pytest.raises(InvalidUri):
        pat.compile()
