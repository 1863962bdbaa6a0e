"""Time limit, progress reports, cancellation and infeasible input handling of ``solve``."""

from __future__ import annotations

from dataclasses import replace

from server.engines.common import Limits
from server.engines.routing.instances import generate_vrptw, to_problem
from server.engines.routing.model import TimeWindow
from server.engines.routing.result import DropReason, Status
from server.engines.routing.solver import solve
from tests.server.engines.routing.routing_fixtures import load


def _medium_problem():
    return to_problem(generate_vrptw(60, 6, seed=2), "dimacs", "distance")


def test_time_limit_is_honoured_and_progress_reported():
    """A 1 s solve returns a plan soon after 1 s and reports progress fractions in [0, 1]."""
    seen = []
    result = solve(_medium_problem(), Limits(time_limit_s=1.0, on_progress=seen.append))
    assert result.status == Status.FEASIBLE
    assert result.seconds < 5.0  # the budget plus model building, with a wide margin for a busy machine
    assert seen and all(0.0 <= p.fraction <= 1.0 for p in seen)
    assert any(p.best_objective is not None for p in seen)


def test_should_stop_cancels_promptly_with_the_best_plan_so_far():
    """Asking to stop after the first solution ends a 60 s solve early, status cancelled."""
    seen = []
    result = solve(
        _medium_problem(),
        Limits(time_limit_s=60.0, on_progress=seen.append, should_stop=lambda: bool(seen)),
    )
    assert result.status == Status.CANCELLED
    assert result.seconds < 30.0
    assert result.routes and sum(len(r.stops) for r in result.routes) + len(result.dropped) == 60


def test_hierarchical_solve_can_be_cancelled_too():
    """Cancellation also stops the multi-phase hierarchical search."""
    seen = []
    problem = replace(_medium_problem(), objective="hierarchical")
    result = solve(problem, Limits(time_limit_s=60.0, on_progress=seen.append, should_stop=lambda: bool(seen)))
    assert result.status == Status.CANCELLED and result.seconds < 30.0


def test_everything_unservable_gives_reasons_not_errors():
    """When no stop can be served the result lists every stop with a reason."""
    problem = load("time_windows.json")
    stops = tuple(replace(s, time_window=TimeWindow(0, 1)) for s in problem.stops)
    result = solve(replace(problem, stops=stops), Limits(time_limit_s=1.0))
    assert result.status == Status.FEASIBLE and result.routes == ()
    assert {d.reason for d in result.dropped} == {DropReason.TIME_WINDOW_UNREACHABLE.value}


def test_mandatory_stops_that_do_not_fit_together_are_reported():
    """Two mandatory stops needing the only vehicle at the same time: one is dropped, with a reason."""
    problem = load("time_windows.json")
    # near (10 away) opens at 15; far (20 away) closes at 21: either order is late for the other.
    clash = (replace(problem.stops[0], time_window=TimeWindow(15, 16)),
             replace(problem.stops[1], time_window=TimeWindow(20, 21)))
    result = solve(replace(problem, stops=clash), Limits(time_limit_s=1.0))
    assert result.status == Status.FEASIBLE
    assert len(result.dropped) == 1
    assert result.dropped[0].reason == DropReason.NO_ROUTE_FOUND.value
