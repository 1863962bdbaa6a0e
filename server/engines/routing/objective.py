"""What each objective charges, in one place, for every engine and for comparing plans.

- ``distance``: the total distance driven with the fleet given; vehicles are free and every
  vehicle's kilometre counts the same, whatever its ``cost_per_km``.
- ``hierarchical``: the fewest vehicles first, then the total distance.
- ``cost``: each used vehicle's ``fixed_cost`` plus its ``cost_per_km`` times its distance.

In every mode a dropped optional stop costs its ``drop_penalty`` and a dropped mandatory
stop outweighs any plan that serves it. ``plan_score`` ranks finished plans, so whichever
engine produced them, the better one is kept by the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.engines.routing.model import Objective, Problem
from server.engines.routing.scaling import Scaled


@dataclass(frozen=True)
class VehicleCharge:
    """One vehicle's integer charges in the engines' units: per used vehicle and per scaled distance."""

    fixed: int
    rate: float  # multiplies the scaled distance; 1.0 unless the objective is ``cost``


def cost_bound(problem: Problem, scaled: Scaled) -> int:
    """An upper bound on any plan's travel cost: the priciest way out of every node."""
    top = max((v.cost_per_km for v in problem.vehicles), default=1.0) if problem.objective == Objective.COST else 1.0
    longest = max((max(row) for row in scaled.distance), default=0)
    return int(top * longest * (len(problem.stops) + 2 * len(problem.vehicles))) + 1


def charges(problem: Problem, scaled: Scaled, fleet_charge: bool = True) -> list[VehicleCharge]:
    """Per vehicle, what using it and driving it costs under the problem's objective.

    Without ``fleet_charge`` the hierarchical objective charges distance only (for a search
    that caps the fleet instead of pricing it).
    """
    if problem.objective == Objective.COST:
        return [VehicleCharge(round(v.fixed_cost * problem.distance_scale), v.cost_per_km) for v in problem.vehicles]
    if problem.objective == Objective.HIERARCHICAL and fleet_charge:
        # A vehicle costs more than any plan's distance, so one vehicle fewer always wins.
        bound = cost_bound(problem, scaled)
        return [VehicleCharge(bound, 1.0) for _ in problem.vehicles]
    return [VehicleCharge(0, 1.0) for _ in problem.vehicles]


@dataclass(frozen=True, order=True)
class PlanScore:
    """Lexicographic score of a plan (smaller is better)."""

    mandatory_dropped: int
    vehicles: int  # counted only under the hierarchical objective (0 otherwise)
    cost: float  # distance, or fixed + per-km cost, plus the optional stops' drop penalties


def route_distance(problem: Problem, vehicle: int, route: Sequence[int]) -> float:
    """Length of one vehicle's route from its start depot through ``route`` to its end depot."""
    v = problem.vehicles[vehicle]
    path = [problem.depot(v.start_depot).location, *(problem.stops[s].location for s in route),
            problem.depot(v.end_depot).location]
    return sum(problem.matrix.distances[a][b] for a, b in zip(path, path[1:], strict=False))


def plan_score(problem: Problem, routes: Sequence[Sequence[int]]) -> PlanScore:
    """Score of ``routes`` (stop indices per vehicle) under the problem's objective."""
    served = {s for route in routes for s in route}
    dropped = [stop for i, stop in enumerate(problem.stops) if i not in served]
    cost = sum(stop.drop_penalty for stop in dropped if stop.optional)
    used = 0
    for v, route in enumerate(routes):
        if not route:
            continue
        used += 1
        distance = route_distance(problem, v, route)
        if problem.objective == Objective.COST:
            vehicle = problem.vehicles[v]
            cost += vehicle.fixed_cost + vehicle.cost_per_km * distance
        else:
            cost += distance
    vehicles = used if problem.objective == Objective.HIERARCHICAL else 0
    return PlanScore(sum(1 for stop in dropped if not stop.optional), vehicles, round(cost, 9))
