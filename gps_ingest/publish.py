"""The publish step: fan committed fixes and their events out (Socket.IO, in production).

Publishing happens after the commit, so it is best effort: a failing `Publisher` is logged
and counted in ``publish_errors`` and never drops or un-commits a fix. Redelivered fixes
(``inserted`` False) were published the first time and are skipped. Late fixes are published
with ``late: true`` so live maps can leave the marker where it is.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from gps_ingest.metrics import Metrics
from gps_ingest.model import Event, Position

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """Where committed fixes and events go."""

    def publish_position(self, position: Position) -> None: ...

    def publish_event(self, event: Event) -> None: ...


class InMemoryPublisher:
    """A `Publisher` that keeps everything in lists, for tests and demos."""

    def __init__(self) -> None:
        self.positions: list[Position] = []
        self.events: list[Event] = []

    def publish_position(self, position: Position) -> None:
        self.positions.append(position)

    def publish_event(self, event: Event) -> None:
        self.events.append(event)


class PublishStep:
    """Hands each new fix, then its events, to the publisher."""

    def __init__(self, publisher: Publisher, metrics: Metrics):
        self._publisher = publisher
        self._metrics = metrics

    def __call__(self, p: Position) -> Position:
        if p.inserted is False:
            return p
        try:
            self._publisher.publish_position(p)
            for event in p.events:
                self._publisher.publish_event(event)
        except Exception:
            log.exception("publish failed for vehicle %s", p.vehicle_id)
            self._metrics.add("publish_errors")
        return p


def position_to_dict(p: Position) -> dict[str, Any]:
    """A JSON-ready view of a fix for fan-out (times as ISO 8601 UTC)."""
    return {
        "vehicle_id": p.vehicle_id,
        "time": p.time.isoformat(),
        "lat": p.lat,
        "lon": p.lon,
        "speed": p.speed,
        "heading": p.heading,
        "accuracy": p.accuracy,
        "battery": p.battery,
        "late": p.late,
        "zones": [{"site_id": z.site_id, "kind": z.kind} for z in p.zones],
        "eta": None if p.eta is None else p.eta.isoformat(),
        "eta_site_id": p.eta_site_id,
    }


def event_to_dict(e: Event) -> dict[str, Any]:
    """A JSON-ready view of an event for fan-out and webhooks."""
    return {
        "vehicle_id": e.vehicle_id,
        "kind": e.kind,
        "time": e.time.isoformat(),
        "site_id": e.site_id,
        "data": dict(e.data),
    }
