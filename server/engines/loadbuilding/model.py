"""The load-building problem: vehicle types, orders, order lines and consolidation rules.

Everything here is plain immutable data. ``LoadProblem`` checks itself on construction and
raises ``LoadValidationError`` (with field paths such as ``lines/3/quantity``) when the input
is unusable; ``build_problem`` in ``validation`` builds one from JSON-like dictionaries.

Units: weight in kg, volume in m³, pallets in pallet positions, distances in km. Quantities
are whole units; a line's unit weight, volume and pallets are per unit.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        from server.engines.loadbuilding.validation import LoadValidationError, problem_errors

        errors = problem_errors(self)
        if errors:
            raise LoadValidationError(errors)

    def vehicle_type(self, type_id: str) -> VehicleType:
        """The vehicle type with this id."""
        return next(v for v in self.vehicle_types if v.id == type_id)

    def order(self, order_id: str) -> Order:
        """The order with this id."""
        return next(o for o in self.orders if o.id == order_id)
