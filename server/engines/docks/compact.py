"""Left shift: after a re-plan's repair, move appointments up into time that has come free.

A no-show, a truck re-booked after its GPS ETA slipped or a truck called in early leaves a
gap; the trucks booked after it can use it only if they are moved up, which the repair (it
keeps every still-valid appointment) never does and a small CP-SAT neighbourhood often does
not reach in time. Taking the unpinned appointments in start order, each goes to its
cheapest slot on any compatible dock when that saves more than ``min_gain`` cost units (the
price of telling a driver), so a chain of trucks moves up together.
"""

from __future__ import annotations

from server.engines.docks.construct import best_slot, timelines
from server.engines.docks.model import DockProblem
from server.engines.docks.result import Plan


def left_shift(problem: DockProblem, plan: Plan, min_gain: int) -> set[int]:
    """Move appointments of ``plan`` (in place) earlier where it pays; returns the loads moved."""
    loads, duration, weights = problem.loads, problem.duration, problem.weights
    lines = timelines(problem, plan)

    def cost(i: int, start: int) -> int:
        return weights.waiting * (start - loads[i].arrival) + weights.lateness * max(0, start - loads[i].due)

    moved = set()
    for i in sorted(plan, key=lambda i: (plan[i][1], i)):
        dock, start = plan[i]
        if start <= loads[i].arrival:
            continue
        lines[dock].remove(start, start + duration[i][dock])
        better = best_slot(problem, i, lines)
        if better is not None and cost(i, better[1]) + min_gain < cost(i, start):
            plan[i] = better
            moved.add(i)
        dock, start = plan[i]
        lines[dock].add(start, start + duration[i][dock])
    return moved
