"""Tracking wired together: GPS -> publishing policy -> on-disk outbox -> MQTT.

Each accepted fix is stored before anything is sent, then the sender drains the outbox when
connected. Connects, acknowledgements and new fixes each trigger a flush. The driver's day
(``DriverDay``) gets the connection state and the number of positions waiting, and inbox
messages (dock calls, re-plans) move it along.
"""

from __future__ import annotations

import logging
from typing import Any

from driver_app.core.app_state import DriverDay, InvalidTransition
from driver_app.core.gps import GpsProvider
from driver_app.core.i18n import Msg
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
            bind_inbox(mqtt, day)
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


def bind_inbox(mqtt: DriverMqttClient, day: DriverDay) -> None:
    """Dock calls and re-plans from the inbox update the driver's day.

    ``dock_call``: ``{"_type": "dock_call", "v": 1, "load_id": ..., "dock_name": "Dock 3", "dock_id": 7}``;
    ``queue``: ``{"_type": "queue", "v": 1, "load_id": ..., "position": 4}``;
    ``replan``: ``{"_type": "replan", "v": 1, "load_id": ..., "dock": "2", "slot_start": "..."}``.
    Messages for another load than the selected one, or stale for the current step, are
    logged and ignored.
    """

    def for_current_load(message: dict[str, Any]) -> bool:
        load = day.load or {}
        return message.get("load_id") is None or str(message.get("load_id")) == str(load.get("id"))

    def dock_call(message: dict[str, Any]) -> None:
        # The server names the dock in ``dock_name`` (and ``dock_id``); ``dock`` is the older field.
        dock = next((message[k] for k in ("dock_name", "dock", "dock_id") if message.get(k) is not None), None)
        if not for_current_load(message) or dock is None:
            return
        try:
            day.call_to_dock(str(dock))
        except InvalidTransition as exc:
            log.info("ignoring dock call: %s", exc)

    def queue(message: dict[str, Any]) -> None:
        if for_current_load(message) and isinstance(message.get("position"), int) and day.can("queue_moved"):
            day.queue_moved(message["position"])

    def replan(message: dict[str, Any]) -> None:
        if not for_current_load(message):
            return
        dock, start = message.get("dock"), message.get("slot_start")
        if dock is not None and start:
            day.set_notice(Msg("New slot: dock {dock} at {time}", dock=dock, time=_clock_time(str(start))))
        else:
            day.set_notice(Msg("Your plan has changed. Check today's loads."))

    mqtt.on_inbox("dock_call", dock_call)
    mqtt.on_inbox("queue", queue)
    mqtt.on_inbox("replan", replan)


def _clock_time(iso: str) -> str:
    # "2026-03-01T14:30:00+01:00" -> "14:30"; anything else is shown as sent.
    time_part = iso.split("T", 1)[1] if "T" in iso else iso
    return time_part[:5]
