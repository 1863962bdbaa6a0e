"""No-shows marked on time at every site, whether or not anyone has a console open (``haul yard sweep``).

The gate console asks for its own site's sweep every minute; this runs it for every site with an
overdue booked truck, so a dock is freed ``no_show_grace_minutes`` after a missed slot even at
night. Each site is swept in its own transaction (``lateness.mark_no_shows`` locks the loads it
marks, so a truck checking in at that moment is never called a no-show).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from server import clock
from server.extensions import db
from server.jobs.periodic import Periodic
from server.models import DockAppointment, Site, YardVisit
from server.yard.lateness import mark_no_shows

log = logging.getLogger("haul.yard.no_shows")


def sites_with_overdue_slots(now: datetime) -> list[int]:
    """Sites with a truck still expected whose slot has started (each site's own grace decides later)."""
    return list(db.session.scalars(
        select(YardVisit.site_id).join(DockAppointment, DockAppointment.id == YardVisit.appointment_id)
        .where(YardVisit.status == "scheduled", DockAppointment.status == "booked", DockAppointment.start <= now)
        .distinct().order_by(YardVisit.site_id)))


def sweep_no_shows(now: datetime) -> dict[int, list[int]]:
    """Mark no-shows at every site; returns the marked load ids by site (sites with none left out)."""
    marked = {}
    for site_id in sites_with_overdue_slots(now):
        try:
            loads = mark_no_shows(db.session.get(Site, site_id), now)
        except Exception:  # one site's failure must not keep the others' docks blocked
            db.session.rollback()
            log.exception("no-show sweep of site %s failed", site_id)
            continue
        if loads:
            marked[site_id] = loads
    return marked


def sweep_once(app) -> dict[int, list[int]]:
    with app.app_context():
        try:
            return sweep_no_shows(clock.now())
        finally:
            db.session.remove()


class NoShowSweeper(Periodic):
    def __init__(self, app, interval_s: float = 60.0):
        super().__init__("no-show-sweeper", interval_s)
        self.app = app

    def step(self) -> None:
        marked = sweep_once(self.app)
        if marked:
            log.info("no-shows marked: %s", marked)
