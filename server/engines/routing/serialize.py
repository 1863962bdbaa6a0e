"""Plain dicts (decoded JSON) to a validated ``Problem``, and a ``RoutingResult`` back to dicts.

Shape of a problem dict: ``dimensions``, ``objective``, ``depots``, ``vehicles``, ``stops``,
``pairs`` and either ``matrix`` (``distances`` in km and ``durations`` in seconds) or
``locations`` (``[{"lat": .., "lon": ..}]``, turned into a matrix by a ``MatrixProvider``).
Time windows are ``[start, end]``. ``together`` lists groups of stop indices that one vehicle
serves, all or none. A vehicle with ``"open_end": true`` ends its route at its
last stop (``open_end``). Missing or mistyped fields raise
``RoutingValidationError`` with their field paths.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from server.engines.routing.matrix import GreatCircleProvider, MatrixProvider
from server.engines.routing.model import (
    Break,
    Depot,
    Objective,
    PickupDelivery,
    Problem,
    Stop,
    TimeWindow,
    TravelMatrix,
    Vehicle,
)
from server.engines.routing.open_end import OPEN_END, with_open_end
from server.engines.routing.result import RoutingResult
from server.engines.routing.validation import RoutingValidationError, validate_problem


class _Reader:
    """Collects field errors while reading nested dicts."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def get(self, data: Any, key: str, path: str, kind: type | tuple, default: Any = ...) -> Any:
        if not isinstance(data, dict) or key not in data or data[key] is None:
            if default is ...:
                self.errors.append((f"{path}/{key}".lstrip("/"), "is required"))
            return None if default is ... else default
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.errors.append((f"{path}/{key}".lstrip("/"), f"has the wrong type {type(value).__name__}"))
            return None if default is ... else default
        return value

    def window(self, data: Any, path: str) -> TimeWindow:
        raw = self.get(data, "time_window", path, list, default=None)
        if raw is None:
            return TimeWindow()
        if len(raw) != 2 or not all(isinstance(v, int | float) for v in raw):
            self.errors.append((f"{path}/time_window", "must be [start, end]"))
            return TimeWindow()
        return TimeWindow(float(raw[0]), float(raw[1]))

    def ints(self, data: Any, key: str, path: str) -> tuple[int, ...]:
        values = self.get(data, key, path, list, default=[])
        return tuple(values) if isinstance(values, list) else ()


def problem_from_dict(data: dict[str, Any], provider: MatrixProvider | None = None) -> Problem:
    """Build and validate a ``Problem`` from a dict (see module docstring for its shape)."""
    r = _Reader()
    if not isinstance(data, dict):
        raise RoutingValidationError([("", "must be an object")])
    matrix = _matrix(r, data, provider or GreatCircleProvider())
    depots = tuple(
        Depot(id=str(r.get(d, "id", f"depots/{i}", (str, int))), location=r.get(d, "location", f"depots/{i}", int),
              time_window=r.window(d, f"depots/{i}"))
        for i, d in enumerate(r.get(data, "depots", "", list, default=[]))
    )
    vehicles = tuple(_vehicle(r, v, f"vehicles/{i}") for i, v in enumerate(r.get(data, "vehicles", "", list)
                                                                               or []))
    stops = tuple(_stop(r, s, f"stops/{i}") for i, s in enumerate(r.get(data, "stops", "", list, default=[])))
    pairs = tuple(
        PickupDelivery(pickup=r.get(p, "pickup", f"pairs/{i}", int), delivery=r.get(p, "delivery", f"pairs/{i}", int))
        for i, p in enumerate(r.get(data, "pairs", "", list, default=[]))
    )
    together = tuple(tuple(group) for group in r.get(data, "together", "", list, default=[]) if isinstance(group, list))
    objective = r.get(data, "objective", "", str, default="distance")
    if objective not in {o.value for o in Objective}:
        r.errors.append(("objective", "must be 'distance', 'hierarchical' or 'cost'"))
        objective = "distance"
    if r.errors:
        raise RoutingValidationError(r.errors)
    if any(v.end_depot == OPEN_END for v in vehicles):
        matrix, depots = with_open_end(matrix, depots)
    problem = Problem(
        matrix=matrix,
        depots=depots,
        vehicles=vehicles,
        stops=stops,
        pairs=pairs,
        together=together,
        objective=Objective(objective),
        dimensions=tuple(r.get(data, "dimensions", "", list, default=["load"])),
        distance_scale=r.get(data, "distance_scale", "", int, default=1000),
        time_scale=r.get(data, "time_scale", "", int, default=1),
    )
    return validate_problem(problem)


