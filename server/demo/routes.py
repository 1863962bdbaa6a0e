"""Route plans: each carrier plans its truck's route for a newly assigned load, as its dispatcher would.

The plan is a background job on the server (POST /api/v1/route-plans, then the job is followed
and committed). The committed stops, in order, give the simulated driver its waypoints: the
depot, then the pickup and the delivery. When the solver drops the load (a shift limit, a
window) or the job fails, the driver drives the direct way, and a log line says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from server.demo.api import ApiError
from server.demo.cast import Cast, LatLon

log = logging.getLogger("haul.demo")

PLANNED = ("assigned", "authorized", "at_pickup", "loading", "in_transit")
GIVE_UP_AFTER_S = 30.0  # real seconds; the job's own limit is 1 s of solving


class RoutePlanner:
    """Keeps each day load's driving route (waypoints), planning it on the server first."""

    def __init__(self, cast: Cast, clock: Callable[[], float] = time.monotonic):
        self.cast = cast
        self.clock = clock
        self.jobs: dict[int, tuple[int, float]] = {}  # load id -> (job id, started)
        self.routes: dict[int, list[LatLon]] = {}

    def route(self, load_id: int) -> list[LatLon] | None:
        return self.routes.get(load_id)

    def tick(self, loads: dict[int, dict]) -> None:
        for load in loads.values():
            if load["status"] in PLANNED and load["id"] not in self.routes and load.get("vehicle_id"):
                try:
                    self._advance(load)
                except ApiError as exc:
                    self._direct(load, f"the route plan failed ({exc})")

    def _advance(self, load: dict) -> None:
        carrier = self.cast.carriers[load["carrier_id"]]
        started = self.jobs.get(load["id"], (None, self.clock()))[1]
        if load["status"] == "in_transit" or self.clock() - started > GIVE_UP_AFTER_S:
            self._direct(load, "no route plan in time")
            return
        if load["id"] not in self.jobs:
            # Open routes: the simulated truck stops at the delivery, so the way home must not count
            # inside the shift (a Duisburg -> Hamburg load would not fit a 13 h day out and back).
            job = carrier.session.post("/api/v1/route-plans", {"load_ids": [load["id"]],
                                                               "vehicle_ids": [load["vehicle_id"]],
                                                               "route_end": "open", "time_limit_s": 1.0})
            self.jobs[load["id"]] = (job["id"], self.clock())
            return
        job = carrier.session.get(f"/api/v1/route-plans/{self.jobs[load['id']][0]}")
        if job["status"] in ("queued", "running"):
            return
        if job["status"] != "succeeded":
            self._direct(load, f"the route plan job {job['status']}: {job.get('error')}")
            return
        committed = carrier.session.post(f"/api/v1/route-plans/{job['id']}/commit")
        stops = [s for r in committed["routes"] for s in r["stops"] if s["load_id"] == load["id"]]
        if not stops:
            reasons = "; ".join(dict.fromkeys(str(d.get("reason", d)) for d in committed.get("dropped", [])))[:200]
            self._direct(load, f"the route plan dropped it ({reasons or 'no reason given'})")
            return
        waypoints = [carrier.depot] + [self._where(s["site_id"]) for s in sorted(stops, key=lambda s: s["seq"])]
        self.routes[load["id"]] = waypoints
        km = committed["routes"][0]["distance_m"] / 1000 if committed["routes"] else 0
        log.info("demo: %s planned the route for %s: depot -> %s (%.0f km by the plan)", carrier.name,
                 load["reference"], " -> ".join(s["kind"] for s in stops), km)

    def _where(self, site_id: int) -> LatLon:
        if site_id == self.cast.seller.plant_id:
            return self.cast.seller.plant
        buyer = self.cast.buyer_by_site(site_id)
        if buyer is None:
            raise ApiError("PLAN", "route", 0, f"site {site_id} is not a demo site")
        return buyer.site

    def _direct(self, load: dict, why: str) -> None:
        carrier = self.cast.carriers[load["carrier_id"]]
        buyer = self.cast.buyer_by_site(load["delivery_site_id"])
        self.routes[load["id"]] = [carrier.depot, self.cast.seller.plant, buyer.site if buyer else carrier.depot]
        log.info("demo: %s drives %s the direct way: %s", carrier.name, load["reference"], why)

    def forget(self, load_id: int) -> None:
        self.jobs.pop(load_id, None)
        self.routes.pop(load_id, None)
