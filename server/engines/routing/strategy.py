"""How the time budget is spent: the phases of one solve.

Distance objective (up to ``LARGE_PROBLEM`` stops):
1. 60 %: ruin-and-recreate iterated local search (SISR string removals, simulated-annealing
   acceptance), each run starting from parallel cheapest insertion; runs last at most
   ``ILS_SLICE_S`` (so cancellation is prompt) and the best run is kept;
2. 40 %: guided local search from that plan, polishing routes with OR-Tools' neighbourhoods.
Larger problems start from local cheapest insertion and use guided local search throughout
(one insertion pass alone takes seconds at a thousand stops).

Hierarchical objective (fewest vehicles, then distance): phase 1 on 30 % of the budget with
a fixed cost per vehicle larger than any route's cost; then route elimination for at most
another 30 % — cap the fleet at one vehicle less, empty one of the smallest routes (its
stops unassigned, each at a penalty above any plan's cost) and let guided local search
reinsert them for a short slice; on success repeat, on failure try the next-smallest route,
giving up after ``REDUCTION_CANDIDATES`` failures in a row — and a final guided local search
polish at the smallest fleet found. After phase 1 the fleet cap replaces the per-vehicle
charge, so guided local search's arc penalties stay on the scale of distances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ortools.constraint_solver.routing_heuristic_parameters_pb2 import LocalCheapestInsertionParameters

from server.engines.routing.model import Objective, Problem
from server.engines.routing.objective import cost_bound
from server.engines.routing.ortools_model import BuildOptions, build_model
from server.engines.routing.prechecks import Precheck
from server.engines.routing.scaling import Scaled
from server.engines.routing.search import FSS, LSM, Clock, Routes, SearchSpec, run

RANDOM_ORDER = LocalCheapestInsertionParameters.SORTING_PROPERTY_RANDOM
LARGE_PROBLEM = 400  # stops; above this, cheaper first-solution heuristics
ILS_SLICE_S = 6.0  # longest uninterruptible ruin-and-recreate run
POLISH_SHARE = 0.4  # of a hierarchical budget, kept for the final distance polish
REDUCTION_SLICE_SHARE = 0.1  # of a hierarchical budget, per route-elimination attempt
REDUCTION_SLICE_MIN_S = 1.0
REDUCTION_CANDIDATES = 3  # the smallest routes tried for elimination
NEAR_NEIGHBOURS = 5
TEMPERATURE_FACTOR = 1.3


@dataclass
class Best:
    """The best plan so far and how it scores."""

    routes: Routes | None = None
    objective: int | None = None

    def offer(self, routes: Routes, objective: int) -> None:
        if self.objective is None or objective < self.objective:
            self.routes, self.objective = routes, objective


@dataclass(frozen=True)
class Context:
    problem: Problem
    scaled: Scaled
    check: Precheck
    clock: Clock
    seed: int


def _phase(ctx: Context, best: Best, spec: SearchSpec, options: BuildOptions, label: str,
           from_best: bool = True) -> None:
    if ctx.clock.stop_requested() or ctx.clock.remaining() <= 0.05:
        return
    built = build_model(ctx.problem, ctx.scaled, ctx.check, options)
    spec = replace(spec, seconds=max(0.05, min(spec.seconds, ctx.clock.remaining())))
    result = run(built, spec, ctx.clock, start=best.routes if from_best else None, label=label)
    if result is not None:
        best.offer(result.routes, result.objective)


def _ruin_recreate_phase(ctx: Context, best: Best, seconds: float, options: BuildOptions) -> None:
    """Independent ruin-and-recreate runs of at most ``ILS_SLICE_S`` each, keeping the best.

    OR-Tools' iterated local search always starts from its own first solution and only
    stops at its time limit, so short slices bound how long a cancellation can wait. Large
    problems get guided local search instead.
    """
    if len(ctx.problem.stops) > LARGE_PROBLEM:
        # Each run would rebuild its first solution, which alone takes seconds at this size.
        _phase(ctx, best, _polish(ctx, seconds), options, "guided local search")
        return
    slices = max(1, math.ceil(seconds / ILS_SLICE_S - 0.01))
    for k in range(slices):
        spec = replace(_ruin_recreate(ctx, seconds / slices), seed=ctx.seed + k)
        _phase(ctx, best, spec, options, "ruin and recreate", from_best=False)


def _first_solution(problem: Problem) -> int:
    if len(problem.stops) > LARGE_PROBLEM:
        return FSS.LOCAL_CHEAPEST_INSERTION
    return FSS.PARALLEL_CHEAPEST_INSERTION


def _ruin_recreate(ctx: Context, seconds: float) -> SearchSpec:
    size = len(ctx.problem.stops)
    return SearchSpec(
        seconds=seconds,
        first_solution=_first_solution(ctx.problem),
        metaheuristic=LSM.GREEDY_DESCENT,
        ils=True,
        improve=False,
        sisr_visits=max(5, min(20, size // 5)),
        temperature=_temperature(ctx),
        # SISR reinserts removed stops in random order; that helped on time-window instances
        # but not on plain capacitated ones, which keep OR-Tools' default order.
        recreate_sort=(RANDOM_ORDER,) if _has_time_windows(ctx) else (),
        seed=ctx.seed,
    )


def _has_time_windows(ctx: Context) -> bool:
    """Does any stop have a window narrower than the planning horizon?"""
    return any(ctx.scaled.window[n] != (0, ctx.scaled.horizon) for n in ctx.scaled.stop_node)


def _temperature(ctx: Context) -> float:
    """Starting annealing temperature: the typical distance from a stop to its near neighbours.

    A worsening of about one short edge is then often accepted early on and rarely at the
    end (the final temperature is 1% of this); it scales with the instance's units.
    """
    locations = sorted({ctx.scaled.node_location[n] for n in ctx.scaled.stop_node})
    if len(locations) < 2:
        return 1.0
    near = []
    for a in locations:
        row = sorted(ctx.scaled.distance[a][b] for b in locations if b != a)[:NEAR_NEIGHBOURS]
        near.append(sum(row) / len(row))
    return max(1.0, TEMPERATURE_FACTOR * sum(near) / len(near))


def _polish(ctx: Context, seconds: float) -> SearchSpec:
    return SearchSpec(seconds=seconds, first_solution=_first_solution(ctx.problem), seed=ctx.seed)


def optimise(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int) -> Routes | None:
    """Run the phases for the problem's objective; the best routes found, or None."""
    ctx = Context(problem, scaled, check, clock, seed)
    best = Best()
    if problem.objective == Objective.HIERARCHICAL:
        _hierarchical(ctx, best)
    else:
        options = BuildOptions()
        _ruin_recreate_phase(ctx, best, 0.6 * clock.remaining(), options)
        _phase(ctx, best, _polish(ctx, clock.remaining()), options, "guided local search")
    return best.routes


