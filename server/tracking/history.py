"""A load's history as the live views read it: its truck's last fix (up to a moment) and its events.

Kept apart from `server.tracking.snapshot` so the stop views (`server.stops.views`), which freeze a
delivered stop's snapshot, read the same history without importing the snapshot (which imports them).
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import functions as gf
from sqlalchemy import select

from server.extensions import db
from server.models import Event, Position

TIMELINE_LIMIT = 200


def last_position(vehicle_id: int, until: datetime | None = None) -> dict | None:
    """The newest stored fix of a vehicle, at or before ``until`` when given (an index probe on the
    (vehicle_id, time) key)."""
    query = (select(Position.time, gf.ST_Y(Position.geom), gf.ST_X(Position.geom), Position.speed,
                    Position.heading, Position.accuracy, Position.battery)
             .where(Position.vehicle_id == vehicle_id).order_by(Position.time.desc()).limit(1))
    if until is not None:
        query = query.where(Position.time <= until)
    row = db.session.execute(query).first()
    if row is None:
        return None
    return {"vehicle_id": str(vehicle_id), "time": row[0].isoformat(), "lat": row[1], "lon": row[2],
            "speed": row[3], "heading": row[4], "accuracy": row[5], "battery": row[6]}


def timeline(load_id: int, until: datetime | None = None) -> list[dict]:
    query = select(Event).where(Event.load_id == load_id).order_by(Event.time, Event.id).limit(TIMELINE_LIMIT)
    if until is not None:
        query = query.where(Event.time <= until)
    rows = db.session.scalars(query).all()
    return [{"kind": e.kind, "time": e.time.isoformat(), "site_id": e.site_id, "data": e.data} for e in rows]
