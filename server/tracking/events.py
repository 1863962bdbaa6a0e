"""Turn the pipeline's vehicle events into load events and load status changes, in the database.

`LoadEventRecorder` is a `gps_ingest.publish.Publisher` (it ignores positions). For each event of
a vehicle it finds the load the vehicle is assigned to (``loads.vehicle_id`` with an active
status) and decides against *that load's* pickup and delivery sites, not the site's kind:

=====================  ======================  =============================================
pipeline event         at the load's ...       recorded as / status change
=====================  ======================  =============================================
``zone_enter``         pickup site             ``arrived_pickup``; assigned/authorized -> at_pickup
``zone_exit``          pickup site             ``departed_pickup``; up to loading -> in_transit
``zone_enter``         delivery site           ``arrived_delivery`` (status stays: delivered
                                               needs the proof of delivery)
``zone_exit``          delivery site           ``departed_delivery``
``dwell``              either                  ``dwell``
``eta_changed``        next stop               ``eta_changed``; ``loads.eta`` is set
=====================  ======================  =============================================

On a multi-drop load each undelivered delivery stop's site is a delivery site of the load too, so the
truck arriving at (leaving) any buyer's stop is that stop's ``arrived_delivery`` (``departed_delivery``),
at its site, and its buyer's stop-bound link hears it (`server.stops.event_scope`).

Every event is stored in ``events`` (with the load when it concerns it). This is the one place
where a fix's meaning for a shipment is decided: the pipeline only reports zones entered and left
(`gps_ingest.detect`). Status updates are conditional UPDATEs (``WHERE status IN (...)``), so a
load that moved on by other means (cancelled, delivered) is never pulled back. The meaning
(``arrived_pickup`` ... ``departed_delivery``, with the load's id) and each status change (as
``status_changed``) are passed on to the ``downstream`` publisher for the live views.

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

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from gps_ingest.db_seams import ACTIVE_LOAD_STATUSES
from gps_ingest.model import Event, Position
from gps_ingest.publish import Publisher

log = logging.getLogger(__name__)

TO_AT_PICKUP = ("assigned", "authorized")
DEADLOCK_RETRIES = 3
TO_IN_TRANSIT = ("assigned", "authorized", "at_pickup", "loading")

class YardHook(Protocol):
    """What the plant's yard wants to hear from the ingest (`server.yard.arrivals.YardFromIngest`)."""

    def arrived_pickup(self, vehicle_id: int, site_id: int, time: datetime) -> object: ...

    def pickup_eta_changed(self, load_id: int, eta: datetime) -> object: ...

    def delivery_eta_changed(self, load_id: int, site_id: int, eta: datetime) -> object: ...


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() and 0 < int(value) < 2**31 else None


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
        changes: list[tuple[Event, int, str, str]] = []
        meanings: list[Event] = []
        arrivals: list[tuple[int, int, datetime]] = []
        etas: list[tuple] = []
        from server.models import Event as EventRow

        # Two ingest workers may hold events of the same vehicles (a shared subscription spreads a
        # vehicle's messages over both): taking the rows in vehicle order, as every worker does,
        # leaves no lock cycle; each vehicle's own events keep their order (the sort is stable).
        events = sorted(events, key=lambda e: _int(e.vehicle_id) or 0)
        for attempt in range(1, DEADLOCK_RETRIES + 1):
            changes, meanings, arrivals, etas = [], [], [], []
            try:
                with self._engine.begin() as conn:
                    loads = self._active_loads(conn, events)
                    rows: list[dict] = []
                    for event in events:
                        changes += self._record_one(conn, event, loads, rows, meanings, arrivals, etas)
                    if rows:  # one multi-row INSERT per batch, not one per event
                        conn.execute(insert(EventRow), rows)
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
            for meaning in meanings:
                self._downstream.publish_event(meaning)
            for event, load_id, previous, status in changes:
                self._downstream.publish_event(Event(event.vehicle_id, "status_changed", event.time,
                                                     event.site_id, {"load_id": load_id, "previous": previous,
                                                                     "status": status}))
        self._tell_yard(arrivals, etas)

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

    @staticmethod
    def _active_loads(conn, events: list[Event]) -> dict[int, dict]:
        """Each event vehicle's active load (the lowest id) with its open stops' sites, read in one query for
        the whole batch (a multi-drop load's row once per undelivered delivery stop)."""
        from server.models import Load, LoadStop

        vehicles = sorted({v for v in (_int(e.vehicle_id) for e in events) if v is not None})
        loads: dict[int, dict] = {}
        if vehicles:
            open_stop = and_(LoadStop.load_id == Load.id, LoadStop.kind == "delivery", LoadStop.status != "delivered")
            for row in conn.execute(
                    select(Load.id, Load.status, Load.pickup_site_id, Load.delivery_site_id, Load.vehicle_id,
                           LoadStop.site_id.label("stop_site"))
                    .outerjoin(LoadStop, open_stop)
                    .where(Load.vehicle_id.in_(vehicles), Load.status.in_(ACTIVE_LOAD_STATUSES))
                    .order_by(Load.id)):
                fields = row._asdict()
                stop_site = fields.pop("stop_site")
                load = loads.setdefault(row.vehicle_id, {**fields, "stop_sites": set()})
                if load["id"] == row.id and stop_site is not None:  # a multi-drop load's stops are deliveries too
                    load["stop_sites"].add(stop_site)
        return loads

    def _record_one(self, conn, event: Event, loads: dict[int, dict], rows: list[dict], meanings: list[Event],
                    arrivals: list, etas: list) -> list[tuple[Event, int, str, str]]:
        from server.models import Load

        vehicle_id, site_id = _int(event.vehicle_id), _int(event.site_id)
        if vehicle_id is None:
            return []
        changes = []
        load = loads.get(vehicle_id)
        if load is None and vehicle_id in loads:  # a status update here lost a race: read it again
            load = self._active_loads(conn, [event]).get(vehicle_id)
            loads[vehicle_id] = load
        kinds = [(event.kind, None)]
        if load is not None:
            semantic, targets, new_status = self._meaning(event.kind, site_id, load)
            if semantic is not None:
                kinds = [(event.kind, None), (semantic, load["id"])]
                meanings.append(Event(event.vehicle_id, semantic, event.time, event.site_id,
                                      {**event.data, "load_id": load["id"]}))
                if semantic == "arrived_pickup":
                    arrivals.append((vehicle_id, site_id, event.time))
            elif event.kind in ("dwell", "eta_changed") and (site_id in (load["pickup_site_id"],
                                                                          load["delivery_site_id"])
                                                              or site_id in load["stop_sites"]):
                kinds = [(event.kind, load["id"])]
            if event.kind == "eta_changed" and event.data.get("eta"):
                to_pickup = load["status"] in TO_IN_TRANSIT
                eta = datetime.fromisoformat(event.data["eta"])
                if not to_pickup and self._yard is not None and site_id is not None:
                    # The app stores it (the load's, or a multi-drop stop's at that site) and tells of a delay.
                    etas.append(("delivery", load["id"], site_id, eta))
                elif site_id == (load["pickup_site_id"] if to_pickup else load["delivery_site_id"]):
                    if to_pickup and self._yard is not None:
                        etas.append(("pickup", load["id"], eta))  # the yard stores it and moves the slot if needed
                    else:
                        conn.execute(update(Load).where(Load.id == load["id"]).values(eta=eta))
            if new_status is not None:
                done = conn.execute(update(Load).where(Load.id == load["id"], Load.status.in_(targets))
                                    .values(status=new_status)).rowcount
                if done:
                    changes.append((event, load["id"], load["status"], new_status))
                    kinds.append(("status_changed", load["id"]))
                    load["status"] = new_status  # what a fresh read would now say, for the next event
                else:
                    loads[vehicle_id] = None  # moved on by other means; the next event reads it again
        for kind, load_id in kinds:
            data = dict(event.data)
            if kind == "status_changed":
                data = {"previous": changes[-1][2], "status": changes[-1][3], "cause": event.kind}
            rows.append({"kind": kind, "time": event.time, "vehicle_id": vehicle_id, "load_id": load_id,
                         "site_id": site_id, "data": data})
        return changes

    @staticmethod
    def _meaning(kind: str, site_id: int | None, load) -> tuple[str | None, tuple[str, ...], str | None]:
        """(semantic event, statuses it may move from, new status) for an event at ``site_id``."""
        if site_id is None:
            return None, (), None
        if site_id == load["pickup_site_id"]:
            if kind == "zone_enter":
                return "arrived_pickup", TO_AT_PICKUP, "at_pickup"
            if kind == "zone_exit":
                return "departed_pickup", TO_IN_TRANSIT, "in_transit"
        if site_id == load["delivery_site_id"] or site_id in load.get("stop_sites", ()):
            if kind == "zone_enter":
                return "arrived_delivery", (), None
            if kind == "zone_exit":
                return "departed_delivery", (), None
        return None, (), None
