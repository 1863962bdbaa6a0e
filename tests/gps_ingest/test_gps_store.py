"""Tests for gps_ingest.store: the idempotent in-memory store and the batching store step."""

from __future__ import annotations

from gps_ingest.metrics import Metrics
from gps_ingest.settings import IngestSettings
from gps_ingest.store import InMemoryPositionStore, StoreStep


def test_in_memory_store_is_idempotent_on_vehicle_and_time(make_fix):
    """Writing a fix again, or twice in one batch, reports it as not inserted and keeps one row."""
    store = InMemoryPositionStore()
    assert store.write([make_fix(seconds=0), make_fix(seconds=1), make_fix(seconds=1, message_id="x")]) == [
        True,
        True,
        False,
    ]
    assert store.write([make_fix(seconds=0), make_fix("truck-2", seconds=0)]) == [False, True]
    assert len(store.rows) == 3
    assert [p.time.second for p in store.track("truck-1")] == [0, 1]


def test_store_step_writes_in_batches_on_release(make_fix):
    """Held fixes are written only on release, in batches of store_batch_size, with inserted set."""
    store, metrics = InMemoryPositionStore(), Metrics()
    step = StoreStep(store, IngestSettings(store_batch_size=2), metrics)
    for s in range(5):
        step.hold(make_fix(seconds=-s))
    step.hold(make_fix(seconds=0, message_id="again"))
    assert store.writes == 0 and step.held() == 6
    released = step.release()
    assert store.writes == 3 and step.held() == 0
    assert [p.inserted for p in released] == [True] * 5 + [False]
    assert (metrics.stored, metrics.duplicates) == (5, 1)


class FlakyStore(InMemoryPositionStore):
    """Fails the first ``failures`` writes, like a database that is briefly down."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures

    def write(self, positions):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database unavailable")
        return super().write(positions)


def test_failed_write_keeps_the_fixes_for_the_next_flush(make_fix, caplog):
    """A failing write releases nothing, counts a store error and is retried next time."""
    store, metrics = FlakyStore(failures=1), Metrics()
    step = StoreStep(store, IngestSettings(), metrics)
    step.hold(make_fix())
    assert step.release() == [] and step.held() == 1 and metrics.store_errors == 1
    assert [p.inserted for p in step.release()] == [True]
    assert step.held() == 0


def test_store_returning_wrong_flag_count_is_a_failed_write(make_fix):
    """A store that answers for a different number of fixes is treated as not committed."""

    class Wrong(InMemoryPositionStore):
        def write(self, positions):
            return []

    metrics = Metrics()
    step = StoreStep(Wrong(), IngestSettings(), metrics)
    step.hold(make_fix())
    assert step.release() == [] and metrics.store_errors == 1
