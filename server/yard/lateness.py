"""Trucks that miss their slot: no-shows free the dock, late arrivals take the next gap.

A booked truck that has not checked in ``no_show_grace_minutes`` after its slot's start is a
no-show (``mark_no_shows``): its visit becomes ``no_show`` and its appointment is cancelled, so
the dock is free for the trucks that did come, and the trucks booked behind it on that dock that can
still be told move up into its time (``pull_up.pull_up_behind``). A truck that checks in later than its slot's
start plus the on-time grace, or after it was marked a no-show, is slotted into the first gap
from now on a dock with its equipment (``next_gap``, ``slot_late_arrival``), instead of jumping
the queue with a slot that has already passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site, YardVisit
from server.yard import notify
from server.yard.booking_rules import rules_of
from server.yard.engine_input import appointments_overlapping, docks_for
from server.yard.locking import lock_rows
from server.yard.pull_up import pull_up_and_announce
from server.yard.refusals import YardRefused
from server.yard.site_time import next_whole_minute
from server.yard.slot_audit import slot_changed
from server.yard.slots import check_slot, slot_step
from server.yard.visits import follow, step

SEARCH_HOURS = 24


def mark_no_shows(site: Site, now: datetime) -> list[int]:
    """Mark the site's overdue booked trucks as no-shows; returns their load ids (committed, announced)."""
    grace = timedelta(minutes=rules_of(site).no_show_grace_minutes)
    rows = list(db.session.execute(
        select(YardVisit, DockAppointment, Load)
        .join(DockAppointment, DockAppointment.id == YardVisit.appointment_id).join(Load, Load.id == YardVisit.load_id)
        .where(YardVisit.site_id == site.id, YardVisit.status == "scheduled", DockAppointment.status == "booked",
               DockAppointment.start <= now - grace)))
    missed = give_up_slots(rows, now, "no_show")
    if not missed:
        return []
    pull_up_and_announce(site, [(appointment.dock_id, now) for _, _, appointment in missed], now)
    return [load.id for _, load, _ in missed]


def give_up_slots(rows, now: datetime, kind: str, **why) -> list[tuple[YardVisit, Load, DockAppointment]]:
    """Mark these booked trucks ``no_show`` and cancel their slots, committed, and tell the parties (``kind``:
    ``no_show``, or ``no_trip`` for a trip that never started; ``why`` goes into the visit's history).

    A check-in may be committing for one of these trucks right now: it holds the load's row (``gate.arrive``),
    so the same locks are taken and each truck looked at again before it loses its slot. Commits also when
    nothing was given up, so the locks are released."""
    lock_rows(Load, [load.id for _, _, load in rows])
    given = []
    for visit, appointment, load in rows:
        db.session.refresh(visit)
        db.session.refresh(appointment)
        if visit.status != "scheduled" or appointment.status != "booked" or visit.appointment_id != appointment.id:
            continue
        step(visit, "no_show", now, None, slot=appointment.start.isoformat(), **why)
        follow(visit, load, appointment, now)
        given.append((visit, load, appointment))
    db.session.commit()
    for visit, load, appointment in given:
        notify.appointment_changed(load, None, appointment, kind)
        notify.visit_changed(visit, load)
    return given


def missed_slot(visit: YardVisit) -> datetime | None:
    """The slot a no-show truck held, from the visit's history."""
    for entry in reversed(visit.history or []):
        if entry.get("status") == "no_show" and entry.get("slot"):
            return datetime.fromisoformat(entry["slot"])
    return None


def is_late(site: Site, slot: datetime | None, now: datetime) -> bool:
    return slot is not None and now > slot + timedelta(minutes=rules_of(site).on_time_grace_minutes)


def next_gap(load: Load, site: Site, now: datetime) -> tuple[Dock, datetime] | None:
    """The earliest (dock, start) from now where the load fits, open and free; None within a day."""
    docks = docks_for(site.id, load)
    if not docks:
        return None
    first = next_whole_minute(now)
    horizon = first + timedelta(hours=SEARCH_HOURS)
    busy = {d.id: [(a.start, a.end) for a in appointments_overlapping([d.id], first, horizon + timedelta(hours=12))
                   if a.load_id != load.id] for d in docks}
    start = first
    while start < horizon:
        for dock in docks:
            if any(s <= start < e for s, e in busy[dock.id]):  # cheap test first: the engine check is not
                continue
            try:
                begin, end = check_slot(load, site, dock, start, now, in_window=False)
            except YardRefused:
                continue
            if all(end <= s or begin >= e for s, e in busy[dock.id]):
                return dock, begin
        start = (start + timedelta(minutes=slot_step())).replace(second=0, microsecond=0)
    return None


def slot_late_arrival(load: Load, site: Site, old: DockAppointment | None, now: datetime,
                      by: int | None) -> DockAppointment | None:
    """Move a late truck's booking to the next gap (inside the caller's transaction); None when none is free."""
    gap = next_gap(load, site, now)
    if gap is None:
        return None
    dock, start = gap
    lock_rows(Dock, [dock.id])
    if old is not None:
        old.status = "cancelled"
        db.session.flush()
    _, end = check_slot(load, site, dock, start, now, in_window=False)
    row = DockAppointment(load_id=load.id, dock_id=dock.id, start=start, end=end, status="booked", frozen=False,
                          booked_by_user_id=by)
    db.session.add(row)
    db.session.flush()
    slot_changed(load, old, row, site=site)
    return row
