"""The OsmAnd HTTP protocol (Traccar Client) into the same pipeline, answering only after commit.

`HttpIngest.submit` runs one request through a server-process pipeline (acks in any order, and
a drain flush per request, so the reorder hold never delays the answer) and classifies it:

* 200: every fix was stored, or dropped by a plausibility filter (duplicate, zero fix, future,
  low accuracy, impossible jump, invalid fix): a retry would not help, so the client must not;
* 4xx: the request itself is bad: 413 oversized; 400 malformed, missing or wrong fields,
  NaN, out of range; 404 unknown device; 403 device not bound to that id;
* 503: the fixes could not be committed (database away). They stay queued in the pipeline
  and are written by a later request's flush; the client's retry is a harmless duplicate.

Requests are serialised per process (one lock): a request's flush then commits exactly its own
fixes, and the answer can say what happened to them.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field, replace

from gps_ingest.model import DropReason, Message, Unavailable
from server.tracking.runtime import IngestRuntime

STATUS_BY_REASON = {
    DropReason.OVERSIZED: 413,
    DropReason.UNKNOWN_VEHICLE: 404,
    DropReason.TOPIC_MISMATCH: 403,
    DropReason.MALFORMED_JSON: 400,
    DropReason.UNKNOWN_TOPIC: 400,
    DropReason.UNKNOWN_TYPE: 400,
    DropReason.UNSUPPORTED_VERSION: 400,
    DropReason.MISSING_FIELD: 400,
    DropReason.WRONG_TYPE: 400,
    DropReason.NAN_OR_INF: 400,
    DropReason.TIME_OUT_OF_RANGE: 400,
    DropReason.LAT_OUT_OF_RANGE: 400,
    DropReason.LON_OUT_OF_RANGE: 400,
    DropReason.INTERNAL_ERROR: 500,
}


@dataclass
class HttpOutcome:
    status: int
    stored: int = 0
    duplicates: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def body(self) -> dict:
        return {"stored": self.stored, "duplicates": self.duplicates, "dropped": self.dropped}


class HttpIngest:
    """Serialised OsmAnd ingestion on one `IngestRuntime` (built with in-any-order acks)."""

    def __init__(self, runtime: IngestRuntime):
        self.runtime = runtime
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, query: str, body: bytes, content_type: str, device: str | None) -> HttpOutcome:
        pipeline, metrics = self.runtime.pipeline, self.runtime.metrics
        with self._lock:
            self.runtime.tick()
            before = metrics.snapshot()
            message_id = f"http-{next(self._ids)}"
            try:
                done = pipeline.submit(Message(message_id, "http", query=query, payload=body,
                                               content_type=content_type, device=device))
            except Unavailable:  # the database is away: nothing taken, the device sends it again
                done = []
            done += pipeline.flush(drain=True)
            after = metrics.snapshot()
        dropped = {key[len("dropped_"):]: after[key] - before[key]
                   for key in after if key.startswith("dropped_") and after[key] != before[key]}
        outcome = HttpOutcome(200, after["stored"] - before["stored"],
                              after["duplicates"] - before["duplicates"] - dropped.get("duplicate", 0), dropped)
        if message_id not in done:
            outcome.status = 503
        elif not outcome.stored and not outcome.duplicates:
            statuses = [STATUS_BY_REASON[DropReason(r)] for r in dropped if DropReason(r) in STATUS_BY_REASON]
            if statuses:
                outcome.status = max(statuses) if 500 in statuses else min(statuses)
        return outcome


def http_settings(settings):
    """HTTP needs no in-order acks (each request is its own message)."""
    return replace(settings, ack_in_order=False)