def _matrix(r: _Reader, data: dict, provider: MatrixProvider) -> TravelMatrix:
    if "matrix" in data:
        m = r.get(data, "matrix", "", dict)
        distances = r.get(m, "distances", "matrix", list, default=[])
        durations = r.get(m, "durations", "matrix", list, default=distances)
        return TravelMatrix(tuple(map(tuple, distances)), tuple(map(tuple, durations)))
    locations = r.get(data, "locations", "", list)
    if locations is None:
        return TravelMatrix((), ())
    coords = [(r.get(loc, "lat", f"locations/{i}", float), r.get(loc, "lon", f"locations/{i}", float))
              for i, loc in enumerate(locations)]
    if r.errors:
        return TravelMatrix((), ())
    return provider.matrix(coords)


def _vehicle(r: _Reader, v: Any, path: str) -> Vehicle:
    open_end = r.get(v, "open_end", path, bool, default=False)
    breaks = tuple(
        Break(r.get(b, "earliest_start", f"{path}/breaks/{k}", float),
              r.get(b, "latest_start", f"{path}/breaks/{k}", float),
              r.get(b, "duration", f"{path}/breaks/{k}", float))
        for k, b in enumerate(r.get(v, "breaks", path, list, default=[]))
    )
    return Vehicle(
        id=str(r.get(v, "id", path, (str, int))),
        start_depot=str(r.get(v, "start_depot", path, (str, int))),
        end_depot=OPEN_END if open_end else str(r.get(v, "end_depot", path, (str, int),
                                                      default=r.get(v, "start_depot", path, (str, int)))),
        capacity=r.ints(v, "capacity", path),
        fixed_cost=r.get(v, "fixed_cost", path, float, default=0.0),
        cost_per_km=r.get(v, "cost_per_km", path, float, default=1.0),
        max_duration=r.get(v, "max_duration", path, float, default=None),
        shift=_shift(r, v, path),
        breaks=breaks,
    )


def _shift(r: _Reader, v: Any, path: str) -> TimeWindow:
    raw = r.get(v, "shift", path, list, default=None)
    if raw is None:
        return TimeWindow()
    if len(raw) != 2 or not all(isinstance(x, int | float) for x in raw):
        r.errors.append((f"{path}/shift", "must be [start, end]"))
        return TimeWindow()
    return TimeWindow(float(raw[0]), float(raw[1]))


def _stop(r: _Reader, s: Any, path: str) -> Stop:
    return Stop(
        id=str(r.get(s, "id", path, (str, int))),
        location=r.get(s, "location", path, int),
        demand=r.ints(s, "demand", path),
        time_window=r.window(s, path),
        service_time=r.get(s, "service_time", path, float, default=0.0),
        optional=r.get(s, "optional", path, bool, default=False),
        drop_penalty=r.get(s, "drop_penalty", path, float, default=0.0),
        vehicles=tuple(str(v) for v in r.get(s, "vehicles", path, list, default=[])),
    )


def result_to_dict(result: RoutingResult) -> dict[str, Any]:
    """The result as JSON-ready plain data."""
    return dataclasses.asdict(result) | {"status": result.status.value}
