"""Which trucks are near a point: a truck's last fresh position within a radius.

The distance test is the one part that differs per dialect, so it is one function per
dialect here:
- PostgreSQL + PostGIS: ``ST_DWithin`` on geography (metres on the spheroid), served by the
  GiST index ``ix_positions_geography`` on ``geography(geom)`` (migration 0002, kept by 0003's
  partitioning);
- SQLite + SpatiaLite: ``PtDistWithin(..., use_ellipsoid=1)``, the same test in metres.
Only a vehicle's latest fix counts, and only if it is newer than ``fresh_since``.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Float, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from server.models import Position


def _postgresql_within(lon: float, lat: float, radius_m: float) -> ColumnElement[bool]:
    here = func.geography(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326))
    return func.ST_DWithin(func.geography(Position.geom), here, radius_m)


def _sqlite_within(lon: float, lat: float, radius_m: float) -> ColumnElement[bool]:
    return func.PtDistWithin(Position.geom, func.MakePoint(lon, lat, 4326), radius_m, 1) == 1


WITHIN = {"postgresql": _postgresql_within, "sqlite": _sqlite_within}


_NEWER = aliased(Position)  # built once: aliasing a mapped class costs more than the query it serves


def _latest_fix_only() -> ColumnElement[bool]:
    latest = select(func.max(_NEWER.time)).where(_NEWER.vehicle_id == Position.vehicle_id).scalar_subquery()
    return Position.time == latest


@dataclass(frozen=True)
class Reach:
    """Near what, how far, and how fresh a fix must be: the parameters of ``near_ids_query``."""

    lon: float
    lat: float
    radius_km: float
    fresh_since: datetime

    def params(self) -> dict:
        return {"near_lon": self.lon, "near_lat": self.lat, "near_radius_m": self.radius_km * 1000.0,
                "near_fresh_since": self.fresh_since}


@functools.lru_cache(maxsize=8)
def near_ids_query(dialect: str) -> Select:
    """``near_vehicle_ids`` as one statement for every point, with ``Reach.params`` bound at execution:
    built and keyed once, where the audience is recomputed for every tender every few seconds."""
    within = WITHIN[dialect](bindparam("near_lon", type_=Float), bindparam("near_lat", type_=Float),
                             bindparam("near_radius_m", type_=Float))
    return select(Position.vehicle_id).where(within, Position.time >= bindparam("near_fresh_since"),
                                             _latest_fix_only())


def near_vehicle_ids(session: Session, lon: float, lat: float, radius_km: float, fresh_since: datetime) -> Select:
    """A subquery of the vehicles whose latest fix since ``fresh_since`` lies within ``radius_km``.

    It starts from the spatial test, so the index finds the few fixes near the point first.
    """
    within = WITHIN[session.get_bind().dialect.name]
    return select(Position.vehicle_id).where(within(lon, lat, radius_km * 1000.0), Position.time >= fresh_since,
                                             _latest_fix_only())


def vehicles_near(session: Session, vehicle_ids: Collection[int], lon: float, lat: float, radius_km: float,
                  fresh_since: datetime) -> set[int]:
    """The subset of ``vehicle_ids`` whose latest fix since ``fresh_since`` lies within ``radius_km``."""
    if not vehicle_ids:
        return set()
    query = near_vehicle_ids(session, lon, lat, radius_km, fresh_since).where(
        Position.vehicle_id.in_(sorted(vehicle_ids)))
    return set(session.scalars(query))