def _hierarchical(ctx: Context, best: Best) -> None:
    clock = ctx.clock
    bound = cost_bound(ctx.problem, ctx.scaled)
    options = BuildOptions(extra_fixed_cost=bound)
    budget = clock.remaining()
    _ruin_recreate_phase(ctx, best, 0.3 * budget, options)
    if best.routes is None:
        return
    # Without the per-vehicle charge (the fleet is capped instead, which keeps guided local
    # search's arc penalties on the scale of distances), any plan serving every stop costs
    # less than ``served_all`` and one unassigned stop costs more.
    served_all = bound
    penalty = 2 * served_all
    reserve = POLISH_SHARE * budget
    attempt = 0
    while clock.remaining() > reserve + 0.2 and attempt < REDUCTION_CANDIDATES and not clock.stop_requested():
        used = sorted((v for v, route in enumerate(best.routes) if route), key=lambda v: len(best.routes[v]))
        if len(used) <= 1:
            break
        # Try emptying the smallest routes in turn, each for a short slice: a different
        # starting point often succeeds where a long search from one start stalls.
        victim = used[attempt % len(used)]
        trial = Best(routes=[[] if v == victim else list(r) for v, r in enumerate(best.routes)])
        fewer = BuildOptions(max_vehicles=len(used) - 1, mandatory_penalty=penalty)
        seconds = max(REDUCTION_SLICE_MIN_S, REDUCTION_SLICE_SHARE * budget)
        spec = replace(_polish(ctx, min(seconds, clock.remaining() - reserve)), stop_below=served_all)
        _phase(ctx, trial, spec, fewer, f"vehicle reduction to {len(used) - 1}")
        if trial.routes is not None and _served(trial.routes) >= _served(best.routes):
            best.routes, best.objective, attempt = trial.routes, None, 0
        else:
            attempt += 1
    fleet = sum(1 for route in best.routes if route)
    final = BuildOptions(max_vehicles=fleet, mandatory_penalty=penalty)
    polished = Best(routes=best.routes)
    _phase(ctx, polished, _polish(ctx, clock.remaining()), final, "guided local search")
    if polished.routes is not None and _served(polished.routes) >= _served(best.routes):
        best.routes = polished.routes


def _served(routes: Routes) -> int:
    return sum(len(route) for route in routes)


