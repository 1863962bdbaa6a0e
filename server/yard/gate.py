"""The gate: check a truck in when its pickup authorization holds, refuse and log it when not.

A check-in comes from the driver scanning the gate QR (``check_in``, with the token the
driver app shows and the driver signed in, or the gate keeper typing the token and the plate or
driver seen) or from the truck entering the site's geofence (``on_arrival``, called by the GPS
ingest, which checks the load's stored authorization against the truck that reported). Either way the authorization
must be genuine, unexpired, not revoked and bound to this load, its carrier, its driver and
the plate. A refusal changes nothing but is logged as a ``gate_refused`` event with the
reason, and the site's dashboards see it live. A truck checked in twice stays checked in once.
A truck later than its slot (or a no-show that turns up) is slotted into the next free gap.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.auth.principal import Principal
from server.extensions import db
from server.models import Driver, Event, Load, Site, Vehicle, YardVisit
from server.notify import shipment_notices
from server.yard import authorization, notify
from server.yard.booking import site_staff
from server.yard.engine_input import live_appointment
from server.yard.lateness import is_late, missed_slot, slot_late_arrival
from server.yard.locking import ONE_LIVE_VISIT, lock_rows, violated
from server.yard.queue import announce_queue
from server.yard.refusals import YardRefused
from server.yard.visits import follow, live_visit, open_visit, step

log = logging.getLogger("haul.yard.gate")

INSIDE = ("arrived", "called", "loading", "loaded")
ARRIVING_LOADS = ("assigned", "authorized", "at_pickup")


def driver_of(principal: Principal) -> Driver | None:
    if principal.user_id is None:
        return None
    return db.session.scalar(select(Driver).where(Driver.user_id == principal.user_id,
                                                  Driver.organisation_id == principal.organisation_id))


def _plate(load: Load) -> str | None:
    vehicle = db.session.get(Vehicle, load.vehicle_id) if load.vehicle_id else None
    return vehicle.plate if vehicle else None


def refuse(load: Load, site: Site, reason: str, detail: str, now: datetime, *, via: str, by: int | None,
           plate: str | None) -> YardRefused:
    """Log the refusal (an Event ``gate_refused``), tell the site, and return the refusal to raise."""
    db.session.rollback()
    data = {"reason": reason, "detail": detail, "via": via, "by": by, "plate": plate}
    db.session.add(Event(kind="gate_refused", time=now, load_id=load.id, site_id=site.id,
                         vehicle_id=load.vehicle_id, data=data))
    db.session.commit()
    log.info("gate of site %s refused load %s (%s): %s", site.id, load.id, via, reason)
    notify.load_event("yard.gate_refused", {"load_id": load.id, "site_id": site.id, **data}, load)
    shipment_notices.gate_refused(load, site.organisation_id, site.id, reason)
    return YardRefused("forbidden", reason, detail)


def check_in(principal: Principal, load: Load, token: str, now: datetime, plate: str | None = None,
             driver_id: int | None = None) -> YardVisit:
    """The driver scanned the gate QR (or the gate keeper typed the token); returns the visit.

    The token alone checks nothing in: the plate read at the gate and/or the driver standing there
    (the signed-in driver, or ``driver_id`` given by the gate keeper) must be what the buyer authorized."""
    site = db.session.get(Site, load.pickup_site_id)
    carrier = principal.organisation_id == load.carrier_org_id and principal.can("check_in")
    if not (carrier or site_staff(principal, site)):
        raise YardRefused("forbidden", "not_allowed",
                          _("Only the load's carrier or the site's staff check a truck in."))
    driver = driver_of(principal) if carrier else None
    seen_driver = driver.id if driver else driver_id
    if plate is None and seen_driver is None:
        message = "give the plate or the driver seen at the gate"
        raise YardRefused("invalid", "nothing_presented",
                          _("The token alone checks no truck in: give the plate read at the gate or the "
                            "driver there."), [("plate", message), ("driver_id", message)])
    verdict = authorization.verify(principal, token, load, plate, seen_driver, now)
    if not verdict.valid:
        raise refuse(load, site, verdict.reason or "refused", verdict.detail, now, via="qr", by=principal.user_id,
                     plate=plate)
    return arrive(load, site, now, by=principal.user_id, via="qr", authorization_id=verdict.authorization_id)


def on_arrival(vehicle_id: int, site_id: int, time: datetime) -> YardVisit | None:
    """A truck entered a site's geofence: check in the load it is collecting there, if authorized.

    Returns the visit, or None when the vehicle has no load to collect at the site or its
    authorization does not hold (then a ``gate_refused`` event says why).
    """
    load = db.session.scalar(select(Load).where(Load.vehicle_id == vehicle_id, Load.pickup_site_id == site_id,
                                                Load.status.in_(ARRIVING_LOADS)).order_by(Load.pickup_earliest)
                             .limit(1))
    site = db.session.get(Site, site_id)
    if load is None or site is None:
        return None
    visit = live_visit(load.id)
    if visit is not None and visit.status in INSIDE:
        return visit
    gate = Principal(site.organisation_id, "seller", frozenset({"dock_manager"}), None, "geofence")
    token = authorization.stored_token(load)
    plate = _plate(load)
    if token is None:
        refuse(load, site, "no_authorization", _("The buyer has not authorized a pickup of this load."), time,
               via="geofence", by=None, plate=plate)
        return None
    verdict = authorization.verify(gate, token, load, plate, load.driver_id, time)
    if not verdict.valid:
        refuse(load, site, verdict.reason or "refused", verdict.detail, time, via="geofence", by=None, plate=plate)
        return None
    return arrive(load, site, time, by=None, via="geofence", authorization_id=verdict.authorization_id)


def arrive(load: Load, site: Site, now: datetime, *, by: int | None, via: str,
           authorization_id: int | None) -> YardVisit:
    """Put the truck in the site's queue (idempotent: a truck already inside stays as it is)."""
    lock_rows(Load, [load.id])  # two scans at once check in once
    visit = open_visit(load, now, by)
    if visit.status in INSIDE:
        db.session.commit()
        return visit
    appointment = live_appointment(load.id)
    released = visit.status == "no_show"  # its slot was given up (late past the grace, or its trip never started)
    slot = appointment.start if appointment is not None else missed_slot(visit) if released else None
    step(visit, "arrived", now, by, via=via, slot=slot.isoformat() if slot else None)
    missed, rebooked = appointment, None
    if released or is_late(site, slot, now):  # a passed or given-up slot would jump the queue: the next gap
        rebooked = slot_late_arrival(load, site, appointment, now, by)
        appointment = rebooked or appointment
        visit.history = [*visit.history[:-1], {**visit.history[-1], "late": True,
                                               "new_slot": appointment.start.isoformat() if appointment else None}]
    visit.driver_id, visit.vehicle_id = load.driver_id, load.vehicle_id
    if appointment is not None:
        visit.appointment_id = appointment.id
    follow(visit, load, appointment, now)
    db.session.add(Event(kind="gate_checked_in", time=now, load_id=load.id, site_id=site.id,
                         vehicle_id=load.vehicle_id, data={"via": via, "by": by, "visit_id": visit.id,
                                                           "authorization_id": authorization_id}))
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if not violated(exc, *ONE_LIVE_VISIT):
            raise
        return live_visit(load.id)
    if rebooked is not None:
        notify.appointment_changed(load, rebooked, missed, "late_arrival")
    notify.visit_changed(visit, load)
    announce_queue(site)
    return visit
