"""Integer view of a ``Problem``: the solver works on scaled integers only.

Distances are rounded to the nearest scaled unit (they only feed costs). Travel and service
times are rounded *up* and window ends *down*, so a schedule that is feasible in integers is
feasible in the caller's real numbers too. Nodes are the depots first, then every stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.engines.routing.model import INFINITE_TIME, Problem, TimeWindow

EPS = 1e-6  # absorbs float noise such as 0.1 * 10 == 1.0000000000000002


def _up(value: float, scale: int) -> int:
    return math.ceil(value * scale - EPS)


def _down(value: float, scale: int) -> int:
    return math.floor(value * scale + EPS)


@dataclass(frozen=True)
class Scaled:
    """Integer data indexed by node (depots, then stops) or by location."""

    horizon: int
    node_location: tuple[int, ...]
    depot_node: dict[str, int]
    stop_node: tuple[int, ...]
    distance: tuple[tuple[int, ...], ...]  # by location
    travel: tuple[tuple[int, ...], ...]  # by location
    window: tuple[tuple[int, int], ...]  # by node
    service: tuple[int, ...]  # by node
    max_duration: tuple[int | None, ...]  # by vehicle
    shift: tuple[tuple[int, int], ...]  # by vehicle
    breaks: tuple[tuple[tuple[int, int, int], ...], ...]  # by vehicle: (earliest, latest, duration)


def scale_problem(problem: Problem) -> Scaled:
    """Scale every number of ``problem`` to integers (see module docstring for rounding)."""
    ds, ts = problem.distance_scale, problem.time_scale
    horizon = min(INFINITE_TIME * ts, max(_down(d.time_window.end, ts) for d in problem.depots))
    distance = tuple(tuple(round(v * ds) for v in row) for row in problem.matrix.distances)
    travel = tuple(tuple(_up(v, ts) for v in row) for row in problem.matrix.durations)
    depot_node = {depot.id: k for k, depot in enumerate(problem.depots)}
    offset = len(problem.depots)
    node_location = tuple(d.location for d in problem.depots) + tuple(s.location for s in problem.stops)

    def window(w: TimeWindow) -> tuple[int, int]:
        return (max(0, _up(w.start, ts)), min(horizon, _down(w.end, ts)))

    windows = tuple(window(d.time_window) for d in problem.depots) + tuple(
        window(s.time_window) for s in problem.stops
    )
    service = (0,) * offset + tuple(_up(s.service_time, ts) for s in problem.stops)
    max_duration = tuple(
        None if v.max_duration is None else _down(v.max_duration, ts) for v in problem.vehicles
    )
    breaks = tuple(
        tuple((_up(b.earliest_start, ts), _down(b.latest_start, ts), _up(b.duration, ts)) for b in v.breaks)
        for v in problem.vehicles
    )
    return Scaled(
        horizon=horizon,
        node_location=node_location,
        depot_node=depot_node,
        stop_node=tuple(offset + i for i in range(len(problem.stops))),
        distance=distance,
        travel=travel,
        window=windows,
        service=service,
        max_duration=max_duration,
        shift=tuple(window(v.shift) for v in problem.vehicles),
        breaks=breaks,
    )
