"""Tests for gps_ingest.enrich: zone tags and ETA on each fix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gps_ingest.enrich import EnrichStep
from gps_ingest.eta import RemainingRoute, StaticPlans
from gps_ingest.geo import haversine_m
from gps_ingest.metrics import Metrics
from gps_ingest.model import ZoneTag
from gps_ingest.settings import IngestSettings

SETTINGS = IngestSettings(road_factor=1.5, min_speed_kmh=36.0)  # floor: 10 m/s


def test_fix_in_a_zone_gets_its_tags(zone_index, make_fix):
    """The enrich step adds the zones that contain the fix."""
    step = EnrichStep(zone_index, None, SETTINGS, Metrics())
    p = step(make_fix(lat=51.9, lon=4.4))
    assert p.zones == (ZoneTag("plant-rtm", "pickup"), ZoneTag("yard-rtm", "yard"))
    assert p.eta is None


def test_eta_to_the_planned_site_centre(zone_index, make_fix, now):
    """Without a target point, the ETA aims at the site's zone centre at the floored speed."""
    plans = StaticPlans({"truck-1": RemainingRoute("buyer-dordt")})
    step = EnrichStep(zone_index, plans, SETTINGS, Metrics())
    p = step(make_fix(lat=51.9, lon=4.4, speed=0.0))
    distance = 1.5 * haversine_m((51.9, 4.4), zone_index.centre("buyer-dordt"))
    assert p.eta_site_id == "buyer-dordt"
    assert p.eta == (now + timedelta(seconds=distance / 10.0)).replace(microsecond=0)


def test_late_fixes_get_zones_but_no_eta(zone_index, make_fix):
    """A late fix is tagged but neither updates speed nor gets an ETA."""
    plans = StaticPlans({"truck-1": RemainingRoute("buyer-dordt", target=(51.8, 4.67))})
    step = EnrichStep(zone_index, plans, SETTINGS, Metrics())
    p = step(make_fix(lat=51.9, lon=4.4, late=True))
    assert p.zones and p.eta is None


def test_unknown_site_or_no_plan_means_no_eta(zone_index, make_fix):
    """A plan for a site without a zone or target, or no plan at all, leaves the ETA empty."""
    step = EnrichStep(zone_index, StaticPlans({"truck-1": RemainingRoute("nowhere")}), SETTINGS, Metrics())
    assert step(make_fix()).eta is None
    assert step(make_fix("truck-2")).eta is None


def test_failing_plan_provider_keeps_the_fix(zone_index, make_fix, caplog):
    """A plan provider that raises costs the ETA, not the fix, and is counted."""

    class Broken:
        def remaining_route(self, vehicle_id):
            raise ConnectionError("db down")

    metrics = Metrics()
    step = EnrichStep(zone_index, Broken(), SETTINGS, metrics)
    p = step(make_fix(lat=51.9, lon=4.4))
    assert p is not None and p.zones and p.eta is None
    assert metrics.enrich_errors == 1


@pytest.mark.parametrize("speed", [20.0, 30.0])
def test_faster_vehicle_gets_an_earlier_eta(zone_index, make_fix, speed):
    """The ETA shrinks with the vehicle's speed above the floor."""
    plans = StaticPlans({"truck-1": RemainingRoute("buyer-dordt", target=(51.8, 4.67))})
    step = EnrichStep(zone_index, plans, SETTINGS, Metrics())
    p = step(make_fix(lat=51.9, lon=4.4, speed=speed))
    expected = 1.5 * haversine_m((51.9, 4.4), (51.8, 4.67)) / speed
    assert (p.eta - p.time).total_seconds() == pytest.approx(expected, abs=1.0)
