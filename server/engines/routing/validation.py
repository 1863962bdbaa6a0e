"""Input checks for a routing ``Problem``: every error names the field path it is about."""

from __future__ import annotations

import math
from collections.abc import Iterable

from server.engines.routing.model import Problem, TimeWindow


class RoutingValidationError(ValueError):
    """Bad routing input. ``errors`` lists ``(field_path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _check_window(path: str, window: TimeWindow, errors: list[tuple[str, str]]) -> None:
    if not (_finite(window.start) and _finite(window.end)):
        errors.append((path, "must be finite numbers"))
    elif window.start > window.end:
        errors.append((path, f"start {window.start} is after end {window.end}"))


def _check_location(path: str, location: int, size: int, errors: list[tuple[str, str]]) -> None:
    if not isinstance(location, int) or not 0 <= location < size:
        errors.append((path, f"must be a location index in 0..{size - 1}"))


def _check_matrix(problem: Problem, errors: list[tuple[str, str]]) -> None:
    size = problem.matrix.size
    for name, rows in (("distances", problem.matrix.distances), ("durations", problem.matrix.durations)):
        if len(rows) != size or any(len(row) != size for row in rows):
            errors.append((f"matrix/{name}", f"must be a {size}x{size} square matrix"))
            continue
        for i, row in enumerate(rows):
            bad = next((j for j, v in enumerate(row) if not _finite(v) or v < 0), None)
            if bad is not None:
                errors.append((f"matrix/{name}/{i}/{bad}", "must be a finite non-negative number"))
                break


def _check_stops(problem: Problem, errors: list[tuple[str, str]]) -> None:
    dims = len(problem.dimensions)
    size = problem.matrix.size
    seen: set[str] = set()
    for i, stop in enumerate(problem.stops):
        path = f"stops/{i}"
        if stop.id in seen:
            errors.append((f"{path}/id", f"duplicate stop id {stop.id!r}"))
        seen.add(stop.id)
        _check_location(f"{path}/location", stop.location, size, errors)
        if len(stop.demand) not in (0, dims):
            errors.append((f"{path}/demand", f"must have {dims} entries, one per dimension"))
        for d, value in enumerate(stop.demand):
            if not isinstance(value, int) or value < 0:
                errors.append((f"{path}/demand/{d}", "must be a non-negative integer"))
        _check_window(f"{path}/time_window", stop.time_window, errors)
        if not _finite(stop.service_time) or stop.service_time < 0:
            errors.append((f"{path}/service_time", "must be a finite non-negative number"))
        if not _finite(stop.drop_penalty) or stop.drop_penalty < 0:
            errors.append((f"{path}/drop_penalty", "must be a finite non-negative number"))
        vehicle_ids = {vehicle.id for vehicle in problem.vehicles}
        for k, vehicle_id in enumerate(stop.vehicles):
            if vehicle_id not in vehicle_ids:
                errors.append((f"{path}/vehicles/{k}", f"unknown vehicle {vehicle_id!r}"))


def _check_vehicles(problem: Problem, errors: list[tuple[str, str]]) -> None:
    depot_ids = {depot.id for depot in problem.depots}
    depots = {depot.id: depot for depot in problem.depots}
    dims = len(problem.dimensions)
    if not problem.vehicles:
        errors.append(("vehicles", "at least one vehicle is needed"))
    for i, vehicle in enumerate(problem.vehicles):
        path = f"vehicles/{i}"
        for key in ("start_depot", "end_depot"):
            if getattr(vehicle, key) not in depot_ids:
                errors.append((f"{path}/{key}", f"unknown depot {getattr(vehicle, key)!r}"))
        if len(vehicle.capacity) != dims:
            errors.append((f"{path}/capacity", f"must have {dims} entries, one per dimension"))
        for d, value in enumerate(vehicle.capacity):
            if not isinstance(value, int) or value < 0:
                errors.append((f"{path}/capacity/{d}", "must be a non-negative integer"))
        for key in ("fixed_cost", "cost_per_km"):
            value = getattr(vehicle, key)
            if not _finite(value) or value < 0:
                errors.append((f"{path}/{key}", "must be a finite non-negative number"))
        if vehicle.max_duration is not None and (not _finite(vehicle.max_duration) or vehicle.max_duration <= 0):
            errors.append((f"{path}/max_duration", "must be a positive number"))
        _check_window(f"{path}/shift", vehicle.shift, errors)
        for key in ("start_depot", "end_depot"):
            depot = depots.get(getattr(vehicle, key))
            if depot is not None and _finite(vehicle.shift.start) and _finite(vehicle.shift.end) and (
                vehicle.shift.start > depot.time_window.end or vehicle.shift.end < depot.time_window.start
            ):
                errors.append((f"{path}/shift", f"does not overlap the opening hours of {key} {depot.id!r}"))
        for b, brk in enumerate(vehicle.breaks):
            bpath = f"{path}/breaks/{b}"
            if not all(_finite(v) for v in (brk.earliest_start, brk.latest_start, brk.duration)):
                errors.append((bpath, "must be finite numbers"))
            elif brk.earliest_start > brk.latest_start:
                errors.append((f"{bpath}/earliest_start", "is after latest_start"))
            elif brk.duration < 0:
                errors.append((f"{bpath}/duration", "must be non-negative"))


def _check_pairs(problem: Problem, errors: list[tuple[str, str]]) -> None:
    count = len(problem.stops)
    used: dict[int, int] = {}
    for i, pair in enumerate(problem.pairs):
        for key in ("pickup", "delivery"):
            index = getattr(pair, key)
            if not isinstance(index, int) or not 0 <= index < count:
                errors.append((f"pairs/{i}/{key}", f"must be a stop index in 0..{count - 1}"))
            elif index in used:
                errors.append((f"pairs/{i}/{key}", f"stop {index} is already in pair {used[index]}"))
            else:
                used[index] = i
        if pair.pickup == pair.delivery:
            errors.append((f"pairs/{i}", "pickup and delivery must be different stops"))
        elif 0 <= pair.pickup < count and 0 <= pair.delivery < count:
            if problem.stops[pair.pickup].optional != problem.stops[pair.delivery].optional:
                errors.append((f"pairs/{i}", "pickup and delivery must both be optional or both mandatory"))


def _check_together(problem: Problem, errors: list[tuple[str, str]]) -> None:
    count, seen = len(problem.stops), set()
    for g, group in enumerate(problem.together):
        for k, index in enumerate(group):
            if not isinstance(index, int) or not 0 <= index < count:
                errors.append((f"together/{g}/{k}", f"must be a stop index in 0..{count - 1}"))
            elif index in seen:
                errors.append((f"together/{g}/{k}", f"stop {index} is already in a group"))
            seen.add(index)


def collect_errors(problem: Problem) -> list[tuple[str, str]]:
    """All problems with the input, as ``(field_path, message)`` pairs (empty when valid)."""
    errors: list[tuple[str, str]] = []
    if not problem.dimensions:
        errors.append(("dimensions", "at least one capacity dimension is needed"))
    for key in ("distance_scale", "time_scale"):
        value = getattr(problem, key)
        if not isinstance(value, int) or value < 1:
            errors.append((key, "must be a positive integer"))
    _check_matrix(problem, errors)
    depot_ids: set[str] = set()
    for i, depot in enumerate(problem.depots):
        if depot.id in depot_ids:
            errors.append((f"depots/{i}/id", f"duplicate depot id {depot.id!r}"))
        depot_ids.add(depot.id)
        _check_location(f"depots/{i}/location", depot.location, problem.matrix.size, errors)
        _check_window(f"depots/{i}/time_window", depot.time_window, errors)
    _check_vehicles(problem, errors)
    _check_stops(problem, errors)
    _check_pairs(problem, errors)
    _check_together(problem, errors)
    return errors


def validate_problem(problem: Problem) -> Problem:
    """Return ``problem`` unchanged, or raise ``RoutingValidationError`` listing every error."""
    errors = collect_errors(problem)
    if errors:
        raise RoutingValidationError(errors)
    return problem


def check_coordinates(coordinates: Iterable[tuple[float, float]], path: str = "locations") -> None:
    """Raise ``RoutingValidationError`` when a (lat, lon) pair is not finite or out of range."""
    errors: list[tuple[str, str]] = []
    for i, (lat, lon) in enumerate(coordinates):
        if not (_finite(lat) and -90 <= lat <= 90):
            errors.append((f"{path}/{i}/lat", "must be a finite latitude in [-90, 90]"))
        if not (_finite(lon) and -180 <= lon <= 180):
            errors.append((f"{path}/{i}/lon", "must be a finite longitude in [-180, 180]"))
    if errors:
        raise RoutingValidationError(errors)
