"""Booking, rescheduling and cancelling a load's dock appointment, under the plant's rules.

The load's carrier books one of the slots offered for it: inside its arrival window, inside
the dock's opening hours, on a dock with the right equipment, at least the site's lead time
ahead. It may move or cancel the booking until the site's cut-offs before the slot
(``booking_rules``), and never once the truck has been called. Staff of the site's
organisation (admin, dispatcher, dock manager) override the window, lead time and cut-offs. Two appointments never overlap on a dock: the
booking holds the dock's write lock while it checks, and the database refuses an overlap
even if that check were skipped.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from server.auth.object_permissions import allowed
from server.auth.principal import Principal
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site
from server.yard import notify
from server.yard.booking_rules import check_cancel_cutoff, check_lead_time, check_move_cutoff, rules_of
from server.yard.engine_input import PINNED, PLANNABLE, appointments_overlapping, live_appointment
from server.yard.locking import ONE_LIVE_APPOINTMENT, is_overlap, lock_rows, violated
from server.yard.refusals import YardRefused
from server.yard.slot_audit import slot_changed
from server.yard.slots import check_slot
from server.yard.visits import live_visit, open_visit, step


def site_staff(principal: Principal, site: Site | None) -> bool:
    """The site's own people managing its docks: ``manage_docks`` organisation-wide or in the site's department."""
    return site is not None and principal.organisation_id == site.organisation_id and allowed(principal, "manage_docks",
                                                                                              site)


def slot_staff(principal: Principal, site: Site | None) -> bool:
    """The site's staff who also book slots there (the slot endpoints let a department's holder through)."""
    return site_staff(principal, site) and allowed(principal, "book_slots", site)


def carrier_staff(principal: Principal, load: Load) -> bool:
    return principal.organisation_id == load.carrier_org_id and principal.can("book_slots")


def _allowed(principal: Principal, load: Load, site: Site) -> bool:
    """True for the site's staff (who may override), False for the load's carrier, else a 403."""
    if slot_staff(principal, site):
        return True
    if carrier_staff(principal, load):
        return False
    raise YardRefused("forbidden", "not_allowed",
                      _("Only the load's carrier or the staff of its pickup site manage its dock slot."))


def _may_change(old: DockAppointment | None, manager: bool, now: datetime, site: Site, *, cancelling: bool) -> None:
    if old is None:
        return
    if old.status in PINNED:
        raise YardRefused("conflict", "already_called",
                          _("The truck has been called to the dock; the slot is fixed."))
    if not manager:
        (check_cancel_cutoff if cancelling else check_move_cutoff)(rules_of(site), old.start, now)


def book(principal: Principal, load: Load, dock_id: int, start: datetime, now: datetime) -> DockAppointment:
    """Book (or move) the load's appointment to ``dock_id`` at ``start``; returns the new appointment."""
    site = db.session.get(Site, load.pickup_site_id)
    manager = _allowed(principal, load, site)
    if load.status not in PLANNABLE:
        raise YardRefused("conflict", "load_not_bookable", _("A load that is %(status)s takes no dock slot.",
                                                             status=load.status))
    dock = db.session.get(Dock, dock_id)
    start, end = check_slot(load, site, dock, start, now, in_window=not manager)
    if not manager:
        check_lead_time(rules_of(site), start, now)
    lock_rows(Dock, [dock.id])
    old = live_appointment(load.id)
    _may_change(old, manager, now, site, cancelling=False)
    clash = [a for a in appointments_overlapping([dock.id], start, end) if a.load_id != load.id]
    if clash:
        db.session.rollback()
        raise YardRefused("conflict", "dock_taken",
                          _("Dock %(name)s is taken from %(start)s to %(end)s.", name=dock.name,
                            start=clash[0].start.isoformat(), end=clash[0].end.isoformat()),
                          [("start", _("overlaps another appointment on this dock"))],
                          taken_from=clash[0].start.isoformat(), taken_until=clash[0].end.isoformat())
    row = DockAppointment(load_id=load.id, dock_id=dock.id, start=start, end=end, status="booked", frozen=False,
                          booked_by_user_id=principal.user_id)
    try:
        if old is not None:
            old.status = "cancelled"
            db.session.flush()
        db.session.add(row)
        db.session.flush()
        visit = open_visit(load, now, principal.user_id)
        if visit.status in ("requested", "scheduled", "no_show"):
            step(visit, "scheduled", now, principal.user_id, note="rescheduled" if old else "booked")
        visit.appointment_id = row.id
        slot_changed(load, old, row, principal=principal)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if is_overlap(exc) or violated(exc, *ONE_LIVE_APPOINTMENT):
            raise YardRefused("conflict", "dock_taken",
                              _("Another booking was faster; pick another slot.")) from exc
        raise
    notify.appointment_changed(load, row, old, "moved" if old is not None and manager else
                               "rescheduled" if old is not None else "booked")
    return row


def cancel(principal: Principal, load: Load, now: datetime) -> DockAppointment:
    """Cancel the load's live appointment (same rules as a reschedule); returns the cancelled row."""
    site = db.session.get(Site, load.pickup_site_id)
    manager = _allowed(principal, load, site)
    old = live_appointment(load.id)
    if old is None:
        raise YardRefused("not_found", "no_appointment", _("The load has no appointment to cancel."))
    _may_change(old, manager, now, site, cancelling=True)
    old.status = "cancelled"
    visit = live_visit(load.id)
    if visit is not None:
        visit.appointment_id = None
        if visit.status in ("requested", "scheduled", "no_show"):
            step(visit, "cancelled", now, principal.user_id, note="booking cancelled")
    slot_changed(load, old, None, principal=principal)
    db.session.commit()
    notify.appointment_changed(load, None, old, "cancelled")
    return old
