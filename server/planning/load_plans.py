"""Load building for a seller: preview a plan for open orders, then commit it as loads.

A preview is solved in the request (load building is fast and time-limited) and kept as a
finished ``Job`` row, so the commit creates exactly the loads the seller looked at. The
commit re-checks that no line was allocated in the meantime.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from server.auth.object_permissions import require_on
from server.auth.principal import Principal
from server.db.types import utcnow
from server.engines import loadbuilding as lb
from server.engines.common import Limits
from server.errors import ApiProblem
from server.extensions import db
from server.models import Job, Load, LoadLine, Order, OrderLine, Site, VehicleType
from server.notify.publish import publish_event
from server.orders import planning_state
from server.planning import plan_approval
from server.stops.building import add_stops
from server.validation_messages import translated

# What sellers without vehicle types of their own plan against: common European trucks.
STANDARD_FLEET = [
    {"id": "Curtainsider 13.6 m", "max_weight_kg": 24_000, "max_volume_m3": 90, "pallet_positions": 33,
     "cost": 1.0, "equipment": "pallet_dock"},
    {"id": "Rigid 7.5 t", "max_weight_kg": 2_800, "max_volume_m3": 36, "pallet_positions": 15,
     "cost": 0.55, "equipment": "pallet_dock"},
]


def _fleet(principal: Principal, requested: list[dict] | None) -> list[dict]:
    if requested:
        return requested
    own = db.session.scalars(select(VehicleType).where(VehicleType.organisation_id == principal.organisation_id))
    fleet = [{"id": t.name, "max_weight_kg": t.max_weight_kg, "max_volume_m3": t.max_volume_m3,
              "pallet_positions": t.pallet_positions, "cost": t.fixed_cost or 1.0,
              "equipment": (t.equipment or ["pallet_dock"])[0]} for t in own]
    return fleet or STANDARD_FLEET


def _orders(principal: Principal, order_ids: list[int]) -> list[Order]:
    orders = db.session.scalars(select(Order).where(Order.id.in_(order_ids),
                                                    Order.seller_org_id == principal.organisation_id)).all()
    found = {o.id for o in orders}
    errors = [(f"order_ids/{i}", _("unknown order")) for i, oid in enumerate(order_ids) if oid not in found]
    errors += [(f"order_ids/{i}", _("order is %(status)s",
                                    status=o.status)) for i, oid in enumerate(order_ids)
               for o in orders if o.id == oid and o.status not in planning_state.PLANNABLE]
    if errors:
        raise ApiProblem(422, _("Some orders cannot be planned."), errors)
    for order in orders:  # build_loads organisation-wide, or by a role in each order's department
        require_on(principal, "build_loads", order)
    return orders


def preview(principal: Principal, data: dict) -> Job:
    """Solve a load plan for the seller's orders and keep it for a later commit."""
    orders = _orders(principal, data["order_ids"])
    fleet = _fleet(principal, data.get("vehicle_types"))
    lines = [line for order in orders for line in order.lines]
    done = planning_state.allocated([line.id for line in lines])
    problem_data = {
        "vehicle_types": [{k: v for k, v in t.items() if k != "equipment"} for t in fleet],
        "orders": [_order_dict(o) for o in orders],
        "lines": [{"order_id": str(line.order_id), "line_id": str(line.id),
                   "quantity": line.quantity - done.get(line.id, 0), "unit_weight_kg": line.unit_weight_kg,
                   "unit_volume_m3": line.unit_volume_m3, "unit_pallets": line.unit_pallets,
                   "hazmat_class": line.hazmat_class, "splittable": line.splittable}
                  for line in lines if line.quantity - done.get(line.id, 0) > 0],
        "max_stops": data.get("max_stops"), "max_stop_distance_km": data.get("max_stop_distance_km"),
    }
    if not problem_data["lines"]:
        raise ApiProblem(409, _("Every line of these orders is already on a load."))
    try:
        problem = lb.build_problem(problem_data)
    except lb.LoadValidationError as exc:
        raise ApiProblem(422, _("The orders cannot be planned as given."),
                         [(path, translated(message)) for path, message in exc.errors]) from exc  # engine's English
    _check_size(lb.loads_lower_bound(problem), at_least=True)  # before solving: a huge plan is refused at once
    plan = lb.solve(problem, Limits(time_limit_s=data.get("time_limit_s", 5.0), seed=data.get("seed", 0)))
    _check_size(len(plan.loads), at_least=False)
    result = {"plan": asdict(plan), "equipment": {t["id"]: t.get("equipment", "pallet_dock") for t in fleet},
              "order_ids": [o.id for o in orders]}
    job = Job(organisation_id=principal.organisation_id, kind="load_plan", status="succeeded", progress=1.0,
              params={k: v for k, v in data.items() if k != "vehicle_types"}, result=result, finished_at=utcnow())
    db.session.add(job)
    db.session.commit()
    return job


