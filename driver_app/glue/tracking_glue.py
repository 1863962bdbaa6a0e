"""GPS for the app: MQTT tracking when the device is paired, the on-disk outbox otherwise (Kivy-free).

A paired device has MQTT credentials, so fixes go through the core's ``TrackingService``
(policy -> outbox -> MQTT). A driver signed in with a password has none yet: accepted fixes
still go to the outbox, where they wait ("N positions waiting") until the device is paired.
Either way the last fix stamps evidence and proof of delivery.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from driver_app.core.api_models import MqttSettings
from driver_app.core.app_state import DriverDay
from driver_app.core.gps import FixCallback, GpsProvider
from driver_app.core.mqtt_client import DriverMqttClient
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.positions import Fix
from driver_app.core.publish_policy import PolicySettings, PublishPolicy
from driver_app.core.tracking import TrackingService

log = logging.getLogger(__name__)

# The demo route for a simulated drive when a load has no coordinates: Dortmund -> Cologne.
DEMO_ROUTE = ((51.5136, 7.4653), (51.4344, 7.3334), (51.2562, 7.1508), (51.0504, 7.0130), (50.9375, 6.9603))


class _Remembering:
    """A GPS provider that also tells the tracker each fix (for stamping forms)."""

    def __init__(self, gps: GpsProvider, tracker: Tracker):
        self.gps, self.tracker = gps, tracker

    def start(self, callback: FixCallback) -> None:
        def both(fix: Fix) -> None:
            self.tracker.last_fix = fix
            callback(fix)

        self.gps.start(both)

    def stop(self) -> None:
        self.gps.stop()


class Tracker:
    """Starts and stops GPS tracking for the app."""

    def __init__(self, positions: PositionOutbox, day: DriverDay, policy: PolicySettings, notices: Any = None):
        self.positions = positions
        self.day = day
        self.notices = notices  # where inbox notices are kept (a NoticeList)
        self.policy = PublishPolicy(policy)
        self.mqtt_settings: MqttSettings | None = None
        self.service: TrackingService | None = None
        self.gps: GpsProvider | None = None
        self.last_fix: Fix | None = None
        day.set_connection(positions_waiting=positions.count())

    def use_mqtt(self, settings: MqttSettings) -> None:
        self.mqtt_settings = settings

    @property
    def running(self) -> bool:
        return self.gps is not None

    def start(self, gps: GpsProvider) -> None:
        self.stop()
        self.policy.reset()
        if self.mqtt_settings is not None:
            self.service = TrackingService(_Remembering(gps, self), self.positions,
                                           DriverMqttClient(self.mqtt_settings), self.policy, self.day,
                                           notices=self.notices)
            self.service.start()
        else:
            gps.start(self._offline_fix)
        self.gps = gps

    def _offline_fix(self, fix: Fix) -> None:
        self.last_fix = fix
        if self.policy.accept(fix):
            self.positions.append(fix)
            self.day.set_connection(positions_waiting=self.positions.count())

    def stop(self) -> None:
        try:
            if self.service is not None:
                self.service.stop()
            elif self.gps is not None:
                self.gps.stop()
        except Exception:  # stopping must never keep the driver from signing out
            log.exception("stopping tracking failed")
        self.service = None
        self.gps = None

    def set_policy(self, settings: PolicySettings) -> None:
        self.policy.settings = settings

    def stamp(self) -> dict[str, Any]:
        """``recorded_at`` (UTC, now) and the last known ``position`` (None before any fix)."""
        fix = self.last_fix
        position = None
        if fix is not None:
            position = {"lat": fix.lat, "lon": fix.lon, "acc": fix.acc,
                        "t": datetime.fromtimestamp(fix.t_ms / 1000, UTC).isoformat(timespec="seconds")}
        return {"recorded_at": datetime.now(UTC).isoformat(timespec="seconds"), "position": position}

    def route_for(self, load: dict[str, Any]) -> list[tuple[float, float]]:
        """The load's stops with coordinates, else the demo route."""
        from driver_app.glue.load_view import stops

        points = [(float(s["lat"]), float(s["lon"])) for s in stops(load)
                  if s["lat"] is not None and s["lon"] is not None]
        return points if len(points) >= 2 else list(DEMO_ROUTE)
