"""The gate and dock console: one tablet page for a plant's staff (``/console``).

Scan the driver's QR code with the device camera (jsQR from npm, ``static/js/console.js``) or
type the token or plate; see what the buyer authorized or why the truck is refused; check in;
then, per truck, one tap for each step: book or move a slot, call to a dock, start loading,
record the weigh ticket, seal and sample and mark it loaded, and let it depart. Every step goes
through the REST API (the same rules and refusals); the board is a live fragment that every open
console re-fetches when the yard's Socket.IO events arrive. Times are the site's local time with
its zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from server.extensions import db
from server.models import DockAppointment, Driver, Load, Site, YardVisit
from server.web import labels, yard_view
from server.web.context import now, principal_of_kind

blp = Blueprint("console", __name__, url_prefix="/console")
ON_BOARD = ("requested", "scheduled", "no_show", "arrived", "called", "loading", "loaded")
BOOKABLE = ("requested", "scheduled", "no_show", "arrived")
NEXT_STEP = {"called": "loading", "loading": "loaded", "loaded": "departed"}
MAX_CHOICES = 3

# Why a pass is refused, in the reader's language (the API's ``reason`` codes).
REFUSALS = {
    "forged": _l("Forged QR code: its signature is not valid. Do not let the truck in."),
    "malformed": _l("This is not a Haul pickup pass."),
    "expired": _l("The pickup pass has expired. Ask the buyer for a new one."),
    "revoked": _l("The buyer revoked this pickup pass."),
    "unknown": _l("No such pickup pass was issued."),
    "other_site": _l("This pickup pass is for another plant."),
    "not_party": _l("This pickup pass is for another plant."),
    "carrier_not_awarded": _l("The carrier no longer holds this load."),
    "load_not_ready": _l("The load is not ready for pickup."),
    "wrong_plate": _l("The plate does not match the pickup pass."),
    "wrong_driver": _l("The driver does not match the pickup pass."),
    "wrong_load": _l("The pickup pass is for another load."),
    "no_pass_for_plate": _l("No valid pickup pass names this plate at this plant."),
    "nothing_presented": _l("Type the plate seen on the truck."),
    "not_site_staff": _l("Only the plant's staff use this console."),
    "lead_time": _l("Too short notice: the plant's lead time for booking is not met."),
    "too_late_to_reschedule": _l("Too late to move this slot."),
    "too_late_to_cancel": _l("Too late to cancel this slot."),
    "dock_taken": _l("That dock is taken then; pick another slot."),
    "illegal_transition": _l("That step is not possible now; the page has been refreshed."),
}
CONSOLE_STRINGS = {
    "scanning": _l("Point the camera at the driver's QR code…"),
    "no_camera": _l("No camera available: type the token or the plate."),
    "no_code": _l("No QR code found in that picture."),
    "checking": _l("Checking the pass…"),
    "refused": _l("Refused:"),
    "authorized": _l("Authorized by the buyer"),
    "checked_in": _l("Checked in."),
    "check_in_as": _l("Plate {plate} seen: check in"),
    "carrier": _l("Carrier"), "driver": _l("Driver"), "plate": _l("Plate"), "load": _l("Load"),
    "valid_until": _l("Valid until"), "already": _l("Already in the yard:"),
}


def site_clock(value, site: Site) -> str:
    """``value`` in the site's local time with its zone, e.g. ``09:37 CET``."""
    from server.local_times import clock_text
    from server.yard.site_time import zone_of

    return clock_text(value, zone_of(site))


def _site(principal, wanted: int | None) -> Site:
    if not principal.can("operate_gate"):
        abort(403, description=_("The gate console is for the plant's admins, dispatchers and dock managers."))
    site = yard_view.pick_site(yard_view.own_sites(principal), wanted)
    if site is None:
        abort(404, description=_("Your organisation has no site with docks."))
    return site


def _choices(load: Load, site: Site, moment: datetime) -> list[dict]:
    """The next few slots for a truck: from its window, or (late, window gone) the next gap."""
    from server.yard.lateness import next_gap
    from server.yard.slots import offered_slots

    slots = offered_slots(load, site, moment)[:MAX_CHOICES]
    if not slots:
        gap = next_gap(load, site, moment)
        if gap is not None:
            dock, start = gap
            slots = [{"dock_id": dock.id, "dock_name": dock.name, "start": start}]
    return slots


def board(site: Site, moment: datetime) -> dict:
    """The trucks of the site's day: due (booked, not yet here), in the yard, at the docks."""
    from server.yard.queue import queue_entries

    horizon = moment + timedelta(hours=24)
    rows = list(db.session.execute(
        select(YardVisit, Load).join(Load, Load.id == YardVisit.load_id)
        .where(YardVisit.site_id == site.id, YardVisit.status.in_(ON_BOARD)).order_by(YardVisit.id)))
    queue = {e["visit_id"]: e for e in queue_entries(site.id, moment)}
    appointments = {a.id: a for a in db.session.scalars(select(DockAppointment).where(
        DockAppointment.id.in_([v.appointment_id for v, _ in rows if v.appointment_id])))}
    drivers = {d.id: d.name for d in db.session.scalars(select(Driver).where(
        Driver.id.in_([v.driver_id or load.driver_id for v, load in rows if v.driver_id or load.driver_id])))}
    docks = {d.id: d for d in site.docks}
    cards = []
    for visit, load in rows:
        appointment = appointments.get(visit.appointment_id)
        if visit.status in ("requested", "scheduled") and appointment and appointment.start > horizon:
            continue
        entry = queue.get(visit.id, {})
        dock = docks.get(appointment.dock_id) if appointment else None
        cards.append({"visit": visit, "load": load, "appointment": appointment, "position": entry.get("position"),
                      "dock_name": dock.name if dock else None,
                      "waiting_minutes": entry.get("waiting_minutes"), "plate": entry.get("plate"),
                      "driver": drivers.get(visit.driver_id or load.driver_id),
                      "next_step": NEXT_STEP.get(visit.status),
                      "choices": _choices(load, site, moment) if visit.status in BOOKABLE else []})
    order = {"loaded": 0, "loading": 1, "called": 2, "arrived": 3, "scheduled": 4, "no_show": 5, "requested": 6}
    cards.sort(key=lambda c: (order[c["visit"].status], c["position"] or 0,
                              c["appointment"].start if c["appointment"] else horizon))
    return {"site": site, "cards": cards, "docks": [d for d in docks.values() if d.active]}


@blp.get("")
@login_required
def console():
    principal = principal_of_kind("seller")
    site = _site(principal, request.args.get("site", type=int))
    return render_template("console.html", console=board(site, now()), sites=yard_view.own_sites(principal),
                           refusals={k: str(v) for k, v in REFUSALS.items()},
                           console_strings={k: str(v) for k, v in CONSOLE_STRINGS.items()},
                           statuses={k: str(v) for k, v in labels.STATUS.items()})


@blp.get("/<int:site_id>/board")
@login_required
def board_fragment(site_id: int):
    principal = principal_of_kind("seller")
    site = _site(principal, site_id)
    if site.id != site_id:
        abort(404, description=_("Site %(site_id)s was not found.", site_id=site_id))
    return render_template("_console_board.html", console=board(site, now())), 200, {"Cache-Control": "no-store"}


@blp.app_template_filter("site_clock")
def _site_clock(value, site: Site) -> str:
    return site_clock(value, site)
