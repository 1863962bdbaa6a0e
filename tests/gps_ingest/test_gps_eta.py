"""Tests for gps_ingest.eta: remaining distance and smoothed speed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gps_ingest.eta import SpeedTracker, eta_at, remaining_distance_m
from gps_ingest.geo import haversine_m


def test_straight_line_distance_uses_the_road_factor():
    """Without waypoints the distance is great-circle times the road factor."""
    here, target = (51.9, 4.4), (51.8, 4.67)
    assert remaining_distance_m(here, target, (), 1.3) == pytest.approx(1.3 * haversine_m(here, target))


def test_route_distance_follows_waypoints_from_the_current_segment():
    """With waypoints, the distance runs from the vehicle to the end of its segment, then along the route."""
    route = ((52.0, 4.0), (52.0, 4.1), (52.1, 4.1))
    target = (52.1, 4.1)
    here = (52.0005, 4.05)  # on the first leg, half way
    expected = haversine_m(here, route[1]) + haversine_m(route[1], route[2])
    assert remaining_distance_m(here, target, route, 1.3) == pytest.approx(expected)
    on_second_leg = (52.05, 4.1001)
    assert remaining_distance_m(on_second_leg, target, route, 1.3) == pytest.approx(
        haversine_m(on_second_leg, target)
    )


def test_speed_tracker_is_floored_and_smoothed(make_fix):
    """Stopped vehicles get the floor; a speed change moves the average by 1 - exp(-dt/tau)."""
    tracker = SpeedTracker(time_constant_s=300, min_speed_mps=4.0)
    assert tracker.update(make_fix(seconds=0, speed=0.0)) == 4.0
    tracker = SpeedTracker(time_constant_s=300, min_speed_mps=1.0)
    tracker.update(make_fix(seconds=0, speed=20.0))
    assert tracker.update(make_fix(seconds=300, speed=10.0)) == pytest.approx(10.0 + 10.0 * 0.3679, rel=1e-3)


def test_speed_tracker_uses_implied_speed_without_a_reported_one(make_fix):
    """A fix without speed contributes the distance from the previous fix over the time between."""
    tracker = SpeedTracker(time_constant_s=1e-9, min_speed_mps=0.0)  # tiny tau: the latest sample wins
    tracker.update(make_fix(seconds=0, lat=51.92, speed=0.0))
    implied = haversine_m((51.92, 4.48), (51.93, 4.48)) / 100
    assert tracker.update(make_fix(seconds=100, lat=51.93)) == pytest.approx(implied)


def test_eta_is_fix_time_plus_distance_over_speed(make_fix, now):
    """eta_at adds distance / speed to the fix time."""
    p = make_fix(lat=51.9, lon=4.4)
    target = (51.8, 4.67)
    expected = now + timedelta(seconds=1.3 * haversine_m((51.9, 4.4), target) / 10.0)
    assert eta_at(p, target, (), 10.0, 1.3) == expected
