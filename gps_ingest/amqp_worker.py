"""The production ingest worker: the durable positions queue -> pipeline -> ack after commit.

Any number of `AmqpIngestWorker` processes consume the one quorum queue
(`gps_ingest.amqp_topology`) as competing consumers. What each promises:

* **ack after commit**: a delivery is acknowledged only once the pipeline reports its message
  committed (every fix stored or dropped). Acks go out in delivery order as one
  ``basic.ack(multiple=True)`` per flush, the `gps_ingest.pipeline` acknowledgement contract;
* **a dead worker strands nothing**: RabbitMQ returns a consumer's unacknowledged deliveries to
  the queue as soon as its connection closes (``kill -9`` included, noticed by the closed socket
  or, on a dead host, the heartbeat), and another worker, under any id, gets them. There is no
  per-worker session to come back for;
* **no worker at all** loses nothing: the queue holds the fixes on disk;
* **a connection that breaks** (broker restart) makes the worker store what its pipeline still
  holds before it consumes again (those acks are void: the broker redelivers the messages, and
  the store's ``(vehicle_id, time)`` key makes the second copy a no-op); only then does it take
  new deliveries, so a redelivered copy never meets its original half-way through the pipeline;
* **the database down**: deliveries wait un-submitted (and un-acked) while the store says it is
  unavailable, or while the pipeline cannot look a vehicle up (`gps_ingest.model.Unavailable`: the
  delivery goes back to the head of the line and is tried again a second later); ``prefetch``
  bounds how many a worker holds.

One thread does everything (pika's `BlockingConnection` is not thread-safe): it reads deliveries
for up to ``flush_interval_s``, submits them, flushes, acks, and runs ``on_tick``. The connection
is retried with a 1..120 s backoff.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gps_ingest.amqp_topology import POSITIONS_QUEUE, declare, mqtt_topic
from gps_ingest.model import Message, Unavailable
from gps_ingest.pipeline import Pipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AmqpOptions:
    url: str  # amqp://user:pass@host:5672/%2F
    queue: str = POSITIONS_QUEUE
    prefetch: int = 5000  # un-acked deliveries the broker may hand this worker (rate x ack delay)
    flush_interval_s: float = 0.05  # a fix waits at most this for its commit when the queue is quiet
    flush_at_held: int = 500  # flush early when this many fixes wait for the store
    heartbeat_s: int = 30
    name: str = "haul-ingest"  # shown in the broker's connection list


class AmqpIngestWorker:
    """Feeds the positions queue through a pipeline and acknowledges after commit."""

    def __init__(self, pipeline: Pipeline, options: AmqpOptions, on_tick: Callable[[], None] | None = None,
                 store_available: Callable[[], bool] | None = None):
        self.pipeline = pipeline
        self.options = options
        self._on_tick = on_tick
        self._store_available = store_available or (lambda: True)
        self._store = next((s for s in pipeline.steps if getattr(s, "commits", False)), None)
        self._waiting: list[tuple[int, str, bytes]] = []  # (delivery tag, routing key, body), not submitted
        self._inflight: dict[str, tuple[int, int]] = {}  # message id -> (generation, delivery tag)
        self._seq = itertools.count(1)
        self._generation = 0
        self._retry_at = 0.0  # after Unavailable: no submits before this (monotonic)
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.received = self.acked = self.stale_acks = 0
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> AmqpIngestWorker:
        self._thread = threading.Thread(target=self._run, name="ingest-amqp", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the flush under way, ack what got committed, then close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        import pika

        delay = 1.0
        while not self._stop.is_set():
            try:
                connection = pika.BlockingConnection(self._parameters())
            except Exception as exc:  # refused, DNS, auth: all retried
                log.warning("cannot reach the broker (%s); retrying in %.0f s", exc, delay)
                self._settle_orphans(delay)
                delay = min(delay * 2, 120.0)
                continue
            delay = 1.0
            try:
                self._consume(connection)
            except Exception as exc:  # a broken connection or channel: reconnect
                if not self._stop.is_set():
                    log.warning("lost the broker (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                self._generation += 1  # acks of that connection are void now
                self._waiting.clear()  # the broker redelivers them
                try:
                    if connection.is_open:
                        connection.close()
                except Exception:
                    pass
        self._settle_orphans(0)

    def _parameters(self):
        import pika

        params = pika.URLParameters(self.options.url)
        params.heartbeat = self.options.heartbeat_s
        params.blocked_connection_timeout = 300
        params.client_properties = {"connection_name": self.options.name}
        return params

    def _settle_orphans(self, budget_s: float) -> None:
        """Store what the pipeline still holds from a lost connection (its acks are void)."""
        deadline = time.monotonic() + budget_s
        while self.pipeline.pending():
            if self._store_available():
                self._ack(None, self.pipeline.flush(drain=True))
            if not self.pipeline.pending() or time.monotonic() >= deadline:
                return
            time.sleep(0.2)
        if budget_s:
            time.sleep(max(0.0, deadline - time.monotonic()))

    # -- one connection ------------------------------------------------------------------------
    def _consume(self, connection) -> None:
        # Before taking anything new: what the pipeline holds from an earlier connection is stored
        # first, so its redelivered copies find it in the database (or in the duplicate filter).
        while self.pipeline.pending() and not self._stop.is_set():
            self._settle_orphans(1.0)
            connection.process_data_events(time_limit=0)
        channel = connection.channel()
        declare(channel)
        channel.basic_qos(prefetch_count=self.options.prefetch)
        channel.basic_consume(self.options.queue, self._on_delivery)
        self.connected.set()
        log.info("consuming %s (prefetch %d)", self.options.queue, self.options.prefetch)
        interval = self.options.flush_interval_s
        next_flush = time.monotonic() + interval
        cancelled = False
        while True:
            stopping = self._stop.is_set()
            if stopping and not cancelled:
                for tag in list(channel.consumer_tags):
                    channel.basic_cancel(tag)  # no new deliveries; what is here is drained and acked
                cancelled = True
            connection.process_data_events(time_limit=0 if stopping else max(0.0, next_flush - time.monotonic()))
            available = self._store_available() and time.monotonic() >= self._retry_at
            if available and self._waiting:
                waiting, self._waiting = self._waiting, []
                for index, (tag, key, body) in enumerate(waiting):
                    try:
                        self._submit(channel, tag, key, body)
                    except Unavailable:
                        # Not taken: it and everything after it wait, in order, for the database.
                        self._waiting = waiting[index:] + self._waiting
                        self._retry_at = time.monotonic() + 1.0
                        available = False
                        break
            now = time.monotonic()
            if stopping or now >= next_flush or self._held() >= self.options.flush_at_held:
                if available:
                    self._ack(channel, self.pipeline.flush(drain=stopping))
                next_flush = now + interval
                self._tick()
            if stopping:
                if self.pipeline.pending() and available:
                    continue  # a drain that met a full batch: flush again
                return

    def _on_delivery(self, _channel, method, _properties, body: bytes) -> None:
        self.received += 1
        self._waiting.append((method.delivery_tag, method.routing_key, body))

    def _submit(self, channel, tag: int, key: str, body: bytes) -> None:
        message_id = str(next(self._seq))
        self._inflight[message_id] = (self._generation, tag)
        try:
            done = self.pipeline.submit(Message(message_id, "mqtt", topic=mqtt_topic(key), payload=body))
        except Unavailable:
            del self._inflight[message_id]
            raise
        self._ack(channel, done)

    def _ack(self, channel, message_ids) -> None:
        last = None
        for message_id in message_ids:
            generation, tag = self._inflight.pop(message_id)
            if generation != self._generation or channel is None:
                self.stale_acks += 1  # that connection is gone; the broker redelivers the message
                continue
            last = tag
            self.acked += 1
        if last is not None:
            # In-order commits (InOrderAcks) and in-order delivery tags: everything up to the last
            # committed tag is committed, so one frame acks them all.
            channel.basic_ack(delivery_tag=last, multiple=True)

    def _held(self) -> int:
        return self._store.held() if hasattr(self._store, "held") else 0

    def _tick(self) -> None:
        if self._on_tick is not None:
            try:
                self._on_tick()
            except Exception:
                log.exception("periodic task failed")
