"""The geometry of a dock schedule drawn as a Gantt chart: one row per dock, one bar per appointment.

Pure: it takes plain values (the day's local start and end, docks, appointment views) and
returns rows of bars placed in percent of the day's width, so the template needs no maths and
the chart scales to any screen. Times are shown in the site's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Bar:
    appointment_id: int
    load_id: int
    label: str
    status: str
    frozen: bool
    left_pct: float
    width_pct: float
    start_local: str  # HH:MM at the site
    end_local: str


@dataclass(frozen=True)
class Row:
    dock_id: int
    dock_name: str
    equipment: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    day: str
    timezone: str
    start: datetime
    end: datetime
    ticks: tuple[tuple[float, str], ...]  # (left %, "HH:MM")
    rows: tuple[Row, ...]
    now_pct: float | None


def _parse(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _pct(moment: datetime, start: datetime, span_s: float) -> float:
    return round(100.0 * (moment - start).total_seconds() / span_s, 3)


def build_chart(start: datetime, end: datetime, tz: ZoneInfo, docks, appointments, labels: dict[int, str],
                now: datetime | None = None, tick_hours: int = 2) -> Chart:
    """Place ``appointments`` (dicts with id, load_id, dock_id, start, end, status, frozen) on the
    ``docks`` (objects with id, name, equipment) between ``start`` and ``end``.

    Bars that run past either edge are clipped to it; appointments on other docks are left out.
    ``labels`` maps a load id to the text on its bar (the load reference).
    """
    if end <= start:
        raise ValueError("the chart must end after it starts")
    span = (end - start).total_seconds()
    by_dock: dict[int, list[Bar]] = {dock.id: [] for dock in docks}
    for appt in appointments:
        if appt["dock_id"] not in by_dock:
            continue
        a_start, a_end = _parse(appt["start"]), _parse(appt["end"])
        left, right = max(a_start, start), min(a_end, end)
        if right <= left:
            continue
        by_dock[appt["dock_id"]].append(Bar(
            appointment_id=appt["id"], load_id=appt["load_id"], label=labels.get(appt["load_id"], f"#{appt['load_id']}"),
            status=appt["status"], frozen=bool(appt.get("frozen")), left_pct=_pct(left, start, span),
            width_pct=max(_pct(right, start, span) - _pct(left, start, span), 0.5),
            start_local=a_start.astimezone(tz).strftime("%H:%M"), end_local=a_end.astimezone(tz).strftime("%H:%M")))
    ticks = []
    moment = start
    while moment < end:
        ticks.append((_pct(moment, start, span), moment.astimezone(tz).strftime("%H:%M")))
        moment += timedelta(hours=tick_hours)
    now_pct = _pct(now, start, span) if now is not None and start <= now < end else None
    rows = tuple(Row(dock.id, dock.name, dock.equipment, tuple(sorted(by_dock[dock.id], key=lambda b: b.left_pct)))
                 for dock in docks)
    return Chart(day=start.astimezone(tz).date().isoformat(), timezone=str(tz), start=start, end=end,
                 ticks=tuple(ticks), rows=rows, now_pct=now_pct)


def utc_offset(tz: ZoneInfo, moment: datetime) -> str:
    """The zone's offset at ``moment`` as ``+HH:MM``, for turning a local time typed in a form into an
    aware time (the reschedule form sends ``{day}T{HH:MM}{offset}``)."""
    offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
