"""The dock Gantt chart's geometry: bars in percent of the day, clipped, in the site's time zone."""

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from server.web.gantt import build_chart, utc_offset

BERLIN = ZoneInfo("Europe/Berlin")
DAY_START = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # 00:00 in Berlin (CET)
DAY_END = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
DOCKS = [SimpleNamespace(id=1, name="Dock 1", equipment="pallet_dock"),
         SimpleNamespace(id=2, name="Dock 2", equipment="pallet_dock")]


def _appt(id_, dock, start, end, status="booked"):
    return {"id": id_, "load_id": 10 + id_, "dock_id": dock, "start": start.isoformat(), "end": end.isoformat(),
            "status": status, "frozen": False}


def test_bar_is_placed_in_percent_of_the_day_with_local_times():
    """A 06:00–12:00 slot (site time) starts at 25 % and is 25 % wide, labelled in site time."""
    appt = _appt(1, 1, datetime(2026, 3, 11, 5, 0, tzinfo=UTC), datetime(2026, 3, 11, 11, 0, tzinfo=UTC))
    chart = build_chart(DAY_START, DAY_END, BERLIN, DOCKS, [appt], {11: "LP1-1"})
    bar = chart.rows[0].bars[0]
    assert (bar.left_pct, bar.width_pct) == (25.0, 25.0)
    assert (bar.start_local, bar.end_local, bar.label) == ("06:00", "12:00", "LP1-1")
    assert chart.rows[1].bars == ()
    assert chart.day == "2026-03-11"


def test_bars_past_the_edges_are_clipped_and_other_docks_ignored():
    """A slot that began the day before is cut at 0 %; appointments at unknown docks are left out."""
    early = _appt(1, 2, datetime(2026, 3, 10, 22, 0, tzinfo=UTC), datetime(2026, 3, 11, 1, 0, tzinfo=UTC))
    elsewhere = _appt(2, 99, datetime(2026, 3, 11, 5, 0, tzinfo=UTC), datetime(2026, 3, 11, 6, 0, tzinfo=UTC))
    chart = build_chart(DAY_START, DAY_END, BERLIN, DOCKS, [early, elsewhere], {})
    bar = chart.rows[1].bars[0]
    assert bar.left_pct == 0.0 and bar.width_pct == pytest.approx(100 * 2 / 24, abs=0.01)
    assert sum(len(row.bars) for row in chart.rows) == 1


def test_ticks_and_now_line():
    """Ticks every two hours from midnight; the now line only when now is inside the day."""
    chart = build_chart(DAY_START, DAY_END, BERLIN, DOCKS, [], {}, now=datetime(2026, 3, 11, 11, 0, tzinfo=UTC))
    assert chart.ticks[0] == (0.0, "00:00") and chart.ticks[1][1] == "02:00" and len(chart.ticks) == 12
    assert chart.now_pct == 50.0
    assert build_chart(DAY_START, DAY_END, BERLIN, DOCKS, [], {}, now=DAY_END).now_pct is None


def test_an_empty_day_is_refused():
    """A chart that ends before it starts is a programming error, said plainly."""
    with pytest.raises(ValueError):
        build_chart(DAY_END, DAY_START, BERLIN, DOCKS, [], {})


def test_utc_offset_follows_daylight_saving():
    """The reschedule form's offset is +01:00 in a Berlin winter and +02:00 in summer."""
    assert utc_offset(BERLIN, datetime(2026, 1, 15, tzinfo=UTC)) == "+01:00"
    assert utc_offset(BERLIN, datetime(2026, 7, 15, tzinfo=UTC)) == "+02:00"
    assert utc_offset(ZoneInfo("America/New_York"), datetime(2026, 1, 15, tzinfo=UTC)) == "-05:00"
