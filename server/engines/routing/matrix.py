"""Distance-matrix providers: where travel distances (km) and durations (s) come from.

A provider is anything with ``matrix(coordinates) -> TravelMatrix`` for a list of
``(lat, lon)`` pairs. The default is great-circle distance times a road factor at a fixed
speed, which needs no network; ``OsrmProvider`` (in ``osrm.py``) asks an OSRM server.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from server.engines.routing.model import TravelMatrix
from server.engines.routing.validation import check_coordinates

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

Coordinate = tuple[float, float]  # (lat, lon) in degrees


class MatrixProvider(Protocol):
    """Gives travel distance (km) and duration (s) between every pair of coordinates."""

    def matrix(self, coordinates: Sequence[Coordinate]) -> TravelMatrix: ...


class MatrixProviderError(RuntimeError):
    """The matrix could not be obtained (service down, bad answer, timeout)."""


def haversine_km(a: Coordinate, b: Coordinate) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class GreatCircleProvider:
    """Haversine distance times ``road_factor``, driven at ``speed_kmh``."""

    road_factor: float = 1.3
    speed_kmh: float = 60.0

    def __post_init__(self) -> None:
        if not (self.road_factor >= 1.0 and math.isfinite(self.road_factor)):
            raise ValueError("road_factor must be a finite number >= 1")
        if not (self.speed_kmh > 0 and math.isfinite(self.speed_kmh)):
            raise ValueError("speed_kmh must be a positive finite number")

    def matrix(self, coordinates: Sequence[Coordinate]) -> TravelMatrix:
        """Road-factored great-circle distances and the durations at the configured speed."""
        check_coordinates(coordinates)
        seconds_per_km = 3600.0 / self.speed_kmh
        distances = tuple(
            tuple(haversine_km(a, b) * self.road_factor for b in coordinates) for a in coordinates
        )
        durations = tuple(tuple(d * seconds_per_km for d in row) for row in distances)
        return TravelMatrix(distances=distances, durations=durations)
