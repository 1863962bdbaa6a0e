"""From a ``LoadProblem`` to what the solvers work on: integer sizes and placeable items.

Sizes are scaled to integers (grams, cm³, thousandths of a pallet), rounding item sizes up and
capacities down, so an integer-feasible load is feasible in the problem's own units. Each line
becomes an ``Item`` listing the vehicle types that may carry it; a line no vehicle can carry
(a unit, or a non-splittable line as a whole, too big for every allowed type) becomes an
``UnplacedLine`` with the reason instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.engines.loadbuilding.hazmat import Segregation, segregation_for
from server.engines.loadbuilding.model import LoadProblem, VehicleType
from server.engines.loadbuilding.plan import UnplacedLine

SCALES = (1000, 1_000_000, 1000)
DIMENSIONS = ("weight", "volume", "pallets")
UNITS = ("kg", "m³", "pallet positions")

Vector = tuple[int, int, int]
Capacity = tuple[int | None, int | None, int | None]  # None: the vehicle does not limit it


def scale_item(values: tuple[float, float, float]) -> Vector:
    """Item sizes in integer units, rounded up (1e-6 absorbs float noise such as 0.1 * 1000)."""
    return tuple(max(0, math.ceil(v * s - 1e-6)) for v, s in zip(values, SCALES, strict=True))  # type: ignore[return-value]


def scale_capacity(vt: VehicleType) -> Capacity:
    """Vehicle capacity in integer units, rounded down; None for an unlimited dimension."""
    return tuple(None if v == math.inf else math.floor(v * s + 1e-6)
                 for v, s in zip(vt.capacity, SCALES, strict=True))  # type: ignore[return-value]


def fits(need: Vector, cap: Capacity) -> bool:
    """Whether ``need`` fits in an empty vehicle of capacity ``cap``."""
    return all(c is None or n <= c for n, c in zip(need, cap, strict=True))


def units_fitting(unit: Vector, free: Capacity) -> int | None:
    """How many units fit in ``free`` space (None: unlimited)."""
    best = None
    for n, f in zip(unit, free, strict=True):
        if f is None or n == 0:
            continue
        k = max(0, f // n)
        best = k if best is None else min(best, k)
    return best


@dataclass(frozen=True)
class Item:
    """A line to place: its units, sizes, rules and the vehicle types that may carry it."""

    line: int  # index into problem.lines
    quantity: int
    unit: Vector
    splittable: bool
    hazmat: str | None
    pickup: str
    site: str
    point: tuple[float, float] | None
    types: tuple[int, ...]

    @property
    def total(self) -> Vector:
        return tuple(u * self.quantity for u in self.unit)  # type: ignore[return-value]

    @property
    def piece(self) -> Vector:
        """The smallest part that travels together: a unit, or the whole non-splittable line."""
        return self.unit if self.splittable else self.total


@dataclass(frozen=True)
class Prepared:
    """The solver's view of the problem."""

    problem: LoadProblem
    items: tuple[Item, ...]
    unplaced: tuple[UnplacedLine, ...]
    caps: tuple[Capacity, ...]
    costs: tuple[float, ...]
    counts: tuple[int | None, ...]
    segregation: Segregation


def _fmt(value: float) -> str:
    return f"{value:,.6g}".replace(",", " ")


def _why_not(what: str, code: str, need: tuple[float, float, float], types: list[VehicleType]) -> dict:
    """Which dimension keeps ``need`` off every vehicle in ``types``: a sentence (``reason``) and its data
    (``code``, ``part``: ``unit`` or ``line``, and for a dimension ``needed`` and ``largest``), so the API can
    say it in the reader's language."""
    part = "unit" if code == "unit_too_big" else "line"
    if not types:
        return {"reason": "no vehicle of an allowed type is available", "code": "no_vehicle", "part": part}
    for d, name in enumerate(DIMENSIONS):
        largest = max(vt.capacity[d] for vt in types)
        if need[d] > largest:
            return {"reason": f"{what} needs {_fmt(need[d])} {UNITS[d]} of {name}; the largest allowed vehicle "
                              f"takes {_fmt(largest)} {UNITS[d]}",
                    "code": code, "part": part, "dimension": name, "needed": float(need[d]),
                    "largest": float(largest)}
    return {"reason": f"no single allowed vehicle type takes {what}'s weight, volume and pallets together",
            "code": "no_single_vehicle", "part": part}


def prepare(problem: LoadProblem) -> Prepared:
    """Scale the problem and sort its lines into placeable items and unplaceable lines."""
    caps = tuple(scale_capacity(vt) for vt in problem.vehicle_types)
    type_index = {vt.id: t for t, vt in enumerate(problem.vehicle_types)}
    orders = {order.id: order for order in problem.orders}
    items: list[Item] = []
    unplaced: list[UnplacedLine] = []
    for index, line in enumerate(problem.lines):
        allowed = [type_index[t] for t in line.allowed_vehicle_types] or list(range(len(caps)))
        available = [t for t in allowed if problem.vehicle_types[t].count != 0]
        unit = scale_item(line.unit)
        whole = tuple(u * line.quantity for u in unit)
        ok = [t for t in available if fits(unit, caps[t]) and (line.splittable or fits(whole, caps[t]))]
        if not ok:
            vts = [problem.vehicle_types[t] for t in available]
            if not fits_any(unit, [caps[t] for t in available]):
                why = _why_not("one unit", "unit_too_big", line.unit, vts)
            else:
                total = tuple(v * line.quantity for v in line.unit)
                why = _why_not("the non-splittable line", "line_too_big", total, vts)  # type: ignore[arg-type]
            unplaced.append(UnplacedLine(line.order_id, line.line_id, line.quantity, **why))
            continue
        order = orders[line.order_id]
        point = None
        if order.delivery_lat is not None and order.delivery_lon is not None:
            point = (float(order.delivery_lat), float(order.delivery_lon))
        items.append(Item(index, line.quantity, unit, line.splittable, line.hazmat_class, order.pickup_site,
                          order.delivery_site, point, tuple(ok)))
    return Prepared(problem, tuple(items), tuple(unplaced), caps,
                    tuple(float(vt.cost) for vt in problem.vehicle_types),
                    tuple(vt.count for vt in problem.vehicle_types),
                    segregation_for(problem.hazmat_segregation))


def fits_any(need: Vector, caps: list[Capacity]) -> bool:
    """Whether some capacity in ``caps`` takes ``need``."""
    return any(fits(need, cap) for cap in caps)
