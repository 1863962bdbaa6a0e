"""Planning a site's day: every truck due that day without a slot gets a compatible dock and a start.

The day is a local date at the site. Loads whose arrival (window opening or ETA) falls on it
and that have no live appointment are handed to the dock engine's ``solve`` with the site's
active docks; appointments already booked (any day, any load) are closed time, so the plan
fits around them. Opening hours run over two local days, so a truck arriving late in the
evening can be booked the next morning.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.engines.common import Limits
from server.engines.docks import build_problem, solve
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site
from server.yard import notify
from server.yard.engine_input import (
    AHEAD,
    PLANNABLE,
    active_docks,
    appointments_overlapping,
    arrival_of,
    busy_minutes,
    duration_policy,
    engine_dock,
    engine_load,
    schedulable,
)
from server.yard.locking import lock_rows
from server.yard.refusals import YardRefused
from server.yard.site_time import Frame, whole_minute, zone_of
from server.yard.slot_audit import slot_changed
from server.yard.visits import can, open_visit, step


def loads_to_plan(site: Site, frame: Frame) -> list[Load]:
    """Loads of ``site`` arriving on the frame's first day that still need a slot."""
    day_end = frame.local(frame.day, "24:00")
    booked = select(DockAppointment.load_id).where(DockAppointment.status.in_(AHEAD))
    rows = db.session.scalars(select(Load).where(
        Load.pickup_site_id == site.id, Load.status.in_(PLANNABLE), Load.id.not_in(booked),
        Load.pickup_latest >= frame.start - timedelta(days=1), Load.pickup_earliest < day_end).order_by(Load.id))
    return [load for load in rows if frame.start <= arrival_of(load) < day_end and schedulable(load)]


def plan_day(site: Site, day: date, now: datetime, limits: Limits | None = None, by: int | None = None) -> dict:
    """Book the day's unbooked trucks; returns a JSON-ready summary (booked, unscheduled, objective)."""
    frame = Frame(zone_of(site), day)
    docks = active_docks(site.id)
    lock_rows(Dock, [dock.id for dock in docks])
    loads = loads_to_plan(site, frame)
    summary = {"site_id": site.id, "day": day.isoformat(), "status": "optimal", "booked": [], "unscheduled": [],
               "objective": None, "seconds": 0.0}
    if not loads:
        db.session.rollback()
        return summary
    busy = busy_minutes(appointments_overlapping([d.id for d in docks], frame.start, frame.end), frame)
    problem = build_problem([engine_dock(d, site, frame, busy[d.id]) for d in docks],
                            [engine_load(load, frame, max(arrival_of(load), whole_minute(now))) for load in loads],
                            durations=duration_policy(site))
    result = solve(problem, limits or Limits(time_limit_s=5.0, threads=1))
    by_id = {load.id: load for load in loads}
    created = []
    for appointment in result.appointments:
        load = by_id[int(appointment.load_id)]
        row = DockAppointment(load_id=load.id, dock_id=int(appointment.dock_id), start=frame.moment(appointment.start),
                              end=frame.moment(appointment.end), status="booked", frozen=False, booked_by_user_id=by)
        db.session.add(row)
        created.append((load, row))
    try:
        db.session.flush()
        for load, row in created:
            visit = open_visit(load, now, by)
            if can(visit.status, "scheduled") and visit.status != "scheduled":
                step(visit, "scheduled", now, by, note="planned")
            visit.appointment_id = row.id
            slot_changed(load, None, row, site=site)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise YardRefused("conflict", "board_changed",
                          _("The dock board changed while planning; plan again.")) from exc
    for load, row in created:
        notify.appointment_changed(load, row, None, "planned")
    parts = result.objective
    summary.update(status=result.status, seconds=result.seconds, booked=[notify.appointment_view(row) for _, row in created],
                   unscheduled=[{"load_id": int(u.load_id), "reason": u.reason} for u in result.unscheduled],
                   objective={"total_waiting_min": parts.total_waiting, "total_lateness_min": parts.total_lateness,
                              "late_trucks": parts.late_trucks, "idle_min": parts.idle})
    return summary
