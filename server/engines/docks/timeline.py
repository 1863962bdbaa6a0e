"""Busy times of one dock and the earliest gap that fits a load: the heuristics' workhorse."""

from __future__ import annotations

from bisect import bisect_right

from server.engines.docks.model import Interval


def earliest_fit(starts: list[int], ends: list[int], earliest: int, minutes: int, horizon: int) -> int | None:
    """Earliest start ``>= earliest`` of a ``minutes``-long job that overlaps no busy interval.

    ``starts``/``ends`` describe sorted, pairwise disjoint busy intervals. Returns ``None``
    when the job would end after ``horizon``.
    """
    i = bisect_right(ends, earliest)  # first busy interval that ends after `earliest`
    start = earliest
    while i < len(starts) and starts[i] < start + minutes:
        start = max(start, ends[i])
        i += 1
    return start if start + minutes <= horizon else None


class DockTimeline:
    """Sorted busy intervals of one dock that appointments can be added to and removed from."""

    def __init__(self, busy: tuple[Interval, ...] | list[Interval], horizon: int):
        self.starts = [s for s, _ in busy]
        self.ends = [e for _, e in busy]
        self.horizon = horizon

    def fit(self, earliest: int, minutes: int) -> int | None:
        """Earliest start of a job of ``minutes`` at or after ``earliest``, or ``None``."""
        return earliest_fit(self.starts, self.ends, earliest, minutes, self.horizon)

    def fits_at(self, start: int, minutes: int) -> bool:
        """Whether [start, start + minutes) overlaps nothing and ends by the horizon."""
        return self.fit(start, minutes) == start

    def add(self, start: int, end: int) -> None:
        """Mark [start, end) busy; the caller has checked it is free."""
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def remove(self, start: int, end: int) -> None:
        """Free the busy interval [start, end) added before."""
        i = bisect_right(self.starts, start) - 1
        while i >= 0 and (self.starts[i], self.ends[i]) != (start, end):
            i -= 1
        if i < 0:
            raise KeyError((start, end))
        del self.starts[i]
        del self.ends[i]


def overlapping(intervals: tuple[Interval, ...] | list[Interval], lo: int, hi: int) -> list[Interval]:
    """The intervals that intersect [lo, hi)."""
    return [(s, e) for s, e in intervals if s < hi and e > lo]
