"""Independent solution checker for benchmark instances.

Recomputes everything from the ``Instance`` (coordinates, demands, windows) and the routes as
lists of node ids; it never looks at the solver's numbers. A solution is feasible when every
customer is visited exactly once, no route exceeds the capacity, every service starts within
its window, every route returns to the depot by its closing time, each pickup precedes its
delivery on the same route, and no more vehicles are used than the fleet has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.engines.routing.instances import Instance, edge_length, effective_rounding

TOLERANCE = 1e-6  # rounding slack for doubles under the exact convention


@dataclass(frozen=True)
class CheckReport:
    """Whether the solution is feasible, why not, and its recomputed cost."""

    feasible: bool
    errors: tuple[str, ...]
    cost: float
    vehicles: int


def check_solution(instance: Instance, routes: Sequence[Sequence[int]], rounding: str) -> CheckReport:
    """Check ``routes`` (customer ids in the instance's numbering, depot excluded)."""
    rounding = effective_rounding(instance, rounding)
    node_of = {node_id: index for index, node_id in enumerate(instance.ids)}
    errors: list[str] = []
    seen: dict[int, int] = {}
    used = [route for route in routes if route]
    if len(used) > instance.vehicles:
        errors.append(f"uses {len(used)} vehicles, fleet has {instance.vehicles}")
    total = 0.0
    for r, route in enumerate(used):
        nodes = []
        for node_id in route:
            node = node_of.get(node_id)
            if node is None or node == 0:
                errors.append(f"route {r}: {node_id} is not a customer")
                continue
            if node in seen:
                errors.append(f"customer {node_id} visited twice (routes {seen[node]} and {r})")
            seen[node] = r
            nodes.append(node)
        total += _check_route(instance, r, nodes, rounding, errors)
    missing = [instance.ids[node] for node in range(1, instance.size) if node not in seen]
    if missing:
        errors.append(f"customers not visited: {missing[:10]}{'...' if len(missing) > 10 else ''}")
    for pickup, delivery in instance.pairs:
        if pickup in seen and delivery in seen and seen[pickup] != seen[delivery]:
            errors.append(
                f"pickup {instance.ids[pickup]} and delivery {instance.ids[delivery]} on different routes"
            )
    return CheckReport(feasible=not errors, errors=tuple(errors), cost=total, vehicles=len(used))


def _check_route(instance: Instance, r: int, nodes: list[int], rounding: str, errors: list[str]) -> float:
    """Check one route's load, windows and precedence; return its length."""
    in_pair = {node for pair in instance.pairs for node in pair}
    delivery_of = dict(instance.pairs)
    position = {node: i for i, node in enumerate(nodes)}
    # Stand-alone demand is on board from the depot; paired demand rides pickup -> delivery.
    load = sum(instance.demands[node] for node in nodes if node not in in_pair)
    if load > instance.capacity:
        errors.append(f"route {r}: load {load} leaves the depot over capacity {instance.capacity}")
    time = instance.ready[0]
    length = 0.0
    previous = 0
    for node in nodes + [0]:
        leg = edge_length(instance.coords[previous], instance.coords[node], rounding)
        length += leg
        arrival = time + leg
        if arrival > instance.due[node] + TOLERANCE:
            where = "depot" if node == 0 else f"customer {instance.ids[node]}"
            errors.append(f"route {r}: reaches {where} at {arrival:.2f}, after its due time {instance.due[node]}")
        if node == 0:
            break
        time = max(arrival, instance.ready[node]) + instance.service[node]
        if node in in_pair:
            load += instance.demands[node]
        else:
            load -= instance.demands[node]
        if load > instance.capacity or load < 0:
            errors.append(f"route {r}: load {load} after customer {instance.ids[node]} is outside 0..capacity")
        if node in delivery_of:
            delivery = delivery_of[node]
            if delivery in position and position[delivery] < position[node]:
                errors.append(f"route {r}: delivery {instance.ids[delivery]} before pickup {instance.ids[node]}")
        previous = node
    return length
