"""Overbooking by the no-show rate: drivers are told slots as if each load took a share less dock time.

Airlines, clinics and dock schedulers book more than they can serve when a known share of the
booked do not come. Here the plant keeps the day's booking as its plan (real dock times) and
tells the drivers the times of the same booking compressed (:func:`told_times`): on each dock,
in booked order, as if every load took ``share`` less dock time (never before its requested
time; idle time in the plan, breaks included, uses up what was saved). When everybody comes, a driver told an
earlier time waits on site for the real slot; when somebody does not, he is the stand-by on site
that the freed dock calls (``standby.py``).
"""

from __future__ import annotations

from server.engines.docks.model import DockProblem
from server.engines.docks.result import Plan


def told_times(problem: DockProblem, plan: Plan, share: float) -> dict[int, int]:
    """Load index -> the start a driver is told: on each dock, in booked order, the planned start less
    the dock time saved so far by cutting each load's time by ``share`` (0..1); idle time in the plan
    uses the saving up, and nobody is told a time before the one asked for (nor after the slot)."""
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1), got {share}")
    told: dict[int, int] = {}
    for dock in range(len(problem.docks)):
        ahead, real_end = 0.0, None  # minutes the told chain runs ahead of the plan
        for start, i in sorted((start, i) for i, (d, start) in plan.items() if d == dock):
            minutes = problem.duration[i][dock]
            if real_end is not None:
                ahead = max(0.0, ahead - (start - real_end))
            told[i] = min(start, max(problem.loads[i].arrival, round(start - ahead)))
            ahead = (start + minutes) - (told[i] + minutes * (1 - share))
            real_end = start + minutes
    return told
