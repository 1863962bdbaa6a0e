"""The MQTT ingest worker: broker -> pipeline -> acknowledgement after commit.

One `MqttIngestWorker` is one MQTT client with a stable client id. Several run at once through
MQTT 5 shared subscriptions (``$share/ingest/haul/v1/vehicles/+/position`` and
``$share/ingest/owntracks/+/+``): the broker spreads messages over them.

Delivery guarantees (a crash loses nothing, a redelivery changes nothing):

* QoS 1 with paho's manual acks (``manual_ack_set(True)``): a message's PUBACK is sent with
  ``client.ack(mid, qos)`` only once the pipeline reports it committed (every fix stored or
  dropped), in receive order;
* a persistent session: ``clean_start=False`` and a session expiry (MQTT 5), so the broker keeps
  the subscription and the un-acknowledged messages while the worker is away and redelivers
  them to the same client id;
* acks are tied to the connection that delivered the message: after a reconnect the broker
  redelivers every un-acked message with its packet id, so acks of the old connection are
  skipped (the same packet id may by then name another message).

Flow control: the worker announces an MQTT 5 *Receive Maximum* (default 65,535, the maximum):
the broker never has more un-acked messages in flight to it, which also bounds the worker's
queue. With in-order acks a message waits ``reorder_hold_s`` + one flush before its ack, so the
in-flight window must cover ``rate x (hold + flush interval + write time)``; Mosquitto's own
``max_inflight_messages`` (20 by default) applies to MQTT 3.1.1 clients only, which is why the
worker speaks MQTT 5 when the broker does. Beyond the window the broker queues per session, and
Mosquitto's default ``max_queued_messages 1000`` then *drops* messages (seen in the benchmark
when workers fell behind): production brokers need ``max_queued_messages 0`` (bounded instead by
``max_queued_bytes`` / memory), as `server.broker.mosquitto` configures.

Threads: paho's network thread only decodes and enqueues; one processing thread submits to the
pipeline, flushes it every ``flush_interval_s`` (sooner when a store batch is full) and sends
the acks. The client resubscribes in ``on_connect`` and reconnects with a 1..120 s backoff.

amqtt (the embedded demo broker) speaks MQTT 3.1.1 only and has no shared subscriptions:
`gps_ingest.mqtt_client.probe_mqtt5` detects that and the worker then runs alone with plain subscriptions.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gps_ingest.model import Message, Unavailable
from gps_ingest.mqtt_client import DirectDispatchClient
from gps_ingest.pipeline import Pipeline

log = logging.getLogger(__name__)

POSITION_TOPICS = ("haul/v1/vehicles/+/position", "owntracks/+/+")
SHARE_GROUP = "ingest"


@dataclass(frozen=True)
class WorkerOptions:
    """How the worker talks to the broker."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    client_id: str = "haul-ingest-1"
    mqtt5: bool = True
    shared: bool = True  # shared subscriptions (MQTT 5 brokers; Mosquitto)
    share_group: str = SHARE_GROUP
    topics: tuple[str, ...] = POSITION_TOPICS
    receive_maximum: int = 65_535
    session_expiry_s: int = 7 * 24 * 3600
    keepalive_s: int = 30
    flush_interval_s: float = 0.1
    flush_at_held: int = 500  # flush early when this many fixes wait for the store

    def subscriptions(self) -> list[str]:
        if self.shared and self.mqtt5:
            return [f"$share/{self.share_group}/{topic}" for topic in self.topics]
        return list(self.topics)


