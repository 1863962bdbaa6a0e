"""Where a proof of delivery was given, measured against the delivery site.

A proof is recorded wherever it is given (a driver may rightly hand over at a neighbouring gate),
but one given away from the site is flagged and its buyer told. The position is the one sent with
the proof, else the truck's last GPS fix if it is recent; without either the place is unknown (not
flagged: there is nothing to measure). The site's geofence decides when it has one; otherwise the
proof must lie within ``HAUL_POD_RADIUS_M`` (1,000 m) of the site's point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from geoalchemy2.shape import to_shape
from shapely.geometry import Point

from gps_ingest.geo import haversine_m
from server.extensions import db
from server.models import Load, Site

GPS_FRESH = timedelta(minutes=15)  # an older fix says where the truck was, not where the proof is given


@dataclass(frozen=True)
class PodPlace:
    distance_m: float | None  # from the delivery site's point
    source: str | None  # "pod" (sent with it), "gps" (the truck's last fix) or None (unknown)
    radius_m: float | None  # the radius held to; None when the site's geofence decided
    off_site: bool

    def as_dict(self) -> dict:
        return {"distance_m": self.distance_m, "position_source": self.source, "radius_m": self.radius_m,
                "off_site": self.off_site}


def _truck_position(load: Load, now: datetime) -> dict | None:
    from server.tracking.snapshot import last_position

    fix = last_position(load.vehicle_id) if load.vehicle_id else None
    if fix is None or now - datetime.fromisoformat(fix["time"]) > GPS_FRESH:
        return None
    return fix


def place_of(load: Load, position: dict | None, now: datetime) -> PodPlace:
    """Measure the proof's position (or the truck's fresh fix) against the load's delivery site."""
    source = "pod" if position else None
    if position is None:
        position = _truck_position(load, now)
        source = "gps" if position else None
    site = db.session.get(Site, load.delivery_site_id)
    if position is None or site is None:
        return PodPlace(None, None, None, False)
    centre = to_shape(site.location)
    distance = round(haversine_m((position["lat"], position["lon"]), (centre.y, centre.x)), 1)
    if site.geofence is not None:
        inside = to_shape(site.geofence).covers(Point(position["lon"], position["lat"]))
        return PodPlace(distance, source, None, not inside)
    radius = float(current_app.config["POD_RADIUS_M"])
    return PodPlace(distance, source, radius, distance > radius)
