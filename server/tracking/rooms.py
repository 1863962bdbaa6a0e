"""Which Socket.IO rooms follow each vehicle, read from the database and cached.

Positions go to the vehicle owner's organisation room (the fleet map), to the room of the load
the vehicle is assigned to and to that load's live tracking-link rooms. Events go to those
rooms and also to the organisation rooms of the load's seller, carrier and buyer (on a multi-drop load each
stop buyer's organisation room gets its stop's share, as below). A link bound to one buyer's
stop on a multi-drop load gets the truck's positions and, event by event, only the events its stop may
see (`server.stops.event_scope.StopScope`, the rule its timeline follows; so does the room of that buyer's
signed-in pages, ``load:{id}:buyer:{org}``, which it joins instead of the load's): the pickup's and the
transit's and those at its own site, never one at another buyer's site or about another buyer's stop;
its fixes come without their ETA and zones (`bare_position_rooms`), which may be another buyer's.
Once its stop is delivered it gets nothing more (its page is frozen at the proof). The whole map is
rebuilt every ``ttl_s`` from four small queries, so the ingest hot path never queries per fix;
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
from gps_ingest.model import Event
from server.db.types import utcnow
from server.realtime import load_room, org_room, stop_room, tracking_room
from server.stops.event_scope import StopScope

log = logging.getLogger(__name__)


@dataclass
class _Map:
    positions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    events: dict[str, tuple[str, ...]] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)
    stop_events: dict[str, tuple[tuple[str, StopScope], ...]] = field(default_factory=dict)  # room, its stop's share
    bare: dict[str, frozenset[str]] = field(default_factory=dict)  # rooms that get fixes without ETA and zones


class DbRoomDirectory:
    """A `gps_ingest.room_directory.RoomDirectory` over vehicles, loads and tracking links."""

    def __init__(self, engine: Engine, ttl_s: float = 10.0):
        self._engine = engine
        self._ttl = ttl_s
        self._map = _Map()
        self._expires = 0.0
        self._lock = threading.Lock()

    def position_rooms(self, vehicle_id: str) -> tuple[str, ...]:
        return self._current().positions.get(vehicle_id, ())

    def event_rooms(self, vehicle_id: str, event: Event | None = None) -> tuple[str, ...]:
        """The rooms that get ``event`` of the vehicle; without the event, those that get all of them."""
        current = self._current()
        rooms = current.events.get(vehicle_id, ())
        if event is None:
            return rooms
        stop_rooms = tuple(room for room, scope in current.stop_events.get(vehicle_id, ())
                           if scope.shows(event.site_id, event.data))
        return rooms + stop_rooms if stop_rooms else rooms

    def bare_position_rooms(self, vehicle_id: str) -> frozenset[str]:
        return self._current().bare.get(vehicle_id, frozenset())

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
        from server.models import Load, LoadStop, TrackingLink, Vehicle

        with self._engine.connect() as conn:
            owners = dict(conn.execute(select(Vehicle.id, Vehicle.organisation_id)).all())
            loads = conn.execute(
                select(Load.id, Load.vehicle_id, Load.seller_org_id, Load.buyer_org_id, Load.carrier_org_id)
                .where(Load.vehicle_id.is_not(None), Load.status.in_(ACTIVE_LOAD_STATUSES))
                .order_by(Load.id)).all()
            links: dict[int, list[str]] = {}
            stop_links: dict[int, list[tuple[str, int]]] = {}  # bound to one buyer's stop: (hash, buyer)
            for load_id, token_hash, stop_buyer in conn.execute(
                    select(TrackingLink.load_id, TrackingLink.token_hash, TrackingLink.stop_buyer_org_id)
                    .where(TrackingLink.revoked_at.is_(None), TrackingLink.expires_at > utcnow())):
                if stop_buyer is None:
                    links.setdefault(load_id, []).append(token_hash)
                else:
                    stop_links.setdefault(load_id, []).append((token_hash, stop_buyer))
            stops: dict[int, list] = {}
            if loads:  # the active loads' stops, by a join (an IN list of thousands of ids would not do)
                for row in conn.execute(
                        select(LoadStop.load_id, LoadStop.id, LoadStop.site_id, LoadStop.buyer_org_id, LoadStop.status)
                        .join(Load, Load.id == LoadStop.load_id)
                        .where(Load.vehicle_id.is_not(None), Load.status.in_(ACTIVE_LOAD_STATUSES))):
                    stops.setdefault(row.load_id, []).append(row)
        out = _Map()
        for vehicle_id, org_id in owners.items():
            out.positions[str(vehicle_id)] = out.events[str(vehicle_id)] = (org_room(org_id),)
        for load in loads:
            key = str(load.vehicle_id)
            if key in out.loads:
                continue  # the oldest active load is the one being driven
            out.loads[key] = load.id
            shared = (load_room(load.id), *(tracking_room(h) for h in sorted(links.get(load.id, ()))))
            followed = _stop_rooms(load.id, stop_links.get(load.id, ()), stops.get(load.id, ()))
            base = out.positions.get(key, ())
            out.positions[key] = base + shared + tuple(room for room, _scope in followed)
            # On a multi-drop load a buyer's organisation room is one buyer's too: its stop's events only.
            multi_drop = load.id in stops
            parties = {load.seller_org_id, load.carrier_org_id, None if multi_drop else load.buyer_org_id} - {None}
            extra = tuple(org_room(o) for o in sorted(parties) if org_room(o) not in base)
            out.events[key] = base + shared + extra
            buyer_orgs = _buyer_org_rooms(stops.get(load.id, ()), {*base, *extra})
            if followed or buyer_orgs:
                out.stop_events[key] = followed + buyer_orgs
                out.bare[key] = frozenset(room for room, _scope in followed)
        return out


def _buyer_org_rooms(stops, taken: set[str]) -> tuple[tuple[str, StopScope], ...]:
    """Each stop buyer's organisation room with its stop's share of the events (its dashboards)."""
    rows = [(s.id, s.site_id, s.buyer_org_id) for s in stops]
    buyers = sorted({s.buyer_org_id for s in stops if s.buyer_org_id is not None and s.status != "delivered"})
    return tuple((org_room(buyer), StopScope.of(rows, buyer)) for buyer in buyers if org_room(buyer) not in taken)


def _stop_rooms(load_id: int, links, stops) -> tuple[tuple[str, StopScope], ...]:
    """The rooms that follow one buyer's stop, each with that stop's share of the events: each stop buyer's
    own room (its signed-in pages) and each stop-bound link's; a buyer whose stops are all delivered is left
    out (its pages froze at the proof)."""
    rows = [(s.id, s.site_id, s.buyer_org_id) for s in stops]
    open_buyers = {s.buyer_org_id for s in stops if s.buyer_org_id is not None and s.status != "delivered"}
    out = [(stop_room(load_id, buyer), StopScope.of(rows, buyer)) for buyer in sorted(open_buyers)]
    out += [(tracking_room(token_hash), StopScope.of(rows, buyer)) for token_hash, buyer in sorted(links)
            if buyer in open_buyers]
    return tuple(out)