class MqttIngestWorker:
    """Feeds one MQTT client's position messages through a pipeline and acks after commit."""

    def __init__(self, pipeline: Pipeline, options: WorkerOptions,
                 on_tick: Callable[[], None] | None = None, store_available: Callable[[], bool] | None = None):
        self.pipeline = pipeline
        self.options = options
        self._on_tick = on_tick
        # While the store fails, new messages stay queued (un-acked) instead of being decoded:
        # the resolver, plans and rooms read the same database and could not answer either.
        self._store_available = store_available or (lambda: True)
        self._queue: queue.Queue = queue.Queue(maxsize=options.receive_maximum + 1000)
        self._inflight: dict[str, tuple[int, int, int]] = {}  # message id -> (generation, mid, qos)
        self._seq = itertools.count(1)
        self._generation = 0
        self._pending_subscriptions: set[int] = set()
        self._retry: tuple | None = None  # a message the pipeline could not take yet (Unavailable)
        self._retry_at = 0.0
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.acked = 0
        self.received = 0
        self.stale_acks = 0
        self._store = next((s for s in pipeline.steps if getattr(s, "commits", False)), None)
        self._client = self._make_client()
        self._thread: threading.Thread | None = None

    def _make_client(self) -> mqtt.Client:
        o = self.options
        if o.mqtt5:
            client = DirectDispatchClient(CallbackAPIVersion.VERSION2, client_id=o.client_id, protocol=mqtt.MQTTv5)
        else:
            client = DirectDispatchClient(CallbackAPIVersion.VERSION2, client_id=o.client_id,
                                           protocol=mqtt.MQTTv311, clean_session=False)
        if o.username:
            client.username_pw_set(o.username, o.password)
        client.manual_ack_set(True)
        client.reconnect_delay_set(1, 120)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    # -- paho callbacks (network thread) ---------------------------------------------------
    def _on_connect(self, client, _userdata, flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("broker refused the connection: %s", reason_code)
            return
        self._generation += 1
        log.info("connected to %s:%s as %s (session present: %s)", self.options.host, self.options.port,
                 self.options.client_id, flags.session_present)
        topics = self.options.subscriptions()
        # Resubscribe every time: the session may be gone. Until the broker acknowledges them, a
        # message with no other subscriber is dropped by the broker, so "subscribed" is logged.
        self._pending_subscriptions = {client.subscribe(topic, qos=1)[1] for topic in topics}
        self.connected.set()

    def _on_subscribe(self, _client, _userdata, mid, reason_codes, _properties) -> None:
        refused = [str(code) for code in reason_codes if code.is_failure]
        if refused:
            log.warning("the broker refused a subscription: %s", ", ".join(refused))
        self._pending_subscriptions.discard(mid)
        if not self._pending_subscriptions:
            log.info("subscribed to all %d topics", len(self.options.subscriptions()))

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("disconnected from the broker (%s); paho reconnects with backoff", reason_code)

    def _on_message(self, _client, _userdata, msg: mqtt.MQTTMessage) -> None:
        self.received += 1
        # Blocking here is back-pressure on the socket; with Receive Maximum it does not happen.
        self._queue.put((self._generation, msg.mid, msg.qos, msg.topic, msg.payload))

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> MqttIngestWorker:
        o = self.options
        if o.mqtt5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = o.session_expiry_s
            props.ReceiveMaximum = min(o.receive_maximum, 65535)
            self._client.connect_async(o.host, o.port, keepalive=o.keepalive_s, clean_start=False,
                                       properties=props)
        else:
            self._client.connect_async(o.host, o.port, keepalive=o.keepalive_s)
        self._client.loop_start()
        self._thread = threading.Thread(target=self._process, name="ingest-process", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Drain the pipeline, ack what got committed, then disconnect."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.is_set():
                time.sleep(0.5)
        finally:
            self.stop()

    # -- processing thread -------------------------------------------------------------------
    def _process(self) -> None:
        interval = self.options.flush_interval_s
        next_flush = time.monotonic() + interval
        while True:
            stopping = self._stop.is_set()
            timeout = max(0.0, next_flush - time.monotonic())
            item = None
            if not self._store_available() or time.monotonic() < self._retry_at:
                if stopping:
                    return  # un-acked messages stay with the broker
                time.sleep(min(timeout, 0.1))
            elif self._retry is not None:
                item, self._retry = self._retry, None
            else:
                try:
                    item = self._queue.get(timeout=timeout) if not stopping else self._queue.get_nowait()
                except queue.Empty:
                    item = None
            if item is not None and self._take(item):
                # Take what is already waiting before deciding to flush, but only until a flush is
                # due: a worker that fell behind always has more waiting, and draining it all first
                # held every commit and ack back (seen: 59,000 messages in, 2,500 acked, on a
                # loaded machine), until the broker's in-flight window was full.
                while time.monotonic() < next_flush:
                    try:
                        if not self._take(self._queue.get_nowait()):
                            break
                    except queue.Empty:
                        break
            now = time.monotonic()
            due = stopping or now >= next_flush or self._held() >= self.options.flush_at_held
            if due and self._store_available():
                self._ack(self.pipeline.flush(drain=stopping))
                next_flush = now + interval
                if self._on_tick is not None:
                    try:
                        self._on_tick()
                    except Exception:
                        log.exception("periodic task failed")
            if stopping and self._queue.empty():
                return

    def _held(self) -> int:
        return self._store.held() if hasattr(self._store, "held") else 0

    def _take(self, item: tuple) -> bool:
        """Submit one queued message; False (and kept for a retry a second later) if the pipeline
        could not take it now (`Unavailable`: the vehicle lookup's database is away)."""
        try:
            self._submit(*item)
            return True
        except Unavailable:
            self._retry, self._retry_at = item, time.monotonic() + 1.0
            return False

    def _submit(self, generation: int, mid: int, qos: int, topic: str, payload: bytes) -> None:
        message_id = str(next(self._seq))
        self._inflight[message_id] = (generation, mid, qos)
        try:
            done = self.pipeline.submit(Message(message_id, "mqtt", topic=topic, payload=payload))
        except Unavailable:
            del self._inflight[message_id]
            raise
        self._ack(done)

    def _ack(self, message_ids: Sequence[str]) -> None:
        for message_id in message_ids:
            generation, mid, qos = self._inflight.pop(message_id)
            if qos == 0:
                continue
            if generation != self._generation:
                self.stale_acks += 1  # the broker redelivers it on the new connection
                continue
            self._client.ack(mid, qos)
            self.acked += 1
