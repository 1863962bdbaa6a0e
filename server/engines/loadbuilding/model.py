"""The load-building problem: vehicle types, orders, order lines and consolidation rules.

Everything here is plain immutable data. ``LoadProblem`` checks itself on construction and
raises ``LoadValidationError`` (with field paths such as ``lines/3/quantity``) when the input
is unusable; ``build_problem`` in ``validation`` builds one from JSON-like dictionaries.

Units: weight in kg, volume in m³, pallets in pallet positions, distances in km. Quantities
are whole units; a line's unit weight, volume and pallets are per unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.engines.loadbuilding.hazmat import segregation_for


@dataclass(frozen=True)
class VehicleType:
    """A kind of truck: its capacity in each dimension, its cost and how many are available.

    ``count`` None means as many as needed.
    """

    id: str
    max_weight_kg: float
    max_volume_m3: float
    pallet_positions: float
    cost: float
    count: int | None = None

    @property
    def capacity(self) -> tuple[float, float, float]:
        """(weight kg, volume m³, pallet positions)."""
        return (self.max_weight_kg, self.max_volume_m3, self.pallet_positions)


@dataclass(frozen=True)
class Order:
    """Where an order's lines are picked up and delivered.

    A load never mixes pickup sites. ``delivery_site`` is one stop; the coordinates are needed
    only when the problem limits how far apart the stops of a load may be.
    """

    id: str
    pickup_site: str
    delivery_site: str
    delivery_lat: float | None = None
    delivery_lon: float | None = None


@dataclass(frozen=True)
class OrderLine:
    """A quantity of identical units of one order.

    A splittable line may be spread over several trucks in whole units; a non-splittable line
    travels whole on one truck. ``allowed_vehicle_types`` (empty: any) restricts the trucks,
    e.g. a liquid line to tankers.
    """

    order_id: str
    line_id: str
    quantity: int
    unit_weight_kg: float
    unit_volume_m3: float = 0.0
    unit_pallets: float = 0.0
    hazmat_class: str | None = None
    splittable: bool = True
    allowed_vehicle_types: tuple[str, ...] = ()

    @property
    def unit(self) -> tuple[float, float, float]:
        """Per-unit (weight kg, volume m³, pallets)."""
        return (self.unit_weight_kg, self.unit_volume_m3, self.unit_pallets)


@dataclass(frozen=True)
class LoadProblem:
    """Orders to turn into truckloads on a mixed fleet.

    ``max_stops`` caps the distinct delivery sites of one load; ``max_stop_distance_km`` caps
    the great-circle distance between any two delivery points of one load (None: no cap).
    ``hazmat_segregation`` replaces the default segregation table: pairs of hazmat classes
    (or divisions) that must never share a truck.
    """

    vehicle_types: tuple[VehicleType, ...]
    orders: tuple[Order, ...]
    lines: tuple[OrderLine, ...]
    max_stops: int | None = None
    max_stop_distance_km: float | None = None
    hazmat_segregation: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        errors = problem_errors(self)
        if errors:
            raise LoadValidationError(errors)

    def vehicle_type(self, type_id: str) -> VehicleType:
        """The vehicle type with this id."""
        return next(v for v in self.vehicle_types if v.id == type_id)

    def order(self, order_id: str) -> Order:
        """The order with this id."""
        return next(o for o in self.orders if o.id == order_id)


# Checks of a built problem: every error names the field path it is about.

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
    table = segregation_for(problem.hazmat_segregation) if valid_segregation_pairs(problem.hazmat_segregation) else None
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


def valid_segregation_pairs(pairs: Any) -> bool:
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
    if not valid_segregation_pairs(problem.hazmat_segregation):
        errors.append(("hazmat_segregation", "must be a list of [class, class] pairs"))
    return errors
