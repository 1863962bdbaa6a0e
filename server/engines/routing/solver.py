"""``solve(problem, limits) -> RoutingResult``: the routing engine's entry point.

Validates the problem (raising ``RoutingValidationError`` with field paths), sets aside the
stops no vehicle can serve (each with its reason), lets ``portfolio`` run the engines that
model the request (OR-Tools, PyVRP or both side by side) within ``limits.time_limit_s``, and
returns the kept plan with the engine that produced it. It never raises for an infeasible
problem: whatever cannot be served is listed in ``dropped`` with a reason.
"""

from __future__ import annotations

from server.engines.common import Limits
from server.engines.routing.extract import build_route, dropped_stops, schedules
from server.engines.routing.model import Problem
from server.engines.routing.portfolio import engines_for, run
from server.engines.routing.prechecks import precheck
from server.engines.routing.result import RoutingResult, Status
from server.engines.routing.scaling import scale_problem
from server.engines.routing.search import Clock
from server.engines.routing.validation import validate_problem


def solve(problem: Problem, limits: Limits | None = None, engine: str = "auto") -> RoutingResult:
    """Plan routes for ``problem`` within ``limits`` (see module docstring).

    ``engine`` is ``auto`` (the portfolio's choice), ``ortools`` or ``pyvrp`` (for side-by-side
    figures; PyVRP refuses problems with driver breaks or pinned stops with a ``ValueError``).
    """
    limits = limits or Limits()
    validate_problem(problem)
    engines = engines_for(problem, limits, engine)
    clock = Clock(limits, reserve_s=0.05 + 0.001 * len(problem.stops))
    scaled = scale_problem(problem)
    check = precheck(problem, scaled)
    has_work = len(check.excluded) < len(problem.stops)
    if has_work:
        answer = run(problem, scaled, check, clock, limits.seed, engines)
        routes, used = answer.routes, answer.engine
    else:
        routes, used = [[] for _ in problem.vehicles], engines[0]
    if routes is None:
        status = Status.CANCELLED if clock.cancelled else Status.NO_SOLUTION
        dropped = dropped_stops(problem, check, None)
        clock.report("done", None, force=True)
        return RoutingResult(status, (), tuple(dropped), 0.0, 0.0, 0.0, 0, clock.elapsed(), engine=used,
                             objective=problem.objective)
    plans = schedules(problem, scaled, check, routes)
    built = tuple(
        build_route(problem, scaled, v, route, plans[v]) for v, route in enumerate(routes) if route
    )
    dropped = dropped_stops(problem, check, routes)
    status = Status.CANCELLED if clock.cancelled else Status.FEASIBLE
    total_cost = sum(route.cost for route in built) + sum(
        problem.stops[d.stop_index].drop_penalty for d in dropped if problem.stops[d.stop_index].optional
    )
    clock.report("done", total_cost, force=True)
    return RoutingResult(
        status=status,
        routes=built,
        dropped=tuple(dropped),
        total_distance=sum(route.distance for route in built),
        total_duration=sum(route.duration for route in built),
        total_cost=total_cost,
        vehicles_used=len(built),
        seconds=clock.elapsed(),
        engine=used,
        objective=problem.objective,
    )
