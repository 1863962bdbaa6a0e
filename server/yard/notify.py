"""Live news from the yard: Socket.IO for dashboards, the MQTT inbox for drivers.

Event names (Socket.IO): ``yard.appointment`` (booked, moved, cancelled), ``yard.visit``
(a visit changed state), ``yard.queue`` (a site's queue changed), ``yard.call`` (a truck
called to a dock), ``yard.gate_refused``, ``yard.weight_exception``, ``yard.evidence``.
Dashboards get them in the rooms of the site's organisation and of the load's carrier; the
load's room gets them too, and on a multi-drop load each stop buyer's room (they are about the pickup,
which every buyer on the load follows). Drivers get ``appointment``, ``replan``, ``queue`` and
``dock_call`` messages in their inbox. Booking changes (``dock_scheduled``, ``dock_rescheduled``)
and calls (``called``) are also published as notifications and webhook events to the site's
organisation and the carrier (a whole day plan is not: it would be one event per load).
Every appointment carries its times as ISO UTC plus the site's zone and local times.
Everything is sent after the commit, so nobody is told of a change that was rolled back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.extensions import db, socketio
from server.local_times import stamp, zone
from server.models import Dock, DockAppointment, Load, LoadStop, Site, YardVisit
from server.notify import shipment_notices
from server.realtime import driver_inbox, emit_to_load, emit_to_orgs, stop_room

# why a slot changed -> the notification kind (None: not published, see the module's doc)
PUBLISHED = {"booked": "dock_scheduled", "rescheduled": "dock_rescheduled", "moved": "dock_rescheduled",
             "replan": "dock_rescheduled", "cancelled": "dock_rescheduled", "planned": None}


def _iso(value):
    return value.isoformat() if value is not None else None


def plain(value):
    """``value`` with every datetime as ISO text, so Socket.IO can encode it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def appointment_view(appointment: DockAppointment | None, dock: Dock | None = None) -> dict | None:
    if appointment is None:
        return None
    dock = dock or db.session.get(Dock, appointment.dock_id)
    site = db.session.get(Site, dock.site_id) if dock is not None else None
    tz = zone(site.timezone if site is not None else None)
    return {"id": appointment.id, "load_id": appointment.load_id, "dock_id": appointment.dock_id,
            "dock_name": dock.name if dock else None, "start": _iso(appointment.start), "end": _iso(appointment.end),
            "timezone": tz.key, "start_local": stamp(appointment.start, tz)["local"],
            "end_local": stamp(appointment.end, tz)["local"], "abbr": stamp(appointment.start, tz)["abbr"],
            "status": appointment.status,
            "frozen": appointment.frozen}


def _orgs(load: Load, site: Site | None = None) -> list[int]:
    site = site or db.session.get(Site, load.pickup_site_id)
    return [org for org in (site.organisation_id if site else None, load.seller_org_id, load.carrier_org_id)
            if org is not None]


def send(event: str, payload: dict, load: Load, site: Site | None = None) -> None:
    payload = plain(payload)
    emit_to_load(event, payload, load.id)
    for buyer in stop_buyers(load.id):
        socketio.emit(event, payload, to=stop_room(load.id, buyer))
    emit_to_orgs(event, payload, _orgs(load, site))


def stop_buyers(load_id: int) -> list[int]:
    """The buyers with a delivery stop on a multi-drop load (none on a plain load)."""
    return sorted(set(db.session.scalars(select(LoadStop.buyer_org_id).where(
        LoadStop.load_id == load_id, LoadStop.kind == "delivery", LoadStop.buyer_org_id.is_not(None)))))


def tell_driver(load: Load, kind: str, payload: dict) -> None:
    """The driver's inbox gets ``payload`` with the pickup site's zone, to show times on the plant's clock."""
    if load.driver_id is not None:
        site = db.session.get(Site, load.pickup_site_id)
        driver_inbox.send(load.driver_id, kind, {**plain(payload),
                                                 "site_timezone": zone(site.timezone if site else None).key})


def appointment_changed(load: Load, new: DockAppointment | None, old: DockAppointment | None, why: str) -> None:
    """A booking was made, moved by a re-plan or a manager, or cancelled; its driver is told."""
    payload = {"load_id": load.id, "reference": load.reference, "why": why,
               "appointment": appointment_view(new), "previous": appointment_view(old)}
    send("yard.appointment", payload, load)
    kind = "replan" if why in ("replan", "moved") else "appointment"
    tell_driver(load, kind, payload)
    published = PUBLISHED.get(why, "dock_rescheduled")
    if published is not None:
        site = db.session.get(Site, load.pickup_site_id)
        shipment_notices.slot_changed(load, site.organisation_id if site else None, why,
                                      new.start if new is not None else None,
                                      details={**plain(payload), "site_timezone": zone(site.timezone if site else None).key})


def visit_changed(visit: YardVisit, load: Load, position: int | None = None) -> None:
    payload = {"visit_id": visit.id, "load_id": load.id, "site_id": visit.site_id, "status": visit.status,
               "position": position, "called_dock_id": visit.called_dock_id,
               "at": visit.history[-1]["at"] if visit.history else None}
    send("yard.visit", payload, load)
    site = db.session.get(Site, visit.site_id)
    shipment_notices.visit_step(load, site.organisation_id if site else None, visit.status)


def queue_changed(site: Site, entries: list[dict]) -> None:
    """The site's dashboards get the whole queue; each waiting driver gets their own position."""
    emit_to_orgs("yard.queue", plain({"site_id": site.id, "queue": entries}), [site.organisation_id])
    for entry in entries:
        if entry.get("driver_id") is not None and entry.get("position") is not None:
            driver_inbox.send(entry["driver_id"], "queue", {"site_id": site.id, "visit_id": entry["visit_id"],
                                                            "load_id": entry["load_id"], "position": entry["position"]})


def called(visit: YardVisit, load: Load, dock: Dock, appointment: DockAppointment | None) -> None:
    payload = {"visit_id": visit.id, "load_id": load.id, "site_id": visit.site_id, "dock_id": dock.id,
               "dock_name": dock.name, "appointment": appointment_view(appointment, dock)}
    send("yard.call", payload, load)
    tell_driver(load, "dock_call", payload)


def load_event(event: str, payload: dict, load: Load) -> None:
    send(event, payload, load)
