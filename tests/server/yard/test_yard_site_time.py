"""Local opening hours and breaks become the dock engine's minutes, DST included."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from server.yard.site_time import (
    ALWAYS_OPEN,
    Frame,
    break_windows,
    describe_hours,
    frame_at,
    hours_of,
    next_whole_minute,
    opening_windows,
    whole_minute,
    zone_of,
)


def _site(tz="Europe/Berlin", hours=None):
    return SimpleNamespace(timezone=tz, opening_hours=hours or {})


def test_minute_zero_is_local_midnight_and_hours_follow_the_zone():
    """In Berlin summer time, Monday 06:00-22:00 local is minutes 360-1320 of a frame starting 22:00 UTC Sunday."""
    frame = Frame(zone_of(_site()), date(2030, 6, 3))
    assert frame.start == datetime(2030, 6, 2, 22, 0, tzinfo=UTC)
    assert opening_windows({"mon": [["06:00", "22:00"]]}, frame) == [[360, 1320]]
    assert frame.moment(360) == datetime(2030, 6, 3, 4, 0, tzinfo=UTC)


def test_a_frame_spans_two_days_and_24_00_closes_at_midnight():
    """Hours of the second day count from the same minute 0; '24:00' is the next midnight."""
    frame = Frame(zone_of(_site("UTC")), date(2030, 6, 3))
    windows = opening_windows({"mon": [["20:00", "24:00"]], "tue": [["00:00", "02:00"]]}, frame)
    assert windows == [[1200, 1440], [1440, 1560]]


def test_dst_change_day_is_23_hours_long():
    """On the spring DST Sunday in Berlin, 06:00 local is 300 minutes after local midnight, not 360."""
    frame = Frame(zone_of(_site()), date(2030, 3, 31), days=1)
    assert frame.minute(frame.end) == 23 * 60
    assert opening_windows({"sun": [["06:00", "08:00"]]}, frame) == [[300, 420]]


def test_a_span_inside_the_skipped_hour_is_dropped_not_backwards():
    """A break from 02:30 to 03:00 on the spring DST night does not exist and yields no window."""
    frame = Frame(zone_of(_site()), date(2030, 3, 31), days=1)
    assert break_windows([{"day": "sun", "start": "02:30", "end": "03:00"}], frame) == []


def test_breaks_apply_to_their_weekday_only():
    """A Monday break lands on Monday of the frame, not on Tuesday."""
    frame = Frame(zone_of(_site("UTC")), date(2030, 6, 3))
    assert break_windows([{"day": "mon", "start": "12:00", "end": "12:30"}], frame) == [[720, 750]]
    assert break_windows([{"day": "wed", "start": "12:00", "end": "12:30"}], frame) == []


def test_dock_hours_fall_back_to_the_site_then_to_always_open():
    """A dock without hours uses its site's; a site without hours is open around the clock."""
    dock = SimpleNamespace(opening_hours={})
    assert hours_of(dock, _site(hours={"mon": [["06:00", "14:00"]]})) == {"mon": [["06:00", "14:00"]]}
    assert hours_of(dock, _site()) == ALWAYS_OPEN
    assert hours_of(SimpleNamespace(opening_hours={"tue": []}), _site()) == {"tue": []}


def test_unknown_zone_falls_back_to_utc_and_frames_start_on_the_local_day():
    """A bad zone name cannot break planning; the frame starts on the local day of the moment."""
    assert zone_of(_site("Mars/Base")).key == "UTC"
    frame = frame_at(_site("America/New_York"), datetime(2030, 6, 4, 2, 0, tzinfo=UTC))
    assert frame.day == date(2030, 6, 3)


def test_whole_minute_and_description():
    """Times are cut to the minute; the hours read back as text with the zone."""
    assert whole_minute(datetime(2030, 6, 3, 8, 7, 59, 5, tzinfo=UTC)) == datetime(2030, 6, 3, 8, 7, tzinfo=UTC)
    assert next_whole_minute(datetime(2030, 6, 3, 8, 7, 0, 5, tzinfo=UTC)) == datetime(2030, 6, 3, 8, 8, tzinfo=UTC)
    assert next_whole_minute(datetime(2030, 6, 3, 8, 7, tzinfo=UTC)) == datetime(2030, 6, 3, 8, 7, tzinfo=UTC)
    text = describe_hours({"mon": [["06:00", "22:00"]]}, [{"day": "mon", "start": "12:00", "end": "12:30"}],
                          zone_of(_site()))
    assert text == "mon 06:00-22:00; breaks mon 12:00-12:30 (Europe/Berlin)"
