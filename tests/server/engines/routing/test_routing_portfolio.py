"""The portfolio: which engine answers which request, side-by-side runs, and the recorded engine."""

from __future__ import annotations

import pytest

from server.engines.common import Limits
from server.engines.routing.instances import generate_vrptw, to_problem
from server.engines.routing.portfolio import engines_for
from server.engines.routing.solver import solve
from tests.server.engines.routing.routing_fixtures import load, stop_ids


def test_breaks_go_to_ortools_only():
    """PyVRP has no driver breaks: a request with breaks runs on OR-Tools, even with two threads."""
    problem = load("breaks.json")
    assert engines_for(problem, Limits(threads=2)) == ("ortools",)
    with pytest.raises(ValueError):
        engines_for(problem, Limits(), "pyvrp")
    assert solve(problem, Limits(time_limit_s=1.0, threads=2)).engine == "ortools"


def test_both_engines_run_with_two_threads_and_time():
    """With two threads and a few seconds both engines run; with one thread PyVRP answers alone."""
    problem = load("time_windows.json")
    assert engines_for(problem, Limits(time_limit_s=5.0, threads=2)) == ("pyvrp", "ortools")
    assert engines_for(problem, Limits(time_limit_s=1.0, threads=2)) == ("pyvrp",)
    assert engines_for(problem, Limits(time_limit_s=5.0, threads=1)) == ("pyvrp",)
    assert engines_for(problem, Limits(), "ortools") == ("ortools",)
    with pytest.raises(ValueError):
        engines_for(problem, Limits(), "gurobi")


@pytest.mark.parametrize("fixture", ["pickup_delivery.json", "multi_depot.json", "capacity_multi_dim.json",
                                     "shift_max_duration.json", "service_times.json"])
def test_pyvrp_plans_match_the_constraints_ortools_is_tested_on(fixture):
    """PyVRP's plans for the constraint fixtures serve every stop and pass the same checks as OR-Tools'."""
    problem = load(fixture)
    pyvrp, ortools = (solve(problem, Limits(time_limit_s=0.5, seed=1), engine=e) for e in ("pyvrp", "ortools"))
    assert pyvrp.engine == "pyvrp" and not pyvrp.dropped
    assert pyvrp.total_distance <= ortools.total_distance + 1e-6
    for route in pyvrp.routes:
        assert all(0 <= load for stop in route.stops for load in stop.load)


def test_optional_stops_and_reasons_with_pyvrp():
    """PyVRP drops the unprofitable optional stop, and the unservable ones keep their reasons."""
    result = solve(load("optional_drop.json"), Limits(time_limit_s=1.0, seed=1), engine="pyvrp")
    assert {d.stop_id for d in result.dropped} == {"far_optional", "too_heavy", "too_early"}
    assert sorted(stop_ids(result.routes[0])) == ["ok", "worth_it"]


def test_unservable_mandatory_pair_is_repaired_not_fatal_with_pyvrp():
    """When mandatory stops cannot all be served PyVRP's best plan is repaired and the rest reported."""
    from dataclasses import replace

    from server.engines.routing.model import TimeWindow

    problem = load("time_windows.json")
    clash = (replace(problem.stops[0], time_window=TimeWindow(15, 16)),
             replace(problem.stops[1], time_window=TimeWindow(20, 21)))
    result = solve(replace(problem, stops=clash), Limits(time_limit_s=1.0), engine="pyvrp")
    assert len(result.dropped) == 1 and len(result.routes) == 1


def test_side_by_side_keeps_a_checked_plan_and_names_its_engine():
    """Two threads, 2.5 s: both engines run and the kept plan serves every stop, named by engine."""
    problem = to_problem(generate_vrptw(40, 5, seed=3), "dimacs", "distance")
    result = solve(problem, Limits(time_limit_s=2.5, seed=1, threads=2))
    assert result.engine in {"pyvrp", "ortools"} and not result.dropped
    assert sum(len(r.stops) for r in result.routes) == 40


def test_cancelling_a_side_by_side_solve_returns_the_best_plan_so_far():
    """should_stop ends both engines early and the plan found so far comes back, cancelled."""
    seen = []
    problem = to_problem(generate_vrptw(60, 6, seed=2), "dimacs", "distance")
    result = solve(problem, Limits(time_limit_s=60.0, threads=2, on_progress=seen.append,
                                   should_stop=lambda: any(p.best_objective is not None for p in seen)))
    assert result.status == "cancelled" and result.routes
    assert sum(len(r.stops) for r in result.routes) + len(result.dropped) == 60
    assert result.seconds < 30.0
