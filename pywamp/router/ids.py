"""WAMP ids: random global-scope ids and sequential router/session-scope ids.

Session and publication ids are global scope and drawn at random from [1, 2**53]
(``rfc/text/basic/building_blocks.md``); subscription, registration and invocation ids
are router or session scope, so a counter from 1 serves them.
"""

from __future__ import annotations

import random
import secrets

MAX_ID = 2**53

_fast = random.Random(secrets.randbits(128))
random_bits = _fast.getrandbits  # the hot path inlines ``random_bits(53) + 1``


def publication_id() -> int:
    """A random publication id (fast generator: publications are frequent, not secrets)."""
    return random_bits(53) + 1


def session_id() -> int:
    """A random session id from the OS generator (session ids are not guessable)."""
    return secrets.randbits(53) + 1


class IdSequence:
    """1, 2, 3, ... wrapping after 2**53: router-scope and session-scope ids."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        """The next id of the sequence."""
        n = self.last + 1
        if n > MAX_ID:
            n = 1
        self.last = n
        return n
