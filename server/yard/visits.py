"""The yard visit state machine and what each step does to the load and its appointment.

    requested -> scheduled -> arrived -> called -> loading -> loaded -> departed
    plus no_show (a booked truck that never came) and cancelled.

Every step is appended to ``YardVisit.history`` with its time and author. An illegal step is
a ``conflict`` refusal (HTTP 409). The load follows the visit: arriving moves it to
``at_pickup``, loading to ``loading``, departing to ``in_transit`` (conditional updates, so a
load that moved on by other means, say a geofence exit, is never pulled back).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from server.extensions import db
from server.market.states import sources
from server.models import DockAppointment, Event, Load, YardVisit
from server.yard.refusals import YardRefused
from server.yard.site_time import whole_minute

FLOW: dict[str, frozenset[str]] = {
    "requested": frozenset({"scheduled", "arrived", "cancelled"}),
    # scheduled -> scheduled: the slot was rescheduled or re-planned.
    "scheduled": frozenset({"scheduled", "arrived", "no_show", "cancelled"}),
    "arrived": frozenset({"called", "cancelled"}),
    # called -> arrived: the truck is sent back to the queue (the dock broke down).
    "called": frozenset({"loading", "arrived", "cancelled"}),
    "loading": frozenset({"loaded"}),
    "loaded": frozenset({"departed"}),
    "departed": frozenset(),
    # a truck marked no-show that turns up after all, or is booked again
    "no_show": frozenset({"arrived", "scheduled", "cancelled"}),
    "cancelled": frozenset(),
}
STATUSES = tuple(FLOW)
OVER = ("departed", "cancelled")  # a load has at most one visit that is not over
WAITING = ("arrived",)
AT_DOCK = ("called", "loading", "loaded")
# The load status each visit step moves the load to.
LOAD_STEP = {"arrived": "at_pickup", "loading": "loading", "departed": "in_transit"}
APPOINTMENT_STEP = {"called": "called", "loading": "loading", "loaded": "done", "no_show": "cancelled",
                    "cancelled": "cancelled", "arrived": "booked"}


def can(current: str, target: str) -> bool:
    return target in FLOW.get(current, frozenset())


def step(visit: YardVisit, target: str, now: datetime, by: int | None, **note) -> None:
    """Move ``visit`` to ``target`` and record it; a 409 refusal when the step is illegal."""
    if target not in FLOW:
        raise YardRefused("invalid", "unknown_status", _("Unknown visit status %(target)s.",
                                                         target=repr(target)),
                          [("to", _("must be one of %(value)s", value=', '.join(STATUSES)))])
    if not can(visit.status, target):
        raise YardRefused("conflict", "illegal_transition",
                          _("A visit that is %(status)s cannot become %(target)s.", status=visit.status,
                            target=target),
                          allowed=sorted(FLOW[visit.status]))
    entry = {"status": target, "from": visit.status, "at": now.isoformat(), "by": by}
    entry.update({k: v for k, v in note.items() if v is not None})
    visit.status = target
    visit.history = [*(visit.history or []), entry]  # a new list, so the JSON column sees the change


def live_visit(load_id: int) -> YardVisit | None:
    return db.session.scalar(select(YardVisit).where(YardVisit.load_id == load_id,
                                                     YardVisit.status.not_in(OVER)))


def open_visit(load: Load, now: datetime, by: int | None) -> YardVisit:
    """The load's live visit, or a new one in ``requested`` (flushed, so it has an id)."""
    visit = live_visit(load.id)
    if visit is None:
        visit = YardVisit(load_id=load.id, site_id=load.pickup_site_id, driver_id=load.driver_id,
                          vehicle_id=load.vehicle_id, status="requested",
                          history=[{"status": "requested", "from": None, "at": now.isoformat(), "by": by}])
        db.session.add(visit)
        db.session.flush()
    return visit


def move_load(load: Load, target: str, now: datetime, cause: str) -> bool:
    """Conditionally move the load to ``target``; records a ``status_changed`` event when it moved."""
    previous = load.status
    moved = db.session.execute(update(Load).where(Load.id == load.id, Load.status.in_(sources("load", target)))
                               .values(status=target).execution_options(synchronize_session=False)).rowcount
    if moved:
        db.session.add(Event(kind="status_changed", time=now, load_id=load.id, site_id=load.pickup_site_id,
                             vehicle_id=load.vehicle_id, data={"previous": previous, "status": target,
                                                               "cause": cause}))
        db.session.refresh(load)
    return bool(moved)


def follow(visit: YardVisit, load: Load, appointment: DockAppointment | None, now: datetime) -> bool:
    """Apply the visit's new status to its load and appointment; True when the load status moved."""
    status = visit.status
    if status == "arrived" and visit.arrived_at is None:
        visit.arrived_at = now
    if appointment is not None and status in APPOINTMENT_STEP and appointment.status != "done":
        appointment.status = APPOINTMENT_STEP[status]
        if status == "arrived":  # sent back to the queue: the slot may be re-planned again
            appointment.frozen = False
        if status == "loaded" and appointment.start < now < appointment.end:
            # the dock is free as soon as the truck is loaded (appointments keep whole minutes)
            appointment.end = max(appointment.start + timedelta(minutes=1), whole_minute(now + timedelta(seconds=59)))
        if status in ("no_show", "cancelled"):
            visit.appointment_id = None
    if status in LOAD_STEP:
        return move_load(load, LOAD_STEP[status], now, f"yard_{status}")
    return False
