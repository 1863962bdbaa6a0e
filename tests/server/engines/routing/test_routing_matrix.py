"""Great-circle matrix provider."""

from __future__ import annotations

import math

import pytest

from server.engines.routing.matrix import GreatCircleProvider, haversine_km
from server.engines.routing.validation import RoutingValidationError

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)


def test_haversine_matches_known_distance():
    """Paris-London is about 343.5 km along the great circle."""
    assert haversine_km(PARIS, LONDON) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(PARIS, PARIS) == 0.0


def test_great_circle_applies_road_factor_and_speed():
    """Distance is haversine times the road factor; duration is that distance at the speed."""
    matrix = GreatCircleProvider(road_factor=1.25, speed_kmh=80).matrix([PARIS, LONDON])
    km = haversine_km(PARIS, LONDON) * 1.25
    assert matrix.distances[0][1] == pytest.approx(km)
    assert matrix.durations[1][0] == pytest.approx(km / 80 * 3600)
    assert matrix.distances[0][0] == 0.0


def test_great_circle_rejects_nan_coordinates_with_field_paths():
    """A NaN latitude is a validation error naming locations/1/lat."""
    with pytest.raises(RoutingValidationError) as caught:
        GreatCircleProvider().matrix([PARIS, (math.nan, 2.0)])
    assert ("locations/1/lat", "must be a finite latitude in [-90, 90]") in caught.value.errors


def test_great_circle_rejects_bad_settings():
    """A road factor under 1 or a zero speed is refused."""
    with pytest.raises(ValueError):
        GreatCircleProvider(road_factor=0.5)
    with pytest.raises(ValueError):
        GreatCircleProvider(speed_kmh=0)
