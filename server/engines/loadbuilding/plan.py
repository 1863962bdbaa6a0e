"""The result of load building: loads, lines that could not be placed, bounds and status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlanStatus(StrEnum):
    """``optimal``: every unit is placed and the cost equals the proven lower bound; ``feasible``: every
    unit is placed and a gap may remain; ``partial``: some units are left out (see ``unplaced``), so the
    plan is never called optimal, whatever the placed units cost."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    PARTIAL = "partial"


@dataclass(frozen=True)
class Allocation:
    """``quantity`` units of one order line on one load."""

    order_id: str
    line_id: str
    quantity: int


@dataclass(frozen=True)
class Dims:
    """A value per capacity dimension: weight (kg), volume (m³) and pallet positions."""

    weight_kg: float
    volume_m3: float
    pallets: float


@dataclass(frozen=True)
class Load:
    """One truckload: its vehicle type, what it carries, its totals and how full it is.

    ``utilisation`` is the fraction of the vehicle's capacity used in each dimension (0 for a
    dimension the vehicle does not limit). ``stops`` lists the delivery sites in first-seen order.
    """

    vehicle_type: str
    cost: float
    pickup_site: str
    stops: tuple[str, ...]
    allocations: tuple[Allocation, ...]
    totals: Dims
    utilisation: Dims


@dataclass(frozen=True)
class UnplacedLine:
    """Units of a line that no load carries, and why: ``reason`` in English, and the same as data for a
    translation: ``code`` (``unit_too_big``, ``line_too_big``, ``no_vehicle``, ``no_single_vehicle``,
    ``fleet_short``) with, for the ``*_too_big`` codes, the ``dimension`` (weight, volume, pallets), what
    is ``needed`` and the ``largest`` an allowed vehicle takes, and the ``part`` that does not fit (``unit``,
    or the whole non-splittable ``line``; empty for ``fleet_short``)."""

    order_id: str
    line_id: str
    quantity: int
    reason: str
    code: str = ""
    dimension: str = ""
    needed: float = 0.0
    largest: float = 0.0
    part: str = ""


@dataclass(frozen=True)
class LoadPlan:
    """Loads with their total cost, the unplaced lines, lower bounds and the status.

    ``lower_bound_cost`` and ``lower_bound_trucks`` bound any plan that carries the same units
    (the placed ones). ``gap_pct`` is ``(cost - lower_bound_cost) / cost`` in percent.
    """

    loads: tuple[Load, ...]
    unplaced: tuple[UnplacedLine, ...]
    cost: float
    lower_bound_cost: float
    lower_bound_trucks: int
    status: PlanStatus
    gap_pct: float
    seconds: float
