"""Large neighbourhood search over a full plan: CP-SAT re-solves one small part at a time.

A neighbourhood is a *dock block*: a group of docks and a stretch of time (a rolling
horizon over the day, half-overlapping stretches); the loads booked there may be re-ordered
and swapped between those docks, and loads left out may be fitted in. Groups hold docks of
one family (docks with pallet equipment, or the others); every sweep shuffles the groups
and shifts the stretches, so a load can end up on any dock of its family.

Neighbourhoods are solved worst-first (highest waiting and lateness cost, loads left out
first), and a result is kept only when it is strictly better for the loads it touched.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from server.engines.common import Limits, Progress
from server.engines.docks.cpsat_window import solve_window
from server.engines.docks.model import DockProblem, Equipment
from server.engines.docks.result import Plan, chunk_key, evaluate

GROUP_DOCKS = 4  # docks per dock block
BLOCK_MINUTES = 150  # time span of a dock block; blocks overlap by half
WINDOW_SECONDS = 0.1  # cap per CP-SAT call: a long budget buys more neighbourhoods, not proofs
SLACK_MINUTES = 30  # how far past the neighbourhood's last end its loads may be pushed


@dataclass(frozen=True)
class Neighbourhood:
    loads: tuple[int, ...]
    docks: frozenset[int] | None  # None: any dock the loads can use


def dock_blocks(problem: DockProblem, plan: Plan, rng: random.Random) -> list[Neighbourhood]:
    """Dock groups x overlapping time stretches, with the loads booked (or due to arrive) there."""

    def family(d: int) -> bool:
        return Equipment.PALLET_DOCK not in problem.docks[d].equipment

    order = sorted(range(len(problem.docks)), key=lambda d: (family(d), rng.random()))
    groups = [frozenset(order[k : k + GROUP_DOCKS]) for k in range(0, len(order), GROUP_DOCKS)]
    offset = rng.randrange(BLOCK_MINUTES // 2)
    hoods = []
    for group in groups:
        booked = [i for i, (d, _) in plan.items() if d in group]
        waiting = [
            i for i in problem.free_loads if i not in plan and any(d in group for d, _ in problem.options[i])
        ]
        for t0 in range(problem.day_start - offset, problem.horizon, BLOCK_MINUTES // 2):
            t1 = t0 + BLOCK_MINUTES
            members = [i for i in booked if t0 <= plan[i][1] < t1]
            members += [i for i in waiting if t0 <= problem.loads[i].arrival < t1]
            if members:
                hoods.append(Neighbourhood(tuple(members), group))
    return hoods


def improve(problem: DockProblem, plan: Plan, limits: Limits, deadline: float) -> Plan:
    """Improve ``plan`` by LNS until ``deadline`` (a ``perf_counter`` time) or ``should_stop``."""
    duration = problem.duration
    plan, rng = dict(plan), random.Random(limits.seed)
    budget = max(1e-9, deadline - time.perf_counter())
    sweep = stale = 0
    while time.perf_counter() < deadline - 0.05 and not limits.should_stop() and stale < 2:
        hoods = [h for h in dock_blocks(problem, plan, rng) if chunk_key(problem, plan, h.loads) != (0, 0)]
        hoods.sort(key=lambda h: chunk_key(problem, plan, h.loads), reverse=True)
        improved = False
        for n, hood in enumerate(hoods):
            now = time.perf_counter()
            if now >= deadline - 0.05 or limits.should_stop():
                break
            chunk = list(hood.loads)
            ends = [plan[i][1] + duration[i][plan[i][0]] for i in chunk if i in plan]
            hi = (
                problem.horizon if len(ends) < len(chunk) else min(problem.horizon, max(ends) + SLACK_MINUTES)
            )
            before = chunk_key(problem, plan, chunk)
            result = solve_window(
                problem,
                chunk,
                plan,
                time_limit=min(WINDOW_SECONDS, deadline - now),
                seed=limits.seed + sweep,
                threads=limits.threads,
                hi=hi,
                docks=set(hood.docks) if hood.docks is not None else None,
            )
            if chunk_key(problem, result.plan, chunk) < before:
                for i in chunk:
                    plan.pop(i, None)
                plan.update(result.plan)
                improved = True
            fraction = min(1.0, 1 - (deadline - time.perf_counter()) / budget)
            limits.on_progress(Progress(fraction, f"sweep {sweep + 1}: {n + 1}/{len(hoods)} neighbourhoods"))
        sweep += 1
        stale = 0 if improved else stale + 1
    limits.on_progress(Progress(1.0, "done", evaluate(problem, plan).cost))
    return plan
