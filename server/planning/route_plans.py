"""Route planning for a carrier: its awarded loads on its trucks, solved as a background job.

The job handler reads loads, vehicles and sites, builds a pickup-and-delivery VRP with time
windows (seconds from the plan's start), capacities in kg and pallets, a shift limit and a
driver break, and solves it with the routing engine. The result stays on the job until the
dispatcher commits it as a ``RoutePlan`` with routes and stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from server.api.common import point_to_db
from server.db.types import utcnow
from server.engines import routing as rt
from server.engines.common import Limits
from server.errors import ApiProblem
from server.extensions import db
from server.jobs.registry import job_kind
from server.models import Job, Load, LoadStop, Route, RoutePlan, RouteStop, Site, Vehicle
from server.planning.commitments import commitments, left_out_loads
from server.realtime import emit_to_orgs
from server.validation_messages import translated

PICKUP_SERVICE_S = 45 * 60
DELIVERY_SERVICE_S = 30 * 60
SHIFT_S = 13 * 3600  # EU: 13 h between daily rests
BREAK = {"earliest_start": 4 * 3600, "latest_start": 4.5 * 3600, "duration": 45 * 60}  # 45 min after 4.5 h driving


def _latlon(site: Site) -> tuple[float, float]:
    point = to_shape(site.location)
    return point.y, point.x


def _seconds(moment: datetime, origin: datetime) -> float:
    # Whole seconds: a one-instant window (a dock slot) must not round to an empty one.
    return float(max(0, round((moment - origin).total_seconds())))


def build_problem(carrier_org_id: int, load_ids: list[int], vehicle_ids: list[int], depot_site_id: int | None,
                  objective: str, origin: datetime, free: list[int] | None = None,
                  route_ends: dict[str, str] | None = None, route_end: str | None = None) -> tuple[rt.Problem, dict]:
    """The routing problem and an index that maps engine ids back to loads, sites and vehicles.

    Each load keeps its assigned truck and booked dock slot unless it is in ``free``
    (``commitments``); each vehicle's route ends where its ``route_end`` setting says, or
    where ``route_end`` (every vehicle) or ``route_ends`` (vehicle id -> "depot" or "open")
    overrides it for this plan.
    """
    loads = db.session.scalars(select(Load).where(Load.id.in_(load_ids), Load.carrier_org_id == carrier_org_id)
                               .order_by(Load.id)).all()
    vehicles = db.session.scalars(select(Vehicle).where(Vehicle.id.in_(vehicle_ids),
                                                        Vehicle.organisation_id == carrier_org_id)).all()
    errors = [(f"load_ids/{i}", _("not a load awarded to you")) for i, lid in enumerate(load_ids)
              if lid not in {load.id for load in loads}]
    errors += [(f"vehicle_ids/{i}", _("unknown vehicle")) for i, vid in enumerate(vehicle_ids)
               if vid not in {v.id for v in vehicles}]
    errors += [(f"free/{i}", _("not one of the loads in this plan")) for i, lid in enumerate(free or [])
               if lid not in load_ids]
    errors += [(f"route_ends/{key}", _("not one of the vehicles in this plan")) for key in (route_ends or {})
               if key not in {str(v.id) for v in vehicles}]
    kept = commitments(loads, set(free or []))
    planned = {v.id for v in vehicles}
    for i, lid in enumerate(load_ids):
        committed = kept.get(lid)
        if committed and committed.vehicle_id is not None and committed.vehicle_id not in planned:
            plate = db.session.get(Vehicle, committed.vehicle_id).plate
            errors.append((f"load_ids/{i}", _("is committed to truck %(plate)s, which is not in this plan: "
                                              "add the truck or free the load", plate=plate)))
    depot = db.session.get(Site, depot_site_id) if depot_site_id else db.session.scalar(
        select(Site).where(Site.organisation_id == carrier_org_id).order_by(Site.id))
    if depot is None or depot.organisation_id != carrier_org_id:
        errors.append(("depot_site_id", _("the carrier needs a depot site")))
    if errors:
        raise ApiProblem(422, _("The route plan cannot be built as given."), errors)
    coordinates, sites = [_latlon(depot)], [depot.id]
    stops, pairs, together, index = [], [], [], {"stops": [], "vehicles": {}, "open_vehicles": []}
    for load in loads:
        committed = kept[load.id]
        pickup_window = (load.pickup_earliest, load.pickup_latest)
        pickup_service = PICKUP_SERVICE_S
        if committed.slot_start is not None:
            # The plant expects the truck at its slot: service starts then and lasts the slot.
            pickup_window = (committed.slot_start, committed.slot_start)
            pickup_service = round((committed.slot_end - committed.slot_start).total_seconds())
        pinned = [str(committed.vehicle_id)] if committed.vehicle_id is not None else []
        drops = _drops(load)
        first = len(stops)
        for k, drop in enumerate(drops):
            # One pickup-and-delivery pair per drop, all on one truck (``together``). The engine loads a
            # pair's demand at its pickup; a multi-drop load's later pickups are the same visit (no
            # service time of their own) and are not saved as stops of their own ("shadow").
            suffix = f"-{k}" if len(drops) > 1 else ""
            for kind, site_id, (earliest, latest), service in (
                    ("pickup", load.pickup_site_id, pickup_window, pickup_service if k == 0 else 0),
                    ("delivery", drop["site_id"], drop["window"], DELIVERY_SERVICE_S)):
                site = db.session.get(Site, site_id)
                coordinates.append(_latlon(site))
                sites.append(site.id)
                stops.append({"id": f"{kind}-{load.id}{suffix}", "location": len(coordinates) - 1,
                              "demand": [round(drop["weight_kg"]), round(drop["pallets"])],
                              "time_window": [_seconds(earliest, origin), _seconds(latest, origin)],
                              "service_time": service, "optional": True, "drop_penalty": 10_000_000,
                              "vehicles": pinned})
                index["stops"].append({"kind": kind, "load_id": load.id, "site_id": site.id,
                                       "stop_id": drop["stop_id"] if kind == "delivery" else None,
                                       "shadow": kind == "pickup" and k > 0})
            pairs.append({"pickup": len(stops) - 2, "delivery": len(stops) - 1})
        if len(drops) > 1:
            together.append(list(range(first, len(stops))))
    vehicle_dicts = []
    for vehicle in vehicles:
        vtype = vehicle.vehicle_type
        open_end = (route_ends or {}).get(str(vehicle.id), route_end or vehicle.route_end) == "open"
        vehicle_dicts.append({"id": str(vehicle.id), "start_depot": "depot", "end_depot": "depot",
                              "open_end": open_end,
                              "capacity": [round(vtype.max_weight_kg), vtype.pallet_positions],
                              "fixed_cost": vtype.fixed_cost, "cost_per_km": vtype.cost_per_km or 1.0,
                              "max_duration": SHIFT_S, "breaks": [BREAK]})
        index["vehicles"][str(vehicle.id)] = vehicle.id
        if open_end:
            index["open_vehicles"].append(str(vehicle.id))
    data = {"locations": [{"lat": lat, "lon": lon} for lat, lon in coordinates],
            "depots": [{"id": "depot", "location": 0}],
            "vehicles": vehicle_dicts, "stops": stops, "pairs": pairs, "together": together, "objective": objective,
            "dimensions": ["weight_kg", "pallets"]}
    try:
        problem = rt.problem_from_dict(data, matrix_provider())
    except rt.RoutingValidationError as exc:
        raise ApiProblem(422, _("The route plan cannot be built as given."),
                         [(path, translated(message)) for path, message in exc.errors]) from exc  # engine's English
    index["sites"], index["coordinates"] = sites, coordinates
    return problem, index


def _drops(load: Load) -> list[dict]:
    """Where the load is delivered: each delivery stop of a multi-drop load, else its own delivery."""
    rows = db.session.scalars(select(LoadStop).where(LoadStop.load_id == load.id, LoadStop.kind == "delivery")
                              .order_by(LoadStop.seq)).all()
    if not rows:
        return [{"site_id": load.delivery_site_id, "window": (load.delivery_earliest, load.delivery_latest),
                 "weight_kg": load.weight_kg, "pallets": load.pallets, "stop_id": None}]
    return [{"site_id": r.site_id, "window": (r.earliest, r.latest), "weight_kg": r.weight_kg,
             "pallets": r.pallets, "stop_id": r.id} for r in rows]


def matrix_provider() -> rt.MatrixProvider:
    """OSRM when HAUL_OSRM_URL is set, otherwise great-circle distance times a road factor."""
    import os

    return rt.provider_from_config(os.environ.get("HAUL_OSRM_URL"),
                                   road_factor=float(os.environ.get("HAUL_ROAD_FACTOR", 1.3)),
                                   speed_kmh=float(os.environ.get("HAUL_TRUCK_SPEED_KMH", 65)))


@job_kind("route_plan")
def run_route_plan(params: dict, limits: Limits) -> dict:
    """Job handler: solve the carrier's route plan and return it as plain JSON."""
    origin = datetime.fromisoformat(params["origin"])
    problem, index = build_problem(params["carrier_org_id"], params["load_ids"], params["vehicle_ids"],
                                   params.get("depot_site_id"), params.get("objective", "distance"), origin,
                                   params.get("free"), params.get("route_ends"), params.get("route_end"))
    # The portfolio picks the engine: OR-Tools here, since only it models the driver break and
    # the trucks loads are committed to (PyVRP has neither; see engines.routing.portfolio).
    result = rt.result_to_dict(rt.solve(problem, limits))
    return {"origin": params["origin"], "index": index, "result": result,
            "left_out": left_out_loads(result, index)}


