"""HTTP positions (OsmAnd / Traccar Client, OwnTracks' HTTP mode) into the same pipeline, answering
only after commit.

The request was authenticated before (`server.tracking.http_auth`); `HttpIngest.submit` runs it
through a server-process pipeline (acks in any order, and a drain flush per request, so the
reorder hold never delays the answer) and classifies it:

* 200: every fix was stored, or dropped by a plausibility filter (duplicate, zero fix, future,
  low accuracy, impossible jump, invalid fix): a retry would not help, so the client must not;
* 4xx: the request itself is bad: 413 oversized; 400 malformed, missing or wrong fields,
  NaN, out of range (each drop in ``errors`` with the path of its field); 404 no vehicle for
  that OwnTracks user/device; 403 the login is not that vehicle's; 429 the login sent garbage
  beyond its bucket (`gps_ingest.device_brake`) and this request's is braked;
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
    DropReason.RATE_LIMITED: 429,  # the login's garbage is braked (gps_ingest.device_brake)
    DropReason.INTERNAL_ERROR: 500,
}


@dataclass
class HttpOutcome:
    status: int
    stored: int = 0
    duplicates: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    # One per drop: {"path": the field at fault ("_body": the whole request), "message", "reason"}.
    errors: list[dict] = field(default_factory=list)

    def body(self) -> dict:
        out = {"stored": self.stored, "duplicates": self.duplicates, "dropped": self.dropped}
        if self.errors:
            out["errors"] = self.errors
        return out


class HttpIngest:
    """Serialised HTTP ingestion (OsmAnd, OwnTracks) on one `IngestRuntime` (built with in-any-order acks)."""

    def __init__(self, runtime: IngestRuntime):
        self.runtime = runtime
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, *, device: str, query: str = "", body: bytes = b"", content_type: str = "",
               topic: str = "") -> HttpOutcome:
        """Run one request of the authenticated login ``device`` (OwnTracks: with its ``topic``)."""
        pipeline, metrics = self.runtime.pipeline, self.runtime.metrics
        with self._lock:
            self.runtime.tick()
            before = metrics.snapshot()
            message_id = f"http-{next(self._ids)}"
            captured = metrics.capture()
            try:
                try:
                    done = pipeline.submit(Message(message_id, "http", topic=topic, payload=body, query=query,
                                                   content_type=content_type, device=device))
                except Unavailable:  # the database is away: nothing taken, the device sends it again
                    done = []
                done += pipeline.flush(drain=True)
            finally:
                metrics.release()
            after = metrics.snapshot()
        dropped = {key[len("dropped_"):]: after[key] - before[key]
                   for key in after if key.startswith("dropped_") and after[key] != before[key]}
        outcome = HttpOutcome(200, after["stored"] - before["stored"],
                              after["duplicates"] - before["duplicates"] - dropped.get("duplicate", 0), dropped,
                              [{"path": path or "_body", "message": detail or reason.value, "reason": reason.value}
                               for reason, path, detail in captured])
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
