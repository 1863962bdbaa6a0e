"""A route-plan job as the carrier's dashboard shows it: per truck, the timed stops and the line
to draw on the map (depot, then each stop's site, then back to the depot unless the route is
open), and each left-out load once with its reason in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.models import Job, Load, Site, Vehicle
from server.planning.commitments import left_out_loads
from server.web.labels import left_out_label
from server.web.views import names_of


def route_plan_view(job: Job) -> dict:
    """The job's status and progress and, once it succeeded, its routes ready for the template and map."""
    view = {"job": job, "routes": [], "dropped": [], "committed": bool((job.params or {}).get("committed"))}
    payload = job.result or {}
    if job.status != "succeeded" or "result" not in payload:
        return view
    index, result = payload["index"], payload["result"]
    origin = datetime.fromisoformat(payload["origin"])
    coordinates = index["coordinates"]
    depot = coordinates[0] if coordinates else None
    plates = names_of(Vehicle, [int(v) for v in index["vehicles"].values()], "plate")
    refs = names_of(Load, [s["load_id"] for s in index["stops"]], "reference")
    sites = names_of(Site, [s["site_id"] for s in index["stops"]])
    where = {site_id: coordinates[k] for k, site_id in enumerate(index["sites"]) if k < len(coordinates)}
    for route in result.get("routes", []):
        vehicle_id = index["vehicles"].get(str(route["vehicle_id"]), route["vehicle_id"])
        stops, line = [], [depot] if depot else []
        for stop in route.get("stops", []):
            meta = index["stops"][stop["stop_index"]]
            if meta.get("shadow"):
                continue  # a multi-drop load's later pickups are its first pickup's visit
            stops.append({"kind": meta["kind"], "reference": refs.get(meta["load_id"]),
                          "site": sites.get(meta["site_id"]), "site_id": meta["site_id"],
                          "arrival": origin + timedelta(seconds=stop.get("start", stop["arrival"]))})
            if meta["site_id"] in where:
                line.append(where[meta["site_id"]])
        if depot and str(route["vehicle_id"]) not in index.get("open_vehicles", []):
            line.append(depot)
        view["routes"].append({"vehicle_id": vehicle_id, "plate": plates.get(int(vehicle_id)),
                               "distance_km": route.get("distance", 0.0), "duration_h": route.get("duration", 0) / 3600,
                               "stops": stops, "line": line})
    left_out = payload.get("left_out") or left_out_loads(result, index)
    view["dropped"] = [{"reference": refs.get(d["load_id"]),
                        "reason": left_out_label(d["reason"], d.get("code"), d.get("cause"))} for d in left_out]
    return view
