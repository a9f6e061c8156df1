"""SASLprep (RFC 4013): the RFC's own examples, and agreement with passlib's ``saslprep``
(what Autobahn's client and Crossbar prepare SCRAM usernames with) on arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from passlib.utils import saslprep as passlib_saslprep

from pywamp.wamp._saslprep import saslprep


@pytest.mark.parametrize(
    ("text", "prepared"),
    [
        ("I\u00adX", "IX"),  # SOFT HYPHEN mapped to nothing
        ("user", "user"),  # no transformation
        ("USER", "USER"),  # case preserved
        ("\u00aa", "a"),  # output is NFKC, input in ISO 8859-1
        ("\u2168", "IX"),  # output is NFKC, will match the string "IX"
        ("a\u00a0b\u3000c", "a b c"),  # non-ASCII spaces become SPACE
        ("\ufb01ona=1,x", "fiona=1,x"),  # a ligature; '=' and ',' are not SASLprep's business
        ("", ""),
    ],
)
def test_rfc4013_examples(text: str, prepared: str) -> None:
    assert saslprep(text, "authid") == prepared


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\u0007", r"control character \(U\+0007\)"),  # RFC 4013 example 6
        ("\u0627\u0031", "right-to-left text must start and end right-to-left"),  # example 7
        ("\u0627a\u0627", "mixes right-to-left and left-to-right"),
        ("pass\ue000", r"private use character \(U\+E000"),
        ("a\u200eb", "changes display properties"),  # LEFT-TO-RIGHT MARK
        ("\U000e0041", "tagging character"),
        ("\ufffe", "non-character code point"),
    ],
)
def test_prohibited_output_names_the_character(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"^password.*{problem}"):
        saslprep(text, "password")


def test_right_to_left_text_that_starts_and_ends_right_to_left_passes() -> None:
    assert saslprep("\u0627\u0031\u0628", "authid") == "\u0627\u0031\u0628"


def test_unassigned_code_points_are_allowed_in_queries_only() -> None:
    """Emoji were assigned after Unicode 3.2, the version stringprep's tables fix."""
    assert saslprep("erin\U0001f600", "authid") == "erin\U0001f600"
    with pytest.raises(ValueError, match=r"unassigned code point \(U\+1F600"):
        saslprep("erin\U0001f600", "authid", allow_unassigned=False)


def test_not_a_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="authid must be a str, got bytes"):
        saslprep(b"erin", "authid")  # type: ignore[arg-type]


# Text drawn from the tables' regions, where the interesting characters are.
SCRIPTS = st.text(
    st.one_of(
        st.characters(max_codepoint=0x2FF),  # ASCII, Latin-1, controls, spaces
        st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic (R/AL)
        st.characters(min_codepoint=0x2000, max_codepoint=0x206F),  # spaces, marks, controls
        st.characters(min_codepoint=0xFB00, max_codepoint=0xFFFF),  # ligatures, specials
        st.characters(),
    ),
    max_size=12,
)


@settings(max_examples=2000, deadline=None)
@given(SCRIPTS)
def test_agrees_with_passlib(text: str) -> None:
    """As a stored string (passlib refuses unassigned code points): the same text, or both
    refuse it."""
    try:
        theirs: str | None = passlib_saslprep(text)
    except ValueError:
        theirs = None
    try:
        ours: str | None = saslprep(text, "value", allow_unassigned=False)
    except ValueError:
        ours = None
    assert ours == theirs
