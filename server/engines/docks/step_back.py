"""The dock office's moves on a booked plan when a truck will be late, or will not come.

A late truck steps back on its dock: when its GPS says it will miss its slot, the dock office does
not leave the slot's time to whoever happens to be on site and send the late truck to the first
gap left in a full morning (hours away). It moves the late truck back behind the trucks booked on
its dock before its ETA, and those trucks up, each into the time the one before it freed
(:func:`step_back`): the dock loads exactly what it would have loaded, in a different order, and
the late truck loses about its own lateness instead of the whole backlog. A truck moves up only
when it can still be told in time (on site, or told at least a reaction time before it would
reach the gate), and never before the time it can start; one that cannot move stays, and the
trucks behind it move up into what is left. Into a no-show's time, or the time of a truck whose
trip never started, the trucks behind move up the same way (:func:`pull_up`).

Pure (plans are load index -> (dock index, start)), so the plant (``server/yard/pull_up.py``) and
the appointments bench (``server/bench/appointments/``) run the same rules.
"""

from __future__ import annotations

from collections.abc import Callable

from server.engines.docks.construct import timelines
from server.engines.docks.model import DockProblem
from server.engines.docks.result import Plan


def pull_up(problem: DockProblem, plan: Plan, dock: int, freed_from: int,
            earliest: Callable[[int], int | None], until: int | None = None) -> tuple[list[int], int]:
    """Move the trucks booked on ``dock`` after ``freed_from`` up, in their order, into time freed there.

    ``earliest(j)`` is the earliest start truck ``j`` may be moved up to, or None when it cannot be
    moved (called, loading, or too close to its gate to be told); a truck that cannot move stays and
    the ones behind it move up into what is left. With ``until`` (a late truck's ETA), stops once
    the trucks moved up reach it. Updates ``plan``; returns the trucks moved up and where the last
    of the trucks it went through ends.
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
    return moved, cursor


def step_back(problem: DockProblem, plan: Plan, late: int, eta: int,
              earliest: Callable[[int], int | None]) -> tuple[list[int], tuple[int, int] | None]:
    """Move ``late`` (booked in ``plan``) behind the trucks on its dock that start before ``eta``.

    Updates ``plan`` with the trucks that moved up (:func:`pull_up` until ``eta``) and returns them
    with the place for ``late``: the first gap from ``eta`` on any dock when it starts no later than
    the time right after those trucks on its own dock; otherwise that time on its own dock (dock,
    start), which the caller makes room at by sliding the trucks behind (a truck that could not
    start sooner left a few minutes less than ``late`` needs, or none could be told in time).
    None: no room left today. (Capping that slide at 10 minutes, the first gap otherwise, came out
    worse on seed 1: total delay 1.315 against 1.290.)
    """
    dock, freed_from = plan.pop(late)
    moved, cursor = pull_up(problem, plan, dock, freed_from, earliest, until=eta)
    gap = next_gap(problem, plan, late, eta)
    start, minutes = max(cursor, eta), problem.duration[late][dock]
    blocked = timelines(problem, {})[dock]  # breaks and closed hours only
    if not blocked.fits_at(start, minutes) or (gap is not None and gap[1] <= start):
        return moved, gap
    return moved, (dock, start)


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


def slide_back(problem: DockProblem, plan: Plan, dock: int, start: int, minutes: int,
               movable: Callable[[int], bool]) -> list[int] | None:
    """Make room on ``dock`` for ``minutes`` from ``start``: the trucks booked there in the way slide back
    in their order, each just far enough (past breaks and closed hours), pushing the ones behind them.

    Updates ``plan`` and returns the trucks that slid; None, with ``plan`` untouched, when a truck in the
    way may not move (``movable``) or would no longer fit the day.
    """
    duration = problem.duration
    line = timelines(problem, {})[dock]  # breaks and closed hours only: every truck in the way moves
    behind = sorted((s, j) for j, (d, s) in plan.items() if d == dock and s + duration[j][dock] > start)
    slid, cursor = {}, start + minutes
    for begin, j in behind:
        if begin >= cursor:
            break
        new = line.fit(cursor, duration[j][dock]) if movable(j) else None
        if new is None:
            return None
        slid[j] = new
        cursor = new + duration[j][dock]
    for j, new in slid.items():
        plan[j] = (dock, new)
    return list(slid)
