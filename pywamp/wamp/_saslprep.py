"""SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM prepares usernames and
passwords with, so that text which looks the same hashes the same. The tables are the
standard library's ``stringprep`` (Unicode 3.2, as the RFC fixes them).

Unassigned code points are allowed by default: RFC 5802 prepares a username as a *query*
(anything assigned after Unicode 3.2, emoji for one, would otherwise be refused).
"""

from __future__ import annotations

import stringprep
import unicodedata
from collections.abc import Callable

__all__ = ("saslprep",)

# RFC 4013 section 2.3, in the order the RFC lists the tables.
_PROHIBITED: tuple[tuple[Callable[[str], bool], str], ...] = (
    (stringprep.in_table_c12, "a non-ASCII space"),
    (stringprep.in_table_c21_c22, "a control character"),
    (stringprep.in_table_c3, "a private use character"),
    (stringprep.in_table_c4, "a non-character code point"),
    (stringprep.in_table_c5, "a surrogate code point"),
    (stringprep.in_table_c6, "a character inappropriate for plain text"),
    (stringprep.in_table_c7, "a character inappropriate for canonical representation"),
    (stringprep.in_table_c8, "a character that changes display properties or is deprecated"),
    (stringprep.in_table_c9, "a tagging character"),
)


def saslprep(text: str, what: str, *, allow_unassigned: bool = True) -> str:
    """``text`` mapped, NFKC-normalised and checked; a ValueError naming ``what`` and the
    offending character otherwise."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, got {type(text).__name__}")
    # 2.1 Mapping: non-ASCII spaces become SPACE, "commonly mapped to nothing" goes.
    mapped = "".join(
        " " if stringprep.in_table_c12(c) else c for c in text if not stringprep.in_table_b1(c)
    )
    # 2.2 Normalization: Unicode form KC.
    prepared = unicodedata.normalize("NFKC", mapped)
    # 2.3 Prohibited output, and 2.5 unassigned code points for stored strings.
    for c in prepared:
        for in_table, kind in _PROHIBITED:
            if in_table(c):
                raise ValueError(f"{what} contains {kind} ({_name(c)}): SASLprep forbids it")
        if not allow_unassigned and stringprep.in_table_a1(c):
            raise ValueError(f"{what} contains an unassigned code point ({_name(c)})")
    # 2.4 Bidirectional characters (RFC 3454 section 6).
    right_to_left = [stringprep.in_table_d1(c) for c in prepared]
    if any(right_to_left):
        if any(stringprep.in_table_d2(c) for c in prepared):
            raise ValueError(f"{what} mixes right-to-left and left-to-right characters")
        if not (right_to_left[0] and right_to_left[-1]):
            raise ValueError(f"{what}: right-to-left text must start and end right-to-left")
    return prepared


def _name(c: str) -> str:
    """U+XXXX and the character's Unicode name, for an error message."""
    return f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
