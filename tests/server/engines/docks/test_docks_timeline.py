"""Tests for server/engines/docks/timeline.py."""

import pytest

from server.engines.docks.timeline import DockTimeline, earliest_fit, overlapping


def test_earliest_fit_skips_busy_intervals_too_short_gaps_and_the_horizon():
    """A job starts at the first gap long enough after `earliest`, or nowhere past the horizon."""
    starts, ends = [10, 50, 100], [40, 60, 120]
    assert earliest_fit(starts, ends, 0, 10, 200) == 0
    assert earliest_fit(starts, ends, 0, 11, 200) == 60
    assert earliest_fit(starts, ends, 45, 5, 200) == 45
    assert earliest_fit(starts, ends, 45, 6, 200) == 60
    assert earliest_fit(starts, ends, 110, 50, 200) == 120
    assert earliest_fit(starts, ends, 110, 90, 200) is None


def test_timeline_add_and_remove_round_trip():
    """Added appointments block their time; removing one frees it again."""
    line = DockTimeline([(0, 10)], horizon=100)
    line.add(20, 30)
    assert line.fit(10, 15) == 30
    assert not line.fits_at(25, 5)
    line.remove(20, 30)
    assert line.fits_at(10, 15)
    with pytest.raises(KeyError):
        line.remove(20, 30)


def test_overlapping_keeps_only_intersecting_intervals():
    """Intervals touching the range's edge do not count as overlapping."""
    assert overlapping([(0, 10), (10, 20), (30, 40)], 10, 30) == [(10, 20)]
