"""Which matrix provider a configuration asks for: OSRM when a base URL is given, else great-circle."""

from __future__ import annotations

from server.engines.routing.matrix import GreatCircleProvider, MatrixProvider
from server.engines.routing.osrm import OsrmProvider


def provider_from_config(
    osrm_url: str | None = None,
    road_factor: float = 1.3,
    speed_kmh: float = 60.0,
    timeout_s: float = 10.0,
) -> MatrixProvider:
    """OSRM when a base URL is configured, otherwise great-circle."""
    if osrm_url:
        return OsrmProvider(base_url=osrm_url, timeout_s=timeout_s)
    return GreatCircleProvider(road_factor=road_factor, speed_kmh=speed_kmh)
