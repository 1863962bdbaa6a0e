"""Tests for gps_ingest.checks: each validate and filter check, counted by name."""

from __future__ import annotations

import math

import pytest

from gps_ingest.checks import FilterStep, ValidateStep
from gps_ingest.metrics import Metrics
from gps_ingest.model import DropReason
from gps_ingest.settings import IngestSettings


@pytest.fixture
def metrics():
    return Metrics()


@pytest.fixture
def validate(metrics):
    return ValidateStep(IngestSettings(), metrics)


@pytest.fixture
def filter_step(metrics, clock):
    return FilterStep(IngestSettings(max_accuracy_m=100), clock, metrics)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"lat": math.nan}, DropReason.NAN_OR_INF),
        ({"lon": math.inf}, DropReason.NAN_OR_INF),
        ({"speed": -math.inf}, DropReason.NAN_OR_INF),
        ({"battery": math.nan}, DropReason.NAN_OR_INF),
        ({"lat": 90.0001}, DropReason.LAT_OUT_OF_RANGE),
        ({"lat": -91}, DropReason.LAT_OUT_OF_RANGE),
        ({"lon": 180.5}, DropReason.LON_OUT_OF_RANGE),
        ({"lon": -181}, DropReason.LON_OUT_OF_RANGE),
        ({"seconds": -25 * 365 * 86400}, DropReason.TIME_OUT_OF_RANGE),
    ],
)
def test_validate_drops_impossible_values(validate, metrics, make_fix, fields, reason):
    """Non-finite numbers, out-of-range coordinates and pre-2000 times are dropped by name."""
    assert validate(make_fix(**fields)) is None
    assert metrics.counts == {reason.value: 1}


def test_validate_keeps_the_edges_of_the_ranges(validate, make_fix):
    """Exactly ±90 and ±180 are valid coordinates."""
    for lat, lon in [(90, 180), (-90, -180)]:
        assert validate(make_fix(lat=lat, lon=lon)) is not None


def test_huge_finite_values_are_not_taken_for_infinity(validate, metrics, make_fix):
    """Finite values whose sum overflows are judged one by one: not nan_or_inf."""
    p = validate(make_fix(speed=1.7e308, accuracy=1.7e308, altitude=1.7e308))
    assert p is not None and p.accuracy == 1.7e308
    assert sum(metrics.counts.values()) == 0


def test_validate_normalises_optional_oddities(validate, metrics, make_fix):
    """Negative speed/accuracy and out-of-range battery become unknown; heading wraps into [0, 360)."""
    p = validate(make_fix(speed=-1.0, accuracy=-3.0, battery=140.0, heading=370.0))
    assert (p.speed, p.accuracy, p.battery, p.heading) == (None, None, None, 10.0)
    assert validate(make_fix(heading=-1.0)).heading is None
    assert sum(metrics.counts.values()) == 0


@pytest.mark.parametrize("seq", [-1, 2**31, 2**63])
def test_a_sequence_number_the_column_cannot_hold_becomes_unknown_and_the_fix_is_kept(validate, metrics,
                                                                                     make_fix, seq):
    """seq is diagnostics in a 32-bit column: out of 0..2**31-1 it is dropped from the fix, not the fix."""
    p = validate(make_fix(seq=seq))
    assert p is not None and p.seq is None and p.lat == 51.92
    assert validate(make_fix(seq=2**31 - 1)).seq == 2**31 - 1
    assert sum(metrics.counts.values()) == 0


def test_zero_fix_is_dropped(filter_step, metrics, make_fix):
    """(0, 0) is the classic no-fix placeholder."""
    assert filter_step(make_fix(lat=0.0, lon=0.0)) is None
    assert metrics.counts == {"zero_fix": 1}


def test_future_fix_is_dropped_beyond_tolerance(filter_step, metrics, make_fix):
    """A fix more than 5 minutes ahead of the clock is future; 5 minutes exactly is fine."""
    assert filter_step(make_fix(seconds=300)) is not None
    assert filter_step(make_fix(seconds=301, lat=51.93)) is None
    assert metrics.counts == {"future": 1}


