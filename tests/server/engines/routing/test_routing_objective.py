"""The three objectives: what each charges, in every engine, and how finished plans are ranked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.engines.common import Limits
from server.engines.routing.model import Objective
from server.engines.routing.objective import plan_score
from server.engines.routing.solver import solve
from tests.server.engines.routing.routing_fixtures import load, route_of

ENGINES = ("ortools", "pyvrp")


def _with_costs(problem, truck_fixed: float):
    """The hierarchical fixture with a fixed cost on the first vehicle only."""
    v1, v2 = problem.vehicles
    return replace(problem, vehicles=(replace(v1, fixed_cost=truck_fixed), v2))


@pytest.mark.parametrize("engine", ENGINES)
def test_distance_objective_ignores_fixed_costs(engine):
    """Distance mode serves the two stops with two short routes, whatever a vehicle costs to use."""
    problem = _with_costs(load("hierarchical.json"), truck_fixed=1000.0)
    result = solve(replace(problem, objective=Objective.DISTANCE), Limits(time_limit_s=0.5, seed=1), engine=engine)
    assert result.vehicles_used == 2 and result.total_distance == pytest.approx(40)
    assert result.engine == engine and result.objective == "distance"


@pytest.mark.parametrize("engine", ENGINES)
def test_cost_objective_charges_fixed_and_per_km_costs(engine):
    """Cost mode avoids the vehicle with a high fixed cost: one longer route on the free vehicle."""
    problem = _with_costs(load("hierarchical.json"), truck_fixed=1000.0)
    result = solve(replace(problem, objective=Objective.COST), Limits(time_limit_s=0.5, seed=1), engine=engine)
    assert result.vehicles_used == 1 and route_of(result, "v2") is not None
    assert result.total_cost == pytest.approx(120)


@pytest.mark.parametrize("engine", ENGINES)
def test_hierarchical_objective_minimises_vehicles_first(engine):
    """Hierarchical mode uses one vehicle even though two would drive less."""
    problem = replace(load("hierarchical.json"), objective=Objective.HIERARCHICAL)
    result = solve(problem, Limits(time_limit_s=0.5, seed=1), engine=engine)
    assert result.vehicles_used == 1 and result.total_distance == pytest.approx(120)


def test_plan_score_ranks_by_the_objective():
    """Scores: dropped mandatory stops first, then vehicles (hierarchical only), then distance or cost."""
    problem = _with_costs(load("hierarchical.json"), truck_fixed=1000.0)
    two, one, missing = [[0], [1]], [[], [0, 1]], [[], [0]]
    by_distance = replace(problem, objective=Objective.DISTANCE)
    assert plan_score(by_distance, two) < plan_score(by_distance, one) < plan_score(by_distance, missing)
    fewest = replace(problem, objective=Objective.HIERARCHICAL)
    assert plan_score(fewest, one) < plan_score(fewest, two)
    cost = replace(problem, objective=Objective.COST)
    assert plan_score(cost, one).cost == pytest.approx(120)
    assert plan_score(cost, one) < plan_score(cost, two)


def test_unknown_objective_is_a_field_error():
    """The objective field accepts distance, hierarchical and cost only."""
    from server.engines.routing.validation import RoutingValidationError

    with pytest.raises(RoutingValidationError) as error:
        load("hierarchical.json", objective="cheapest")
    assert error.value.errors[0][0] == "objective"
