"""ETA to a vehicle's next stop, from its remaining route and its recent speed.

* Distance: along the planned route when the `PlanProvider` gives waypoints (from the point on
  the route nearest the vehicle to the stop), else the great-circle distance times the road
  factor.
* Speed: an exponentially weighted moving average of the vehicle's speed with a time constant
  (fixes arrive at uneven intervals, so the weight of a sample grows with the time it covers),
  floored at a minimum speed so that a truck waiting at a light does not get an ETA of never.
  A fix without a reported speed contributes the speed implied by the distance from the
  previous fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from gps_ingest.geo import LatLon, haversine_m, path_length_m, segment_offset_m
from gps_ingest.model import Position


@dataclass(frozen=True)
class RemainingRoute:
    """The rest of a vehicle's plan: its next stop and, if known, the planned path to it.

    ``target`` is the (lat, lon) of the stop; when None, the centre of the site's zone is used.
    ``waypoints`` are (lat, lon) points along the planned road path towards the stop.
    """

    site_id: str
    target: LatLon | None = None
    waypoints: tuple[LatLon, ...] = ()


class PlanProvider(Protocol):
    """Gives the remaining route of a vehicle; called per fix, so implementations should cache."""

    def remaining_route(self, vehicle_id: str) -> RemainingRoute | None: ...


class StaticPlans:
    """A `PlanProvider` over a fixed mapping, for tests and demos."""

    def __init__(self, routes: Mapping[str, RemainingRoute] | None = None):
        self.routes = dict(routes or {})

    def remaining_route(self, vehicle_id: str) -> RemainingRoute | None:
        return self.routes.get(vehicle_id)


def remaining_distance_m(
    here: LatLon, target: LatLon, waypoints: tuple[LatLon, ...], road_factor: float
) -> float:
    """Metres still to drive from ``here`` to ``target``."""
    if not waypoints:  # the usual plan (no route): no path to build
        return haversine_m(here, target) * road_factor
    path = list(waypoints)
    if not path or path[-1] != target:
        path.append(target)
    if len(path) < 2:
        return haversine_m(here, target) * road_factor
    # The vehicle is on the segment nearest to it; drive to that segment's end, then along the path.
    nearest = min(range(len(path) - 1), key=lambda i: segment_offset_m(here, path[i], path[i + 1]))
    return haversine_m(here, path[nearest + 1]) + path_length_m(path[nearest + 1 :])


class SpeedTracker:
    """Per-vehicle smoothed speed in m/s."""

    def __init__(self, time_constant_s: float, min_speed_mps: float):
        self._tau = time_constant_s
        self._floor = min_speed_mps
        self._state: dict[str, tuple[datetime, float, float, float]] = {}  # time, lat, lon, ewma

    def update(self, p: Position) -> float:
        """Feed an in-order fix; returns the smoothed speed, never below the floor."""
        previous = self._state.get(p.vehicle_id)
        if previous is None:
            ewma = p.speed if p.speed is not None else self._floor
        else:
            t0, lat0, lon0, ewma = previous
            dt = (p.time - t0).total_seconds()
            if dt > 0:
                sample = p.speed if p.speed is not None else haversine_m((lat0, lon0), (p.lat, p.lon)) / dt
                alpha = 1.0 - math.exp(-dt / self._tau)
                ewma += alpha * (sample - ewma)
        self._state[p.vehicle_id] = (p.time, p.lat, p.lon, ewma)
        return max(ewma, self._floor)


def eta_at(
    p: Position, target: LatLon, waypoints: tuple[LatLon, ...], speed_mps: float, road_factor: float
) -> datetime:
    """When the vehicle at fix ``p`` reaches ``target`` at ``speed_mps``."""
    distance = remaining_distance_m((p.lat, p.lon), target, waypoints, road_factor)
    return p.time + timedelta(seconds=distance / speed_mps)
