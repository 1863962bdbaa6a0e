"""PyVRP under the hierarchical objective: routes first, then distance with the fleet capped."""

from __future__ import annotations

import time
from dataclasses import replace

from server.bench.routing import SHIPPED_SETS
from server.engines.routing import pyvrp_search
from server.engines.routing.instances import to_problem
from server.engines.routing.model import Objective
from server.engines.routing.objective import plan_score
from server.engines.routing.prechecks import precheck
from server.engines.routing.pyvrp_model import build_pyvrp
from server.engines.routing.readers import read_instance
from server.engines.routing.scaling import scale_problem
from tests.server.engines.routing.routing_fixtures import load


def test_capped_model_prices_distance_only_and_caps_each_vehicle_type():
    """The distance phase's model: no vehicle is priced, and each type offers at most its cap."""
    problem = replace(load("hierarchical.json"), objective=Objective.HIERARCHICAL)
    scaled = scale_problem(problem)
    check = precheck(problem, scaled)
    priced = build_pyvrp(problem, scaled, check)
    capped = build_pyvrp(problem, scaled, check, fleet_cap=[1] * priced.data.num_vehicle_types)
    assert all(t.fixed_cost > 0 for t in priced.data.vehicle_types())
    assert all(t.fixed_cost == 0 and t.num_available == 1 for t in capped.data.vehicle_types())
    assert capped.type_vehicles == priced.type_vehicles  # routes map back to the same vehicles


def test_routes_are_removed_then_distance_is_polished_with_the_fleet_capped(monkeypatch):
    """On a 200-customer instance: feasible plans with fewer and fewer routes, then a distance-only
    search from the fewest-route plan with the fleet capped at its routes; the answer has that many
    routes and is no longer than that plan, and progress reports only ever improve."""
    problem = to_problem(read_instance(SHIPPED_SETS["homberger200"] / "RC1_2_1.vrp"), "exact", "hierarchical")
    scaled = scale_problem(problem)
    check = precheck(problem, scaled)
    searches = []
    real_search = pyvrp_search._search

    def recording_search(model, *args, **kwargs):
        best, cancelled = real_search(model, *args, **kwargs)
        searches.append((model, best, kwargs))
        return best, cancelled

    monkeypatch.setattr(pyvrp_search, "_search", recording_search)
    reports: list[int] = []
    routes, cancelled, feasible = pyvrp_search.run_pyvrp(problem, scaled, check, time.monotonic() + 5.0, 1,
                                                         on_best=lambda plan, cost: reports.append(cost))
    assert feasible and not cancelled
    *removals, (capped, _, polish_args) = searches
    assert all(args.get("first_feasible") for _, _, args in removals) and "first_feasible" not in polish_args
    fewest = [best for _, best, _ in removals if best.is_feasible()]
    assert [plan.num_routes() for plan in fewest] == sorted({plan.num_routes() for plan in fewest}, reverse=True)
    assert sum(t.num_available for t in capped.data.vehicle_types()) == fewest[-1].num_routes()
    assert all(t.fixed_cost == 0 for t in capped.data.vehicle_types())
    answer = plan_score(problem, routes)
    assert answer.vehicles <= fewest[-1].num_routes()
    # Scaled integer edges (x1000) against doubles: up to half a unit per edge apart.
    assert answer.cost <= fewest[-1].distance() / problem.distance_scale + 0.5
    assert reports == sorted(reports, reverse=True)
