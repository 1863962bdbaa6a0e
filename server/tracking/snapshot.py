"""What a client sees first when it joins a load or tracking room: the current state of the load.

`load_snapshot` gives the load's status and ETA, its vehicle's last stored fix and the status
timeline (the load's events, oldest first); later changes arrive as ``position`` and ``event``
deltas. `register_snapshot_provider` hooks it into `server.sockets.SNAPSHOT_PROVIDERS`.
"""

from __future__ import annotations

from geoalchemy2 import functions as gf
from sqlalchemy import select

from server.extensions import db
from server.models import Event, Load, Position

TIMELINE_LIMIT = 200


def last_position(vehicle_id: int) -> dict | None:
    """The newest stored fix of a vehicle (the (vehicle_id, time) key makes this an index probe)."""
    row = db.session.execute(
        select(Position.time, gf.ST_Y(Position.geom), gf.ST_X(Position.geom), Position.speed,
               Position.heading, Position.accuracy, Position.battery)
        .where(Position.vehicle_id == vehicle_id).order_by(Position.time.desc()).limit(1)).first()
    if row is None:
        return None
    return {"vehicle_id": str(vehicle_id), "time": row[0].isoformat(), "lat": row[1], "lon": row[2],
            "speed": row[3], "heading": row[4], "accuracy": row[5], "battery": row[6]}


def timeline(load_id: int) -> list[dict]:
    rows = db.session.scalars(select(Event).where(Event.load_id == load_id)
                              .order_by(Event.time, Event.id).limit(TIMELINE_LIMIT)).all()
    return [{"kind": e.kind, "time": e.time.isoformat(), "site_id": e.site_id, "data": e.data} for e in rows]


def load_snapshot(load_id: int) -> dict | None:
    load = db.session.get(Load, load_id)
    if load is None:
        return None
    return {
        "load_id": load.id,
        "reference": load.reference,
        "status": load.status,
        "eta": load.eta.isoformat() if load.eta else None,
        "vehicle_id": str(load.vehicle_id) if load.vehicle_id else None,
        "position": last_position(load.vehicle_id) if load.vehicle_id else None,
        "timeline": timeline(load.id),
    }


def snapshot_provider(kind: str, key) -> dict | None:
    """The `server.sockets` hook: ``("load", load_id)`` -> snapshot."""
    if kind == "load" and isinstance(key, int):
        return load_snapshot(key)
    return None


def register_snapshot_provider() -> None:
    from server.sockets import SNAPSHOT_PROVIDERS

    if snapshot_provider not in SNAPSHOT_PROVIDERS:
        SNAPSHOT_PROVIDERS.append(snapshot_provider)
