"""Moving a yard visit through its states on a dock manager's word (``POST .../transition``).

``called`` goes through :func:`server.yard.queue.call_to_dock` (it needs a dock); every other
step is checked by the state machine in ``visits``, applied to the load and its appointment,
committed, and announced to the load's parties, the site's queue board and the driver.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from server.auth.principal import Principal
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site, YardVisit
from server.yard import notify
from server.yard.booking import site_staff
from server.yard.engine_input import live_appointment
from server.yard.locking import lock_rows
from server.yard.queue import announce_queue, call_to_dock, free_dock_now, position_of
from server.yard.refusals import YardRefused
from server.yard.visits import follow, step


def require_site_staff(principal: Principal, visit: YardVisit) -> Site:
    site = db.session.get(Site, visit.site_id)
    if not site_staff(principal, site):
        raise YardRefused("forbidden", "not_site_staff",
                          _("Only the site's admins, dispatchers and dock managers move trucks in its yard."))
    return site


def call(principal: Principal, visit: YardVisit, dock_id: int | None, now: datetime) -> YardVisit:
    """Call the truck to ``dock_id``; unnamed, to its booked dock, or to a free one when that is held."""
    site = require_site_staff(principal, visit)
    if dock_id is None:
        appointment = live_appointment(visit.load_id)
        if appointment is None:
            raise YardRefused("invalid", "dock_required", _("The truck has no appointment: name the dock."),
                              [("dock_id", _("is required when the truck has no appointment"))])
        dock_id = free_dock_now(site, db.session.get(Load, visit.load_id), appointment.dock_id, now)
    return call_to_dock(visit, db.session.get(Dock, dock_id), now, principal.user_id)


def transition(principal: Principal, visit: YardVisit, target: str, now: datetime,
               dock_id: int | None = None) -> YardVisit:
    """Apply one step of the visit state machine; a 409 refusal when the step is illegal."""
    site = require_site_staff(principal, visit)
    if target == "called":
        return call(principal, visit, dock_id, now)
    if target == "arrived" and visit.status != "called":
        raise YardRefused("conflict", "check_in_at_gate",
                          _("A truck arrives through the gate check-in, which verifies its pickup "
                            "authorization."))
    lock_rows(YardVisit, [visit.id])
    db.session.refresh(visit)
    step(visit, target, now, principal.user_id)
    load = db.session.get(Load, visit.load_id)
    appointment = db.session.get(DockAppointment, visit.appointment_id) if visit.appointment_id else None
    follow(visit, load, appointment, now)
    db.session.commit()
    notify.visit_changed(visit, load, position_of(visit))
    announce_queue(site)
    return visit
