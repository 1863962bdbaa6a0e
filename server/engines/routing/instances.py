"""Benchmark instances (Solomon VRPTW, VRPLIB CVRP, Li & Lim PDPTW) and distance conventions.

An ``Instance`` is the file's content, node 0 being the depot. ``ids`` holds each node's
number as printed in solutions: the customer number for Solomon and Li & Lim, and the
CVRPLIB ``.sol`` numbering (file node id minus one, depot 0) for VRPLIB.

Rounding conventions for edge lengths:
- ``dimacs``: Euclidean distance truncated to one decimal (solved exactly at scale 10);
- ``exact``: Euclidean distance as a double (solved at scale 1000, cost recomputed in doubles);
- ``nint``: rounded to the nearest integer (CVRPLIB convention for CVRP, scale 1).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from server.engines.routing.model import (
    Depot,
    Objective,
    PickupDelivery,
    Problem,
    Stop,
    TimeWindow,
    TravelMatrix,
    Vehicle,
)

ROUNDING_SCALES = {"dimacs": 10, "exact": 1000, "nint": 1}


@dataclass(frozen=True)
class Instance:
    """A benchmark instance; index 0 is the depot."""

    name: str
    kind: str  # "vrptw", "cvrp" or "pdptw"
    ids: tuple[int, ...]
    coords: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]  # signed for pdptw (pickup +, delivery -)
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]
    capacity: int
    vehicles: int
    pairs: tuple[tuple[int, int], ...] = ()  # (pickup node, delivery node)
    rounding: str = "exact"  # the instance's native convention; "nint" for CVRP

    @property
    def size(self) -> int:
        return len(self.coords)


def edge_length(a: tuple[float, float], b: tuple[float, float], rounding: str) -> float:
    """Length of one edge under a rounding convention (see module docstring)."""
    dx, dy = a[0] - b[0], a[1] - b[1]
    if rounding == "dimacs":
        if all(float(v).is_integer() for v in (*a, *b)):
            # Exact in integers: floor(10 * sqrt(s)) == isqrt(100 * s).
            return math.isqrt(int(100 * (dx * dx + dy * dy))) / 10
        return math.floor(10 * math.hypot(dx, dy) + 1e-9) / 10
    if rounding == "nint":
        return float(math.floor(math.hypot(dx, dy) + 0.5))
    if rounding == "exact":
        return math.hypot(dx, dy)
    raise ValueError(f"unknown rounding {rounding!r}")


def effective_rounding(instance: Instance, requested: str) -> str:
    """CVRP always uses its native nearest-integer convention; others use ``requested``."""
    return "nint" if instance.kind == "cvrp" else requested


def distance_matrix(instance: Instance, rounding: str) -> tuple[tuple[float, ...], ...]:
    """All edge lengths under ``rounding``."""
    coords = instance.coords
    return tuple(tuple(edge_length(a, b, rounding) for b in coords) for a in coords)


def to_problem(instance: Instance, rounding: str, objective: Objective | str) -> Problem:
    """The routing ``Problem`` for an instance: travel time equals distance, one load dimension."""
    rounding = effective_rounding(instance, rounding)
    matrix = distance_matrix(instance, rounding)
    scale = ROUNDING_SCALES[rounding]
    horizon = instance.due[0]
    depot = Depot(id="depot", location=0, time_window=TimeWindow(instance.ready[0], horizon))
    in_pair = {node for pair in instance.pairs for node in pair}
    stops = tuple(
        Stop(
            id=str(instance.ids[node]),
            location=node,
            demand=(abs(instance.demands[node]) if node in in_pair else instance.demands[node],),
            time_window=TimeWindow(instance.ready[node], instance.due[node]),
            service_time=instance.service[node],
        )
        for node in range(1, instance.size)
    )
    pairs = tuple(PickupDelivery(pickup=p - 1, delivery=d - 1) for p, d in instance.pairs)
    vehicles = tuple(
        Vehicle(id=f"v{k + 1}", start_depot="depot", end_depot="depot", capacity=(instance.capacity,))
        for k in range(instance.vehicles)
    )
    return Problem(
        matrix=TravelMatrix(distances=matrix, durations=matrix),
        depots=(depot,),
        vehicles=vehicles,
        stops=stops,
        pairs=pairs,
        objective=Objective(objective),
        dimensions=("load",),
        distance_scale=scale,
        time_scale=scale,
    )


def generate_vrptw(customers: int, vehicles: int, seed: int = 0) -> Instance:
    """A random Solomon-like VRPTW (uniform points, mixed windows) sized so the fleet suffices."""
    rng = random.Random(seed)
    side = 100.0 * math.sqrt(customers / 100)
    coords = [(side / 2, side / 2)] + [
        (round(rng.uniform(0, side)), round(rng.uniform(0, side))) for _ in range(customers)
    ]
    demands = [0] + [rng.randint(1, 20) for _ in range(customers)]
    capacity = math.ceil(sum(demands) / (0.75 * vehicles))
    service = [0.0] + [10.0] * customers
    per_route = customers / vehicles
    horizon = float(round(2.5 * per_route * (10 + side / math.sqrt(customers) * 2) + side * 2))
    ready, due = [0.0], [horizon]
    for node in range(1, customers + 1):
        reach = math.dist(coords[0], coords[node])
        width = rng.uniform(0.1, 0.5) * horizon
        start = rng.uniform(reach, max(reach, horizon - reach - service[node] - width))
        ready.append(float(round(start)))
        due.append(float(round(min(start + width, horizon - reach - service[node]))))
    return Instance(
        name=f"gen-{customers}-{vehicles}-s{seed}",
        kind="vrptw",
        ids=tuple(range(customers + 1)),
        coords=tuple(coords),
        demands=tuple(demands),
        ready=tuple(ready),
        due=tuple(due),
        service=tuple(service),
        capacity=capacity,
        vehicles=vehicles,
    )
