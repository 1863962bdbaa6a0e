"""Input checks for a ``LoadProblem``; every error names the field path it is about.

``problem_errors`` checks a built problem (``LoadProblem`` calls it on construction);
``build_problem`` turns JSON-like dictionaries into a problem, reporting wrong types with the
same paths (``lines/3/quantity``, ``vehicle_types/0/cost``, ``lines/2/allowed_vehicle_types/0``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from server.engines.loadbuilding.hazmat import segregation_for

if TYPE_CHECKING:
    from server.engines.loadbuilding.model import LoadProblem

Errors = list[tuple[str, str]]


class LoadValidationError(ValueError):
    """Bad load-building input. ``errors`` lists ``(field_path, message)`` pairs."""

    def __init__(self, errors: Errors):
        self.errors = list(errors)
        super().__init__("; ".join(f"{path}: {message}" for path, message in self.errors))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(path: str, value: Any, errors: Errors, *, positive: bool = False,
                  unbounded: bool = False) -> None:
    if unbounded and value == math.inf:
        return
    if not _number(value):
        errors.append((path, "must be a finite number"))
    elif positive and value <= 0:
        errors.append((path, "must be positive"))
    elif value < 0:
        errors.append((path, "must not be negative"))


def _check_id(path: str, value: Any, errors: Errors) -> None:
    if not isinstance(value, str) or not value:
        errors.append((path, "must be a non-empty string"))


def _vehicle_errors(problem: LoadProblem, errors: Errors) -> None:
    if not problem.vehicle_types:
        errors.append(("vehicle_types", "at least one vehicle type is needed"))
    seen: set[str] = set()
    for i, vt in enumerate(problem.vehicle_types):
        path = f"vehicle_types/{i}"
        _check_id(f"{path}/id", vt.id, errors)
        if not isinstance(vt.id, str):
            continue
        if vt.id in seen:
            errors.append((f"{path}/id", f"duplicate vehicle type {vt.id!r}"))
        seen.add(vt.id)
        _check_number(f"{path}/max_weight_kg", vt.max_weight_kg, errors, positive=True)
        # inf: the dimension is not limited (e.g. a bulk trailer has no pallet positions to count)
        _check_number(f"{path}/max_volume_m3", vt.max_volume_m3, errors, unbounded=True)
        _check_number(f"{path}/pallet_positions", vt.pallet_positions, errors, unbounded=True)
        _check_number(f"{path}/cost", vt.cost, errors)
        if vt.count is not None and (not isinstance(vt.count, int) or isinstance(vt.count, bool) or vt.count < 0):
            errors.append((f"{path}/count", "must be a non-negative integer or null"))


def _order_errors(problem: LoadProblem, errors: Errors) -> None:
    seen: set[str] = set()
    located: dict[str, tuple[int, tuple]] = {}
    need_coordinates = problem.max_stop_distance_km is not None
    for i, order in enumerate(problem.orders):
        path = f"orders/{i}"
        _check_id(f"{path}/id", order.id, errors)
        if not isinstance(order.id, str):
            continue
        if order.id in seen:
            errors.append((f"{path}/id", f"duplicate order {order.id!r}"))
        seen.add(order.id)
        _check_id(f"{path}/pickup_site", order.pickup_site, errors)
        _check_id(f"{path}/delivery_site", order.delivery_site, errors)
        for key, bound in (("delivery_lat", 90.0), ("delivery_lon", 180.0)):
            value = getattr(order, key)
            if value is None:
                if need_coordinates:
                    errors.append((f"{path}/{key}", "is required when max_stop_distance_km is set"))
            elif not _number(value) or abs(value) > bound:
                errors.append((f"{path}/{key}", f"must be a number in -{bound:g}..{bound:g}"))
        point = (order.delivery_lat, order.delivery_lon)
        if isinstance(order.delivery_site, str) and None not in point:
            first = located.setdefault(order.delivery_site, (i, point))
            if first[1] != point:  # a stop is a site: one site, one place
                errors.append((f"{path}/delivery_site",
                               f"site {order.delivery_site!r} has other coordinates in orders/{first[0]}"))


def _line_errors(problem: LoadProblem, errors: Errors) -> None:
    orders = {order.id for order in problem.orders}
    types = {vt.id for vt in problem.vehicle_types}
    table = segregation_for(problem.hazmat_segregation) if _pairs_ok(problem.hazmat_segregation) else None
    seen: set[tuple[str, str]] = set()
    if not problem.lines:
        errors.append(("lines", "at least one order line is needed"))
    for i, line in enumerate(problem.lines):
        path = f"lines/{i}"
        if not isinstance(line.order_id, str) or line.order_id not in orders:
            errors.append((f"{path}/order_id", f"unknown order {line.order_id!r}"))
        _check_id(f"{path}/line_id", line.line_id, errors)
        key = (line.order_id, line.line_id)
        if all(isinstance(k, str) for k in key):
            if key in seen:
                errors.append((f"{path}/line_id", f"duplicate line {line.line_id!r} in order {line.order_id!r}"))
            seen.add(key)
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool):
            errors.append((f"{path}/quantity", "must be a whole number of units"))
        elif line.quantity <= 0:
            errors.append((f"{path}/quantity", "must be positive"))
        _check_number(f"{path}/unit_weight_kg", line.unit_weight_kg, errors, positive=True)
        _check_number(f"{path}/unit_volume_m3", line.unit_volume_m3, errors)
        _check_number(f"{path}/unit_pallets", line.unit_pallets, errors)
        if line.hazmat_class is not None and (
            not isinstance(line.hazmat_class, str) or (table is not None and not table.knows(line.hazmat_class))
        ):
            errors.append((f"{path}/hazmat_class", f"unknown hazmat class {line.hazmat_class!r}"))
        if not isinstance(line.splittable, bool):
            errors.append((f"{path}/splittable", "must be true or false"))
        allowed = line.allowed_vehicle_types
        if not isinstance(allowed, Sequence) or isinstance(allowed, str):
            errors.append((f"{path}/allowed_vehicle_types", "must be a list of vehicle type ids"))
            allowed = ()
        for k, type_id in enumerate(allowed):
            if not isinstance(type_id, str) or type_id not in types:
                errors.append((f"{path}/allowed_vehicle_types/{k}", f"unknown vehicle type {type_id!r}"))


def _pairs_ok(pairs: Any) -> bool:
    if pairs is None:
        return True
    return isinstance(pairs, Sequence) and all(
        isinstance(p, Sequence) and len(p) == 2 and all(isinstance(c, str) and c for c in p) for p in pairs
    )


def problem_errors(problem: LoadProblem) -> Errors:
    """Every problem with the input, as (field path, message) pairs; empty when usable."""
    errors: Errors = []
    _vehicle_errors(problem, errors)
    _order_errors(problem, errors)
    _line_errors(problem, errors)
    if problem.max_stops is not None and (
        not isinstance(problem.max_stops, int) or isinstance(problem.max_stops, bool) or problem.max_stops < 1
    ):
        errors.append(("max_stops", "must be a positive integer or null"))
    if problem.max_stop_distance_km is not None:
        _check_number("max_stop_distance_km", problem.max_stop_distance_km, errors)
    if not _pairs_ok(problem.hazmat_segregation):
        errors.append(("hazmat_segregation", "must be a list of [class, class] pairs"))
    return errors


def _take(data: Mapping, key: str, path: str, errors: Errors, default: Any = ...):
    if key not in data or (data[key] is None and default is not ...):
        if default is ...:
            errors.append((f"{path}/{key}" if path else key, "is required"))
        return None if default is ... else default
    return data[key]


def _records(data: Mapping, key: str, errors: Errors) -> list[Mapping]:
    items = data.get(key, [])
    if not isinstance(items, Sequence) or isinstance(items, str):
        errors.append((key, "must be a list"))
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            out.append(item)
        else:
            errors.append((f"{key}/{i}", "must be an object"))
    return out


def build_problem(data: Mapping[str, Any]) -> LoadProblem:
    """A validated ``LoadProblem`` from JSON-like data (the shape of ``LoadProblem``'s fields).

    Raises ``LoadValidationError`` listing every bad field with its path.
    """
    from server.engines.loadbuilding.model import LoadProblem, Order, OrderLine, VehicleType

    errors: Errors = []
    if not isinstance(data, Mapping):
        raise LoadValidationError([("", "must be an object")])
    vehicles = []
    for i, vt in enumerate(_records(data, "vehicle_types", errors)):
        path = f"vehicle_types/{i}"
        vehicles.append(VehicleType(
            id=_take(vt, "id", path, errors), max_weight_kg=_take(vt, "max_weight_kg", path, errors),
            max_volume_m3=_take(vt, "max_volume_m3", path, errors),
            pallet_positions=_take(vt, "pallet_positions", path, errors),
            cost=_take(vt, "cost", path, errors), count=_take(vt, "count", path, errors, None)))
    orders = []
    for i, o in enumerate(_records(data, "orders", errors)):
        path = f"orders/{i}"
        orders.append(Order(
            id=_take(o, "id", path, errors), pickup_site=_take(o, "pickup_site", path, errors),
            delivery_site=_take(o, "delivery_site", path, errors),
            delivery_lat=_take(o, "delivery_lat", path, errors, None),
            delivery_lon=_take(o, "delivery_lon", path, errors, None)))
    lines = []
    for i, ln in enumerate(_records(data, "lines", errors)):
        path = f"lines/{i}"
        allowed = _take(ln, "allowed_vehicle_types", path, errors, ())
        if not isinstance(allowed, Sequence) or isinstance(allowed, str):
            errors.append((f"{path}/allowed_vehicle_types", "must be a list of vehicle type ids"))
            allowed = ()
        lines.append(OrderLine(
            order_id=_take(ln, "order_id", path, errors), line_id=_take(ln, "line_id", path, errors),
            quantity=_take(ln, "quantity", path, errors), unit_weight_kg=_take(ln, "unit_weight_kg", path, errors),
            unit_volume_m3=_take(ln, "unit_volume_m3", path, errors, 0.0),
            unit_pallets=_take(ln, "unit_pallets", path, errors, 0.0),
            hazmat_class=_take(ln, "hazmat_class", path, errors, None),
            splittable=_take(ln, "splittable", path, errors, True), allowed_vehicle_types=tuple(allowed)))
    segregation = data.get("hazmat_segregation")
    if segregation is not None and _pairs_ok(segregation):
        segregation = tuple(tuple(pair) for pair in segregation)
    try:
        problem = LoadProblem(
            vehicle_types=tuple(vehicles), orders=tuple(orders), lines=tuple(lines),
            max_stops=data.get("max_stops"), max_stop_distance_km=data.get("max_stop_distance_km"),
            hazmat_segregation=segregation)
    except LoadValidationError as exc:
        raise LoadValidationError(errors + [e for e in exc.errors if e not in errors]) from None
    if errors:
        raise LoadValidationError(errors)
    return problem
