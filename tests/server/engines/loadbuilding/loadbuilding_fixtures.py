"""Helpers for load-building tests: named fixtures and an independent plan checker.

``check_plan`` recomputes every rule from the problem itself (never from the solver's own
numbers): each unit placed or reported unplaced exactly once, capacities in all three
dimensions, whole non-splittable lines, allowed vehicle types, one pickup site per load,
hazmat segregation, stop count and spread, fleet counts and the reported totals and cost.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path

from server.engines.common import Limits
from server.engines.loadbuilding import LoadPlan, LoadProblem, build_problem, solve
from server.engines.loadbuilding.hazmat import segregation_for
from server.engines.loadbuilding.rules import great_circle_km

DATA = Path(__file__).resolve().parents[3] / "data" / "loadbuilding"


def raw(name: str) -> dict:
    """The JSON content of a fixture file."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load(name: str, **changes) -> LoadProblem:
    """A fixture as a validated problem, with top-level fields replaced by ``changes``."""
    return build_problem({**raw(name), **changes})


def quick(problem: LoadProblem, seconds: float = 3.0, seed: int = 0) -> LoadPlan:
    """Solve and check the plan."""
    plan = solve(problem, Limits(time_limit_s=seconds, seed=seed))
    check_plan(problem, plan)
    return plan


def check_plan(problem: LoadProblem, plan: LoadPlan) -> None:
    """Assert that ``plan`` obeys every rule of ``problem``."""
    lines = {(ln.order_id, ln.line_id): ln for ln in problem.lines}
    orders = {o.id: o for o in problem.orders}
    types = {vt.id: vt for vt in problem.vehicle_types}
    table = segregation_for(problem.hazmat_segregation)
    carried: Counter = Counter()
    trucks_of: dict[tuple[str, str], int] = Counter()
    for k, load in enumerate(plan.loads):
        vt = types[load.vehicle_type]
        assert load.cost == vt.cost
        totals = [0.0, 0.0, 0.0]
        sites, classes = {}, []
        for a in load.allocations:
            line = lines[(a.order_id, a.line_id)]
            assert isinstance(a.quantity, int) and a.quantity > 0, f"load {k}: bad quantity {a.quantity}"
            if not line.splittable:
                assert a.quantity == line.quantity, f"load {k}: non-splittable line {a.line_id} split"
            if line.allowed_vehicle_types:
                assert vt.id in line.allowed_vehicle_types, f"load {k}: {a.line_id} not allowed on {vt.id}"
            carried[(a.order_id, a.line_id)] += a.quantity
            trucks_of[(a.order_id, a.line_id)] += 1
            for d, per_unit in enumerate(line.unit):
                totals[d] += per_unit * a.quantity
            order = orders[a.order_id]
            assert order.pickup_site == load.pickup_site, f"load {k}: mixes pickup sites"
            sites[order.delivery_site] = (order.delivery_lat, order.delivery_lon)
            if line.hazmat_class:
                classes.append(line.hazmat_class)
        for d, cap in enumerate(vt.capacity):
            assert totals[d] <= cap + 1e-6, f"load {k}: dimension {d} {totals[d]} > {cap}"
        assert math.isclose(load.totals.weight_kg, totals[0], abs_tol=1e-6)
        assert math.isclose(load.totals.volume_m3, totals[1], abs_tol=1e-6)
        assert math.isclose(load.totals.pallets, totals[2], abs_tol=1e-6)
        assert set(load.stops) == set(sites)
        if problem.max_stops is not None:
            assert len(sites) <= problem.max_stops, f"load {k}: {len(sites)} stops"
        if problem.max_stop_distance_km is not None:
            for a, b in itertools.combinations(sites.values(), 2):
                assert great_circle_km(a, b) <= problem.max_stop_distance_km + 1e-9, f"load {k}: stops too far apart"
        for a, b in itertools.combinations(classes, 2):
            assert table.compatible(a, b), f"load {k}: hazmat {a} with {b}"
    for vt in problem.vehicle_types:
        if vt.count is not None:
            assert sum(1 for ld in plan.loads if ld.vehicle_type == vt.id) <= vt.count
    left: Counter = Counter()
    for u in plan.unplaced:
        assert u.reason
        left[(u.order_id, u.line_id)] += u.quantity
    for key, line in lines.items():
        assert carried[key] + left[key] == line.quantity, f"line {key}: {carried[key]} + {left[key]} units"
    assert math.isclose(plan.cost, sum(ld.cost for ld in plan.loads))
    assert plan.lower_bound_cost <= plan.cost + 1e-6
    assert plan.lower_bound_trucks <= len(plan.loads) or plan.unplaced
