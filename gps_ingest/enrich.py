"""The enrich step: tag each fix with the zones it lies in and its ETA to the next stop.

Enriching only adds facts to the fix; deciding what they mean (entered, left, arrived, ETA
slipped) is the detect step's job. Late fixes get zone tags (they are stored with them) but
neither update the smoothed speed nor get an ETA, since they are in the past of the vehicle.
A failing zone index or plan provider never drops a fix: the fix goes on without that
enrichment and ``enrich_errors`` counts the failure.
"""

from __future__ import annotations

import logging

from gps_ingest.eta import PlanProvider, SpeedTracker, eta_at
from gps_ingest.metrics import Metrics
from gps_ingest.model import Position, evolve
from gps_ingest.settings import IngestSettings
from gps_ingest.zones import ZoneIndex

log = logging.getLogger(__name__)


class EnrichStep:
    """Adds ``zones``, ``eta`` and ``eta_site_id`` to each fix."""

    def __init__(
        self, zones: ZoneIndex, plans: PlanProvider | None, settings: IngestSettings, metrics: Metrics
    ):
        self._zones = zones
        self._plans = plans
        self._road_factor = settings.road_factor
        self._speeds = SpeedTracker(settings.speed_time_constant_s, settings.min_speed_kmh / 3.6)
        self._metrics = metrics

    def __call__(self, p: Position) -> Position:
        try:
            tags = self._zones.tags_at(p.lat, p.lon)
        except Exception:
            log.exception("zone lookup failed for vehicle %s", p.vehicle_id)
            self._metrics.add("enrich_errors")
            tags = ()
        if p.late:
            return evolve(p, zones=tags)
        speed = self._speeds.update(p)
        eta, site_id = None, None
        if self._plans is not None:
            try:
                route = self._plans.remaining_route(p.vehicle_id)
                target = None
                if route is not None:
                    target = route.target or self._zones.centre(route.site_id)
                if target is not None:
                    eta = eta_at(p, target, route.waypoints, speed, self._road_factor).replace(microsecond=0)
                    site_id = route.site_id
            except Exception:
                log.exception("ETA failed for vehicle %s", p.vehicle_id)
                self._metrics.add("enrich_errors")
                eta, site_id = None, None
        return evolve(p, zones=tags, eta=eta, eta_site_id=site_id)
