"""Tests for gps_ingest.detect: zone, arrival, dwell and ETA events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gps_ingest.detect import DetectStep
from gps_ingest.metrics import Metrics
from gps_ingest.model import ZoneTag
from gps_ingest.settings import IngestSettings

PLANT = ZoneTag("plant-rtm", "pickup")
YARD = ZoneTag("yard-rtm", "yard")
BUYER = ZoneTag("buyer-dordt", "delivery")


@pytest.fixture
def metrics():
    return Metrics()


@pytest.fixture
def detect(metrics):
    return DetectStep(IngestSettings(dwell_minutes=10, eta_change_minutes=5), metrics)


def kinds(p):
    return [(e.kind, e.site_id) for e in p.events]


def test_first_fix_only_primes_the_state(detect, make_fix):
    """Without emit_on_first_fix, the first fix inside a zone emits nothing."""
    assert detect(make_fix(zones=(PLANT, YARD), speed=10.0)).events == ()


def test_first_fix_can_emit_when_configured(make_fix):
    """With emit_on_first_fix, the first fix inside a zone is an arrival."""
    step = DetectStep(IngestSettings(emit_on_first_fix=True), Metrics())
    assert kinds(step(make_fix(zones=(PLANT,), speed=10.0))) == [("zone_enter", "plant-rtm")]


def test_enter_and_exit_events_only(detect, metrics, make_fix):
    """Entering and leaving zones emits zone_enter/zone_exit only: what they mean for a load is decided later, once."""
    detect(make_fix(seconds=0, speed=10.0))
    entered = detect(make_fix(seconds=30, zones=(PLANT, YARD), speed=10.0))
    assert kinds(entered) == [("zone_enter", "plant-rtm"), ("zone_enter", "yard-rtm")]
    left = detect(make_fix(seconds=60, zones=(YARD,), speed=10.0))
    assert kinds(left) == [("zone_exit", "plant-rtm")]
    gone = detect(make_fix(seconds=90, speed=10.0))
    assert kinds(gone) == [("zone_exit", "yard-rtm")]
    arrived = detect(make_fix(seconds=3600, zones=(BUYER,), speed=10.0))
    assert kinds(arrived) == [("zone_enter", "buyer-dordt")]
    assert arrived.events[0].time == arrived.time and arrived.events[0].vehicle_id == "truck-1"
    assert arrived.events[0].data == {"zone_kind": "delivery"}
    assert metrics.events == 5


def test_dwell_fires_once_after_n_stationary_minutes_in_a_zone(detect, make_fix):
    """A vehicle stationary in a zone for dwell_minutes gets one dwell event per visit."""
    detect(make_fix(seconds=-60, speed=10.0))
    detect(make_fix(seconds=0, zones=(BUYER,), speed=0.0))
    assert detect(make_fix(seconds=540, zones=(BUYER,), speed=0.2)).events == ()
    dwell = detect(make_fix(seconds=600, zones=(BUYER,), speed=0.0))
    assert kinds(dwell) == [("dwell", "buyer-dordt")] and dwell.events[0].data["minutes"] == 10.0
    assert detect(make_fix(seconds=1200, zones=(BUYER,), speed=0.0)).events == ()
    detect(make_fix(seconds=1260, speed=10.0))  # leaves
    detect(make_fix(seconds=1300, zones=(BUYER,), speed=0.0))  # comes back
    assert kinds(detect(make_fix(seconds=1900, zones=(BUYER,), speed=0.0))) == [("dwell", "buyer-dordt")]


def test_moving_inside_a_zone_resets_the_dwell_clock(detect, make_fix):
    """Dwell counts stationary time only: driving around the yard restarts it."""
    detect(make_fix(seconds=0, zones=(YARD,), speed=0.0))
    detect(make_fix(seconds=300, zones=(YARD,), speed=5.0))
    detect(make_fix(seconds=310, zones=(YARD,), speed=0.0))
    assert detect(make_fix(seconds=900, zones=(YARD,), speed=0.0)).events == ()
    assert kinds(detect(make_fix(seconds=910, zones=(YARD,), speed=0.0))) == [("dwell", "yard-rtm")]


def test_implied_speed_detects_standing_still(detect, make_fix):
    """Without reported speed, fixes that do not move count as stationary."""
    detect(make_fix(seconds=0, zones=(YARD,)))
    detect(make_fix(seconds=60, zones=(YARD,)))
    assert kinds(detect(make_fix(seconds=660, zones=(YARD,)))) == [("dwell", "yard-rtm")]


def test_eta_changed_on_first_eta_and_beyond_threshold(detect, make_fix, now):
    """The first ETA is announced; later ones only when they move at least the threshold."""
    eta = now + timedelta(hours=1)
    first = detect(make_fix(seconds=0, speed=10.0, eta=eta, eta_site_id="buyer-dordt"))
    assert kinds(first) == [("eta_changed", "buyer-dordt")] and first.events[0].data["previous"] is None
    assert (
        detect(
            make_fix(seconds=30, speed=10.0, eta=eta + timedelta(minutes=3), eta_site_id="buyer-dordt")
        ).events
        == ()
    )
    # drift adds up against the last announced ETA, not the last computed one
    slipped = detect(
        make_fix(seconds=60, speed=10.0, eta=eta + timedelta(minutes=6), eta_site_id="buyer-dordt")
    )
    assert (
        kinds(slipped) == [("eta_changed", "buyer-dordt")] and slipped.events[0].data["delta_minutes"] == 6.0
    )
    new_site = detect(
        make_fix(seconds=90, speed=10.0, eta=eta + timedelta(minutes=6), eta_site_id="plant-rtm")
    )
    assert kinds(new_site) == [("eta_changed", "plant-rtm")]


def test_late_and_redelivered_fixes_do_not_emit(detect, make_fix):
    """Late fixes and fixes the store already had pass through without events or state changes."""
    detect(make_fix(seconds=0, speed=10.0))
    assert detect(make_fix(seconds=-30, zones=(PLANT,), late=True)).events == ()
    assert detect(make_fix(seconds=30, zones=(PLANT,), inserted=False)).events == ()
    assert kinds(detect(make_fix(seconds=60, zones=(PLANT,), speed=10.0))) == [("zone_enter", "plant-rtm")]


def test_vehicles_have_separate_state(detect, make_fix):
    """One vehicle's zones do not affect another's events."""
    detect(make_fix("truck-1", 0, zones=(PLANT,), speed=1.0))
    detect(make_fix("truck-2", 0, speed=10.0))
    assert kinds(detect(make_fix("truck-2", 30, zones=(PLANT,), speed=10.0)))[0] == (
        "zone_enter",
        "plant-rtm",
    )
