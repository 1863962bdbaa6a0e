"""Dock slots and appointments: offered slots, booking, ETA updates, and planning a site's day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from server import clock
from server.api.common import IdField
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.engines.common import Limits
from server.errors import ApiProblem
from server.extensions import db
from server.jobs.runner import submit
from server.models import Dock, Event, Load, Site
from server.yard import booking, notify
from server.yard import jobs as _jobs  # noqa: F401  (registers the docks.* job kinds)
from server.yard.booking_rules import rules_of
from server.yard.day_plan import plan_day
from server.yard.engine_input import appointments_overlapping, arrival_of, live_appointment
from server.yard.eta import on_eta_changed
from server.yard.refusals import YardRefused, answer_refusals
from server.yard.site_time import Frame, local_day, zone_of
from server.yard.slots import offered_slots

blp = Blueprint("docks", __name__, url_prefix="/api/v1", description="Dock slots and appointments")
answer_refusals(blp)

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)


def sane_day(value: date) -> None:
    if not EARLIEST <= value < LATEST:
        raise ValidationError(_("must be a date from 2000 to 2099"))


def sane_time(value: datetime) -> None:
    sane_day(value.date())


def Moment(**kwargs) -> fields.AwareDateTime:  # noqa: N802 (reads like a field class)
    """A timezone-aware time between 2000 and 2099 (naive times would shift a slot by hours)."""
    return fields.AwareDateTime(validate=sane_time, **kwargs)


class SlotWindow(Schema):
    earliest = fields.DateTime()
    latest = fields.DateTime()


class SlotOut(Schema):
    dock_id = fields.Integer()
    dock_name = fields.String()
    equipment = fields.String()
    start = fields.DateTime()
    end = fields.DateTime()


class SlotsOut(Schema):
    load_id = fields.Integer()
    window = fields.Nested(SlotWindow)
    arrival = fields.DateTime(metadata={"description": "earliest start: the window opening or the later ETA"})
    current = fields.Dict(allow_none=True, metadata={"description": "the load's live appointment"})
    slots = fields.List(fields.Nested(SlotOut))


class AppointmentIn(Schema):
    dock_id = IdField(required=True)
    start = Moment(required=True)


class AppointmentOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    dock_id = fields.Integer()
    dock_name = fields.String(allow_none=True)
    start = fields.String()
    end = fields.String()
    status = fields.String(metadata={"description": "booked called loading done cancelled"})
    frozen = fields.Boolean()


class EtaIn(Schema):
    eta = Moment(required=True)


class EtaOut(Schema):
    load_id = fields.Integer()
    eta = fields.DateTime()
    appointment = fields.Nested(AppointmentOut, allow_none=True)
    moved = fields.List(fields.Dict(), metadata={"description": "appointments the re-plan moved"})


class PlanIn(Schema):
    day = fields.Date(required=True, validate=sane_day, metadata={"description": "local date at the site"})
    background = fields.Boolean(load_default=False, metadata={"description": "run as a job and answer 202"})
    time_limit_s = fields.Float(load_default=5.0, validate=validate.Range(min=0.2, max=120))


class PlanOut(Schema):
    site_id = fields.Integer()
    day = fields.String()
    status = fields.String()
    booked = fields.List(fields.Nested(AppointmentOut))
    unscheduled = fields.List(fields.Dict())
    objective = fields.Dict(allow_none=True)
    seconds = fields.Float()
    job_id = fields.Integer()


class DayArgs(Schema):
    day = fields.Date(load_default=None, validate=sane_day, metadata={"description": "local date; default today"})


def day_at(site: Site, args: dict) -> date:
    """The asked local day at ``site``, or today there."""
    return args.get("day") or local_day(zone_of(site), clock.now())


class BoardOut(Schema):
    site_id = fields.Integer()
    day = fields.String()
    appointments = fields.List(fields.Nested(AppointmentOut))


def _load(load_id: int) -> Load:
    return get_scoped_or_404(Load, load_id, current_principal())


@blp.get("/loads/<int:load_id>/slots")
@blp.response(200, SlotsOut)
def get_slots(load_id):
    """Free dock slots inside the load's arrival window, at docks with its equipment (for the carrier, none
    inside the site's booking lead time)."""
    load = _load(load_id)
    site = db.session.get(Site, load.pickup_site_id)
    now = clock.now()
    slots = offered_slots(load, site, now)
    if not booking.site_staff(current_principal(), site):  # the carrier is offered only what it may book
        earliest = now + timedelta(minutes=rules_of(site).lead_minutes)
        slots = [slot for slot in slots if slot["start"] >= earliest]
    return {"load_id": load.id, "window": {"earliest": load.pickup_earliest, "latest": load.pickup_latest},
            "arrival": arrival_of(load), "current": notify.appointment_view(live_appointment(load.id)),
            "slots": slots}