def commit(job: Job) -> RoutePlan:
    """Save a finished route-plan job as a plan with routes and timed stops."""
    if job.kind != "route_plan" or job.status != "succeeded" or not job.result:
        raise ApiProblem(409, _("Route plan job %(id)s has no finished result to commit.", id=job.id))
    if job.params.get("committed_plan_id"):
        raise ApiProblem(409, _("This route plan was committed already."))
    origin = datetime.fromisoformat(job.result["origin"])
    index, result = job.result["index"], job.result["result"]
    plan = RoutePlan(carrier_org_id=job.organisation_id, job_id=job.id, status="committed",
                     objective=job.params.get("objective", "distance"),
                     total_distance_m=result["total_distance"] * 1000,
                     dropped=job.result.get("left_out", left_out_loads(result, index)))
    db.session.add(plan)
    db.session.flush()
    for planned in result["routes"]:
        vehicle_id = index["vehicles"][planned["vehicle_id"]]
        route = Route(plan_id=plan.id, vehicle_id=vehicle_id, distance_m=planned["distance"] * 1000,
                      duration_s=planned["duration"])
        db.session.add(route)
        db.session.flush()
        seq = 0
        for stop in planned["stops"]:
            meta = index["stops"][stop["stop_index"]]
            if meta.get("shadow"):
                continue  # the same pickup visit as the load's first pair
            seq += 1
            if meta.get("stop_id"):  # a multi-drop stop: its buyer's planned ETA
                db.session.get(LoadStop, meta["stop_id"]).eta = origin + timedelta(seconds=stop["arrival"])
            lat, lon = index["coordinates"][index["sites"].index(meta["site_id"])]
            db.session.add(RouteStop(route_id=route.id, seq=seq, kind=meta["kind"], load_id=meta["load_id"],
                                     site_id=meta["site_id"], location=point_to_db({"lat": lat, "lon": lon}),
                                     arrival=origin + timedelta(seconds=stop["arrival"]),
                                     departure=origin + timedelta(seconds=stop["departure"]),
                                     load_after={"weight_kg": stop["load"][0], "pallets": stop["load"][1]}))
            if meta["kind"] == "pickup":
                load = db.session.get(Load, meta["load_id"])
                load.vehicle_id = load.vehicle_id or vehicle_id
    job.params = {**job.params, "committed_plan_id": plan.id, "committed_at": utcnow().isoformat()}
    db.session.commit()
    emit_to_orgs("routes.committed", {"plan_id": plan.id}, [job.organisation_id])
    return plan


def check_kind(job: Job) -> Job:
    """The job when it is a route plan; otherwise the same 404 as a missing one."""
    if job.kind != "route_plan":
        raise ApiProblem(404, _("Route plan %(id)s was not found.", id=job.id))
    return job
