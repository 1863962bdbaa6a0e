"""Live fan-out of committed fixes and events to Socket.IO rooms, throttled, off the ingest thread.

`SocketPublisher` is the pipeline's `Publisher` for dashboards and public tracking pages:

* the rooms of a vehicle come from a `RoomDirectory` (in production
  `server.tracking.rooms.DbRoomDirectory`: its load's room, its parties' organisation rooms for
  events, the fleet owner's room for positions, and the live tracking-link rooms);
* positions are throttled per (vehicle, room) to one every ``min_interval_s``: a fix arriving
  sooner replaces the pending one, which goes out when the interval is over, so a client
  always ends on the newest fix without being flooded by a 10 Hz tracker;
* events are never throttled;
* emitting happens on a background thread behind a bounded queue: the pipeline (which holds
  the acks of many messages) never waits on Redis or on slow clients. A full queue drops the
  oldest emit and counts it in ``dropped``; fan-out is best effort, the fix is already stored.

``emit(event, data, room)`` is injected: ``flask_socketio.SocketIO(message_queue=REDIS_URL)
.emit`` in a worker process, the app's own ``socketio.emit`` when ingest runs inside the server.
`FanOut` chains several publishers (the load-event recorder, then this one).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from gps_ingest.model import Event, Position
from gps_ingest.publish import Publisher, event_to_dict, position_to_dict

log = logging.getLogger(__name__)

Emit = Callable[[str, dict, str], None]


class RoomDirectory(Protocol):
    """Which Socket.IO rooms follow a vehicle; called per fix, so implementations cache."""

    def position_rooms(self, vehicle_id: str) -> Sequence[str]: ...

    def event_rooms(self, vehicle_id: str) -> Sequence[str]: ...

    def load_of(self, vehicle_id: str) -> int | None: ...


class StaticRooms:
    """A `RoomDirectory` over fixed mappings, for tests and demos."""

    def __init__(self, rooms: dict[str, Sequence[str]], loads: dict[str, int] | None = None):
        self.rooms = rooms
        self.loads = loads or {}

    def position_rooms(self, vehicle_id: str) -> Sequence[str]:
        return self.rooms.get(vehicle_id, ())

    def event_rooms(self, vehicle_id: str) -> Sequence[str]:
        return self.rooms.get(vehicle_id, ())

    def load_of(self, vehicle_id: str) -> int | None:
        return self.loads.get(vehicle_id)


class SocketPublisher:
    """Throttled, asynchronous Socket.IO fan-out (see the module docstring)."""

    def __init__(self, emit: Emit, rooms: RoomDirectory, min_interval_s: float = 1.0,
                 max_queue: int = 20_000, clock: Callable[[], float] = time.monotonic):
        self._emit = emit
        self._rooms = rooms
        self._interval = min_interval_s
        self._clock = clock
        self._queue: queue.Queue[tuple[str, dict, str] | None] = queue.Queue(max_queue)
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], float] = {}  # (vehicle, room) -> last emit time
        self._pending: dict[tuple[str, str], dict] = {}  # throttled newest fix per (vehicle, room)
        self.sent = 0
        self.throttled = 0
        self.dropped = 0
        self.errors = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SocketPublisher:
        """Start the emitter thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="socket-publisher", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (up to ``timeout``) and stop the thread."""
        self._stop.set()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def publish_position(self, position: Position) -> None:
        rooms = self._rooms.position_rooms(position.vehicle_id)
        if not rooms:
            return
        data = position_to_dict(position)
        load_id = self._rooms.load_of(position.vehicle_id)
        if load_id is not None:
            data["load_id"] = load_id
        now = self._clock()
        with self._lock:
            for room in rooms:
                key = (position.vehicle_id, room)
                if now - self._last.get(key, -1e18) >= self._interval:
                    self._last[key] = now
                    self._pending.pop(key, None)
                    self._put("position", data, room)
                else:
                    self.throttled += 1
                    self._pending[key] = data

    def publish_event(self, event: Event) -> None:
        data = event_to_dict(event)
        load_id = data["data"].get("load_id") if isinstance(data["data"], dict) else None
        if load_id is None:
            load_id = self._rooms.load_of(event.vehicle_id)
        if load_id is not None:
            data["load_id"] = load_id
        for room in self._rooms.event_rooms(event.vehicle_id):
            self._put("event", data, room)

    def flush_due(self) -> int:
        """Queue throttled fixes whose interval is over; returns how many. Called by the thread."""
        now = self._clock()
        due = []
        with self._lock:
            for key, data in list(self._pending.items()):
                if now - self._last.get(key, -1e18) >= self._interval:
                    self._last[key] = now
                    del self._pending[key]
                    due.append((key[1], data))
        for room, data in due:
            self._put("position", data, room)
        return len(due)

    def _put(self, event: str, data: dict, room: str) -> None:
        while True:
            try:
                self._queue.put_nowait((event, data, room))
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def drain(self) -> int:
        """Emit everything queued now, on the calling thread (tests, shutdown); returns count."""
        count = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return count
            if item is not None:
                self._send(*item)
                count += 1

    def _send(self, event: str, data: dict, room: str) -> None:
        try:
            self._emit(event, data, room)
            self.sent += 1
        except Exception:
            self.errors += 1
            log.exception("socket emit of %s to %s failed", event, room)

    def _run(self) -> None:
        tick = min(0.1, self._interval / 4) if self._interval > 0 else 0.1
        next_flush = self._clock() + tick
        while True:
            try:
                item = self._queue.get(timeout=tick)
            except queue.Empty:
                item = ()
            if item is None or (self._stop.is_set() and self._queue.empty() and item == ()):
                self.drain()
                return
            if item:
                self._send(*item)
            if self._clock() >= next_flush:  # not per item: the pending map can be large
                next_flush = self._clock() + tick
                self.flush_due()


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
