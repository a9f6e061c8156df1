"""URI validation against the spec's regular expressions, run by Python's own `re`."""

import re

from hypothesis import given
from hypothesis import strategies as st

from pywamp._native import is_valid_uri

# The four expressions of the spec (basic profile, building_blocks.md, "URIs").
SPEC = {
    (False, False): re.compile(r"^([^\s\.#]+\.)*([^\s\.#]+)$"),
    (False, True): re.compile(r"^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$"),
    (True, False): re.compile(r"^([0-9a-z_]+\.)*([0-9a-z_]+)$"),
    (True, True): re.compile(r"^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$"),
}
RULES = list(SPEC)

WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def spec_says(uri: str, strict: bool, allow_empty: bool) -> bool:
    """The spec's verdict: the whole string must match (fullmatch, not `$`)."""
    return SPEC[strict, allow_empty].fullmatch(uri) is not None


uri_chars = st.one_of(
    st.sampled_from([".", ".", "#", "_", "a", "z", "0", "9", "A", "-", ":"]),
    st.sampled_from(WHITESPACE),
    st.characters(),
)
uris = st.text(uri_chars, max_size=24)


@given(uri=uris, rules=st.sampled_from(RULES))
def test_agrees_with_the_spec_expressions(uri: str, rules: tuple[bool, bool]) -> None:
    strict, allow_empty = rules
    assert is_valid_uri(uri, strict=strict, allow_empty=allow_empty) == spec_says(
        uri, strict, allow_empty
    )


@given(parts=st.lists(st.text(st.characters(exclude_characters="."), max_size=5), max_size=6))
def test_agrees_on_dotted_strings(parts: list[str]) -> None:
    uri = ".".join(parts)
    for strict, allow_empty in RULES:
        assert is_valid_uri(uri, strict=strict, allow_empty=allow_empty) == spec_says(
            uri, strict, allow_empty
        )


def test_every_code_point_is_judged_like_re() -> None:
    # Whitespace is whatever `\s` is for a str pattern, including U+001C..U+001F and
    # the Unicode spaces; lone surrogates are ordinary characters to `re`.
    for cp in range(0x110000):
        uri = f"a{chr(cp)}b.c"
        assert is_valid_uri(uri) == spec_says(uri, False, False), hex(cp)
        assert is_valid_uri(uri, strict=True) == spec_says(uri, True, False), hex(cp)


def test_examples() -> None:
    assert is_valid_uri("com.myapp.topic1")
    assert is_valid_uri("com.myapp.Überthema")
    assert not is_valid_uri("com.myapp.Überthema", strict=True)
    assert is_valid_uri("com.my_app.v2", strict=True)
    assert not is_valid_uri("")
    assert is_valid_uri("", allow_empty=True)
    assert not is_valid_uri("com.myapp..on_concert")
    assert is_valid_uri("com.myapp..on_concert", allow_empty=True)
    assert not is_valid_uri("com.my app")
    assert not is_valid_uri("com.myapp#1")
    assert not is_valid_uri("com.myapp\u00a0x")


def test_trailing_newline_is_whitespace_not_a_line_end() -> None:
    # re.match with "$" accepts a final "\n" (a quirk Autobahn inherits); the whole
    # string is what the spec means.
    assert SPEC[False, False].match("com.myapp\n") is not None
    assert not is_valid_uri("com.myapp\n")
    assert not is_valid_uri("com.myapp\n", strict=True)
