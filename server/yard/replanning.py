"""Re-planning a site's docks: after an ETA change, or around a truck called to a dock.

The appointments drivers were told form the engine's previous schedule; appointments that
are called or loading (or frozen) are pinned and never move; every other one moves only
when the engine's re-plan says so (each move costs, so few drivers are bothered). A
*forced* placement (a truck called to a dock now) is pinned where the dock manager put it
and the others make room around it. Appointments of other days, past ones and those on
docks out of service are closed time for the engine.

Moved appointments are cancelled and booked anew (cancel all first, then insert), so the
database's no-overlap constraint never sees a half-applied plan. The caller commits and
then tells the drivers (:func:`announce`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from server.engines.common import Limits
from server.engines.docks import Appointment, DockResult, ObjectiveParts, build_problem, replan
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site
from server.yard import notify
from server.yard.engine_input import (
    AHEAD,
    PINNED,
    active_docks,
    appointments_overlapping,
    arrival_of,
    busy_minutes,
    duration_policy,
    engine_dock,
    engine_load,
    live_appointment,
    loading_minutes,
    schedulable,
)
from server.yard.locking import lock_rows
from server.yard.refusals import YardRefused
from server.yard.site_time import Frame, frame_spanning, whole_minute
from server.yard.slot_audit import slot_changed
from server.yard.visits import live_visit


@dataclass(frozen=True)
class Forced:
    """Put ``load`` on ``dock`` from ``start`` (pinned, with ``status``), whatever was planned."""

    dock: Dock
    start: datetime
    status: str = "called"


@dataclass(frozen=True)
class Change:
    load: Load
    old: DockAppointment | None
    new: DockAppointment | None


def _slot(row: DockAppointment, frame: Frame) -> tuple[int, int, int]:
    return row.dock_id, frame.minute(row.start), frame.minute(row.end)


def replan_site(site: Site, *, changed=(), forced: dict[int, Forced] | None = None, now: datetime,
                limits: Limits | None = None) -> list[Change]:
    """Re-plan ``site`` around the ``changed`` load ids and ``forced`` placements; returns what moved."""
    forced = forced or {}
    docks = active_docks(site.id)
    dock_by_id = {dock.id: dock for dock in docks}
    lock_rows(Dock, dock_by_id)  # bookings of these docks wait until this re-plan commits
    focus = {load_id: db.session.get(Load, load_id) for load_id in {*changed, *forced}}
    moments = [now, *(arrival_of(load) for load in focus.values() if load is not None),
               *(f.start for f in forced.values())]
    moments += [row.start for row in map(live_appointment, focus) if row is not None]
    frame = frame_spanning(site, moments)
    rows = appointments_overlapping(dock_by_id, frame.start, frame.end)
    for load_id in focus:  # the focus loads' own appointments, even on a dock now out of service
        row = live_appointment(load_id)
        if row is not None and row not in rows:
            rows.append(row)
    loads = {row.load_id: db.session.get(Load, row.load_id) for row in rows if row.status in AHEAD}
    loads.update({k: v for k, v in focus.items() if v is not None})
    loads = {k: v for k, v in loads.items() if v.pickup_site_id == site.id and schedulable(v)}
    told = {row.load_id: row for row in rows
            if row.load_id in loads and row.status in AHEAD and row.start >= frame.start and row.dock_id in dock_by_id}
    blocks = [row for row in rows if told.get(row.load_id) is not row and row.dock_id in dock_by_id]
    pinned = {k for k, row in told.items() if row.frozen or row.status in PINNED} - forced.keys()
    ends = {k: f.start + timedelta(minutes=loading_minutes(site, loads[k], f.dock)) for k, f in forced.items()}
    _refuse_clashes(forced, ends, [told[k] for k in pinned] + blocks)
    blocks = [row for row in blocks if row.load_id not in forced]

    busy = busy_minutes(blocks, frame)
    engine_docks = [engine_dock(dock, site, frame, busy[dock.id]) for dock in docks]
    engine_loads = [engine_load(load, frame, max(arrival_of(load), whole_minute(now)))
                    for k, load in sorted(loads.items()) if k in told or k in focus]
    previous = [Appointment(str(k), str(row.dock_id), frame.minute(row.start), frame.minute(row.end), 0, 0,
                            k in pinned) for k, row in told.items() if k not in forced]
    previous += [Appointment(str(k), str(f.dock.id), frame.minute(f.start), frame.minute(ends[k]), 0, 0, True)
                 for k, f in forced.items()]
    problem = build_problem(engine_docks, engine_loads, durations=duration_policy(site))
    told_result = DockResult("feasible", ObjectiveParts(0, 0, 0, 0, 0, 0), tuple(previous), (), 0.0)
    limits = limits or Limits(time_limit_s=float(current_app.config.get("YARD_REPLAN_SECONDS", 1.0)), threads=1)
    moving = [str(k) for k in focus if k in loads and k not in pinned and k not in forced]
    outcome = replan(problem, told_result, changed=moving, frozen=[str(k) for k in (*pinned, *forced)], limits=limits)
    plan = {int(a.load_id): (int(a.dock_id), frame.moment(a.start), frame.moment(a.end))
            for a in outcome.result.appointments}
    changes = apply_plan(plan, loads, told, pinned, forced, now)
    for change in changes:
        if change.new is not change.old:
            slot_changed(change.load, change.old, change.new, site=site)
    return changes


def _refuse_clashes(forced: dict[int, Forced], ends: dict[int, datetime], fixed: list[DockAppointment]) -> None:
    """A forced placement may push booked trucks aside, never one that is held (called, loading, done)."""
    for load_id, f in forced.items():
        for row in fixed:
            if row.load_id != load_id and row.dock_id == f.dock.id and row.start < ends[load_id] and f.start < row.end:
                raise YardRefused("conflict", "dock_busy",
                                  _("Dock %(name)s is held until %(end)s.", name=f.dock.name,
                                    end=row.end.isoformat()),
                                  busy_until=row.end.isoformat())


def apply_plan(plan, loads, told, pinned, forced, now: datetime) -> list[Change]:
    """Cancel every appointment that moved, then book the new ones; returns the changes.

    ``plan`` maps each of ``loads`` (load id -> Load) to its new (dock id, start, end), or leaves it out to
    cancel it; ``told`` are their live appointments. Also applies the dock office's moves (``pull_up.py``).
    """
    changes: list[tuple[Load, DockAppointment | None, tuple]] = []
    for load_id, load in sorted(loads.items()):
        if load_id in pinned:
            continue
        old, new = told.get(load_id), plan.get(load_id)
        if old is not None and new is not None and (old.dock_id, old.start, old.end) == new:
            if load_id in forced and old.status != forced[load_id].status:
                old.status, old.frozen = forced[load_id].status, True
                changes.append((load, None, ()))
            continue
        if old is None and new is None:
            continue
        changes.append((load, old, new))
    for _appointment, old, _new in changes:
        if old is not None:
            old.status = "cancelled"
    db.session.flush()
    result = []
    for load, old, new in changes:
        if new == ():  # only the status changed
            result.append(Change(load, told[load.id], told[load.id]))
            continue
        row = None
        if new is not None:
            fixed = forced.get(load.id)
            row = DockAppointment(load_id=load.id, dock_id=new[0], start=new[1], end=new[2],
                                  status=fixed.status if fixed else "booked", frozen=fixed is not None)
            db.session.add(row)
        result.append(Change(load, old, row))
    db.session.flush()
    for change in result:
        visit = live_visit(change.load.id)
        if visit is not None:
            visit.appointment_id = change.new.id if change.new is not None else None
    return result


def announce(changes: list[Change], why: str = "replan") -> None:
    """Tell each driver whose slot moved (after the commit)."""
    for change in changes:
        if change.new is not change.old:
            notify.appointment_changed(change.load, change.new, change.old, why)
