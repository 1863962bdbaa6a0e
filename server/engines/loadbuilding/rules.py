"""What may share a truck: one pickup site, compatible hazmat, few and close delivery stops.

``LoadState`` is a load being built: its vehicle type, contents and what the rules need to
know (pickup site, hazmat classes on board, stops and their coordinates, space left).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from server.engines.loadbuilding.prepare import Capacity, Item, Prepared, Vector, units_fitting

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in km between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class LoadState:
    """A load under construction. ``contents`` maps item index -> units on board."""

    vehicle: int
    pickup: str
    contents: dict[int, int] = field(default_factory=dict)
    used: list[int] = field(default_factory=lambda: [0, 0, 0])
    classes: dict[str, int] = field(default_factory=dict)  # hazmat class -> items carrying it
    stops: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    stop_items: dict[str, int] = field(default_factory=dict)


class Rules:
    """Checks and updates ``LoadState`` objects against the problem's rules."""

    def __init__(self, prepared: Prepared):
        self.p = prepared
        self.max_stops = prepared.problem.max_stops
        self.max_km = prepared.problem.max_stop_distance_km

    def free(self, load: LoadState, vehicle: int | None = None) -> Capacity:
        cap = self.p.caps[load.vehicle if vehicle is None else vehicle]
        return tuple(None if c is None else c - u for c, u in zip(cap, load.used, strict=True))  # type: ignore

    def compatible(self, load: LoadState, item: Item) -> bool:
        """Whether ``item`` may join ``load`` at all (space aside)."""
        if item.pickup != load.pickup or load.vehicle not in item.types:
            return False
        seg = self.p.segregation
        if item.hazmat is not None and any(not seg.compatible(item.hazmat, c) for c in load.classes):
            return False
        if item.site in load.stops:
            return True
        if self.max_stops is not None and len(load.stops) >= self.max_stops:
            return False
        if self.max_km is not None and item.point is not None:
            return all(p is None or great_circle_km(p, item.point) <= self.max_km for p in load.stops.values())
        return True

    def room_for(self, load: LoadState, item: Item, vehicle: int | None = None) -> int:
        """How many of the item's units still fit (0 or all for a non-splittable line)."""
        k = units_fitting(item.unit, self.free(load, vehicle))
        k = item.quantity if k is None else k
        return min(k, item.quantity) if item.splittable else (item.quantity if k >= item.quantity else 0)

    def add(self, load: LoadState, index: int, item: Item, units: int) -> None:
        if units <= 0:
            return
        if index not in load.contents:
            if item.hazmat is not None:
                load.classes[item.hazmat] = load.classes.get(item.hazmat, 0) + 1
            load.stops.setdefault(item.site, item.point)
            load.stop_items[item.site] = load.stop_items.get(item.site, 0) + 1
        load.contents[index] = load.contents.get(index, 0) + units
        for d in range(3):
            load.used[d] += item.unit[d] * units

    def remove(self, load: LoadState, index: int, item: Item, units: int) -> None:
        units = min(units, load.contents.get(index, 0))
        if units <= 0:
            return
        load.contents[index] -= units
        for d in range(3):
            load.used[d] -= item.unit[d] * units
        if load.contents[index] == 0:
            del load.contents[index]
            if item.hazmat is not None:
                load.classes[item.hazmat] -= 1
                if not load.classes[item.hazmat]:
                    del load.classes[item.hazmat]
            load.stop_items[item.site] -= 1
            if not load.stop_items[item.site]:
                del load.stop_items[item.site]
                del load.stops[item.site]

    def fits_vehicle(self, load: LoadState, vehicle: int) -> bool:
        """Whether the load's contents could travel on ``vehicle`` instead."""
        cap = self.p.caps[vehicle]
        if any(c is not None and u > c for u, c in zip(load.used, cap, strict=True)):
            return False
        return all(vehicle in self.p.items[i].types for i in load.contents)


def used_vector(load: LoadState) -> Vector:
    return tuple(load.used)  # type: ignore[return-value]
