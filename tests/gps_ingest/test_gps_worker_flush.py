"""The worker's processing loop flushes on time even while a backlog keeps its queue full."""

from __future__ import annotations

import threading
import time

from gps_ingest.worker import MqttIngestWorker, WorkerOptions


class _SlowPipeline:
    """Records the order of submits and flushes; a submit takes a millisecond, like a big batch."""

    def __init__(self):
        self.steps = []
        self.calls = []

    def submit(self, message):
        time.sleep(0.001)
        self.calls.append("submit")
        return []

    def flush(self, drain=False):
        self.calls.append("flush")
        return []


def test_a_backlog_does_not_hold_back_flushes_and_acks():
    """With 300 messages waiting, flushes (commits, then acks) come every interval, not after all."""
    pipeline = _SlowPipeline()
    worker = MqttIngestWorker(pipeline, WorkerOptions(flush_interval_s=0.02))
    for mid in range(300):
        worker._queue.put((0, mid, 1, "haul/v1/vehicles/1/position", b"{}"))
    thread = threading.Thread(target=worker._process, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not worker._queue.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    worker._stop.set()
    thread.join(5)
    submits_before_first_flush = pipeline.calls.index("flush")
    assert pipeline.calls.count("submit") == 300
    assert submits_before_first_flush < 100  # about 20 (20 ms of 1 ms submits), not all 300
    flushes_during_backlog = pipeline.calls[: len(pipeline.calls) - 1].count("flush")
    assert flushes_during_backlog >= 5
