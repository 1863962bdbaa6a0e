"""A trip that never starts: a truck sharing GPS that is not on its way shortly before its slot loses it.

A driver whose phone shares positions and who is not on the road ``YARD_REACT_MINUTES`` (30) before
the slot will not make it: to the plant that is a late truck without an ETA. Rather than hold the dock
through the slot and the no-show grace, the booking is released then, as a no-show is (the visit
becomes ``no_show`` with the reason ``no_trip``, the appointment is cancelled), and the trucks booked
behind it on its dock that can still be told move up (``pull_up.pull_up_behind``). A truck released so
that comes after all is a late walk-in (``lateness.slot_late_arrival``). Run by the no-show sweep
(``no_show_sweep.py``, ``haul yard sweep``); ``YARD_NO_TRIP_RELEASE`` (on) turns it off.

What the server knows of a truck's phone (the same signals the tracking pages use):

* it **shares GPS** when its vehicle has a device login that is neither revoked nor suspended and that
  vehicle sent a fix in the last ``YARD_GPS_SEEN_HOURS`` (24): a login nobody uses tells nothing;
* it is **on its way** when its newest fix is at most ``YARD_TRIP_FIX_MINUTES`` (15) old (a parked
  phone still reports every five minutes) and shows it moving (at least ``MOVING_MPS``, or no speed
  reported) or within ``YARD_TRIP_NEAR_KM`` (5) of the plant, waiting for its slot nearby.

Anything less certain (no vehicle, no live login, no recent fix at all) leaves the booking alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from gps_ingest.geo import haversine_m
from server.extensions import db
from server.models import DeviceCredential, DockAppointment, Load, Site, YardVisit
from server.tracking.history import last_position
from server.yard.lateness import give_up_slots
from server.yard.pull_up import enabled, pull_up_and_announce, react_minutes

log = logging.getLogger("haul.yard.no_trip")

MOVING_MPS = 2.0  # about 7 km/h: faster than a truck shunting in a yard, slower than any road


def shares_gps(vehicle_id: int, now: datetime) -> dict | None:
    """The vehicle's newest fix when it shares GPS (a live device login and a recent fix), else None."""
    login = db.session.scalar(select(DeviceCredential.id).where(
        DeviceCredential.vehicle_id == vehicle_id, DeviceCredential.revoked_at.is_(None),
        DeviceCredential.suspended_at.is_(None)).limit(1))
    fix = last_position(vehicle_id, now) if login is not None else None
    seen = timedelta(hours=float(current_app.config.get("YARD_GPS_SEEN_HOURS", 24)))
    if fix is None or datetime.fromisoformat(fix["time"]) < now - seen:
        return None
    return fix


def on_its_way(fix: dict, site: Site, now: datetime) -> bool:
    """Whether the newest fix shows a truck on the road, or parked near the plant."""
    fresh = timedelta(minutes=float(current_app.config.get("YARD_TRIP_FIX_MINUTES", 15)))
    if datetime.fromisoformat(fix["time"]) < now - fresh:
        return False
    if fix.get("speed") is None or fix["speed"] >= MOVING_MPS:
        return True
    plant = to_shape(site.location)
    near_m = 1000 * float(current_app.config.get("YARD_TRIP_NEAR_KM", 5))
    return haversine_m((fix["lat"], fix["lon"]), (plant.y, plant.x)) <= near_m


def _due(site: Site, now: datetime) -> list[tuple[YardVisit, DockAppointment, Load]]:
    """Booked trucks whose slot starts within the reaction time and that share GPS but are not on the way."""
    rows = db.session.execute(
        select(YardVisit, DockAppointment, Load)
        .join(DockAppointment, DockAppointment.id == YardVisit.appointment_id).join(Load, Load.id == YardVisit.load_id)
        .where(YardVisit.site_id == site.id, YardVisit.status == "scheduled", DockAppointment.status == "booked",
               DockAppointment.frozen.is_(False), Load.vehicle_id.is_not(None), DockAppointment.start > now,
               DockAppointment.start <= now + timedelta(minutes=react_minutes())))
    due = []
    for visit, appointment, load in rows:
        fix = shares_gps(load.vehicle_id, now)
        if fix is not None and not on_its_way(fix, site, now):
            due.append((visit, appointment, load))
    return due


def release_no_trips(site: Site, now: datetime) -> list[int]:
    """Release the slots of the site's trucks whose trip has not started; returns their load ids (committed,
    announced, and the trucks behind pulled up)."""
    if not enabled("YARD_NO_TRIP_RELEASE"):
        return []
    due = _due(site, now)
    if not due:
        return []
    released = give_up_slots(due, now, "no_trip", reason="no_trip")
    if released:
        log.info("site %s: trips not started, slots released: %s", site.id, [load.id for _, load, _ in released])
        pull_up_and_announce(site, [(a.dock_id, a.start) for _, _, a in released], now)
    return [load.id for _, load, _ in released]
