"""Small spherical-geometry helpers on (lat, lon) degrees; distances in metres."""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

LatLon = tuple[float, float]
_RADIANS = math.pi / 180.0


def haversine_m(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two (lat, lon) points."""
    # x * _RADIANS is exactly what math.radians(x) computes; it is called for every fix (ETA), and
    # mapping math.radians over both points cost as much as the trigonometry.
    lat1, lon1 = a[0] * _RADIANS, a[1] * _RADIANS
    lat2, lon2 = b[0] * _RADIANS, b[1] * _RADIANS
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def path_length_m(points: Sequence[LatLon]) -> float:
    """Length of the polyline through ``points`` (0 for fewer than two)."""
    return sum(haversine_m(points[i], points[i + 1]) for i in range(len(points) - 1))


def segment_offset_m(p: LatLon, a: LatLon, b: LatLon) -> float:
    """Distance from ``p`` to the segment ``a``-``b``.

    Uses a local equirectangular projection around ``p``, which is accurate to well under a
    percent at the few-kilometre scale of route segments; that is enough to pick the segment
    a vehicle is on.
    """
    k = math.cos(math.radians(p[0]))

    def xy(q: LatLon) -> tuple[float, float]:
        return (math.radians(q[1] - p[1]) * k * EARTH_RADIUS_M, math.radians(q[0] - p[0]) * EARTH_RADIUS_M)

    (ax, ay), (bx, by) = xy(a), xy(b)
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    t = 0.0 if seg2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
    return math.hypot(ax + t * dx, ay + t * dy)
