"""The driver device's MQTT connection (paho-mqtt 2.x, callback API version 2).

Behaviour, after paho's and Home Assistant's robust clients:

- persistent session: a stable client id with ``clean_start=False`` (MQTT 5, with a session
  expiry) or ``clean_session=False`` (3.1.1), so QoS 1 inbox messages wait while offline;
- the inbox subscription is (re)made in ``on_connect``, so it survives any reconnect;
- reconnects back off exponentially from 1 s to 120 s (``reconnect_delay_set``);
- paho's in-memory queue is bounded (``max_queued_messages_set``, ``max_inflight_messages_set``):
  the on-disk outbox, not paho, holds the backlog;
- a retained last will on ``haul/v1/vehicles/{vehicle_id}/status`` announces ``offline``, and
  ``online`` is published (retained) on every connect.

Callbacks from here run on paho's network thread: listeners must be thread-safe (Kivy code
hops to the UI thread with ``Clock.schedule_once``).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from driver_app.core.api_models import MqttSettings
from driver_app.core.i18n import Msg

log = logging.getLogger(__name__)

TOPIC_POSITION = "haul/v1/vehicles/{vehicle_id}/position"
TOPIC_STATUS = "haul/v1/vehicles/{vehicle_id}/status"
TOPIC_INBOX = "haul/v1/drivers/{driver_id}/inbox"

InboxHandler = Callable[[dict[str, Any]], None]


def status_payload(state: str) -> bytes:
    return json.dumps({"_type": "status", "v": 1, "state": state, "t": int(time.time() * 1000)}).encode()


class DriverMqttClient:
    """Connects with device credentials, publishes positions and status, dispatches the inbox."""

    def __init__(
        self,
        settings: MqttSettings,
        *,
        client_id: str | None = None,
        protocol: str | None = None,
        keepalive_s: int = 60,
        min_reconnect_s: int = 1,
        max_reconnect_s: int = 120,
        max_inflight: int = 20,
        max_queued: int = 200,
        session_expiry_s: int = 7 * 24 * 3600,
        tls_ca_certs: str | None = None,
    ):
        self.settings = settings
        self.host, self.port, tls, transport, ws_path = settings.endpoint()
        self.client_id = client_id or f"haul-driver-{settings.username}"
        self.position_topic = TOPIC_POSITION.format(vehicle_id=settings.vehicle_id)
        self.status_topic = TOPIC_STATUS.format(vehicle_id=settings.vehicle_id)
        self.inbox_topic = TOPIC_INBOX.format(driver_id=settings.driver_id)
        self.keepalive_s = keepalive_s
        self.session_expiry_s = session_expiry_s
        self.connection_error: Msg | None = None
        self._connected = threading.Event()
        self._connection_listeners: list[Callable[[bool], None]] = []
        self._ack_listeners: list[Callable[[int, bool], None]] = []
        self._inbox_handlers: dict[str, list[InboxHandler]] = {}

        self.mqtt_v5 = (protocol or settings.protocol) == "5"
        if self.mqtt_v5:
            self._client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=self.client_id,
                protocol=mqtt.MQTTv5,
                transport=transport,
            )
        else:
            self._client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=self.client_id,
                protocol=mqtt.MQTTv311,
                clean_session=False,
                transport=transport,
            )
        client = self._client
        client.username_pw_set(settings.username, settings.password)
        if tls:
            client.tls_set(ca_certs=tls_ca_certs)
        if transport == "websockets":
            client.ws_set_options(path=ws_path)
        client.will_set(self.status_topic, status_payload("offline"), qos=1, retain=True)
        client.reconnect_delay_set(min_delay=min_reconnect_s, max_delay=max_reconnect_s)
        client.max_inflight_messages_set(max_inflight)
        client.max_queued_messages_set(max_queued)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message

    # -- wiring --------------------------------------------------------------------------

    def add_connection_listener(self, listener: Callable[[bool], None]) -> None:
        """``listener(True)`` after each connect, ``listener(False)`` after each loss."""
        self._connection_listeners.append(listener)

    def add_ack_listener(self, listener: Callable[[int, bool], None]) -> None:
        """``listener(mid, ok)`` on each PUBACK; ``ok`` is False when the broker refused."""
        self._ack_listeners.append(listener)

    def on_inbox(self, message_type: str, handler: InboxHandler) -> None:
        """Call ``handler(message)`` for inbox messages whose ``_type`` matches ("*": all)."""
        self._inbox_handlers.setdefault(message_type, []).append(handler)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; paho keeps reconnecting until ``stop``."""
        properties = None
        if self.mqtt_v5:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self.session_expiry_s
            self._client.connect_async(
                self.host, self.port, self.keepalive_s, clean_start=False, properties=properties
            )
        else:
            self._client.connect_async(self.host, self.port, self.keepalive_s)
        self._client.loop_start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Announce ``offline``, disconnect cleanly and stop the network thread."""
        if self.is_connected():
            info = self._client.publish(self.status_topic, status_payload("offline"), qos=1, retain=True)
            try:
                info.wait_for_publish(timeout_s)
            except (RuntimeError, ValueError):
                pass  # the connection went away meanwhile; the will covers it
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    def is_connected(self) -> bool:
        return self._connected.is_set()

    def drop_connection(self) -> None:
        """Break the connection as a network loss would: paho reconnects with its backoff and sends
        its unacknowledged QoS 1 messages again (used when acknowledgements stop)."""
        sock = self._client.socket()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    # -- publishing ----------------------------------------------------------------------

    def publish_position_payload(self, payload: bytes) -> int | None:
        """Publish a position/batch payload with QoS 1; the message id or None if refused."""
        info = self._client.publish(self.position_topic, payload, qos=1)
        if info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            # NO_CONN: paho keeps the QoS 1 message and sends it after reconnecting.
            return info.mid
        log.warning("paho refused a position publish: %s", mqtt.error_string(info.rc))
        return None

    # -- paho callbacks (network thread) -------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.connection_error = _connect_error(reason_code)
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.connection_error = None
        client.subscribe(self.inbox_topic, qos=1)
        client.publish(self.status_topic, status_payload("online"), qos=1, retain=True)
        self._connected.set()
        log.info("MQTT connected to %s:%s (session present: %s)", self.host, self.port, flags.session_present)
        self._notify_connection(True)

    def _on_connect_fail(self, client, userdata) -> None:
        self.connection_error = Msg("Cannot reach the tracking server.")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        was_connected = self._connected.is_set()
        self._connected.clear()
        if was_connected:
            log.info("MQTT disconnected: %s", reason_code)
            self._notify_connection(False)

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        # "No matching subscribers" (16) is a success code, but it means nobody stored the fix: a
        # broker that restarted has not yet seen the ingest workers resubscribe. Keep and resend it.
        ok = not reason_code.is_failure and getattr(reason_code, "value", 0) != NO_MATCHING_SUBSCRIBERS
        for listener in list(self._ack_listeners):
            try:
                listener(mid, ok)
            except Exception:
                log.exception("MQTT ack listener failed")

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        if message.topic != self.inbox_topic:
            return
        try:
            body = json.loads(message.payload)
        except (ValueError, UnicodeDecodeError):
            log.warning("ignoring inbox message that is not JSON (%d bytes)", len(message.payload))
            return
        if not isinstance(body, dict) or not isinstance(body.get("_type"), str):
            log.warning("ignoring inbox message without _type")
            return
        handlers = self._inbox_handlers.get(body["_type"], []) + self._inbox_handlers.get("*", [])
        if not handlers:
            log.info("no handler for inbox message type %s", body["_type"])
        for handler in handlers:
            try:
                handler(body)
            except Exception:
                log.exception("inbox handler for %s failed", body["_type"])

    def _notify_connection(self, online: bool) -> None:
        for listener in list(self._connection_listeners):
            try:
                listener(online)
            except Exception:
                log.exception("MQTT connection listener failed")


NO_MATCHING_SUBSCRIBERS = 16


def _connect_error(reason_code: Any) -> Msg:
    # 0x86 bad user name or password, 0x87 not authorized (3.1.1 codes 4 and 5 map to these).
    if getattr(reason_code, "value", None) in (0x86, 0x87, 4, 5):
        return Msg("The tracking server refused this device. Pair the device again.")
    return Msg("The tracking server refused the connection.")
