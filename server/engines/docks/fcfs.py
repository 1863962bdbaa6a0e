"""First come, first served: what a plant does without appointments; the bench's baseline.

Trucks are taken in arrival order. Each one takes the compatible dock where it can start
first; a dock never goes back to fill a gap it left earlier (no appointments, no
look-ahead), and a load that would run into a break waits until after the break.

By default a truck may start before an earlier one that is still waiting for a dock of
another kind (the office calls the next truck that fits the dock that came free). With
``strict=True`` nobody overtakes: one gate queue, where a truck waiting for a busy liquid
arm holds up the pallet trucks behind it.
"""

from __future__ import annotations

import time

from server.engines.docks.model import DockProblem
from server.engines.docks.result import DockResult, Plan, to_result
from server.engines.docks.timeline import earliest_fit


def fcfs_plan(problem: DockProblem, strict: bool = False) -> Plan:
    """The first-come-first-served plan (loads that fit nowhere are left out)."""
    loads = problem.loads
    busy = [([s for s, _ in b], [e for _, e in b]) for b in problem.blocked]
    free_at = [problem.day_start] * len(problem.docks)
    plan: Plan = {}
    last_start = problem.day_start
    for i in sorted(problem.free_loads, key=lambda i: (loads[i].arrival, i)):
        best = None
        earliest = max(loads[i].arrival, last_start) if strict else loads[i].arrival
        for dock, minutes in problem.options[i]:
            start = earliest_fit(*busy[dock], max(earliest, free_at[dock]), minutes, problem.horizon)
            if start is not None and (best is None or (start, start + minutes) < best[:2]):
                best = (start, start + minutes, dock)
        if best is not None:
            plan[i] = (best[2], best[0])
            free_at[best[2]] = best[1]
            last_start = best[0]
    return plan


def fcfs(problem: DockProblem, strict: bool = False) -> DockResult:
    """The first-come-first-served schedule as a :class:`DockResult`."""
    started = time.perf_counter()
    plan = fcfs_plan(problem, strict)
    return to_result(problem, plan, time.perf_counter() - started, method="fcfs-strict" if strict else "fcfs")
