"""Appointing an independent inspection organisation to a load (``/loads/{id}/inspectors``).

The load's seller or buyer appoints (``appoint_inspectors`` organisation-wide, or held in the load's
department on the caller's side); from then on the inspector sees that load (and only its
appointed loads) and records weigh tickets, seals and samples into its evidence chain under its own
name; withdrawing the appointment ends that at once.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from server import clock
from server.api.common import IdField
from server.audit.trail import record
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import InspectionAppointment, Load, Organisation

blp = Blueprint("inspection", __name__, url_prefix="/api/v1", description="Independent inspection")


class AppointIn(Schema):
    inspector_org_id = IdField(required=True, metadata={"description": "an organisation of kind inspector"})


class InspectionAppointmentOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    inspector_org_id = fields.Integer()
    inspector_name = fields.String()
    appointed_by_org_id = fields.Integer()
    withdrawn_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class InspectionAppointmentList(Schema):
    items = fields.List(fields.Nested(InspectionAppointmentOut))


def _view(row: InspectionAppointment) -> dict:
    out = {name: getattr(row, name) for name in InspectionAppointmentOut().fields if hasattr(row, name)}
    out["inspector_name"] = db.session.get(Organisation, row.inspector_org_id).name
    return out


def _other_party(load: Load, org_id: int) -> int:
    return load.buyer_org_id if org_id == load.seller_org_id else load.seller_org_id


@blp.post("/loads/<int:load_id>/inspectors")
@blp.arguments(AppointIn)
@blp.response(201, InspectionAppointmentOut)
@require("appoint_inspectors", org_kinds=("seller", "buyer"), by_department=True)
def appoint(data, load_id):
    """The load's seller or buyer appoints an inspection organisation (409 when it already is)."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    if principal.organisation_id not in (load.seller_org_id, load.buyer_org_id):
        raise ApiProblem(403, _("Only the load's seller or buyer appoints its inspector."),
                         reason="not_a_party")
    require_on(principal, "appoint_inspectors", load)
    inspector = db.session.get(Organisation, data["inspector_org_id"])
    if inspector is None or inspector.kind != "inspector" or not inspector.active:
        raise ApiProblem(422, _("That is not an inspection organisation."),
                         [("inspector_org_id", _("is not an active organisation of kind inspector"))])
    row = db.session.scalar(select_appointment(load.id, inspector.id))
    if row is not None and row.withdrawn_at is None:
        raise ApiProblem(409, _("This inspector is already appointed to the load."),
                         reason="already_appointed")
    if row is None:
        row = InspectionAppointment(load_id=load.id, inspector_org_id=inspector.id)
        db.session.add(row)
    row.appointed_by_org_id, row.appointed_by_user_id, row.withdrawn_at = (principal.organisation_id,
                                                                            principal.user_id, None)
    db.session.flush()
    record("inspection.appointed", "inspection_appointment", row.id, principal=principal,
           counterparty_org_id=_other_party(load, principal.organisation_id),
           after={"load_id": load.id, "inspector_org_id": inspector.id})
    db.session.commit()
    return _view(row)


def select_appointment(load_id: int, inspector_org_id: int):
    return select(InspectionAppointment).where(InspectionAppointment.load_id == load_id,
                                               InspectionAppointment.inspector_org_id == inspector_org_id)


@blp.get("/loads/<int:load_id>/inspectors")
@blp.response(200, InspectionAppointmentList)
def list_appointments(load_id):
    """The load's inspectors (for its seller, buyer, and the inspector itself)."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    rows = db.session.scalars(scoped(InspectionAppointment, principal).where(InspectionAppointment.load_id == load.id)
                              .order_by(InspectionAppointment.id))
    return {"items": [_view(row) for row in rows]}


@blp.delete("/inspection-appointments/<int:inspection_appointment_id>")
@blp.response(204)
@require("appoint_inspectors", org_kinds=("seller", "buyer"), by_department=True)
def withdraw(inspection_appointment_id):
    """The appointing party withdraws the inspector: it no longer sees the load."""
    principal = current_principal()
    row = get_scoped_or_404(InspectionAppointment, inspection_appointment_id, principal)
    if row.appointed_by_org_id != principal.organisation_id:
        raise ApiProblem(403, _("Only the party that appointed the inspector withdraws it."),
                         reason="not_appointer")
    load = db.session.get(Load, row.load_id)
    require_on(principal, "appoint_inspectors", load)
    row.withdrawn_at = row.withdrawn_at or clock.now()
    record("inspection.withdrawn", "inspection_appointment", row.id, principal=principal,
           counterparty_org_id=_other_party(load, principal.organisation_id))
    db.session.commit()
