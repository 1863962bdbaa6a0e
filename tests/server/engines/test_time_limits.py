"""Time limits are wall-clock promises: each engine answers within the limit plus 1 s on hard input.

The promise is the limit plus 10 % (at least 0.5 s) on an idle machine and plus 1 s when the
other core is busy; CI machines may be busy, so these tests hold the engines to the latter.
"""

from __future__ import annotations

import time
from pathlib import Path

from server.bench.loads import to_problem as binpacking_problem
from server.engines import loadbuilding
from server.engines.common import Limits
from server.engines.loadbuilding.formats import read_instances
from server.engines.routing.instances import generate_vrptw, to_problem
from server.engines.routing.solver import solve

DATA = Path(__file__).parents[2] / "data"
BUSY_MARGIN_S = 1.0


def test_load_builder_keeps_its_time_limit_on_a_hard_instance():
    """A Wäscher instance no method here packs at its bound within 2 s still returns by 3 s."""
    (instance,) = read_instances(DATA / "loadbuilding" / "waescher_test0065.txt")
    started = time.monotonic()
    plan = loadbuilding.solve(binpacking_problem(instance), Limits(time_limit_s=2.0))
    assert time.monotonic() - started <= 2.0 + BUSY_MARGIN_S
    assert len(plan.loads) <= plan.lower_bound_trucks + 1


def test_routing_portfolio_keeps_its_time_limit_on_a_large_instance():
    """A 300-stop plan with both engines side by side returns within the limit plus 1 s."""
    problem = to_problem(generate_vrptw(300, 30, seed=4), "dimacs", "distance")
    started = time.monotonic()
    result = solve(problem, Limits(time_limit_s=3.0, threads=2))
    assert time.monotonic() - started <= 3.0 + BUSY_MARGIN_S
    assert result.routes


def test_routing_ortools_keeps_its_time_limit_on_a_large_instance():
    """OR-Tools alone (the engine for breaks) on 300 stops also returns within the limit plus 1 s."""
    problem = to_problem(generate_vrptw(300, 30, seed=4), "dimacs", "hierarchical")
    started = time.monotonic()
    result = solve(problem, Limits(time_limit_s=3.0), engine="ortools")
    assert time.monotonic() - started <= 3.0 + BUSY_MARGIN_S
    assert result.routes
