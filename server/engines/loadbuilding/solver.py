"""``solve(problem, limits) -> LoadPlan``: load building from start to finish.

1. ``prepare`` scales the problem and sets aside lines no vehicle can carry, with the reason.
2. The items are split into independent groups (per pickup site when the fleet is unlimited).
3. An effectively one-dimensional group is bin packing and goes to ``binpack.pack``
   (arc-flow with LP bound: usually optimal and proven so).
4. Any other group gets the best of several greedy plans and a fleet-covering lower bound;
   while a gap remains, the whole CP-SAT model (when small enough to prove optimality) and
   then a large-neighbourhood search re-planning a few loads at a time with CP-SAT.

Each group gets a share of the time limit in proportion to its size. Progress goes to
``limits.on_progress``; ``limits.should_stop`` ends the search early with the best plan so far.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from server.engines.common import Limits, Progress
from server.engines.loadbuilding.binpack import pack
from server.engines.loadbuilding.greedy import Construction, best_construction
from server.engines.loadbuilding.groups import group_bounds, independent_groups, one_dimensional
from server.engines.loadbuilding.improve import improve
from server.engines.loadbuilding.lns import lns
from server.engines.loadbuilding.model import LoadProblem
from server.engines.loadbuilding.plan import Allocation, Dims, Load, LoadPlan, PlanStatus, UnplacedLine
from server.engines.loadbuilding.prepare import Prepared, prepare
from server.engines.loadbuilding.rules import LoadState, Rules

WHOLE_MODEL_PAIRS = 1200  # item-slot pairs up to which the whole CP-SAT model is worth running
FLEET_SHORT = "the fleet has no vehicle of an allowed type left for these units"
EPS = 1e-6


@dataclass
class _GroupResult:
    plan: Construction
    lower_cost: float
    lower_trucks: int
    optimal: bool


class _Clock:
    def __init__(self, limits: Limits):
        self.limits, self.start = limits, time.monotonic()
        self.deadline = self.start + limits.time_limit_s

    def report(self, message: str, best: float | None = None) -> None:
        used = min(1.0, (time.monotonic() - self.start) / self.limits.time_limit_s)
        self.limits.on_progress(Progress(used, message, best))


def _search(prepared: Prepared, items: list[int], plan: Construction, lower: float, clock: _Clock,
            deadline: float) -> tuple[Construction, float, bool]:
    """Improve ``plan``: the whole CP-SAT model when small enough to prove optimality (a third
    of the time at most), then LNS. Returns (plan, cost lower bound, proven optimal)."""
    limits = clock.limits
    optimal = False
    if deadline - time.monotonic() > 0.1 and not limits.should_stop():
        third = time.monotonic() + (deadline - time.monotonic()) / 3
        better = improve(prepared, items, plan, limits, third, max_pairs=WHOLE_MODEL_PAIRS,
                         report=lambda cost: clock.report("CP-SAT improvement", cost))
        if better is not None:
            if better.plan.key(prepared) < plan.key(prepared):
                plan = better.plan
            if better.bound is not None:
                lower = max(lower, better.bound)
            optimal = not plan.short and (better.optimal or plan.cost(prepared) <= lower + EPS)
    if not optimal and deadline - time.monotonic() > 0.1 and not limits.should_stop():
        plan = lns(prepared, plan, limits, deadline, random.Random(limits.seed),
                   report=lambda cost: clock.report("LNS", cost))
        optimal = not plan.short and plan.cost(prepared) <= lower + EPS
    return plan, lower, optimal


def _solve_1d(prepared: Prepared, items: list[int], clock: _Clock, deadline: float) -> _GroupResult | None:
    view = one_dimensional(prepared, items)
    if view is None:
        return None
    cost = prepared.costs[view.vehicle]
    result = pack(view.sizes, view.capacity, deadline=deadline, seed=clock.limits.seed,
                  threads=clock.limits.threads, should_stop=clock.limits.should_stop,
                  on_improve=lambda bins, lb: clock.report(f"bin packing: {bins} trucks, bound {lb}", bins * cost))
    rules = Rules(prepared)
    loads = []
    for bin_ in result.bins:
        load = LoadState(view.vehicle, prepared.items[view.pieces[bin_[0]][0]].pickup)
        for piece in bin_:
            i, units = view.pieces[piece]
            rules.add(load, i, prepared.items[i], units)
        loads.append(load)
    plan, trucks = Construction(loads, {}), result.lower_bound
    if result.optimal:
        return _GroupResult(plan, trucks * cost, trucks, True)
    # the graph was too big or time ran short: CP-SAT and LNS from the packing
    plan, lower, optimal = _search(prepared, items, plan, trucks * cost, clock, deadline)
    if cost > 0:
        trucks = max(trucks, math.ceil(lower / cost - EPS))
    return _GroupResult(plan, plan.cost(prepared) if optimal else lower, trucks, optimal)


def _solve_general(prepared: Prepared, items: list[int], clock: _Clock, deadline: float) -> _GroupResult:
    limits = clock.limits
    budget = deadline - time.monotonic()
    plan = best_construction(prepared, items, random.Random(limits.seed), time.monotonic() + 0.1 * budget)
    clock.report("greedy plan", plan.cost(prepared))
    placed = {i: prepared.items[i].quantity - plan.short.get(i, 0) for i in items}
    lower, trucks, _ = group_bounds(prepared, placed, min(1.0, 0.1 * budget))
    optimal = plan.cost(prepared) <= lower + EPS and not plan.short
    if not optimal:
        plan, lower, optimal = _search(prepared, items, plan, lower, clock, deadline)
    if plan.short:  # the bounds hold for what is carried
        placed = {i: prepared.items[i].quantity - plan.short.get(i, 0) for i in items}
        lower, trucks, _ = group_bounds(prepared, placed, max(0.05, min(0.5, deadline - time.monotonic())))
        lower = min(lower, plan.cost(prepared))
    if optimal:
        lower = plan.cost(prepared)  # proven: the bound closes on the cost (up to cent rounding)
    return _GroupResult(plan, lower, trucks, optimal)


def _load(prepared: Prepared, state: LoadState) -> Load:
    problem = prepared.problem
    vt = problem.vehicle_types[state.vehicle]
    allocations, stops, totals = [], [], [0.0, 0.0, 0.0]
    for i in sorted(state.contents, key=lambda k: prepared.items[k].line):
        line = problem.lines[prepared.items[i].line]
        units = state.contents[i]
        allocations.append(Allocation(line.order_id, line.line_id, units))
        if prepared.items[i].site not in stops:
            stops.append(prepared.items[i].site)
        for d, per_unit in enumerate(line.unit):
            totals[d] += per_unit * units
    util = [t / c if 0 < c < math.inf else 0.0 for t, c in zip(totals, vt.capacity, strict=True)]
    return Load(vt.id, float(vt.cost), state.pickup, tuple(stops), tuple(allocations), Dims(*totals), Dims(*util))


def solve(problem: LoadProblem, limits: Limits | None = None) -> LoadPlan:
    """Turn the problem's order lines into the cheapest set of truckloads found in the time limit."""
    limits = limits or Limits()
    clock = _Clock(limits)
    prepared = prepare(problem)
    clock.report(f"{len(prepared.items)} lines to place, {len(prepared.unplaced)} unplaceable")
    groups = independent_groups(prepared)
    results: list[_GroupResult] = []
    remaining = sum(len(g) for g in groups)
    for items in groups:
        share = len(items) / max(remaining, 1)
        remaining -= len(items)
        deadline = time.monotonic() + share * max(0.0, clock.deadline - time.monotonic())
        result = _solve_1d(prepared, items, clock, deadline)
        results.append(result or _solve_general(prepared, items, clock, deadline))
    unplaced = list(prepared.unplaced)
    loads = []
    for result in results:
        loads += [_load(prepared, state) for state in result.plan.loads]
        for i, units in sorted(result.plan.short.items()):
            line = problem.lines[prepared.items[i].line]
            unplaced.append(UnplacedLine(line.order_id, line.line_id, units, FLEET_SHORT, "fleet_short"))
    loads.sort(key=lambda ld: (ld.pickup_site, ld.vehicle_type, [(a.order_id, a.line_id) for a in ld.allocations]))
    cost = sum(ld.cost for ld in loads)
    lower = min(cost, sum(r.lower_cost for r in results))
    optimal = all(r.optimal for r in results)
    gap = 0.0 if cost <= EPS else max(0.0, (cost - lower) / cost * 100)
    seconds = time.monotonic() - clock.start
    clock.report("done", cost)
    status = PlanStatus.PARTIAL if unplaced else PlanStatus.OPTIMAL if optimal else PlanStatus.FEASIBLE
    return LoadPlan(tuple(loads), tuple(unplaced), cost, lower, sum(r.lower_trucks for r in results),
                    status, 0.0 if optimal else gap, seconds)
