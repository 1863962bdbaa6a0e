"""Live fan-out of committed fixes and events to Socket.IO rooms, throttled, batched, off the ingest thread.

`SocketPublisher` is the pipeline's `Publisher` for dashboards and public tracking pages:

* the rooms of a vehicle come from a `gps_ingest.room_directory.RoomDirectory` (in production
  `server.tracking.rooms.DbRoomDirectory`: its load's room, its parties' organisation rooms for
  events, the fleet owner's room for positions, and the live tracking-link rooms);
* positions are throttled per vehicle to about one every ``min_interval_s``: a fix arriving
  sooner replaces the pending one, which goes out when the interval is over, so a client always
  ends on the newest fix without being flooded by a 10 Hz tracker. A fix at least one interval
  (of fix time) after the last one sent passes once half an interval of wall time went by: a
  steady 1 Hz tracker reaches this step with the jitter of the pipeline's flushes, and holding
  every early fix back to the full interval would add up to a tick of delay to half of them;
* events are never throttled (a room's events of one batch go out as one ``events`` list);
* the pipeline thread only notes what is due; a background thread sends it. It wakes on the
  first item and waits until none came for ``settle_s`` (at most ``batch_window_s``), so one
  pipeline flush goes out as one batch, shaped by `gps_ingest.socket_batches`. An emitter with a
  ``batch(frame)`` method (`server.tracking.runtime.RedisEmitter`) gets it as one frame, each fix
  and event once with the rooms that get it, which the servers split per client
  (`server.tracking.live_batches`). Other
  emitters get, per room, one ``positions`` emit (a list; a single fix is a plain ``position``),
  all in one call if they have a ``many(items)`` method. A fleet room that gets thousands of
  fixes a second thus costs a few emits, and each browser a few messages, per second. The
  buffer is bounded: when it is full the oldest item is dropped and counted in ``dropped``;
  fan-out is best effort, the fix is already stored.

``emit(event, data, room)`` is injected: an external ``flask_socketio.SocketIO(message_queue=REDIS_URL)``
emitter in a worker process, the app's own ``socketio.emit`` when ingest runs inside the server.
`FanOut` chains several publishers (the load-event recorder, then this one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from gps_ingest.model import Event, Position
from gps_ingest.publish import Publisher, event_to_dict
from gps_ingest.room_directory import RoomDirectory
from gps_ingest.socket_batches import one_frame, per_room_emits

log = logging.getLogger(__name__)

Emit = Callable[[str, Any, str], None]


class SocketPublisher:
    """Throttled, batched, asynchronous Socket.IO fan-out (see the module docstring)."""

    def __init__(self, emit: Emit, rooms: RoomDirectory, min_interval_s: float = 1.0,
                 max_queue: int = 20_000, clock: Callable[[], float] = time.monotonic,
                 batch_window_s: float = 0.03, settle_s: float = 0.004):
        self._emit = emit
        self._emit_many: Callable[[list[tuple[str, Any, str]]], None] | None = getattr(emit, "many", None)
        self._emit_frame: Callable[[dict], None] | None = getattr(emit, "batch", None)
        self._rooms = rooms
        self._interval = min_interval_s
        self._clock = clock
        self._window = batch_window_s
        self._settle_s = settle_s
        self._max = max_queue
        self._lock = threading.Lock()
        self._wake = threading.Event()
        # ("position", fix, rooms) or ("event", data, rooms), in the order they became due.
        self._out: deque[tuple[str, Any, Sequence[str]]] = deque()
        self._last: dict[str, tuple[float, float]] = {}  # vehicle -> (wall time, fix epoch s) last sent
        self._pending: dict[str, tuple[Position, Sequence[str]]] = {}  # throttled newest fix per vehicle
        self.sent = 0  # emits (or frames) handed to the emitter
        self.throttled = 0  # (fix, room) pairs replaced by a newer fix before they went out
        self.dropped = 0
        self.errors = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SocketPublisher:
        """Start the emitter thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="socket-publisher", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (up to ``timeout``) and stop the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def publish_position(self, position: Position) -> None:
        rooms = self._rooms.position_rooms(position.vehicle_id)
        if not rooms:
            return
        now = self._clock()
        fix_s = position.time.timestamp()
        vehicle = position.vehicle_id
        with self._lock:
            last = self._last.get(vehicle)
            if last is None or now - last[0] >= self._interval or (
                    fix_s - last[1] >= self._interval and now - last[0] >= self._interval / 2):
                self._last[vehicle] = (self._slot(last, now), fix_s)
                self._pending.pop(vehicle, None)
                self._put("position", position, rooms)
            else:
                self.throttled += len(rooms)
                self._pending[vehicle] = (position, rooms)

    def _slot(self, last: tuple[float, float] | None, now: float) -> float:
        """When a fix sent ``now`` counts as sent: one interval after the last one, but not before
        half an interval ago nor after now. Counting a fix a stall made late as sent on arrival
        would shift the vehicle's cadence: each punctual fix after it would be held back too (seen
        as 0.6-0.9 s of added delay for many seconds after one stall of the ingest worker)."""
        if last is None:
            return now
        return min(now, max(last[0] + self._interval, now - self._interval / 2))

    def publish_event(self, event: Event) -> None:
        rooms = self._rooms.event_rooms(event.vehicle_id, event)
        if not rooms:
            return
        data = event_to_dict(event)
        load_id = data["data"].get("load_id") if isinstance(data["data"], dict) else None
        if load_id is None:
            load_id = self._rooms.load_of(event.vehicle_id)
        if load_id is not None:
            data["load_id"] = load_id
        with self._lock:
            self._put("event", data, rooms)

    def flush_due(self) -> int:
        """Queue throttled fixes whose interval is over; returns how many (fix, room) pairs."""
        now = self._clock()
        count = 0
        with self._lock:
            for vehicle, (position, rooms) in list(self._pending.items()):
                last = self._last[vehicle]
                if now - last[0] >= self._interval:
                    self._last[vehicle] = (self._slot(last, now), position.time.timestamp())
                    del self._pending[vehicle]
                    self._put("position", position, rooms)
                    count += len(rooms)
        return count

    def _put(self, kind: str, item: Any, rooms: Sequence[str]) -> None:
        """Append under the lock; a full buffer loses its oldest item."""
        while len(self._out) >= self._max:
            self._out.popleft()
            self.dropped += 1
        self._out.append((kind, item, rooms))
        self._wake.set()

    def drain(self) -> int:
        """Emit everything queued now, on the calling thread (tests, shutdown); returns the emits."""
        with self._lock:
            items, self._out = self._out, deque()
        if not items:
            return 0
        if self._emit_frame is not None:
            frame = one_frame(items, self._rooms)
            try:
                self._emit_frame(frame)
                self.sent += 1
            except Exception:
                self.errors += 1
                log.exception("socket emit of a frame of %d items failed", len(items))
            return 1
        emits = per_room_emits(items, self._rooms)
        if self._emit_many is not None:
            try:
                self._emit_many(emits)
                self.sent += len(emits)
            except Exception:
                self.errors += len(emits)
                log.exception("socket emit of %d items failed", len(emits))
        else:
            for emit in emits:
                self._send(*emit)
        return len(emits)

    def _send(self, event: str, data: Any, room: str) -> None:
        try:
            self._emit(event, data, room)
            self.sent += 1
        except Exception:
            self.errors += 1
            log.exception("socket emit of %s to %s failed", event, room)

    def _settle(self) -> None:
        """Wait until the pipeline flush that woke us stops adding items, at most ``batch_window_s``.

        A flush publishes its fixes back to back, so a short pause means it is over: a fixed
        window would hold every fix for the whole window (30 ms on each one's way to the client).
        """
        deadline = time.monotonic() + self._window
        seen = len(self._out)
        while True:
            time.sleep(min(self._settle_s, max(0.0, deadline - time.monotonic())))
            now_seen = len(self._out)
            if now_seen == seen or time.monotonic() >= deadline:
                return
            seen = now_seen

    def _run(self) -> None:
        tick = min(0.1, self._interval / 4) if self._interval > 0 else 0.1
        next_flush = self._clock() + tick
        while not self._stop.is_set():
            if self._wake.wait(tick) and not self._stop.is_set() and self._window > 0:
                self._settle()
            self._wake.clear()
            if self._clock() >= next_flush:  # not per batch: the pending map can be large
                next_flush = self._clock() + tick
                self.flush_due()
            self.drain()
        self.drain()


class FanOut:
    """A `Publisher` that hands each fix and event to several publishers, in order."""

    def __init__(self, *publishers: Publisher):
        self.publishers = list(publishers)

    def publish_position(self, position: Position) -> None:
        self._each("publish_position", position)

    def publish_event(self, event: Event) -> None:
        self._each("publish_event", event)

    def _each(self, method: str, item: Any) -> None:
        failure = None
        for publisher in self.publishers:
            try:
                getattr(publisher, method)(item)
            except Exception as exc:  # one failing sink must not starve the others
                log.exception("%s of %s failed", method, type(publisher).__name__)
                failure = exc
        if failure is not None:
            raise failure  # so the publish step counts it
