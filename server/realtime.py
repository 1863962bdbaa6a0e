"""Live fan-out to dashboards (Socket.IO rooms) and to drivers (their MQTT inbox).

Room names are made here and nowhere else, so the join check in the socket handlers
and every emitter agree:
    org:{id}      everything an organisation's dashboards show
    load:{id}     one shipment, for the parties that see all of it (seller, carrier, a plain load's buyer)
    load:{id}:buyer:{org}  one buyer's stop(s) on a multi-drop load: the events its stop may see
    track:{hash}  a public tracking link (the SHA-256 of its token)
    user:{id}     one user's sockets, for what is addressed to that user alone (its own notifications)
With ``REDIS_URL`` set, Flask-SocketIO relays emits through Redis, so any server process
(or an ingest worker using ``SocketIO(message_queue=...)``) reaches every client.
"""

from __future__ import annotations

import json
import logging
import threading

from server.extensions import socketio

log = logging.getLogger("haul.realtime")


def org_room(org_id: int) -> str:
    return f"org:{org_id}"


def load_room(load_id: int) -> str:
    return f"load:{load_id}"


def stop_room(load_id: int, buyer_org_id: int) -> str:
    return f"load:{load_id}:buyer:{buyer_org_id}"


def tracking_room(token_hash: str) -> str:
    return f"track:{token_hash}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_to_orgs(event: str, data: dict, org_ids) -> None:
    for org_id in sorted(set(org_ids)):
        socketio.emit(event, data, to=org_room(org_id))


def emit_to_user(event: str, data: dict, user_id: int) -> None:
    socketio.emit(event, data, to=user_room(user_id))


def emit_to_load(event: str, data: dict, load_id: int) -> None:
    socketio.emit(event, data, to=load_room(load_id))


def driver_inbox_topic(driver_id: int) -> str:
    return f"haul/v1/drivers/{driver_id}/inbox"


class DriverInbox:
    """Publishes server-to-driver messages (dock calls, re-plans) with QoS 1.

    One paho client per process, connected lazily to ``MQTT_URL`` (or the embedded
    broker's URL, which ``haul demo`` sets). Messages sent while the broker is away stay
    in paho's bounded queue and go out on reconnect.
    """

    def __init__(self) -> None:
        self._client = None
        self._lock = threading.Lock()
        self.url: str = ""

    def configure(self, url: str) -> None:
        self.url = url

    def _connect(self):
        import paho.mqtt.client as mqtt

        from server.mqtt_url import parse_mqtt_url

        target = parse_mqtt_url(self.url)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"haul-server-inbox-{id(self)}",
                             protocol=mqtt.MQTTv311, clean_session=True)
        if target.username:
            client.username_pw_set(target.username, target.password)
        client.max_queued_messages_set(10_000)
        client.reconnect_delay_set(1, 120)
        client.connect_async(target.host, target.port, keepalive=30)
        client.loop_start()
        return client

    def send(self, driver_id: int, kind: str, payload: dict) -> bool:
        """Queue a message for a driver's phone; False when no broker is configured."""
        if not self.url:
            log.info("no MQTT broker configured; driver %s not told of %s", driver_id, kind)
            return False
        with self._lock:
            if self._client is None:
                self._client = self._connect()
        body = json.dumps({"_type": kind, "v": 1, **payload}, default=str)
        self._client.publish(driver_inbox_topic(driver_id), body, qos=1)
        return True


driver_inbox = DriverInbox()
