"""Simulated GPS on an accelerated clock, and the publishing policy's interval/distance filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from driver_app.core.clock import ManualClock
from driver_app.core.positions import haversine_m
from driver_app.core.publish_policy import PolicySettings, PublishPolicy
from driver_app.core.simulated_gps import SimulatedGps

ROUTE = Path(__file__).resolve().parents[2] / "data" / "driver_app" / "route_short.json"


def drive(gps: SimulatedGps) -> list:
    fixes = []
    gps.start(fixes.append)
    assert gps.join(timeout=10), "simulated drive did not finish"
    return fixes


def test_drive_follows_route_at_speed_on_manual_clock():
    """A 2 km route at 20 m/s with 1 s fixes runs instantly on a manual clock, ending at the goal."""
    clock = ManualClock(start=1_000.0)
    gps = SimulatedGps.from_file(ROUTE, speed_mps=20.0, interval_s=1.0, clock=clock)

    fixes = drive(gps)

    assert 2000 < gps.length_m < 2200
    assert len(fixes) == int(gps.length_m // 20.0) + 2
    assert [f.t_ms for f in fixes[:3]] == [1_000_000, 1_001_000, 1_002_000]
    assert (fixes[0].lat, fixes[0].lon) == (53.54, 9.98)
    assert (fixes[-1].lat, fixes[-1].lon) == (53.55, 9.995) and fixes[-1].speed == 0.0
    step = haversine_m(fixes[10].lat, fixes[10].lon, fixes[11].lat, fixes[11].lon)
    assert step == pytest.approx(20.0, rel=0.02)
    assert clock.now() == pytest.approx(1_000.0 + len(fixes) - 1)


def test_heading_turns_with_the_route():
    """The heading is east on the first leg and north on the second."""
    fixes = drive(SimulatedGps.from_file(ROUTE, speed_mps=50.0, interval_s=1.0, clock=ManualClock()))

    assert fixes[2].heading == pytest.approx(90.0, abs=1.0)
    assert fixes[-3].heading == pytest.approx(0.0, abs=1.0)


def test_stop_ends_the_drive_early():
    """``stop`` from the callback ends the drive without further fixes."""
    gps = SimulatedGps.from_file(ROUTE, speed_mps=1.0, interval_s=1.0, clock=ManualClock())
    fixes = []

    def take(fix):
        fixes.append(fix)
        if len(fixes) == 3:
            gps.stop()

    gps.start(take)

    assert gps.join(timeout=10) and len(fixes) == 3


def test_distance_filter_spaces_published_fixes():
    """With a 100 m filter, published fixes are at least 100 m apart and far fewer than raw fixes."""
    fixes = drive(SimulatedGps.from_file(ROUTE, speed_mps=15.0, interval_s=1.0, clock=ManualClock()))
    policy = PublishPolicy(PolicySettings(interval_s=1.0, min_distance_m=100.0, heartbeat_s=None))

    kept = [f for f in fixes if policy.accept(f)]

    gaps = [haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(kept, kept[1:], strict=False)]
    assert min(gaps) >= 100.0
    assert 15 <= len(kept) <= 22 < len(fixes)


def test_interval_filter_and_heartbeat_when_parked():
    """A parked truck publishes only on the heartbeat; moving fixes closer than the interval are dropped."""
    clock_start = 0
    parked = [
        f
        for f in SimulatedGps(
            [(53.5, 9.9), (53.5, 9.9001)], speed_mps=0.001, interval_s=10.0, clock=ManualClock()
        ).fixes(clock_start)
    ][:100]
    policy = PublishPolicy(PolicySettings(interval_s=5.0, min_distance_m=10.0, heartbeat_s=300.0))

    kept = [f.t_ms for f in parked if policy.accept(f)]

    assert kept == [0, 300_000, 600_000, 900_000]


def test_out_of_order_fix_is_refused():
    """A fix not newer than the last accepted one is refused, keeping published fixes in time order."""
    fixes = list(SimulatedGps.from_file(ROUTE, speed_mps=30.0, interval_s=10.0).fixes(0))
    policy = PublishPolicy(PolicySettings(interval_s=0.0, min_distance_m=0.0))

    assert policy.accept(fixes[3])
    assert not policy.accept(fixes[2])
    assert policy.accept(fixes[4])


def test_route_needs_two_points():
    """A route of one waypoint is refused with a ValueError."""
    with pytest.raises(ValueError):
        SimulatedGps([(53.5, 9.9)])
