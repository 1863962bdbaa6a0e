"""The outbox for evidence and proof-of-delivery submissions made while offline.

A submission is stored (JSON payload plus photo file paths) with an idempotency key, then
sent in the order it was made. A failure that may pass (no network, timeout, 5xx, expired
session) stops the flush and keeps everything for later; the server's ``Idempotency-Key``
handling makes a resend after a lost answer harmless. A refusal that will not pass (4xx such
as a validation error or a closed load) marks that one submission ``rejected`` with the
reason, for the driver to see, and the flush goes on with the next.

A ``stop_pod`` (one stop of a multi-drop load) names its stop in the payload's ``stop_id``. The
stop endpoint keeps no idempotency keys: a resend whose first try did reach the server gets 409
``already_delivered``, and for a resend (not a first try) that means the stop is signed: done.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driver_app.core.errors import ApiError
from driver_app.core.i18n import Msg
from driver_app.core.rest_client import ApiClient
from driver_app.core.sqlite_db import SqliteFile

log = logging.getLogger(__name__)

KINDS = ("evidence", "pod", "stop_pod")
# The stop endpoint's refusal of a second proof for the same stop.
ALREADY_SIGNED = "already_delivered"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    load_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    photos TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
);
"""


@dataclass(frozen=True)
class Submission:
    id: int
    kind: str
    load_id: str
    payload: dict[str, Any]
    photos: tuple[str, ...]
    idempotency_key: str
    created_ms: int
    attempts: int = 0
    status: str = "pending"
    last_error: str | None = None


@dataclass
class FlushResult:
    sent: list[Submission] = field(default_factory=list)
    rejected: list[tuple[Submission, ApiError]] = field(default_factory=list)
    stopped_by: ApiError | None = None

    @property
    def message(self) -> Msg | None:
        """Why sending stopped, for the status line (None when all went or nothing was due)."""
        return self.stopped_by.msg if self.stopped_by is not None else None


class SubmissionOutbox:
    """Queued HTTP submissions in the SQLite file at ``path`` (may be shared with positions)."""

    def __init__(self, path: str | Path | SqliteFile):
        self.db = path if isinstance(path, SqliteFile) else SqliteFile(path)
        with self.db.lock:
            self.db.conn.executescript(_SCHEMA)

    def enqueue(
        self, kind: str, load_id: str, payload: dict[str, Any], photos: tuple[str, ...] = ()
    ) -> Submission:
        """Store a submission durably; it gets its idempotency key now, once."""
        if kind not in KINDS:
            raise ValueError(f"unknown submission kind {kind!r}")
        key = str(uuid.uuid4())
        created = int(time.time() * 1000)
        cursor = self.db.execute(
            "INSERT INTO submissions (kind, load_id, payload, photos, idempotency_key, created_ms)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, str(load_id), json.dumps(payload), json.dumps(list(photos)), key, created),
        )
        return Submission(
            int(cursor.lastrowid), kind, str(load_id), dict(payload), tuple(photos), key, created
        )

    def pending(self) -> list[Submission]:
        return self._select("pending")

    def rejected(self) -> list[Submission]:
        return self._select("rejected")

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM submissions WHERE status = 'pending'").fetchone()[0])

    def discard(self, submission_id: int) -> None:
        """Drop a submission (after the driver has seen why it was rejected)."""
        self.db.execute("DELETE FROM submissions WHERE id = ?", (submission_id,))

    def flush(self, client: ApiClient) -> FlushResult:
        """Send pending submissions in order until done or a failure that may pass."""
        result = FlushResult()
        for sub in self.pending():
            self.db.execute("UPDATE submissions SET attempts = attempts + 1 WHERE id = ?", (sub.id,))
            try:
                self._send(client, sub)
            except ApiError as exc:
                if self._resend_already_done(sub, exc):
                    log.info("stop proof for load %s was stored by an earlier try", sub.load_id)
                elif exc.retryable:
                    self.db.execute("UPDATE submissions SET last_error = ? WHERE id = ?", (str(exc), sub.id))
                    result.stopped_by = exc
                    break
                else:
                    log.warning("submission %s for load %s rejected: %s", sub.kind, sub.load_id, exc)
                    self.db.execute(
                        "UPDATE submissions SET status = 'rejected', last_error = ? WHERE id = ?",
                        (str(exc), sub.id),
                    )
                    result.rejected.append((sub, exc))
                    continue
            self.db.execute("DELETE FROM submissions WHERE id = ?", (sub.id,))
            result.sent.append(sub)
        return result

    @staticmethod
    def _resend_already_done(sub: Submission, exc: ApiError) -> bool:
        """A stop proof's resend refused as already signed: an earlier try got through (answer lost)."""
        return sub.kind == "stop_pod" and sub.attempts > 0 and exc.status == 409 and exc.reason == ALREADY_SIGNED

    @staticmethod
    def _send(client: ApiClient, sub: Submission) -> None:
        if sub.kind == "stop_pod":
            payload = {k: v for k, v in sub.payload.items() if k != "stop_id"}
            client.submit_stop_pod(sub.load_id, sub.payload["stop_id"], payload, sub.photos,
                                   idempotency_key=sub.idempotency_key)
            return
        send = client.submit_evidence if sub.kind == "evidence" else client.submit_pod
        send(sub.load_id, sub.payload, sub.photos, idempotency_key=sub.idempotency_key)

    def _select(self, status: str) -> list[Submission]:
        rows = self.db.execute(
            "SELECT id, kind, load_id, payload, photos, idempotency_key, created_ms, attempts, status,"
            " last_error"
            " FROM submissions WHERE status = ? ORDER BY id",
            (status,),
        ).fetchall()
        return [
            Submission(
                r[0], r[1], r[2], json.loads(r[3]), tuple(json.loads(r[4])), r[5], r[6], r[7], r[8], r[9]
            )
            for r in rows
        ]
