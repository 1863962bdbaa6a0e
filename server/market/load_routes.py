"""Loads as their parties see them, and the marketplace actions that start from a load:
putting it on the board and assigning the awarded carrier's truck and driver."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import clock
from server.api.common import IdField, PageArgs, page_of, page_schema
from server.approvals.chain import awaiting_approval
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.market.assignment import assign, awarded_carrier
from server.market.bid_rules import TenderTerms
from server.market.fit import assignment_options
from server.market.schemas import (
    TenderIn,
    TenderOut,
    TimeWindowOut,
    answer_refusals,
    window,
)
from server.market.states import LOAD_FLOW
from server.market.tendering import open_tender
from server.market.views import tender_out
from server.models import Load
from server.stops.authorization import awaiting_names
from server.stops.views import buyer_loads_clause, narrow_for_party
from server.tracking.load_state import state_of

blp = Blueprint("loads", __name__, url_prefix="/api/v1/loads", description="Loads and their tendering")
answer_refusals(blp)


class LoadOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    stage = fields.String(metadata={"description": "what people are told (server/tracking/load_state.py): the "
                                                   "status, or at_delivery once the truck arrived there; a "
                                                   "buyer on a multi-drop load: its own stop's (delivered at "
                                                   "its own proof of delivery)"})
    seller_id = fields.Integer(attribute="seller_org_id")
    buyer_id = fields.Integer(attribute="buyer_org_id")
    carrier_id = fields.Integer(attribute="carrier_org_id", allow_none=True)
    pickup_site_id = fields.Integer()
    delivery_site_id = fields.Integer()
    pickup_window = fields.Nested(TimeWindowOut)
    delivery_window = fields.Nested(TimeWindowOut)
    vehicle_type_name = fields.String()
    required_equipment = fields.String()
    weight_kg = fields.Float()
    volume_m3 = fields.Float()
    pallets = fields.Float()
    hazmat_classes = fields.String()
    freight_payer = fields.String(metadata={"description": "seller or buyer: who pays the freight"})
    vehicle_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    price = fields.Float(allow_none=True, metadata={"description": "freight price; seller and carrier only"})
    eta = fields.DateTime(allow_none=True, metadata={"description": "only while the truck is on its way"})
    delivered_at = fields.DateTime(allow_none=True, metadata={
        "description": "a buyer on a multi-drop load: when its own stop's proof of delivery was recorded"})
    created_at = fields.DateTime()
    # Multi-drop loads: the stops the caller may see (a buyer its own); empty for a plain load.
    stops = fields.List(fields.Dict())
    awaiting_authorization = fields.List(fields.String(), metadata={
        "description": "the buyers whose pickup authorization the load still waits for (its seller and "
                       "carrier only; every buyer with a stop on a multi-drop load authorizes its own goods)"})
    awaiting_approval = fields.List(fields.String(), metadata={
        "description": "what of this load awaits an approval chain (award, pickup_authorization): nothing "
                       "downstream proceeds until it is approved"})


class LoadFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(sorted(LOAD_FLOW)))
    role = fields.String(validate=validate.OneOf(["seller", "buyer", "carrier"]),
                         metadata={"description": "only loads where the caller is this party"})


class AssignmentIn(Schema):
    vehicle_id = IdField(required=True)
    driver_id = IdField(required=True)


def load_out(load: Load, principal) -> dict:
    out = {name: getattr(load, name) for name in (
        "id", "reference", "status", "seller_org_id", "buyer_org_id", "carrier_org_id", "pickup_site_id",
        "delivery_site_id", "vehicle_type_name", "required_equipment", "weight_kg", "volume_m3", "pallets",
        "hazmat_classes", "freight_payer", "vehicle_id", "driver_id", "price", "eta", "created_at")}
    state = state_of(load)
    out["stage"], out["eta"] = state.stage, state.eta
    out["pickup_window"] = window(load.pickup_earliest, load.pickup_latest)
    out["delivery_window"] = window(load.delivery_earliest, load.delivery_latest)
    if principal.organisation_id not in (load.seller_org_id, load.carrier_org_id):
        out["price"] = None
    out["awaiting_approval"] = awaiting_approval(load.id)
    # Who still has to authorize the pickup (every buyer on a multi-drop load): its seller and carrier only.
    out["awaiting_authorization"] = awaiting_names(load) if load.status in ("awarded", "assigned") and \
        principal.organisation_id in (load.seller_org_id, load.carrier_org_id) else []
    return narrow_for_party(out, load, principal)


@blp.get("")
@blp.arguments(LoadFilter, location="query")
@blp.response(200, page_schema(LoadOut, "LoadPage"))
def list_loads(args):
    """Loads the caller is a party to (seller, buyer or awarded carrier), newest first."""
    principal = current_principal()
    query = scoped(Load, principal).order_by(Load.id.desc())
    if "status" in args:
        query = query.where(Load.status == args["status"])
    if args.get("role") == "buyer":  # a buyer with a stop on a multi-drop load is a buyer of it
        query = query.where(buyer_loads_clause(principal.organisation_id))
    elif "role" in args:
        query = query.where(getattr(Load, f"{args['role']}_org_id") == principal.organisation_id)
    return page_of(query, args, lambda load: load_out(load, principal))


@blp.get("/<int:load_id>")
@blp.response(200, LoadOut)
def get_load(load_id):
    """One load."""
    principal = current_principal()
    return load_out(get_scoped_or_404(Load, load_id, principal), principal)


@blp.post("/<int:load_id>/tenders")
@blp.arguments(TenderIn)
@blp.response(201, TenderOut)
@require("open_tenders", org_kinds=("seller",), by_department=True)
def post_tender(data, load_id):
    """Put a draft load on the board: grab (fixed price), auction (deadline, ceiling) or sequential."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    require_on(principal, "open_tenders", load)
    radius = data.pop("radius_km")
    data["preferred_carrier_ids"] = tuple(data["preferred_carrier_ids"])
    now = clock.now()
    tender = open_tender(principal, load, TenderTerms(**data), radius, now)
    return tender_out(tender, principal, now)


@blp.post("/<int:load_id>/assignment")
@blp.arguments(AssignmentIn)
@blp.response(200, LoadOut)
@require("assign_trucks", org_kinds=("carrier",))
def post_assignment(data, load_id):
    """The awarded carrier assigns one of its trucks and drivers; the driver is told on the phone."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    return load_out(assign(principal, load, data["vehicle_id"], data["driver_id"], clock.now()), principal)


class ReasonOut(Schema):
    code = fields.String()
    message = fields.String()


class OptionOut(Schema):
    id = fields.Integer()
    plate = fields.String()
    name = fields.String()
    reasons = fields.List(fields.Nested(ReasonOut))


class AssignmentOptionsOut(Schema):
    vehicles = fields.List(fields.Nested(OptionOut))
    drivers = fields.List(fields.Nested(OptionOut))
    unsuitable_vehicles = fields.List(fields.Nested(OptionOut))
    unsuitable_drivers = fields.List(fields.Nested(OptionOut))


@blp.get("/<int:load_id>/assignment-options")
@blp.response(200, AssignmentOptionsOut)
@require("assign_trucks", org_kinds=("carrier",))
def get_assignment_options(load_id):
    """The awarded carrier's trucks and drivers that can take the load (equipment, capacity, free in
    its window, driver hours), and the others, each with its reasons in the caller's language."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    awarded_carrier(principal, load)
    return assignment_options(principal.organisation_id, load)
