"""The gate and the yard: check-in, the queue, calling trucks to docks, visit states and metrics."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import clock
from server.api.common import IdField
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.extensions import db
from server.market.pickup_token import MAX_TOKEN_CHARS
from server.models import Dock, DockAppointment, Load, Site, YardVisit
from server.yard import flow, gate, notify
from server.yard.dock_routes import AppointmentOut, DayArgs, day_at
from server.yard.metrics import site_metrics
from server.yard.queue import position_of, queue_entries
from server.yard.refusals import answer_refusals
from server.yard.visits import STATUSES

blp = Blueprint("yard", __name__, url_prefix="/api/v1", description="Gate check-in, yard queue and metrics")
answer_refusals(blp)


class CheckinIn(Schema):
    load_id = IdField(required=True)
    token = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOKEN_CHARS),
                          metadata={"description": "the pickup authorization from the driver's QR code"})
    plate = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "the plate read at the gate"})
    driver_id = IdField(load_default=None, allow_none=True,
                        metadata={"description": "the driver at the gate (a signed-in driver is that driver); "
                                                 "the plate or the driver must be given"})


class VisitOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    site_id = fields.Integer()
    status = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "place in the queue; 1 is next"})
    arrived_at = fields.DateTime(allow_none=True)
    called_dock_id = fields.Integer(allow_none=True)
    called_dock_name = fields.String(allow_none=True, metadata={"description": "what the driver is told to find"})
    driver_id = fields.Integer(allow_none=True)
    vehicle_id = fields.Integer(allow_none=True)
    appointment = fields.Nested(AppointmentOut, allow_none=True)
    history = fields.List(fields.Dict())


class CallIn(Schema):
    dock_id = IdField(load_default=None, allow_none=True,
                      metadata={"description": "default: the dock of the truck's appointment"})


class TransitionIn(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    dock_id = IdField(load_default=None, allow_none=True, metadata={"description": "for 'called' only"})


class QueueEntry(Schema):
    visit_id = fields.Integer()
    load_id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    position = fields.Integer(allow_none=True)
    arrived_at = fields.DateTime(allow_none=True)
    waiting_minutes = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    plate = fields.String(allow_none=True)
    called_dock_id = fields.Integer(allow_none=True)
    appointment = fields.Nested(AppointmentOut, allow_none=True)


class QueueOut(Schema):
    site_id = fields.Integer()
    entries = fields.List(fields.Nested(QueueEntry))


class MetricsOut(Schema):
    site_id = fields.Integer()
    day = fields.String()
    timezone = fields.String()
    waiting = fields.Dict()
    on_time_arrival = fields.Dict()
    docks = fields.List(fields.Dict())


def visit_view(visit: YardVisit) -> dict:
    appointment = db.session.get(DockAppointment, visit.appointment_id) if visit.appointment_id else None
    dock = db.session.get(Dock, visit.called_dock_id) if visit.called_dock_id else None
    return {"id": visit.id, "load_id": visit.load_id, "site_id": visit.site_id, "status": visit.status,
            "position": position_of(visit), "arrived_at": visit.arrived_at, "called_dock_id": visit.called_dock_id,
            "called_dock_name": dock.name if dock else None,
            "driver_id": visit.driver_id, "vehicle_id": visit.vehicle_id,
            "appointment": notify.appointment_view(appointment), "history": visit.history or []}


def _visit(visit_id: int) -> YardVisit:
    return get_scoped_or_404(YardVisit, visit_id, current_principal())


@blp.post("/yard/checkin")
@blp.arguments(CheckinIn)
@blp.response(200, VisitOut)
@require("check_in")
def post_checkin(data):
    """Check a truck in at the gate with its pickup authorization and the plate and/or driver seen there;
    a mismatch answers 403 with the reason (wrong_plate, wrong_driver, ...)."""
    principal = current_principal()
    load = get_scoped_or_404(Load, data["load_id"], principal)
    return visit_view(gate.check_in(principal, load, data["token"], clock.now(), data["plate"], data["driver_id"]))


@blp.get("/yard/visits/<int:visit_id>")
@blp.response(200, VisitOut)
def get_visit(visit_id):
    """A yard visit with the truck's place in the queue and its timestamped history."""
    return visit_view(_visit(visit_id))


@blp.post("/yard/visits/<int:visit_id>/call")
@blp.arguments(CallIn)
@blp.response(200, VisitOut)
@require("operate_gate")
def post_call(data, visit_id):
    """Call a waiting truck to a dock; the driver's phone and the dashboards are told at once."""
    visit = _visit(visit_id)
    return visit_view(flow.call(current_principal(), visit, data["dock_id"], clock.now()))


@blp.post("/yard/visits/<int:visit_id>/transition")
@blp.arguments(TransitionIn)
@blp.response(200, VisitOut)
@require("operate_gate")
def post_transition(data, visit_id):
    """Move a visit to its next state (loading, loaded, departed, no_show, cancelled, ...); illegal steps 409."""
    visit = _visit(visit_id)
    return visit_view(flow.transition(current_principal(), visit, data["to"], clock.now(), data["dock_id"]))


@blp.get("/sites/<int:site_id>/queue")
@blp.response(200, QueueOut)
def get_queue(site_id):
    """The site's virtual queue: waiting trucks by appointment then arrival, then the trucks at docks."""
    site = get_scoped_or_404(Site, site_id, current_principal())
    return {"site_id": site.id, "entries": queue_entries(site.id, clock.now())}


@blp.get("/sites/<int:site_id>/metrics")
@blp.arguments(DayArgs, location="query")
@blp.response(200, MetricsOut)
def get_metrics(args, site_id):
    """Waiting time, dock utilisation and on-time arrival at the site on one local day."""
    site = get_scoped_or_404(Site, site_id, current_principal())
    return site_metrics(site, day_at(site, args), clock.now())
