"""Lower bounds: Martello–Toth L1/L2 for one dimension, and a fleet-covering bound for loads.

``fleet_bound`` relaxes load building to "buy enough capacity": integer truck counts per
pickup site and vehicle type whose summed capacity covers the site's demand in every
dimension (and, per group of lines restricted to certain types, that group's demand on those
types), within the fleet counts. Any plan needs at least that much, so its optimum bounds the
cost and, with unit costs, the number of trucks. It is solved with CP-SAT in well under a
second for realistic fleets.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from server.engines.common import new_cp_solver


def l1_bound(sizes: Sequence[int], capacity: int) -> int:
    """ceil(total size / capacity)."""
    return -(-sum(sizes) // capacity)


def l2_bound(sizes: Sequence[int], capacity: int) -> int:
    """Martello and Toth's L2 bound for one-dimensional bin packing (sizes in 0..capacity)."""
    if not sizes:
        return 0
    asc = sorted(sizes)
    prefix = [0, *itertools.accumulate(asc)]
    n = len(asc)
    best = l1_bound(asc, capacity)
    half = bisect.bisect_right(asc, capacity // 2)  # asc[:half] are the items with 2*s <= capacity
    for k in sorted({0, *asc[:half]}):
        big = bisect.bisect_right(asc, capacity - k)  # asc[big:] are larger than capacity - k
        small_lo = bisect.bisect_left(asc, k)
        j1 = n - big
        j2_count, j2_sum = big - half, prefix[big] - prefix[half]  # capacity/2 < size <= capacity - k
        j3_sum = prefix[half] - prefix[small_lo]
        spare = j2_count * capacity - j2_sum
        best = max(best, j1 + j2_count + max(0, -(-(j3_sum - spare) // capacity)))
    return best


@dataclass(frozen=True)
class CoverDemand:
    """Demand of one pickup site on a set of vehicle types, per dimension (scaled integers)."""

    site: str
    types: frozenset[int]
    demand: tuple[int, ...]


def fleet_bound(demands: Sequence[CoverDemand], capacities: Sequence[Sequence[int | None]],
                costs: Sequence[int], counts: Sequence[int | None], min_trucks: Mapping[str, int],
                time_limit_s: float) -> tuple[int, bool]:
    """Least total cost of trucks covering every demand; (bound, proven).

    ``capacities[t][d]`` is None when type ``t`` does not limit dimension ``d``;
    ``min_trucks[site]`` is a known lower bound on the trucks a site needs. When the solve is
    cut short, the CP-SAT best bound is returned and ``proven`` is False.
    """
    sites = sorted({d.site for d in demands})
    if not sites:
        return 0, True
    model = cp_model.CpModel()
    n_types = len(capacities)
    cap_bound = 10**6
    y = {(s, t): model.NewIntVar(0, counts[t] if counts[t] is not None else cap_bound, "")
         for s in sites for t in range(n_types)}
    for demand in demands:
        for d, need in enumerate(demand.demand):
            if need <= 0:
                continue
            terms = [(capacities[t][d], t) for t in demand.types if capacities[t][d] is not None]
            if len(terms) < len(demand.types):
                continue  # some allowed type does not limit this dimension: no constraint
            model.Add(sum(cap * y[demand.site, t] for cap, t in terms) >= need)
    for s in sites:
        model.Add(sum(y[s, t] for t in range(n_types)) >= min_trucks.get(s, 0))
    for t in range(n_types):
        if counts[t] is not None:
            model.Add(sum(y[s, t] for s in sites) <= counts[t])
    model.Minimize(sum(costs[t] * y[s, t] for s in sites for t in range(n_types)))
    solver = new_cp_solver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.ObjectiveValue()), True
    if status == cp_model.FEASIBLE:
        return math.ceil(solver.BestObjectiveBound() - 1e-9), False
    return 0, False


def loads_lower_bound(problem) -> int:
    """At least how many loads any plan of ``problem`` (a ``LoadProblem``) makes, found in linear time.

    Loads never mix pickup sites, so per site the demand of the units some vehicle can carry is
    divided by the largest capacity in each dimension; the worst dimension counts. Lines and
    vehicle restrictions only add loads, so this is a valid bound, cheap enough to refuse an
    impossible request before solving it.
    """
    largest = [max(vt.capacity[d] for vt in problem.vehicle_types) for d in range(3)]
    pickup = {order.id: order.pickup_site for order in problem.orders}
    demand: dict[str, list[float]] = {}
    for line in problem.lines:
        if not any(_carries(vt, line) for vt in problem.vehicle_types):
            continue  # no truck takes it: the line comes back unplaced, it makes no load
        site = demand.setdefault(pickup[line.order_id], [0.0, 0.0, 0.0])
        for d in range(3):
            site[d] += line.quantity * line.unit[d]
    return sum(max(math.ceil(total[d] / largest[d] - 1e-9) if 0 < largest[d] < math.inf else 0
                   for d in range(3)) for total in demand.values())


def _carries(vehicle, line) -> bool:
    """Whether one truck of ``vehicle`` takes a unit of a splittable line, or a whole unsplittable one."""
    units = 1 if line.splittable else line.quantity
    return all(units * u <= c for u, c in zip(line.unit, vehicle.capacity, strict=True))
