"""Yard metrics of one site and local day, from the visits' timestamped history.

* waiting: minutes from check-in (``arrived``) to the start of loading, per truck that
  arrived that day and started loading (trucks still waiting are counted apart);
* dock utilisation: per dock, minutes actually loading (``loading`` to ``loaded``, or to now)
  and minutes booked, each over the dock's open minutes that day;
* on-time arrival: trucks that checked in no later than their slot's start plus
  the site's on-time grace (``booking_rules``; the slot they held when they arrived), over all booked
  trucks that arrived that day; no-shows are counted apart.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select

from server.engines.docks.model import merge_intervals
from server.extensions import db
from server.models import Dock, DockAppointment, Site, YardVisit
from server.yard.booking_rules import rules_of
from server.yard.site_time import Frame, break_windows, hours_of, opening_windows, zone_of


def _at(visit: YardVisit, status: str) -> datetime | None:
    for entry in visit.history or []:
        if entry.get("status") == status:
            return datetime.fromisoformat(entry["at"])
    return None


def _entry(visit: YardVisit, status: str) -> dict:
    return next((e for e in visit.history or [] if e.get("status") == status), {})


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def open_minutes(dock: Dock, site: Site, frame: Frame) -> int:
    length = frame.minute(frame.end)
    opening = merge_intervals([(max(0, s), min(length, e)) for s, e in opening_windows(hours_of(dock, site), frame)])
    breaks = merge_intervals([tuple(b) for b in break_windows(dock.breaks, frame)])
    return int(sum((e - s) - sum(_overlap(s, e, b0, b1) for b0, b1 in breaks) for s, e in opening))


def site_metrics(site: Site, day: date, now: datetime) -> dict:
    frame = Frame(zone_of(site), day, days=1)
    start, end = frame.start, frame.end
    visits = list(db.session.scalars(select(YardVisit).where(
        YardVisit.site_id == site.id, YardVisit.created_at < end + timedelta(days=1))))
    arrived = [v for v in visits if v.arrived_at is not None and start <= v.arrived_at < end]
    waits, still_waiting = [], 0
    for visit in arrived:
        loading = _at(visit, "loading")
        if loading is None:
            still_waiting += visit.status == "arrived"
        else:
            waits.append(_minutes(loading - visit.arrived_at))
    grace = timedelta(minutes=rules_of(site).on_time_grace_minutes)
    slots = [(v, _entry(v, "arrived").get("slot")) for v in arrived]
    booked = [(v, datetime.fromisoformat(slot)) for v, slot in slots if slot]
    on_time = sum(v.arrived_at <= slot + grace for v, slot in booked)
    no_shows = sum(1 for v in visits if (t := _at(v, "no_show")) is not None and start <= t < end)
    return {
        "site_id": site.id, "day": day.isoformat(), "timezone": frame.tz.key,
        "waiting": {"trucks": len(waits), "still_waiting": still_waiting,
                    "mean_minutes": round(sum(waits) / len(waits), 1) if waits else None,
                    "median_minutes": median(waits) if waits else None, "max_minutes": max(waits) if waits else None},
        "on_time_arrival": {"booked_arrivals": len(booked), "on_time": on_time,
                            "share": round(on_time / len(booked), 3) if booked else None,
                            "unbooked_arrivals": len(arrived) - len(booked), "no_shows": no_shows,
                            "grace_minutes": int(grace.total_seconds() // 60)},
        "docks": _utilisation(site, frame, visits, now),
    }


def _utilisation(site: Site, frame: Frame, visits: list[YardVisit], now: datetime) -> list[dict]:
    start, end = frame.start, frame.end
    docks = list(db.session.scalars(select(Dock).where(Dock.site_id == site.id).order_by(Dock.id)))
    rows = list(db.session.scalars(select(DockAppointment).where(
        DockAppointment.dock_id.in_([d.id for d in docks]), DockAppointment.status != "cancelled",
        DockAppointment.start < end, DockAppointment.end > start)))
    out = []
    for dock in docks:
        opened = open_minutes(dock, site, frame)
        booked = sum(_overlap(frame.minute(a.start), frame.minute(a.end), 0, frame.minute(end))
                     for a in rows if a.dock_id == dock.id)
        loading = 0.0
        for visit in visits:
            began = _at(visit, "loading")
            if visit.called_dock_id != dock.id or began is None:
                continue
            finished = _at(visit, "loaded") or now
            loading += _overlap(began.timestamp(), finished.timestamp(), start.timestamp(), end.timestamp()) / 60
        out.append({"dock_id": dock.id, "name": dock.name, "open_minutes": opened,
                    "loading_minutes": round(loading, 1), "booked_minutes": booked,
                    "utilisation": round(loading / opened, 3) if opened else None,
                    "booked_share": round(booked / opened, 3) if opened else None})
    return out