@blp.get("/loads/<int:load_id>/appointment")
@blp.response(200, AppointmentOut)
def get_appointment(load_id):
    """The load's live appointment (booked, called or loading)."""
    appointment = live_appointment(_load(load_id).id)
    if appointment is None:
        raise ApiProblem(404, _("Load %(load_id)s has no appointment.", load_id=load_id))
    return notify.appointment_view(appointment)


@blp.post("/loads/<int:load_id>/appointment")
@blp.arguments(AppointmentIn)
@blp.response(201, AppointmentOut)
@require("book_slots", by_department=True)
def post_appointment(data, load_id):
    """Book or move the load's slot: the carrier within its window and the reschedule cut-off, the site's staff
    anywhere the dock is open. Overlap answers 409; closed hours or the wrong equipment 422."""
    appointment = booking.book(current_principal(), _load(load_id), data["dock_id"], data["start"], clock.now())
    return notify.appointment_view(appointment)


@blp.delete("/loads/<int:load_id>/appointment")
@blp.response(200, AppointmentOut)
@require("book_slots", by_department=True)
def delete_appointment(load_id):
    """Cancel the load's slot (same rules as a reschedule)."""
    return notify.appointment_view(booking.cancel(current_principal(), _load(load_id), clock.now()))


@blp.post("/loads/<int:load_id>/eta")
@blp.arguments(EtaIn)
@blp.response(200, EtaOut)
@require("book_slots", by_department=True)
def post_eta(data, load_id):
    """Report the truck's new ETA; the pickup site's docks are re-planned and moved drivers told."""
    principal = current_principal()
    load = _load(load_id)
    site = db.session.get(Site, load.pickup_site_id)
    if not (booking.carrier_staff(principal, load) or booking.slot_staff(principal, site)):
        raise YardRefused("forbidden", "not_allowed",
                          _("Only the load's carrier or the pickup site's staff set its ETA."))
    now = clock.now()
    db.session.add(Event(kind="eta_changed", time=now, load_id=load.id, site_id=site.id, vehicle_id=load.vehicle_id,
                         data={"eta": data["eta"].isoformat(), "source": "api", "by": principal.user_id}))
    changes = on_eta_changed(load.id, data["eta"], now)
    db.session.refresh(load)
    moved = [{"load_id": c.load.id, "appointment": notify.appointment_view(c.new),
              "previous": notify.appointment_view(c.old)} for c in changes if principal_sees(c.load, principal)]
    return {"load_id": load.id, "eta": load.eta, "appointment": notify.appointment_view(live_appointment(load.id)),
            "moved": moved}


def principal_sees(load: Load, principal) -> bool:
    site = db.session.get(Site, load.pickup_site_id)
    return principal.organisation_id in (load.seller_org_id, load.buyer_org_id, load.carrier_org_id,
                                         site.organisation_id if site else None)


@blp.post("/sites/<int:site_id>/schedule")
@blp.arguments(PlanIn)
@blp.response(200, PlanOut)
@blp.alt_response(202, schema=PlanOut, description="Submitted as a job (background=true)")
@require("manage_docks", by_department=True)
def post_schedule(data, site_id):
    """Plan the site's day: every truck due then without a slot gets a dock and a start (CP-SAT)."""
    principal = current_principal()
    site = get_scoped_or_404(Site, site_id, principal)
    require_on(principal, "manage_docks", site)
    if data["background"]:
        job = submit("docks.plan_day", principal.organisation_id,
                     {"site_id": site.id, "day": data["day"].isoformat(), "by": principal.user_id},
                     time_limit_s=data["time_limit_s"])
        return {"site_id": site.id, "day": data["day"].isoformat(), "status": "queued", "job_id": job.id}, 202
    return plan_day(site, data["day"], clock.now(), Limits(time_limit_s=data["time_limit_s"], threads=1),
                    by=principal.user_id)


@blp.get("/sites/<int:site_id>/appointments")
@blp.arguments(DayArgs, location="query")
@blp.response(200, BoardOut)
def get_board(args, site_id):
    """The site's dock board for one local day: every appointment that is not cancelled."""
    site = get_scoped_or_404(Site, site_id, current_principal())
    day = day_at(site, args)
    frame = Frame(zone_of(site), day, days=1)
    docks = db.session.scalars(select(Dock.id).where(Dock.site_id == site.id)).all()
    appointments = [notify.appointment_view(a) for a in appointments_overlapping(docks, frame.start, frame.end)]
    return {"site_id": site.id, "day": day.isoformat(), "appointments": appointments}