def _check_size(loads: int, at_least: bool) -> None:
    """A 422 naming the limit when a plan would make more loads than ``MAX_LOADS_PER_PLAN``."""
    most = current_app.config["MAX_LOADS_PER_PLAN"]
    if loads > most:
        raise ApiProblem(
            422, (_("These orders need at least %(loads)s loads; one load plan makes at most %(most)s.",
                    loads=loads, most=most)
                  if at_least else _("These orders need %(loads)s loads; one load plan makes at most "
                                     "%(most)s.",
                                     loads=loads, most=most))
            + " " + _("Plan fewer orders at a time, or split a very large order into several orders by "
                      "delivery window."),
            [("order_ids", _("need at least %(loads)s loads, more than the %(most)s of one plan",
                             loads=loads, most=most)
              if at_least else _("need %(loads)s loads, more than the %(most)s of one plan", loads=loads,
                                 most=most))],
            limit=most, loads_needed=loads)


def _order_dict(order: Order) -> dict:
    site = db.session.get(Site, order.delivery_site_id)
    point = to_shape(site.location)
    return {"id": str(order.id), "pickup_site": str(order.pickup_site_id), "delivery_site": str(site.id),
            "delivery_lat": point.y, "delivery_lon": point.x}


def commit(principal: Principal, job: Job) -> list[Load]:
    """Create the previewed loads; refuses if any line was allocated since the preview."""
    if job.kind != "load_plan" or job.organisation_id != principal.organisation_id:
        raise ApiProblem(404, _("Load plan %(id)s was not found.", id=job.id))
    if job.params.get("committed_at"):
        raise ApiProblem(409, _("This plan was committed already."))
    plan = job.result["plan"]
    wanted: dict[int, int] = {}
    for load in plan["loads"]:
        for alloc in load["allocations"]:
            wanted[int(alloc["line_id"])] = wanted.get(int(alloc["line_id"]), 0) + alloc["quantity"]
    lines = {line.id: line for line in db.session.scalars(select(OrderLine).where(OrderLine.id.in_(wanted)))}
    done = planning_state.allocated(list(wanted))
    stale = [lid for lid, qty in wanted.items() if done.get(lid, 0) + qty > lines[lid].quantity]
    if stale:
        raise ApiProblem(409, _("Some lines were put on loads after this preview; preview again."),
                         [(f"lines/{lid}", _("already allocated")) for lid in stale])
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.id.in_(job.result["order_ids"])))}
    for order in orders.values():
        require_on(principal, "build_loads", order)
    before = plan_approval.orders_before(list(orders.values()))
    created = [_make_load(principal, job, n, load, lines, orders) for n, load in enumerate(plan["loads"], 1)]
    planning_state.settle(list(orders.values()), plan["unplaced"])
    job.params = {**job.params, "committed_at": utcnow().isoformat(), "load_ids": [load.id for load in created],
                  "orders_before": before}
    crossing = plan_approval.needed(principal.organisation_id, len(created))
    if crossing is not None:  # the loads exist but wait for the seller's chain: not announced, not tenderable
        plan_approval.hold(principal, job, created, *crossing)
        db.session.commit()
        return created
    db.session.commit()
    for load, planned in zip(created, plan["loads"], strict=True):
        # A consolidated load is announced to every buyer with goods on it (each has its stop).
        buyers = {load.buyer_org_id} | {orders[int(a["order_id"])].buyer_org_id for a in planned["allocations"]}
        publish_event("load_built", organisation_ids=[load.seller_org_id, *sorted(buyers)], load_id=load.id,
                      data={"load_id": load.id, "reference": load.reference, "plan_id": job.id})
    return created


