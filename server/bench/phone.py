"""A phone-like publisher for the fault bench and tests: it keeps every fix until the broker
acknowledges it, and sends again what was not acknowledged, as the driver app's outbox does
(`driver_app.core.position_sender`).

* each `Phone` is one MQTT client (3.1.1 by default, what RabbitMQ speaks; or 5) with a stable
  client id and a persistent session, reconnecting with a 1..2 s backoff;
* a fix counts as *published* only when its PUBACK says success. Under MQTT 5 any other reason
  code ("no matching subscribers" included) means "not delivered": the fix stays in the outbox;
* a connection on which acknowledgements stopped for ``stall_s`` while fixes wait is dropped and
  made again (RabbitMQ 3.10 can leave an MQTT connection open whose internal channel failed,
  e.g. when its auth backend erred: it answers pings but never acknowledges again);
* after every reconnect, and every ``resend_after_s`` for fixes still unacknowledged, the outbox
  is sent again (paho's own in-flight resend may deliver a second copy: the store is keyed by
  ``(vehicle_id, time)``, so that is a no-op, and `published` counts each fix once).

Fixes are Haul v1 ``position`` messages one second apart per vehicle, starting at ``start``, so
the fault bench can tell from the database which acknowledged fixes were stored.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


class Phone:
    """One vehicle's phone: fixes ``0, 1, 2, ...`` stamped ``start + i`` seconds."""

    def __init__(self, port: int, vehicle_id: int, username: str, password: str, start: datetime,
                 protocol: str = "3.1.1", client_id: str | None = None, resend_after_s: float = 10.0,
                 stall_s: float = 15.0):
        self.vehicle_id = vehicle_id
        self.start = start
        self.topic = f"haul/v1/vehicles/{vehicle_id}/position"
        self.resend_after_s = resend_after_s
        self.stall_s = stall_s
        self.reconnects = 0
        self._progress_at = time.monotonic()  # last acknowledgement or connect
        self.acked: set[int] = set()
        self.sent = 0
        self._outbox: dict[int, float] = {}  # fix index -> when last sent
        self._mids: dict[int, int] = {}  # mid -> fix index
        self._early: dict[int, bool] = {}
        self._resend_due = False
        self._lock = threading.Lock()
        self._publishing = threading.Lock()
        cid = client_id or f"haul-driver-{username}"
        if protocol == "5":
            self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
        else:
            self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv311,
                                      clean_session=False)
        self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, 2)
        self.client.on_publish = self._on_publish
        self.client.on_connect = self._on_connect
        self.connected = threading.Event()
        self.client.on_disconnect = lambda *_a: self.connected.clear()
        props = None
        if protocol == "5":
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 3600
            self.client.connect_async("127.0.0.1", port, keepalive=10, clean_start=False, properties=props)
        else:
            self.client.connect_async("127.0.0.1", port, keepalive=10)
        self.client.loop_start()

    def fix_time(self, i: int) -> datetime:
        return self.start + timedelta(seconds=i)

    def payload(self, i: int) -> bytes:
        t = int(self.fix_time(i).timestamp() * 1000)
        return json.dumps({"_type": "position", "v": 1, "t": t, "lat": 51.0 + i * 1e-5, "lon": 7.0 + self.vehicle_id
                           * 1e-4, "speed": 11.1, "heading": 0.0, "acc": 5.0, "seq": i}).encode()

    # -- paho callbacks (network thread: never call paho from here) --------------------------------
    def _on_connect(self, _c, _u, _f, reason_code, _p) -> None:
        if not reason_code.is_failure:
            with self._lock:
                self._resend_due = True
                self._progress_at = time.monotonic()
            self.connected.set()

    def _on_publish(self, _c, _u, mid, reason_code, _p) -> None:
        ok = not reason_code.is_failure and getattr(reason_code, "value", 0) != 16
        with self._lock:
            if mid not in self._mids:
                self._early[mid] = ok
                return
            self._settle(self._mids.pop(mid), ok)

    def _settle(self, i: int, ok: bool) -> None:
        if ok:
            self._progress_at = time.monotonic()
        if ok and i in self._outbox:
            del self._outbox[i]
            self.acked.add(i)

    # -- the phone's own thread --------------------------------------------------------------------
    def publish(self, i: int) -> None:
        with self._lock:
            self._outbox[i] = time.monotonic()
        self._send(i)

    def _send(self, i: int) -> None:
        with self._publishing:
            info = self.client.publish(self.topic, self.payload(i), qos=1)
        self.sent += 1
        with self._lock:
            early = self._early.pop(info.mid, None)
            if early is None:
                self._mids[info.mid] = i
            else:
                self._settle(i, early)

    def resend(self, force: bool = False) -> int:
        """Send again what is due: everything after a reconnect, else fixes unacknowledged too long."""
        now = time.monotonic()
        with self._lock:
            stalled = bool(self._outbox) and self.connected.is_set() and now - self._progress_at > self.stall_s
        if stalled:
            self._reconnect()
        with self._lock:
            everything, self._resend_due = self._resend_due, False
            due = [i for i, at in self._outbox.items()
                   if force or everything or now - at >= self.resend_after_s]
            for i in due:
                self._outbox[i] = now
        if due and self.connected.is_set():
            for i in due:
                self._send(i)
        elif due:
            with self._lock:
                self._resend_due = True
        return len(due)

    def _reconnect(self) -> None:
        self.reconnects += 1
        self.connected.clear()
        with self._publishing:
            self.client.disconnect()
            self.client.loop_stop()
            with self._lock:
                self._mids.clear()
                self._early.clear()
                self._resend_due = True
                self._progress_at = time.monotonic()
            try:
                self.client.reconnect()
            except OSError:
                pass  # the network loop keeps trying
            self.client.loop_start()

    def pending(self) -> int:
        with self._lock:
            return len(self._outbox)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
