"""Deadlines of the sans-IO core: a heap of (deadline, seq, callback, arg) entries.

The core has no clock: callers pass ``now`` and schedule a wake-up at the deadlines it
returns. Cancelled entries stay in the heap with their callback cleared and are dropped
when they reach the top (no O(n) removal).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from pywamp.router.outputs import Output

TimerCallback = Callable[[Any, float, list[Output]], None]


class TimerEntry:
    """One scheduled callback; ``cancel()`` makes it a no-op."""

    __slots__ = ("arg", "callback", "deadline", "seq")

    def __init__(self, deadline: float, seq: int, callback: TimerCallback, arg: Any) -> None:
        self.deadline = deadline
        self.seq = seq
        self.callback: TimerCallback | None = callback
        self.arg = arg

    def __lt__(self, other: TimerEntry) -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)

    def cancel(self) -> None:
        """Forget the callback; the entry is dropped when it reaches the top of the heap."""
        self.callback = None
        self.arg = None


class Timers:
    """The core's timers, fired by ``expire(now)``."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[TimerEntry] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(
        self, deadline: float, callback: TimerCallback, arg: Any
    ) -> tuple[TimerEntry, bool]:
        """Add a timer; the flag says whether it is now the earliest one."""
        self._seq += 1
        entry = TimerEntry(deadline, self._seq, callback, arg)
        heap = self._heap
        earliest = not heap or deadline < heap[0].deadline
        heapq.heappush(heap, entry)
        return entry, earliest

    def next_deadline(self) -> float | None:
        """The earliest live deadline, or None."""
        heap = self._heap
        while heap and heap[0].callback is None:
            heapq.heappop(heap)
        return heap[0].deadline if heap else None

    def expire(self, now: float, out: list[Output]) -> None:
        """Run every callback whose deadline is at or before ``now``."""
        heap = self._heap
        while heap and heap[0].deadline <= now:
            entry = heapq.heappop(heap)
            callback = entry.callback
            if callback is not None:
                arg = entry.arg
                entry.cancel()
                callback(arg, now, out)
