"""Record the pipeline's vehicle events against their loads, in the database, off the ingest thread.

`LoadEventRecorder` is a `gps_ingest.publish.Publisher` (it ignores positions). What an event means for
the vehicle's active load (``arrived_pickup`` ... ``departed_delivery``, the status it moves the load to,
a new ETA) is decided once, in `server.tracking.load_meaning`; this module runs that decision over
batches and passes its results on.

Every event is stored in ``events`` (with the load when it concerns it). The meaning (with the load's id)
and each status change (as ``status_changed``) are passed on to the ``downstream`` publisher for the
live views.

The plant's yard hears two of these events through its ``yard`` hook (`server.yard.arrivals`):
an ``arrived_pickup`` is the truck at the gate (``yard.arrived_pickup(vehicle_id, site_id, time)``
checks the stored pickup authorization and queues the truck or logs the refusal), and a new ETA
to the pickup is ``yard.pickup_eta_changed(load_id, eta)``, which stores it and re-plans the docks
when the slot must move (so with a yard hook the recorder leaves ``loads.eta`` of a pickup to it:
the yard compares the old ETA with the new one). A new ETA to a delivery site after the pickup goes to
``yard.delivery_eta_changed(load_id, site_id, eta)``, which stores it on the load or on the multi-drop
stop at that site and tells the parties when it left the window (`server.tracking.delays`). Both run on the recorder's thread after the
commit, so the yard reads the new status and the pipeline never waits for them; a failure is
logged and counted in ``yard_failed`` and does not undo the recording.

This runs after the fix was committed, so it is best effort: events are queued (bounded) and
written by a background thread in batches, one transaction per batch (the batch's active loads
read in one query, its event rows written in one INSERT), so the pipeline (which
holds the acks of many messages) never waits for them; if the database is down the batch is
logged and counted in ``failed`` and not replayed.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from gps_ingest.model import Event, Position
from gps_ingest.publish import Publisher
from server.tracking.load_meaning import BatchMeaning, active_loads, read_event, row_id

log = logging.getLogger(__name__)

DEADLOCK_RETRIES = 3


class YardHook(Protocol):
    """What the plant's yard wants to hear from the ingest (`server.yard.arrivals.YardFromIngest`)."""

    def arrived_pickup(self, vehicle_id: int, site_id: int, time: datetime) -> object: ...

    def pickup_eta_changed(self, load_id: int, eta: datetime) -> object: ...

    def delivery_eta_changed(self, load_id: int, site_id: int, eta: datetime) -> object: ...


class LoadEventRecorder:
    """Stores vehicle events against the vehicle's active load and moves the load's status."""

    def __init__(self, engine: Engine, downstream: Publisher | None = None, max_queue: int = 50_000,
                 batch: int = 500, yard: YardHook | None = None):
        self._engine = engine
        self._downstream = downstream
        self._yard = yard
        self._queue: queue.Queue[Event | None] = queue.Queue(max_queue)
        self._batch = batch
        self.recorded = 0
        self.failed = 0
        self.dropped = 0
        self.yard_failed = 0
        self._thread: threading.Thread | None = None

    def start(self) -> LoadEventRecorder:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="load-events", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout_s)
            self._thread = None
        self.flush()

    def publish_position(self, position: Position) -> None:
        return None

    def publish_event(self, event: Event) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            log.warning("load-event queue full; event %s of vehicle %s dropped", event.kind, event.vehicle_id)
        if self._thread is None:
            self.flush()  # not started (tests, scripts): record synchronously

    def flush(self) -> int:
        """Record every queued event now, on the calling thread; returns how many."""
        events = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                events.append(item)
        for start in range(0, len(events), self._batch):
            self._record(events[start:start + self._batch])
        return len(events)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            events = [item]
            while len(events) < self._batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._record(events)
                    return
                events.append(more)
            self._record(events)

    def _record(self, events: list[Event]) -> None:
        from server.models import Event as EventRow

        # Two ingest workers may hold events of the same vehicles (a shared subscription spreads a
        # vehicle's messages over both): taking the rows in vehicle order, as every worker does,
        # leaves no lock cycle; each vehicle's own events keep their order (the sort is stable).
        events = sorted(events, key=lambda e: row_id(e.vehicle_id) or 0)
        for attempt in range(1, DEADLOCK_RETRIES + 1):
            outcome = BatchMeaning()
            try:
                with self._engine.begin() as conn:
                    loads = active_loads(conn, events)
                    for event in events:
                        read_event(conn, event, loads, outcome, yard_takes_etas=self._yard is not None)
                    if outcome.rows:  # one multi-row INSERT per batch, not one per event
                        conn.execute(insert(EventRow), outcome.rows)
                break
            except OperationalError as exc:
                if attempt < DEADLOCK_RETRIES and "deadlock" in str(exc.orig).lower():
                    log.warning("load events met a deadlock; retrying the batch (%d)", attempt)
                    continue
                self.failed += len(events)
                log.exception("could not record %d load event(s)", len(events))
                return
            except Exception:
                self.failed += len(events)
                log.exception("could not record %d load event(s)", len(events))
                return
        self.recorded += len(events)
        if self._downstream is not None:
            for meaning in outcome.meanings:
                self._downstream.publish_event(meaning)
            for event, load_id, previous, status in outcome.changes:
                self._downstream.publish_event(Event(event.vehicle_id, "status_changed", event.time,
                                                     event.site_id, {"load_id": load_id, "previous": previous,
                                                                     "status": status}))
        self._tell_yard(outcome.arrivals, outcome.etas)

    def _tell_yard(self, arrivals: list[tuple[int, int, datetime]], etas: list[tuple]) -> None:
        if self._yard is None:
            return
        calls = [(self._yard.arrived_pickup, args) for args in arrivals]
        calls += [(self._yard.pickup_eta_changed if to == "pickup" else self._yard.delivery_eta_changed, args)
                  for to, *args in etas]
        for call, args in calls:
            try:
                call(*args)
            except Exception:
                self.yard_failed += 1
                log.exception("the yard could not take %s%s", call.__name__, args)
