"""A site's local days and opening hours, as the dock engine's integer minutes.

Opening hours and breaks are written in the site's own time zone (``Site.timezone``):
``{"mon": [["06:00", "22:00"]]}`` and ``[{"day": "mon", "start": "12:00", "end": "12:30"}]``.
The engine counts whole minutes from one instant, so every local time is turned into an
aware datetime first and measured from the frame's start; a day with a DST change is
simply 23 or 25 hours long. A dock without hours of its own uses its site's; a site with
no hours at all is open around the clock (a missing day in hours that are set is closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.engines.docks import minutes_since

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in DAYS}
FRAME_DAYS = 2  # a truck arriving late in the evening may be booked the next morning


def zone_of(site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(tz: ZoneInfo, moment: datetime) -> date:
    return moment.astimezone(tz).date()


def whole_minute(moment: datetime) -> datetime:
    """``moment`` truncated to the minute, in UTC: appointments are planned in whole minutes."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def next_whole_minute(moment: datetime) -> datetime:
    """``moment`` rounded up to the minute, in UTC (a slot offered never starts before the window opens)."""
    floor = whole_minute(moment)
    return floor if floor == moment else floor + timedelta(minutes=1)


@dataclass(frozen=True)
class Frame:
    """Minute 0 is local midnight of ``day``; the frame spans ``days`` local days."""

    tz: ZoneInfo
    day: date
    days: int = FRAME_DAYS

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, time(0, 0), tzinfo=self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.day + timedelta(days=self.days), time(0, 0), tzinfo=self.tz).astimezone(UTC)

    def minute(self, moment: datetime) -> int:
        return minutes_since(self.start, moment)

    def moment(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)

    def local(self, day: date, hhmm: str) -> datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        if hours == 24:
            return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.tz)
        return datetime.combine(day, time(hours, minutes), tzinfo=self.tz)

    def local_days(self):
        return [self.day + timedelta(days=k) for k in range(self.days)]


def frame_at(site, moment: datetime, days: int = FRAME_DAYS) -> Frame:
    """The frame starting at local midnight of the day ``moment`` falls on at ``site``."""
    tz = zone_of(site)
    return Frame(tz, local_day(tz, moment), days)


MAX_FRAME_DAYS = 8  # a re-plan or slot search never looks further than this


def frame_spanning(site, moments: list[datetime]) -> Frame:
    """The frame from local midnight of the earliest of ``moments`` to the day after the latest (at most
    ``MAX_FRAME_DAYS``): what a re-plan, a pull-up or a slot search around those moments sees."""
    tz = zone_of(site)
    lo, hi = min(moments), max(moments)
    days = (local_day(tz, hi) - local_day(tz, lo)).days + 2
    return frame_at(site, lo, days=min(days, MAX_FRAME_DAYS))


def hours_of(dock, site) -> dict:
    return dock.opening_hours or site.opening_hours or ALWAYS_OPEN


def opening_windows(hours: dict, frame: Frame) -> list[list[int]]:
    """Every open span of the frame's days, as [start, end) minutes of the frame."""
    windows = []
    for day in frame.local_days():
        for opens, closes in hours.get(DAYS[day.weekday()], []):
            _add(windows, frame.minute(frame.local(day, opens)), frame.minute(frame.local(day, closes)))
    return windows


def _add(windows: list, start: int, end: int) -> None:
    # A span that starts in the hour a DST change skips can come out backwards; it is empty.
    if end > start:
        windows.append([start, end])


def break_windows(breaks: list, frame: Frame) -> list[list[int]]:
    windows = []
    for day in frame.local_days():
        for item in breaks or []:
            if item.get("day") == DAYS[day.weekday()]:
                _add(windows, frame.minute(frame.local(day, item["start"])), frame.minute(frame.local(day, item["end"])))
    return windows


def describe_hours(hours: dict, breaks: list, tz: ZoneInfo) -> str:
    """Human text of a dock's hours for refusals: 'mon 06:00-22:00; breaks mon 12:00-12:30 (Europe/Berlin)'."""
    spans = [f"{day} {a}-{b}" for day in DAYS for a, b in hours.get(day, [])]
    text = ", ".join(spans) or "never open"
    if breaks:
        text += "; breaks " + ", ".join(f"{b['day']} {b['start']}-{b['end']}" for b in breaks)
    return f"{text} ({tz.key})"
