"""The virtual yard queue of a site, and calling a truck from it to a dock.

Checked-in trucks wait in one queue per site, ordered by their appointment's start (trucks
without one come after every booked truck), then by arrival, then by visit id. Calling a
truck puts it on the chosen dock from now on: its appointment is pinned there, booked trucks
whose slots it takes are re-planned around it, and a dock held by a truck already called or
loading refuses the call (409). Called without a named dock, a truck goes to its booked dock, or to
a free dock with the right equipment when another truck still holds the booked one. The driver's phone and the dashboards hear of it at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site, Vehicle, YardVisit
from server.yard import notify
from server.yard.engine_input import appointments_overlapping, docks_for, loading_minutes
from server.yard.locking import lock_rows
from server.yard.refusals import YardRefused
from server.yard.replanning import Forced, announce, replan_site
from server.yard.site_time import whole_minute
from server.yard.visits import step

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
IN_YARD = ("arrived", "called", "loading", "loaded")


def _rows(site_id: int) -> list[tuple[YardVisit, DockAppointment | None, Load]]:
    query = (select(YardVisit, DockAppointment, Load)
             .join(Load, Load.id == YardVisit.load_id)
             .outerjoin(DockAppointment, DockAppointment.id == YardVisit.appointment_id)
             .where(YardVisit.site_id == site_id, YardVisit.status.in_(IN_YARD)))
    return [tuple(row) for row in db.session.execute(query)]


def _key(row) -> tuple:
    visit, appointment, _load = row
    return (appointment.start if appointment is not None else FAR_FUTURE, visit.arrived_at or FAR_FUTURE, visit.id)


def queue_entries(site_id: int, now: datetime | None = None) -> list[dict]:
    """Waiting trucks in queue order (with their position), then the trucks at the docks."""
    rows = _rows(site_id)
    waiting = sorted((r for r in rows if r[0].status == "arrived"), key=_key)
    at_docks = sorted((r for r in rows if r[0].status != "arrived"), key=_key)
    plates = {v.id: v.plate for v in db.session.scalars(select(Vehicle).where(
        Vehicle.id.in_([r[0].vehicle_id for r in rows if r[0].vehicle_id])))}
    entries = []
    for position, (visit, appointment, load) in enumerate(waiting, start=1):
        entries.append(_entry(visit, appointment, load, position, plates, now))
    entries += [_entry(visit, appointment, load, None, plates, now) for visit, appointment, load in at_docks]
    return entries


def _entry(visit, appointment, load, position, plates, now) -> dict:
    waited = None
    if now is not None and visit.arrived_at is not None:
        waited = max(0, round((now - visit.arrived_at).total_seconds() / 60))
    return {"visit_id": visit.id, "load_id": load.id, "reference": load.reference, "status": visit.status,
            "position": position, "arrived_at": visit.arrived_at, "waiting_minutes": waited,
            "driver_id": visit.driver_id, "plate": plates.get(visit.vehicle_id),
            "called_dock_id": visit.called_dock_id,
            "appointment": notify.appointment_view(appointment) if appointment is not None else None}


def position_of(visit: YardVisit) -> int | None:
    """1 for the next truck to be called; None when the truck is not waiting."""
    if visit.status != "arrived":
        return None
    for entry in queue_entries(visit.site_id):
        if entry["visit_id"] == visit.id:
            return entry["position"]
    return None


def announce_queue(site: Site) -> None:
    notify.queue_changed(site, queue_entries(site.id))


def free_dock_now(site: Site, load: Load, booked_dock_id: int, now: datetime) -> int:
    """The booked dock when no other truck holds it now; else the first free dock with the load's
    equipment (a truck that came early is not kept waiting while another dock stands empty);
    else the booked dock, whose refusal then says until when it is held."""
    start = whole_minute(now)
    docks = docks_for(site.id, load)
    docks.sort(key=lambda d: d.id != booked_dock_id)  # the booked dock first
    for dock in docks:
        end = start + timedelta(minutes=loading_minutes(site, load, dock))
        held = [row for row in appointments_overlapping([dock.id], start, end)
                if row.load_id != load.id and (row.frozen or row.status != "booked")]
        if not held:
            return dock.id
    return booked_dock_id


def call_to_dock(visit: YardVisit, dock: Dock | None, now: datetime, by: int | None) -> YardVisit:
    """Call a waiting truck to ``dock`` now; commits and tells the driver and the dashboards."""
    load = db.session.get(Load, visit.load_id)
    site = db.session.get(Site, visit.site_id)
    if dock is None or dock.site_id != site.id or not dock.active:
        raise YardRefused("invalid", "unknown_dock", _("That dock is not an active dock of this site."),
                          [("dock_id", _("is not an active dock of the site"))])
    if dock.equipment != load.required_equipment:
        raise YardRefused("invalid", "incompatible_dock",
                          _("Dock %(name)s has %(equipment)s; the load needs %(required_equipment)s.",
                            name=dock.name, equipment=dock.equipment, required_equipment=load.required_equipment),
                          [("dock_id", _("has %(equipment)s, the load needs %(required_equipment)s",
                                         equipment=dock.equipment, required_equipment=load.required_equipment))])
    lock_rows(YardVisit, [visit.id])
    db.session.refresh(visit)
    step(visit, "called", now, by, dock_id=dock.id)
    changes = replan_site(site, forced={load.id: Forced(dock, whole_minute(now), "called")}, now=now)
    appointment = db.session.scalar(select(DockAppointment).where(DockAppointment.load_id == load.id,
                                                                  DockAppointment.status == "called"))
    visit.called_dock_id, visit.appointment_id = dock.id, appointment.id if appointment else None
    db.session.commit()
    notify.called(visit, load, dock, appointment)
    notify.visit_changed(visit, load)
    announce([c for c in changes if c.load.id != load.id], why="replan")
    announce_queue(site)
    return visit
