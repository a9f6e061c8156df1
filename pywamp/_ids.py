"""WAMP ids: random global-scope ids and sequential router/session-scope ids.

Session and publication ids are global scope and drawn at random from [1, 2**53]
(``rfc/text/basic/building_blocks.md``); subscription, registration and invocation ids
are router or session scope, so a counter from 1 serves them.
"""

from __future__ import annotations

import os
import random
import secrets

MAX_ID = 2**53

_fast = random.Random(secrets.randbits(128))
random_bits = _fast.getrandbits  # the hot path inlines ``random_bits(53) + 1``


def publication_id() -> int:
    """A random publication id (fast generator: publications are frequent, not secrets)."""
    return random_bits(53) + 1


#: Session ids come from the OS generator, 64 at a time (one system call per 64 joins).
_SESSION_BATCH = 64
_session_ids: list[int] = []
os.register_at_fork(after_in_child=_session_ids.clear)  # a child draws its own


def session_id() -> int:
    """A random session id from the OS generator (session ids are not guessable)."""
    if not _session_ids:
        raw = os.urandom(8 * _SESSION_BATCH)
        _session_ids.extend(
            (int.from_bytes(raw[i : i + 8], "little") >> 11) + 1 for i in range(0, len(raw), 8)
        )
    return _session_ids.pop()


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
