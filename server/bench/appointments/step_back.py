"""A late truck steps back on its dock: the trucks booked between its slot and its ETA move up.

When a truck's GPS says it will miss its slot, the dock office does not leave the slot's time to
whoever happens to be on site and send the late truck to the first gap left in a full morning
(hours away). It moves the late truck back behind the trucks booked on its dock before its ETA,
and those trucks up, each into the time the one before it freed: the dock loads exactly what
it would have loaded, in a different order, and the late truck loses about its own lateness
instead of the whole backlog. A truck moves up only when it can still be told in time (on site,
or told at least ``react_min`` before it would reach the gate), and never before the time it
can start; one that cannot move stays, and the trucks behind it move up into what is left.
"""

from __future__ import annotations

from collections.abc import Callable

from server.engines.docks import DockProblem
from server.engines.docks.construct import timelines
from server.engines.docks.result import Plan


def pull_up(problem: DockProblem, plan: Plan, dock: int, freed_from: int,
            earliest: Callable[[int], int | None], until: int | None = None) -> list[int]:
    """Move the trucks booked on ``dock`` after ``freed_from`` up, in their order, into time freed there.

    ``earliest(j)`` is the earliest start truck ``j`` may be moved up to, or None when it cannot be
    moved (called, loading, or too close to its gate to be told); a truck that cannot move stays and
    the ones behind it move up into what is left. With ``until``, stops once the trucks moved up
    reach that time (a late truck's ETA). Updates ``plan``; returns the trucks moved up.
    """
    line = timelines(problem, plan)[dock]
    behind = sorted((start, j) for j, (d, start) in plan.items() if d == dock and start > freed_from)
    moved, cursor = [], freed_from
    for start, j in behind:
        if until is not None and cursor >= until:
            break
        minutes = problem.duration[j][dock]
        earliest_start = earliest(j) if start > cursor else None
        if earliest_start is not None:
            line.remove(start, start + minutes)
            new = line.fit(max(cursor, earliest_start), minutes)
            new = start if new is None or new >= start else new
            line.add(new, new + minutes)
            if new < start:
                plan[j] = (dock, new)
                moved.append(j)
            start = new
        cursor = max(cursor, start + minutes)
    return moved


def step_back(problem: DockProblem, plan: Plan, late: int, eta: int,
              earliest: Callable[[int], int | None]) -> list[int]:
    """Move ``late`` (booked in ``plan``) behind the trucks on its dock that start before ``eta``.

    Updates ``plan``: the trucks that moved up (:func:`pull_up` until ``eta``), then ``late`` in the
    first gap from ``eta`` (on any dock, earliest finish first; unbooked when none is left today).
    Returns the trucks moved up.
    """
    dock, freed_from = plan.pop(late)
    moved = pull_up(problem, plan, dock, freed_from, earliest, until=eta)
    gap = next_gap(problem, plan, late, eta)
    if gap is not None:
        plan[late] = gap
    return moved


def next_gap(problem: DockProblem, plan: Plan, i: int, now: int) -> tuple[int, int] | None:
    """The first free time from ``now`` on any dock that can take load ``i``, moving nobody (earliest end
    first); None when no gap is left today."""
    lines = timelines(problem, plan, skip={i})
    best = None
    for dock, minutes in problem.options[i]:
        start = lines[dock].fit(now, minutes)
        if start is not None and (best is None or (start + minutes, dock) < best[0]):
            best = ((start + minutes, dock), (dock, start))
    return None if best is None else best[1]
