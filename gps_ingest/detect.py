"""The detect step: turn a vehicle's successive zone tags and ETAs into events.

Per vehicle it remembers the zones of the previous fix, when each zone was entered, since
when the vehicle has been stationary, and the last ETA it announced. For each in-order, newly
stored fix it emits, in this order:

* ``zone_enter`` / ``zone_exit`` for every zone gained / lost;
* ``dwell`` once per visit, when the vehicle has been both inside a zone and stationary
  (speed at most ``stationary_speed_kmh``, reported or implied) for ``dwell_minutes``;
* ``eta_changed`` when the fix has an ETA and the last announced one is missing, was for
  another site, or differs by at least ``eta_change_minutes`` (so slow drift adds up).

The first fix of a vehicle after a start only primes the state, unless ``emit_on_first_fix``:
the process cannot tell "just arrived" from "was already there before the restart".
Late fixes (see the order step) and redelivered fixes pass through without events.
The events are attached to the fix (``Position.events``) for the publish step.

These are facts about a vehicle and a place. What they mean for a shipment (arrived at *this
load's* pickup, departed from it, arrived at its delivery) is decided once, against the load's own
sites (`server.tracking.load_meaning`), for the load-event recorder (`server.tracking.events`), which then publishes that meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gps_ingest.geo import haversine_m
from gps_ingest.metrics import Metrics
from gps_ingest.model import Event, Position, ZoneTag, evolve
from gps_ingest.settings import IngestSettings

ZONE_ENTER = "zone_enter"
ZONE_EXIT = "zone_exit"
DWELL = "dwell"
ETA_CHANGED = "eta_changed"


@dataclass
class _VehicleState:
    zones: frozenset[ZoneTag]
    last: Position
    entered: dict[ZoneTag, datetime] = field(default_factory=dict)
    dwelled: set[ZoneTag] = field(default_factory=set)
    stationary_since: datetime | None = None
    eta: datetime | None = None
    eta_site_id: str | None = None


class DetectStep:
    """Emits zone, arrival, dwell and ETA events; passes every fix through."""

    def __init__(self, settings: IngestSettings, metrics: Metrics):
        self._metrics = metrics
        self._dwell = timedelta(minutes=settings.dwell_minutes)
        self._stationary = settings.stationary_speed_kmh / 3.6
        self._eta_change = timedelta(minutes=settings.eta_change_minutes)
        self._emit_first = settings.emit_on_first_fix
        self._vehicles: dict[str, _VehicleState] = {}

    def __call__(self, p: Position) -> Position:
        if p.late or p.inserted is False:
            return p
        current = frozenset(p.zones)
        state = self._vehicles.get(p.vehicle_id)
        events: list[Event] = []
        if state is None:
            state = self._vehicles[p.vehicle_id] = _VehicleState(zones=frozenset(), last=p)
            if not self._emit_first:
                state.zones = current
                state.entered = {tag: p.time for tag in current}
        if current != state.zones:  # most fixes are on the road: no zone then, and none now
            for tag in sorted(current - state.zones, key=_order):
                state.entered[tag] = p.time
                events.append(self._zone_event(p, tag, ZONE_ENTER))
            for tag in sorted(state.zones - current, key=_order):
                state.entered.pop(tag, None)
                state.dwelled.discard(tag)
                events.append(self._zone_event(p, tag, ZONE_EXIT))
        self._track_motion(state, p)
        if current:  # dwelling is in a zone
            events += self._dwell_events(state, p, current)
        events += self._eta_events(state, p)
        state.zones, state.last = current, p
        if not events:
            return p
        self._metrics.add("events", len(events))
        return evolve(p, events=tuple(events))

    @staticmethod
    def _zone_event(p: Position, tag: ZoneTag, kind: str) -> Event:
        return Event(p.vehicle_id, kind, p.time, tag.site_id, {"zone_kind": tag.kind})

    def _track_motion(self, state: _VehicleState, p: Position) -> None:
        speed = p.speed
        if speed is None and state.last is not p:
            dt = (p.time - state.last.time).total_seconds()
            if dt > 0:
                speed = haversine_m((state.last.lat, state.last.lon), (p.lat, p.lon)) / dt
        if speed is None:
            return  # nothing known: keep the previous motion state
        if speed <= self._stationary:
            state.stationary_since = state.stationary_since or p.time
        else:
            state.stationary_since = None

    def _dwell_events(self, state: _VehicleState, p: Position, current: frozenset[ZoneTag]) -> list[Event]:
        if state.stationary_since is None:
            return []
        out = []
        for tag in sorted(current - state.dwelled, key=_order):
            since = max(state.stationary_since, state.entered.get(tag, p.time))
            if p.time - since >= self._dwell:
                state.dwelled.add(tag)
                minutes = round((p.time - since).total_seconds() / 60, 1)
                out.append(
                    Event(
                        p.vehicle_id, DWELL, p.time, tag.site_id, {"zone_kind": tag.kind, "minutes": minutes}
                    )
                )
        return out

    def _eta_events(self, state: _VehicleState, p: Position) -> list[Event]:
        if p.eta is None:
            return []
        previous = state.eta if state.eta_site_id == p.eta_site_id else None
        if previous is not None and abs(p.eta - previous) < self._eta_change:
            return []
        state.eta, state.eta_site_id = p.eta, p.eta_site_id
        data = {
            "eta": p.eta.isoformat(),
            "previous": None if previous is None else previous.isoformat(),
            "delta_minutes": None if previous is None else round((p.eta - previous).total_seconds() / 60, 1),
        }
        return [Event(p.vehicle_id, ETA_CHANGED, p.time, p.eta_site_id, data)]


def _order(tag: ZoneTag) -> tuple[str, str]:
    return (tag.site_id, tag.kind)