def test_future_check_reads_the_clock_only_for_fixes_beyond_the_last_limit(metrics, clock, make_fix):
    """In-limit fixes pass on the last reading; a later fix re-reads the clock, so time moving on counts."""
    reads = []

    def counting_clock():
        reads.append(1)
        return clock()

    step = FilterStep(IngestSettings(), counting_clock, metrics)
    assert all(step(make_fix(seconds=s, lat=51.9 + s * 1e-5)) is not None for s in range(10))
    assert len(reads) == 1
    assert step(make_fix(seconds=400, lat=51.93)) is None  # 400 s ahead: future, on a fresh reading
    assert len(reads) == 2
    clock.advance(200)
    assert step(make_fix(seconds=401, lat=51.931)) is not None  # now only 201 s ahead
    assert len(reads) == 3
    assert metrics.counts == {"future": 1}


def test_low_accuracy_is_dropped(filter_step, metrics, make_fix):
    """An accuracy radius above the configured limit is dropped; unknown accuracy is kept."""
    assert filter_step(make_fix(accuracy=100.5)) is None
    assert filter_step(make_fix(accuracy=None)) is not None
    assert metrics.counts == {"low_accuracy": 1}


def test_duplicate_time_is_dropped_per_vehicle(filter_step, metrics, make_fix):
    """The same vehicle at the same time twice is a duplicate; another vehicle is not affected."""
    assert filter_step(make_fix()) is not None
    assert filter_step(make_fix(message_id="m2")) is None
    assert filter_step(make_fix(vehicle_id="truck-2")) is not None
    assert metrics.counts == {"duplicate": 1} and metrics.duplicates == 1 and metrics.accepted == 2


def test_duplicate_memory_is_bounded(metrics, clock, make_fix):
    """Only the most recent duplicate_memory times are remembered."""
    step = FilterStep(IngestSettings(duplicate_memory=2), clock, metrics)
    for s in (-30, -20, -10):
        assert step(make_fix(seconds=s)) is not None
    assert step(make_fix(seconds=-10)) is None  # still remembered
    assert step(make_fix(seconds=-30)) is not None  # forgotten, so accepted again


def test_impossible_jump_is_dropped(filter_step, metrics, make_fix):
    """About 11 km in 60 s (over 600 km/h) from the last accepted fix is an impossible jump."""
    assert filter_step(make_fix(seconds=0, lat=51.92)) is not None
    assert filter_step(make_fix(seconds=60, lat=52.02)) is None
    assert filter_step(make_fix(seconds=60, lat=51.925)) is not None  # 550 m/min = 33 km/h
    assert metrics.counts == {"impossible_jump": 1}


def test_jump_limit_is_the_great_circle_speed_not_the_quick_bound(filter_step, metrics, make_fix):
    """Going north-east at 240 km/h passes (the quick lat+lon bound says 445); 260 km/h does not."""
    # The limit is 250 km/h; these steps are 240 and 260 km/h by haversine, over 60 s each.
    assert filter_step(make_fix(seconds=0, lat=51.92, lon=4.48)) is not None
    assert filter_step(make_fix(seconds=60, lat=51.92 + 0.02545, lon=4.48 + 0.04125)) is not None
    start = (51.92 + 0.02545, 4.48 + 0.04125)
    assert filter_step(make_fix(seconds=120, lat=start[0] + 0.02757, lon=start[1] + 0.04469)) is None
    assert metrics.counts == {"impossible_jump": 1}


def test_jump_uses_accuracy_slack_and_time_window(filter_step, make_fix):
    """Accuracy radii absorb GPS jitter; fixes far apart in time are not compared."""
    assert filter_step(make_fix(seconds=0, accuracy=50.0)) is not None
    assert filter_step(make_fix(seconds=1, lat=51.9208, accuracy=50.0)) is not None  # 89 m, 100 m slack
    assert filter_step(make_fix(seconds=-3600, lat=53.0)) is not None  # an hour earlier: not compared


def test_two_agreeing_fixes_outvote_an_outlier_reference(filter_step, metrics, make_fix):
    """If the accepted reference was the outlier, the second consistent fix is accepted."""
    assert filter_step(make_fix(seconds=0, lat=52.5)) is not None  # bad first fix
    assert filter_step(make_fix(seconds=30, lat=51.92)) is None
    assert filter_step(make_fix(seconds=60, lat=51.921)) is not None
    assert filter_step(make_fix(seconds=90, lat=51.922)) is not None
    assert metrics.counts == {"impossible_jump": 1}


def test_a_jump_of_one_vehicle_does_not_touch_another(filter_step, make_fix):
    """Filter memory is per vehicle."""
    assert filter_step(make_fix("truck-1", 0, lat=51.92)) is not None
    assert filter_step(make_fix("truck-2", 10, lat=40.0)) is not None
