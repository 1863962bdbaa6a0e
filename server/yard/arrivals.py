"""What the GPS ingest tells the yard: geofence arrivals (the gate check-in), new pickup ETAs
(dock re-planning) and new delivery ETAs (stored, and a delay told), each run inside a Flask app context.

The ingest records vehicle events on its own engine, outside any request (``haul ingest`` runs
no Flask app at all), while the gate (`server.yard.gate.on_arrival`) works on ``db.session`` like
the rest of the yard: the token check with the app's ``SECRET_KEY``, the visit state machine, row
locks, and the Socket.IO and driver-inbox news. Rather than write a second gate on a raw
connection, `YardFromIngest` runs ``on_arrival`` (and ``on_eta_changed`` for a new ETA) in an app
context of its own each time and ends that context's session afterwards, so nothing leaks between
events or threads.

In a server process (the OsmAnd endpoint, ``haul demo``'s embedded ingest) the app is the running
one: a second app there would rebind the process-wide Socket.IO server. A standalone ingest worker
has none, so ``haul ingest`` hands in a factory and the app is built on the first arrival;
``SECRET_KEY``, ``REDIS_URL`` and ``MQTT_URL`` then come from the same environment as the
server's (docs/deployment.md), which is what lets it verify tokens and reach dashboards and drivers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, has_app_context

from server.extensions import db
from server.tracking.delays import delivery_eta
from server.yard.eta import on_eta_changed
from server.yard.gate import on_arrival


class YardFromIngest:
    """The recorder's yard hook: gate check-in on arrival, dock re-plan on a new pickup ETA."""

    def __init__(self, app: Flask | None = None, app_factory: Callable[[], Flask] | None = None):
        if app is None and app_factory is None:
            raise ValueError("the yard needs an app, or a factory to build one on the first arrival")
        self._app = app
        self._app_factory = app_factory
        self._lock = threading.Lock()

    @classmethod
    def for_process(cls, app: Flask | None, app_factory: Callable[[], Flask] | None) -> YardFromIngest:
        """The given app, else the one whose context is active, else one ``app_factory`` builds on first use."""
        if app is None and has_app_context():
            app = current_app._get_current_object()
        return cls(app, app_factory)

    def app(self) -> Flask:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._app_factory()
        return self._app

    def arrived_pickup(self, vehicle_id: int, site_id: int, time: datetime) -> int | None:
        """Check the truck in at the gate; the visit id, or None (no load here, or refused and logged)."""
        with self.app().app_context():
            try:
                visit = on_arrival(vehicle_id, site_id, time)
                return visit.id if visit is not None else None
            finally:
                db.session.remove()

    def delivery_eta_changed(self, load_id: int, site_id: int, eta: datetime) -> bool:
        """Store a new ETA to a delivery (the load's, or a multi-drop stop's) and tell the parties when it
        left the window (``server.tracking.delays``); whether anyone was told."""
        with self.app().app_context():
            try:
                return delivery_eta(load_id, site_id, eta)
            finally:
                db.session.remove()

    def pickup_eta_changed(self, load_id: int, eta: datetime) -> int:
        """Store the new ETA and re-plan the pickup's docks if the slot must move; how many slots moved."""
        with self.app().app_context():
            try:
                return len(on_eta_changed(load_id, eta))
            finally:
                db.session.remove()
