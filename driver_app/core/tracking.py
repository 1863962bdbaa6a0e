"""Tracking wired together: GPS -> publishing policy -> on-disk outbox -> MQTT.

Each accepted fix is stored before anything is sent, then the sender drains the outbox when
connected. Connects, acknowledgements and new fixes each trigger a flush. The driver's day
(``DriverDay``) gets the connection state and the number of positions waiting, and inbox
messages (dock calls, re-plans) move it along.
"""

from __future__ import annotations

import logging
from typing import Any

from driver_app.core.app_state import DriverDay
from driver_app.core.gps import GpsProvider
from driver_app.core.inbox import bind_inbox
from driver_app.core.mqtt_client import DriverMqttClient
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.position_sender import PositionSender
from driver_app.core.positions import Fix
from driver_app.core.publish_policy import PublishPolicy

log = logging.getLogger(__name__)


class TrackingService:
    """Runs GPS tracking for one device; ``start``/``stop`` follow the driver's shift."""

    def __init__(
        self,
        gps: GpsProvider,
        outbox: PositionOutbox,
        mqtt: DriverMqttClient,
        policy: PublishPolicy | None = None,
        day: DriverDay | None = None,
        batch_size: int = 100,
        max_in_flight: int = 4,
        notices: Any = None,
    ):
        self.gps = gps
        self.outbox = outbox
        self.mqtt = mqtt
        self.policy = policy or PublishPolicy()
        self.day = day
        self.sender = PositionSender(
            outbox, mqtt, batch_size=batch_size, max_in_flight=max_in_flight, on_change=self._report_waiting
        )
        mqtt.add_ack_listener(self.sender.on_ack)
        mqtt.add_connection_listener(self._on_connection)
        if day is not None:
            bind_inbox(mqtt, day, notices)
        self._report_waiting(outbox.count())

    def start(self) -> None:
        self.mqtt.start()
        self.gps.start(self.on_fix)

    def stop(self) -> None:
        """Stop GPS and disconnect; unsent positions stay on disk for the next start."""
        self.gps.stop()
        self.sender.cancel_retry()
        self.mqtt.stop()
        if self.day is not None:
            self.day.set_connection(online=False)

    def on_fix(self, fix: Fix) -> None:
        """A GPS reading: keep it if the policy wants it, store it, then try to send."""
        if not self.policy.accept(fix):
            return
        self.outbox.append(fix)
        self._report_waiting(self.outbox.count())
        self.sender.flush()

    def _on_connection(self, online: bool) -> None:
        if self.day is not None:
            self.day.set_connection(online=online)
        if online:
            self.sender.flush()

    def _report_waiting(self, waiting: int) -> None:
        if self.day is not None:
            self.day.set_connection(positions_waiting=waiting)
