"""The store step: batched, idempotent writes of fixes; the pipeline's commit point.

`PositionStore` is the seam to the database. The SQL implementation (multi-row insert or COPY
with ``ON CONFLICT (vehicle_id, time) DO NOTHING``) lives with the server models; here is the
in-memory one used by tests and demos.

`StoreStep` is a buffer: the pipeline `hold`s each fix and, on each pipeline flush, `release`
writes the held fixes in batches of ``store_batch_size``. Only a successful write commits a
fix (the caller may then acknowledge its message). A failed write is logged, counted in
``store_errors``, and its fixes stay held for the next flush; idempotency makes the retry safe.
Released fixes carry ``inserted``: False means the row already existed (a redelivery), so later
steps neither detect events from it nor publish it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from gps_ingest.metrics import Metrics
from gps_ingest.model import Position, evolve
from gps_ingest.settings import IngestSettings

log = logging.getLogger(__name__)


class PositionStore(Protocol):
    """Durable storage of fixes, unique on (vehicle_id, time)."""

    def write(self, positions: Sequence[Position]) -> list[bool]:
        """Insert ``positions`` in one transaction, skipping those whose (vehicle_id, time) exists.

        Returns, per fix in order, whether it was newly inserted (a repeat of an earlier fix of
        the same batch counts as not inserted). Raises if the batch was not committed.
        """
        ...


class InMemoryPositionStore:
    """A `PositionStore` in a dict, for tests and demos."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, datetime], Position] = {}
        self.writes = 0  # number of write calls, so tests can see batching

    def write(self, positions: Sequence[Position]) -> list[bool]:
        self.writes += 1
        inserted = []
        for p in positions:
            new = p.key not in self.rows
            if new:
                self.rows[p.key] = p
            inserted.append(new)
        return inserted

    def track(self, vehicle_id: str) -> list[Position]:
        """The stored fixes of one vehicle in time order."""
        return sorted((p for p in self.rows.values() if p.vehicle_id == vehicle_id), key=lambda p: p.time)


class StoreStep:
    """Buffers fixes and writes them in batches; fixes it releases are committed."""

    commits = True  # the pipeline acknowledges a message once all its fixes passed this step

    def __init__(self, store: PositionStore, settings: IngestSettings, metrics: Metrics):
        self._store = store
        self._batch_size = settings.store_batch_size
        self._metrics = metrics
        self._pending: list[Position] = []

    def hold(self, p: Position) -> None:
        """Queue ``p`` for the next write."""
        self._pending.append(p)

    def held(self) -> int:
        """How many fixes wait to be written."""
        return len(self._pending)

    def release(self, drain: bool = False) -> list[Position]:
        """Write everything queued; returns the committed fixes with ``inserted`` set."""
        out: list[Position] = []
        while self._pending:
            batch = self._pending[: self._batch_size]
            try:
                flags = self._store.write(batch)
                if len(flags) != len(batch):
                    raise RuntimeError(f"store returned {len(flags)} flags for {len(batch)} fixes")
            except Exception:
                log.exception("store write of %d fixes failed; will retry on the next flush", len(batch))
                self._metrics.add("store_errors")
                break
            del self._pending[: len(batch)]
            new = sum(bool(flag) for flag in flags)
            self._metrics.add("stored", new)
            self._metrics.add("duplicates", len(batch) - new)
            out.extend(evolve(p, inserted=bool(flag)) for p, flag in zip(batch, flags, strict=True))
        return out
