"""``solve(problem, limits) -> DockResult``: book every load into a dock slot.

Small days (at most ``exact_max_loads`` loads to place) go to a CP-SAT model over all
loads, hinted with the constructive plan, solved in two lexicographic passes (loads left
out and cost, then dock idle time) that prove optimality when time allows.
Large days start from the constructive plan (milliseconds) and improve it by large
neighbourhood search: a rolling horizon of CP-SAT windows, each re-placing a slice of
loads that are close in time while every other appointment stays fixed. Windows overlap
by half and are shifted between sweeps, so a load can travel across window borders.
"""

from __future__ import annotations

import time

from server.engines.common import Limits, Progress
from server.engines.docks.construct import construct
from server.engines.docks.cpsat_window import solve_window
from server.engines.docks.lns import improve
from server.engines.docks.model import DockProblem
from server.engines.docks.result import DockResult, Plan, evaluate, to_result

EXACT_MAX_LOADS = 40
IDLE_PASS_SHARE = 0.3


def solve(
    problem: DockProblem, limits: Limits | None = None, *, exact_max_loads: int = EXACT_MAX_LOADS
) -> DockResult:
    """Best schedule found within ``limits.time_limit_s``; see :class:`DockResult` for the status."""
    limits = limits or Limits()
    started = time.perf_counter()
    deadline = started + limits.time_limit_s * 0.95
    plan = construct(problem)
    free = list(problem.free_loads)
    if not free:
        return to_result(
            problem, plan, time.perf_counter() - started, proven=True, idle_proven=True, method="exact"
        )
    if len(free) <= exact_max_loads:
        plan, proven, idle_proven = _exact(problem, plan, limits, deadline)
        limits.on_progress(Progress(1.0, "exact", evaluate(problem, plan).cost))
        seconds = time.perf_counter() - started
        return to_result(problem, plan, seconds, proven=proven, idle_proven=idle_proven, method="exact")
    plan = improve(problem, plan, limits, deadline)
    return to_result(problem, plan, time.perf_counter() - started, method="heuristic+lns")


def _exact(problem: DockProblem, plan: Plan, limits: Limits, deadline: float) -> tuple[Plan, bool, bool]:
    """Lexicographic exact solve: (loads left out, cost), then idle time.

    Returns (plan, first pass proven, idle pass proven). The idle pass only breaks ties, so it
    gets at most ``IDLE_PASS_SHARE`` of the time limit.
    """
    free = list(problem.free_loads)
    first = solve_window(
        problem,
        free,
        plan,
        time_limit=deadline - time.perf_counter(),
        seed=limits.seed,
        threads=limits.threads,
    )
    if evaluate(problem, first.plan).key()[:2] <= evaluate(problem, plan).key()[:2]:
        plan = first.plan
    if first.status != "optimal" or time.perf_counter() >= deadline:
        return plan, first.status == "optimal", False
    best = evaluate(problem, plan)
    budget = min(deadline - time.perf_counter(), max(1.0, IDLE_PASS_SHARE * limits.time_limit_s))
    second = solve_window(
        problem,
        free,
        plan,
        time_limit=budget,
        seed=limits.seed,
        threads=limits.threads,
        idle_within=(best.unscheduled, best.cost),
    )
    if second.status in ("optimal", "feasible") and evaluate(problem, second.plan).key() <= best.key():
        plan = second.plan
    return plan, True, second.status == "optimal"
