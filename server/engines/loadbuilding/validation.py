"""``build_problem``: a ``LoadProblem`` from JSON-like dictionaries.

Wrong types are reported with the same field paths as the problem's own checks
(``lines/3/quantity``, ``vehicle_types/0/cost``, ``lines/2/allowed_vehicle_types/0``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.engines.loadbuilding.model import (
    Errors,
    LoadProblem,
    LoadValidationError,
    Order,
    OrderLine,
    VehicleType,
    valid_segregation_pairs,
)


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
    if segregation is not None and valid_segregation_pairs(segregation):
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
