"""Load plans (preview, then commit) and route plans (a background job, then commit)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import clock
from server.api.common import IdField
from server.approvals.chain import pending_for
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.extensions import db
from server.jobs.routes import JobOut
from server.jobs.runner import submit
from server.models import Job, Route, RouteStop
from server.planning import load_plans, plan_approval, route_plans
from server.planning.outcome_words import job_result_in_readers_words, with_reasons

blp = Blueprint("planning", __name__, url_prefix="/api/v1", description="Load building and route planning")

positive = validate.Range(min=0, min_inclusive=False, max=1e6)


class VehicleTypeChoice(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    max_weight_kg = fields.Float(required=True, validate=positive)
    max_volume_m3 = fields.Float(required=True, validate=positive)
    pallet_positions = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    cost = fields.Float(required=True, validate=positive)
    count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000))
    equipment = fields.String(load_default="pallet_dock",
                              validate=validate.OneOf(["pallet_dock", "liquid_arm", "bulk_chute", "side_loader"]))


class LoadPlanIn(Schema):
    order_ids = fields.List(IdField(), required=True, validate=validate.Length(min=1, max=500))
    vehicle_types = fields.List(fields.Nested(VehicleTypeChoice), load_default=None,
                                validate=validate.Length(min=1, max=20))
    max_stops = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=20))
    max_stop_distance_km = fields.Float(load_default=None, allow_none=True,
                                        validate=validate.Range(min=0, min_inclusive=False, max=2000))
    time_limit_s = fields.Float(load_default=5.0, validate=validate.Range(min=0.2, max=30))
    seed = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))


def _plan_in_readers_words(job) -> dict | None:
    """The stored plan with each unplaced line's ``reason`` in the caller's language (from its ``code``)."""
    result = job_result_in_readers_words("load_plan", job.result)
    return result.get("plan") if isinstance(result, dict) else None


class LoadPlanOut(Schema):
    id = fields.Integer()
    status = fields.String()
    plan = fields.Function(_plan_in_readers_words, metadata={
        "type": "object", "description": "loads and unplaced lines; an unplaced line's `reason` is in the caller's "
                                         "language, its `code`, `part`, `dimension`, `needed` and `largest` never change"})
    committed_at = fields.String(attribute="params.committed_at", allow_none=True)
    rejected_at = fields.String(attribute="params.rejected_at", allow_none=True,
                                metadata={"description": "when the seller's approval chain rejected the commit"})


class CommittedLoads(Schema):
    plan_id = fields.Integer()
    load_ids = fields.List(fields.Integer())
    approval_id = fields.Integer(allow_none=True, metadata={
        "description": "the seller's approval request when the plan crossed its truck-count rule: the loads are "
                       "awaiting_approval (not tenderable) until it is approved; a rejection cancels them"})


class RoutePlanIn(Schema):
    load_ids = fields.List(IdField(), required=True, validate=validate.Length(min=1, max=1000))
    vehicle_ids = fields.List(IdField(), required=True, validate=validate.Length(min=1, max=500))
    depot_site_id = IdField(load_default=None, allow_none=True)
    objective = fields.String(load_default="distance", validate=validate.OneOf(["distance", "hierarchical", "cost"]))
    time_limit_s = fields.Float(load_default=10.0, validate=validate.Range(min=1, max=300))
    # Loads whose assigned truck and booked dock slot the plan may change; all others keep theirs.
    free = fields.List(IdField(), load_default=list, validate=validate.Length(max=1000))
    # Where this plan's routes end, for every truck (none: each truck's own ``route_end``) ...
    route_end = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["depot", "open"]))
    # ... and per vehicle id, overriding both: "depot" or "open" (at the last delivery).
    route_ends = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=20)),
                             values=fields.String(validate=validate.OneOf(["depot", "open"])),
                             load_default=dict)


class RouteStopOut(Schema):
    seq = fields.Integer()
    kind = fields.String()
    load_id = fields.Integer(allow_none=True)
    site_id = fields.Integer(allow_none=True)
    arrival = fields.DateTime()
    departure = fields.DateTime()
    load_after = fields.Dict()


class RouteOut(Schema):
    vehicle_id = fields.Integer()
    distance_m = fields.Float()
    duration_s = fields.Float()
    stops = fields.List(fields.Nested(RouteStopOut))


class CommittedRoutes(Schema):
    plan_id = fields.Integer()
    routes = fields.List(fields.Nested(RouteOut))
    dropped = fields.List(fields.Dict())


@blp.post("/load-plans")
@blp.arguments(LoadPlanIn)
@blp.response(201, LoadPlanOut)
@require("build_loads", org_kinds=("seller",), by_department=True)
def preview_load_plan(data):
    """Preview truckloads for open orders: loads, unplaced lines with reasons, bound and status."""
    return load_plans.preview(current_principal(), data)


@blp.get("/load-plans/<int:plan_id>")
@blp.response(200, LoadPlanOut)
def get_load_plan(plan_id):
    """A previewed load plan."""
    job = get_scoped_or_404(Job, plan_id, current_principal())
    return load_plans.check_kind(job)


@blp.post("/load-plans/<int:plan_id>/commit")
@blp.response(201, CommittedLoads)
@require("build_loads", org_kinds=("seller",), by_department=True)
def commit_load_plan(plan_id):
    """Create the previewed loads as draft loads, ready to tender (``awaiting_approval`` when the plan needs
    more trucks than the seller's ``commit_load_plan`` rule allows without approval)."""
    principal = current_principal()
    loads = load_plans.commit(principal, get_scoped_or_404(Job, plan_id, principal))
    request = pending_for(plan_approval.OBJECT_TYPE, plan_id)
    return {"plan_id": plan_id, "load_ids": [load.id for load in loads],
            "approval_id": request.id if request is not None else None}


@blp.post("/route-plans")
@blp.arguments(RoutePlanIn)
@blp.response(202, JobOut)
@require("plan_routes", org_kinds=("carrier",))
def start_route_plan(data):
    """Start a route solve for awarded loads on the carrier's trucks; follow it on /jobs/{id}."""
    principal = current_principal()
    origin = clock.now().replace(microsecond=0)
    # Build once here so bad input answers 422 now instead of failing later in the job.
    route_plans.build_problem(principal.organisation_id, data["load_ids"], data["vehicle_ids"],
                              data["depot_site_id"], data["objective"], origin, data["free"],
                              data["route_ends"], data["route_end"])
    params = {**data, "carrier_org_id": principal.organisation_id, "origin": origin.isoformat()}
    return submit("route_plan", principal.organisation_id, params, time_limit_s=data["time_limit_s"])


@blp.get("/route-plans/<int:job_id>")
@blp.response(200, JobOut)
def get_route_plan(job_id):
    """The route-plan job with its result (routes, stops, dropped stops with reasons)."""
    return route_plans.check_kind(get_scoped_or_404(Job, job_id, current_principal()))


@blp.post("/route-plans/<int:job_id>/commit")
@blp.response(201, CommittedRoutes)
@require("plan_routes", org_kinds=("carrier",))
def commit_route_plan(job_id):
    """Save a finished route plan: routes per truck with timed stops; loads get their vehicle."""
    plan = route_plans.commit(route_plans.check_kind(get_scoped_or_404(Job, job_id, current_principal())))
    routes = db.session.scalars(db.select(Route).where(Route.plan_id == plan.id).order_by(Route.id)).all()
    return {"plan_id": plan.id, "dropped": with_reasons(plan.dropped), "routes": [
        {"vehicle_id": r.vehicle_id, "distance_m": r.distance_m, "duration_s": r.duration_s,
         "stops": db.session.scalars(db.select(RouteStop).where(RouteStop.route_id == r.id)
                                     .order_by(RouteStop.seq)).all()} for r in routes]}
