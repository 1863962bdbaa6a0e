"""The engine-independent plan check and the repair used when a plan breaks a constraint."""

from __future__ import annotations

from server.engines.routing.feasibility import plan_errors, repair
from server.engines.routing.prechecks import precheck
from server.engines.routing.scaling import scale_problem
from tests.server.engines.routing.routing_fixtures import load


def _scaled(name):
    problem = load(name)
    return problem, scale_problem(problem)


def test_a_feasible_plan_has_no_errors():
    """Serving the near stop after the far one meets both windows."""
    problem, scaled = _scaled("time_windows.json")
    order = [next(i for i, s in enumerate(problem.stops) if s.id == sid) for sid in ("far", "near")]
    assert plan_errors(problem, scaled, [order]) == []


def test_late_service_and_overload_are_errors():
    """The wrong order misses a window; too many stops on one vehicle overload it."""
    problem, scaled = _scaled("time_windows.json")
    order = [next(i for i, s in enumerate(problem.stops) if s.id == sid) for sid in ("near", "far")]
    assert any("window" in e for e in plan_errors(problem, scaled, [order]))
    problem, scaled = _scaled("capacity_multi_dim.json")
    everything = [list(range(len(problem.stops)))] + [[] for _ in problem.vehicles[1:]]
    assert any("capacity" in e for e in plan_errors(problem, scaled, everything))


def test_pairs_must_share_a_route_in_order():
    """A delivery before its pickup, or on another vehicle, is an error."""
    problem, scaled = _scaled("pickup_delivery.json")
    pair = problem.pairs[0]
    backwards = [[pair.delivery, pair.pickup]] + [[] for _ in problem.vehicles[1:]]
    assert any("before its pickup" in e for e in plan_errors(problem, scaled, backwards))
    split = [[pair.pickup], [pair.delivery]] + [[] for _ in problem.vehicles[2:]]
    assert any("same route" in e for e in plan_errors(problem, scaled, split))


def test_shift_length_counts_from_the_latest_useful_departure():
    """Waiting that a later departure removes does not count against the shift length."""
    problem, scaled = _scaled("shift_max_duration.json")
    check = precheck(problem, scaled)
    singles = [[i] for i in range(len(problem.stops)) if i not in check.excluded]
    routes = singles + [[] for _ in range(len(problem.vehicles) - len(singles))]
    assert plan_errors(problem, scaled, routes) == []


def test_repair_leaves_out_stops_until_the_plan_is_feasible():
    """Repair drops stops from the end of a bad route (a pair together) and the result checks clean."""
    problem, scaled = _scaled("time_windows.json")
    order = [next(i for i, s in enumerate(problem.stops) if s.id == sid) for sid in ("near", "far")]
    fixed = repair(problem, scaled, [order])
    assert plan_errors(problem, scaled, fixed) == [] and len(fixed[0]) == 1