def _shared_windows(first: Order, orders: list[Order]) -> dict:
    """The windows every consolidated order accepts; the first order's when they do not overlap."""
    windows = {"pickup_earliest": max(o.pickup_earliest for o in orders),
               "pickup_latest": min(o.pickup_latest for o in orders),
               "delivery_earliest": max(o.delivery_earliest for o in orders),
               "delivery_latest": min(o.delivery_latest for o in orders)}
    if windows["pickup_earliest"] > windows["pickup_latest"] or windows["delivery_earliest"] > windows["delivery_latest"]:
        windows = {k: getattr(first, k) for k in windows}
    return windows


def _lead_order(planned: dict, lines: dict, orders: dict) -> Order:
    """The order whose buyer is the load's own buyer on a consolidated load: the one with the most
    weight on it, the earliest order on a tie. Never the solver's allocation order, which varies
    from run to run (the same plan must not make a different buyer the load's owner)."""
    weight: dict[int, float] = {}
    for alloc in planned["allocations"]:
        order_id = int(alloc["order_id"])
        weight[order_id] = weight.get(order_id, 0.0) + alloc["quantity"] * lines[int(alloc["line_id"])].unit_weight_kg
    return orders[min(weight, key=lambda order_id: (-weight[order_id], order_id))]


def _make_load(principal, job, number, planned, lines, orders) -> Load:
    first_order = _lead_order(planned, lines, orders)
    mine = [orders[int(a["order_id"])] for a in planned["allocations"]]
    hazmat = sorted({lines[int(a["line_id"])].hazmat_class for a in planned["allocations"]} - {None})
    load = Load(
        seller_org_id=principal.organisation_id, buyer_org_id=first_order.buyer_org_id,
        reference=f"LP{job.id}-{number}", status="draft", pickup_site_id=first_order.pickup_site_id,
        delivery_site_id=first_order.delivery_site_id, **_shared_windows(first_order, mine),
        vehicle_type_name=planned["vehicle_type"],
        required_equipment=job.result["equipment"].get(planned["vehicle_type"], "pallet_dock"),
        weight_kg=planned["totals"]["weight_kg"], volume_m3=planned["totals"]["volume_m3"],
        pallets=planned["totals"]["pallets"], hazmat_classes=",".join(hazmat),
        freight_payer="buyer" if all(o.freight_payer == "buyer" for o in mine) else "seller",
        # A load of one department's orders is that department's (its roles and narrowing follow it).
        seller_department_id=_shared(o.seller_department_id for o in mine),
        buyer_department_id=_shared(o.buyer_department_id for o in mine) if len({o.buyer_org_id for o in mine}) == 1
        else None)
    for alloc in planned["allocations"]:
        load.lines.append(LoadLine(order_line_id=int(alloc["line_id"]), quantity=alloc["quantity"]))
    db.session.add(load)
    db.session.flush()
    add_stops(load, planned["allocations"], lines, orders)  # several buyers or sites: one stop each
    return load


def _shared(values) -> int | None:
    """The one value all share, else None (orders of several departments make a load of none)."""
    found = set(values)
    return found.pop() if len(found) == 1 else None


def check_kind(job: Job) -> Job:
    """The job when it is a load plan; otherwise the same 404 as a missing one."""
    if job.kind != "load_plan":
        raise ApiProblem(404, _("Load plan %(id)s was not found.", id=job.id))
    return job
