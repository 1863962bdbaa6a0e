"""No-shows marked on time at every site, whether or not anyone has a console open (``haul yard sweep``).

The gate console asks for its own site's sweep every minute; this runs it for every site with an
overdue booked truck, so a dock is freed ``no_show_grace_minutes`` after a missed slot even at
night, and for every site with a slot starting within ``YARD_REACT_MINUTES``, whose trucks sharing
GPS but not on their way lose their slot then (``no_trip.release_no_trips``). Each site is swept in
its own transactions (``lateness.mark_no_shows`` and the release lock the loads they mark, so a
truck checking in at that moment is never called a no-show); the trucks behind a freed slot move up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from server import clock
from server.extensions import db
from server.jobs.periodic import Periodic
from server.models import DockAppointment, Site, YardVisit
from server.yard.lateness import mark_no_shows
from server.yard.no_trip import release_no_trips
from server.yard.pull_up import react_minutes

log = logging.getLogger("haul.yard.no_shows")


def sites_with_overdue_slots(now: datetime) -> list[int]:
    """Sites with a truck still expected whose slot has started or starts within the reaction time (each
    site's own grace, and each truck's GPS, decide later)."""
    soon = now + timedelta(minutes=react_minutes())
    return list(db.session.scalars(
        select(YardVisit.site_id).join(DockAppointment, DockAppointment.id == YardVisit.appointment_id)
        .where(YardVisit.status == "scheduled", DockAppointment.status == "booked", DockAppointment.start <= soon)
        .distinct().order_by(YardVisit.site_id)))


def sweep_no_shows(now: datetime) -> dict[int, list[int]]:
    """Release trips not started and mark no-shows at every site; returns the load ids that lost their
    slot, by site (sites with none left out)."""
    marked = {}
    for site_id in sites_with_overdue_slots(now):
        try:
            site = db.session.get(Site, site_id)
            loads = release_no_trips(site, now) + mark_no_shows(site, now)
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
