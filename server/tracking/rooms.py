"""Which Socket.IO rooms follow each vehicle, read from the database and cached.

Positions go to the vehicle owner's organisation room (the fleet map), to the room of the load
the vehicle is assigned to and to that load's live tracking-link rooms. Events go to those
rooms and also to the organisation rooms of the load's seller and buyer, but not to the rooms of links
bound to one buyer's stop on a multi-drop load: an event may be at another buyer's site, and the room
cannot tell, so such a link gets the truck's positions live and its own stop's events when its page
or snapshot is read again. The whole map is
rebuilt every ``ttl_s`` from three small queries, so the ingest hot path never queries per fix;
a link that expires is dropped from the map at the next rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine

from gps_ingest.db_seams import ACTIVE_LOAD_STATUSES
from server.db.types import utcnow
from server.realtime import load_room, org_room, tracking_room

log = logging.getLogger(__name__)


@dataclass
class _Map:
    positions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    events: dict[str, tuple[str, ...]] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)


class DbRoomDirectory:
    """A `gps_ingest.socket_publisher.RoomDirectory` over vehicles, loads and tracking links."""

    def __init__(self, engine: Engine, ttl_s: float = 10.0):
        self._engine = engine
        self._ttl = ttl_s
        self._map = _Map()
        self._expires = 0.0
        self._lock = threading.Lock()

    def position_rooms(self, vehicle_id: str) -> tuple[str, ...]:
        return self._current().positions.get(vehicle_id, ())

    def event_rooms(self, vehicle_id: str) -> tuple[str, ...]:
        return self._current().events.get(vehicle_id, ())

    def load_of(self, vehicle_id: str) -> int | None:
        return self._current().loads.get(vehicle_id)

    def invalidate(self) -> None:
        self._expires = 0.0

    def _current(self) -> _Map:
        if time.monotonic() >= self._expires:
            with self._lock:
                if time.monotonic() >= self._expires:
                    self._expires = time.monotonic() + self._ttl
                    try:
                        self._map = self._build()
                    except Exception:
                        log.exception("could not rebuild the room map; keeping the previous one")
        return self._map

    def _build(self) -> _Map:
        from server.models import Load, TrackingLink, Vehicle

        with self._engine.connect() as conn:
            owners = dict(conn.execute(select(Vehicle.id, Vehicle.organisation_id)).all())
            loads = conn.execute(
                select(Load.id, Load.vehicle_id, Load.seller_org_id, Load.buyer_org_id, Load.carrier_org_id)
                .where(Load.vehicle_id.is_not(None), Load.status.in_(ACTIVE_LOAD_STATUSES))
                .order_by(Load.id)).all()
            links: dict[int, list[str]] = {}
            stop_links: dict[int, list[str]] = {}  # bound to one buyer's stop: positions only
            for load_id, token_hash, stop_buyer in conn.execute(
                    select(TrackingLink.load_id, TrackingLink.token_hash, TrackingLink.stop_buyer_org_id)
                    .where(TrackingLink.revoked_at.is_(None), TrackingLink.expires_at > utcnow())):
                (links if stop_buyer is None else stop_links).setdefault(load_id, []).append(token_hash)
        out = _Map()
        for vehicle_id, org_id in owners.items():
            out.positions[str(vehicle_id)] = out.events[str(vehicle_id)] = (org_room(org_id),)
        for load in loads:
            key = str(load.vehicle_id)
            if key in out.loads:
                continue  # the oldest active load is the one being driven
            out.loads[key] = load.id
            shared = (load_room(load.id), *(tracking_room(h) for h in sorted(links.get(load.id, ()))))
            stop_shared = tuple(tracking_room(h) for h in sorted(stop_links.get(load.id, ())))
            base = out.positions.get(key, ())
            out.positions[key] = base + shared + stop_shared
            parties = {load.seller_org_id, load.buyer_org_id, load.carrier_org_id} - {None}
            extra = tuple(org_room(o) for o in sorted(parties) if org_room(o) not in base)
            out.events[key] = base + shared + extra
        return out
