"""The order step: a short per-vehicle reorder buffer.

Phones buffer fixes while offline and send them later, often after newer live fixes. Event
detection needs each vehicle's fixes in time order, so this step holds every fix for
``reorder_hold_s`` seconds of the injected clock after it arrived, and releases them in fix-time
order:

* when the oldest-arrived held fix becomes due, it is released together with every held fix of
  the same vehicle that is not newer than it, so a late batch that arrived in the meantime is
  replayed before the newer fixes;
* if a vehicle holds more than ``reorder_max_held`` fixes, its oldest are released early;
* `release` with ``drain=True`` (shutdown, or a hold of 0) releases everything.

A released fix not newer than the last fix already released for its vehicle arrived too late to
be reordered: it is marked ``late=True``, so it is stored but not used for events or ETA.

This step is a *buffer*, not a per-fix function: the pipeline calls `hold` with each fix and
later `release` (see `gps_ingest.pipeline`).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from gps_ingest.model import Clock, Position, evolve
from gps_ingest.settings import IngestSettings


class OrderStep:
    """Per-vehicle reorder buffer."""

    def __init__(self, settings: IngestSettings, clock: Clock):
        self._clock = clock
        self._hold = timedelta(seconds=settings.reorder_hold_s)
        self._max_held = settings.reorder_max_held
        self._tie = itertools.count()  # keeps arrival order among fixes with equal times
        # vehicle -> [(fix time, tie, arrived at, fix)]
        self._held: dict[str, list[tuple[datetime, int, datetime, Position]]] = {}
        self._last_released: dict[str, datetime] = {}

    def hold(self, p: Position) -> None:
        """Take ``p`` into the buffer."""
        self._held.setdefault(p.vehicle_id, []).append((p.time, next(self._tie), self._clock(), p))

    def held(self) -> int:
        """How many fixes are waiting."""
        return sum(len(entries) for entries in self._held.values())

    def release(self, drain: bool = False) -> list[Position]:
        """The fixes that are due, grouped by vehicle, each vehicle's in time order."""
        due_before = self._clock() - self._hold
        out: list[Position] = []
        for vehicle_id in list(self._held):
            entries = sorted(self._held[vehicle_id])
            if drain:
                cut = len(entries)
            else:
                due = [i for i, entry in enumerate(entries) if entry[2] <= due_before]
                cut = max(due[-1] + 1 if due else 0, len(entries) - self._max_held)
            if cut == 0:
                self._held[vehicle_id] = entries
                continue
            out.extend(self._mark(vehicle_id, entry[3]) for entry in entries[:cut])
            if cut < len(entries):
                self._held[vehicle_id] = entries[cut:]
            else:
                del self._held[vehicle_id]
        return out

    def _mark(self, vehicle_id: str, p: Position) -> Position:
        last = self._last_released.get(vehicle_id)
        if last is not None and p.time <= last:
            return evolve(p, late=True)
        self._last_released[vehicle_id] = p.time
        return p
