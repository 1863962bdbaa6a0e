"""Drains the position outbox to MQTT, deleting rows only when the broker acknowledges them.

``flush()`` publishes the oldest unsent positions (a single ``position`` payload, or ``batch``
payloads of at most ``batch_size``) while connected, keeping at most ``max_in_flight`` batches
unacknowledged. Each publish's message id maps to its sequence numbers; the PUBACK (paho's
``on_publish``) deletes exactly those rows and sends the next batch. A negative
acknowledgement (MQTT 5 reason code) or a publish paho refused leaves the rows on disk to be
sent again by the next flush; a refusal also schedules a retry flush after a backoff
(``retry_s``: doubling from the first to the second value, reset by an accepted batch), because
the next fix or connect may never come - a parked truck, a finished drive - and a broker that
just restarted refuses ("no matching subscribers") until the ingest workers resubscribe.

Acknowledgements that stop: when batches are in flight and no acknowledgement came for
``stall_s`` (default 30 s) while the client says it is connected, ``flush`` asks the publisher to
drop its connection (``drop_connection``, if it has one); paho reconnects and sends the
unacknowledged messages again. A connection can look alive (pings answered) and still never
acknowledge: RabbitMQ 3.10 does that when an MQTT connection's internal channel failed, e.g. when
its auth backend erred during a database restart (seen in ``haul bench faults``).

Locking: paho holds its own lock while calling ``on_publish`` and takes it in ``publish``;
so this class never calls ``publish`` while holding its bookkeeping lock, never waits for
the drain lock, and an acknowledgement that overtakes the bookkeeping of its publish is
remembered in ``_early_acks`` - only while a publish is under way, so a stale id can never
settle a later message that reuses it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.positions import encode_positions

log = logging.getLogger(__name__)

# SQLite builds before 3.32 allow 999 bound parameters; the in-flight exclusion list must fit.
MAX_IN_FLIGHT_ROWS = 900


class PositionPublisher(Protocol):
    """What the sender needs from the MQTT client."""

    def is_connected(self) -> bool: ...

    def publish_position_payload(self, payload: bytes) -> int | None:
        """Queue a QoS 1 publish; the message id, or None when it was not accepted."""
        ...


class PositionSender:
    """Moves positions from ``outbox`` to ``publisher``; call ``on_ack`` from ``on_publish``."""

    def __init__(
        self,
        outbox: PositionOutbox,
        publisher: PositionPublisher,
        batch_size: int = 100,
        max_in_flight: int = 4,
        on_change: Callable[[int], None] | None = None,
        retry_s: tuple[float, float] = (1.0, 60.0),
        stall_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        if batch_size < 1 or max_in_flight < 1:
            raise ValueError("batch_size and max_in_flight must be at least 1")
        if batch_size * max_in_flight > MAX_IN_FLIGHT_ROWS:
            raise ValueError(f"batch_size * max_in_flight must be at most {MAX_IN_FLIGHT_ROWS}")
        self.outbox = outbox
        self.publisher = publisher
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.on_change = on_change
        self._lock = threading.Lock()
        self._in_flight: dict[int, list[int]] = {}  # mid -> seqs
        self._reserved: set[int] = set()  # seqs being published or in flight
        self._early_acks: dict[int, bool] = {}
        self._publishing = 0  # publish calls under way
        self._drain_lock = threading.Lock()
        self._again = False
        self._retry_min, self._retry_max = retry_s
        self._retry_delay = self._retry_min
        self._retry_timer: threading.Timer | None = None
        self._stall_s = stall_s
        self._clock = clock
        self._progress_at = clock()  # last acknowledgement, or when the window was empty
        self.dropped_connections = 0

    def pending_count(self) -> int:
        """Positions not yet acknowledged (on disk), including those in flight."""
        return self.outbox.count()

    def in_flight_batches(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def flush(self) -> int:
        """Publish what the in-flight window allows; returns the number of positions handed over.

        One thread drains at a time, so batches leave in time order. A flush requested while
        another runs is not lost: the running one drains again before it returns. It never
        blocks, so calling it from paho's ``on_publish`` (which holds paho's lock) is safe.
        """
        self._drop_stalled_connection()
        sent = 0
        while True:
            self._again = True
            if not self._drain_lock.acquire(blocking=False):
                return sent
            try:
                while self._again:
                    self._again = False
                    sent += self._drain()
            finally:
                self._drain_lock.release()
            if not self._again:
                return sent

    def _drop_stalled_connection(self) -> None:
        with self._lock:
            now = self._clock()
            if not self._in_flight:
                self._progress_at = now
                return
            stalled = now - self._progress_at > self._stall_s
            if stalled:
                self._progress_at = now  # one drop per stall period
        drop = getattr(self.publisher, "drop_connection", None)
        if stalled and drop is not None and self.publisher.is_connected():
            log.warning("no acknowledgement for %.0f s with %d batches in flight: reconnecting",
                        self._stall_s, len(self._in_flight))
            self.dropped_connections += 1
            drop()

    def _drain(self) -> int:
        sent = 0
        while self.publisher.is_connected():
            with self._lock:
                if len(self._in_flight) >= self.max_in_flight:
                    break
                batch = self.outbox.oldest(self.batch_size, exclude=self._reserved)
                if not batch:
                    break
                seqs = [p.seq for p in batch]
                self._reserved.update(seqs)
                self._publishing += 1
            try:
                mid = self.publisher.publish_position_payload(encode_positions(batch))
            except Exception:
                mid = None
                log.exception("publishing positions failed")
            if not self._register(mid, seqs):
                break
            sent += len(seqs)
        return sent

    def on_ack(self, mid: int, ok: bool = True) -> None:
        """The broker acknowledged message ``mid`` (``ok`` False: it refused it)."""
        with self._lock:
            self._progress_at = self._clock()
            seqs = self._in_flight.pop(mid, None)
            if seqs is None:
                # Not ours (e.g. the status message), or it overtook _register of a publish
                # still under way; only the latter can ever be claimed.
                if self._publishing:
                    self._early_acks[mid] = ok
                return
            self._settle(seqs, ok)
        self._changed()
        if ok:
            self.flush()

    def forget_in_flight(self) -> None:
        """Make every in-flight row sendable again (use after replacing the MQTT client object).

        Not needed across reconnects of the same paho client: paho re-sends its unacknowledged
        QoS 1 messages with the same ids, so their acknowledgements still arrive here.
        """
        with self._lock:
            self._in_flight.clear()
            self._reserved.clear()
            self._early_acks.clear()

    def _register(self, mid: int | None, seqs: list[int]) -> bool:
        with self._lock:
            self._publishing -= 1
            early = None if mid is None else self._early_acks.pop(mid, None)
            if not self._publishing:
                self._early_acks.clear()
            if mid is None:
                self._reserved.difference_update(seqs)
                self._schedule_retry()
                return False
            if early is None:
                self._in_flight[mid] = seqs
                return True
            self._settle(seqs, early)
        self._changed()
        return early

    def cancel_retry(self) -> None:
        """Drop a pending retry (when tracking stops)."""
        with self._lock:
            if self._retry_timer is not None:
                self._retry_timer.cancel()
                self._retry_timer = None

    def _settle(self, seqs: list[int], ok: bool) -> None:
        # Called with the lock held.
        if ok:
            self.outbox.delete(seqs)
            self._retry_delay = self._retry_min
        else:
            log.warning("broker refused %d positions; they stay queued", len(seqs))
            self._schedule_retry()
        self._reserved.difference_update(seqs)

    def _schedule_retry(self) -> None:
        # Called with the lock held; the timer flushes on its own thread, never under this lock.
        if self._retry_timer is not None:
            return
        self._retry_timer = threading.Timer(self._retry_delay, self._retry)
        self._retry_timer.daemon = True
        self._retry_timer.start()
        self._retry_delay = min(self._retry_delay * 2, self._retry_max)

    def _retry(self) -> None:
        with self._lock:
            self._retry_timer = None
        self.flush()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change(self.outbox.count())
            except Exception:  # an observer's bug must not stop the outbox draining
                log.exception("position outbox observer failed")
