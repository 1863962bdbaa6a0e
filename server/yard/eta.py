"""A new ETA for a load: store it and, when it matters, re-plan the pickup site's docks.

``on_eta_changed(load_id, new_eta)`` is the hook for the GPS ingest (which sees the ETA
first) and for dispatchers (``POST /api/v1/loads/{id}/eta``). It re-plans only when the
load holds a slot that may still move and the truck's arrival shifted by at least
``YARD_REPLAN_MIN_SHIFT_MINUTES``, or now falls after its slot's start; GPS jitter thus
costs nothing. A truck now due after its slot's start plus the on-time grace steps back behind the
trucks booked on its dock before its ETA, which move up (``pull_up.step_back_late``, the dock office's
rule); the engine's re-plan is the fallback when that rule is off or finds no place today. Drivers
whose slot moved are told through their inbox and the dashboards. An ETA
that moves past the pickup window's end tells the seller and buyer (``server.tracking.delays``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from server import clock
from server.engines.docks import DockValidationError
from server.extensions import db
from server.models import Load, Site
from server.tracking.delays import pickup_eta_moved
from server.yard.engine_input import PINNED, PLANNABLE, arrival_of, live_appointment
from server.yard.pull_up import step_back_late
from server.yard.refusals import YardRefused
from server.yard.replanning import Change, announce, replan_site

log = logging.getLogger("haul.yard.eta")


def needs_replan(load: Load, before: datetime) -> bool:
    appointment = live_appointment(load.id)
    if appointment is None or appointment.frozen or appointment.status in PINNED or load.status not in PLANNABLE:
        return False
    threshold = timedelta(minutes=int(current_app.config.get("YARD_REPLAN_MIN_SHIFT_MINUTES", 5)))
    after = arrival_of(load)
    return abs(after - before) >= threshold or after > appointment.start


def on_eta_changed(load_id: int, new_eta: datetime, now: datetime | None = None) -> list[Change]:
    """Store the load's new ETA and re-plan its pickup site if needed; returns the appointments that moved.

    Runs in an app context and commits. A re-plan that cannot be applied (the board changed
    at the same moment) keeps the ETA, logs, and leaves the slots as they were.
    """
    now = now or clock.now()
    load = db.session.get(Load, load_id)
    if load is None or new_eta.tzinfo is None:
        return []
    before, previous_eta = arrival_of(load), load.eta
    load.eta = new_eta
    db.session.commit()
    pickup_eta_moved(load, previous_eta, new_eta)  # tells the parties once the truck cannot make the window
    try:
        changes = step_back_late(load, now)
        if changes is None:
            if not needs_replan(load, before):
                db.session.rollback()  # the step back's dock locks
                return []
            changes = replan_site(db.session.get(Site, load.pickup_site_id), changed={load.id}, now=now)
        db.session.commit()
    except (IntegrityError, YardRefused, DockValidationError) as exc:
        db.session.rollback()
        log.warning("re-plan after the ETA of load %s failed: %s", load_id, exc)
        return []
    announce(changes)
    return changes
