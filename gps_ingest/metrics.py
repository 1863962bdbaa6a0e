"""Counters for the ingest pipeline, plus the one place that logs a drop.

Every drop goes through `Metrics.drop`, which increments ``counts[reason]`` and writes exactly
one log line naming the check, so operators can grep the log for a reason and read its counter
on ``/metrics``. `Metrics.snapshot` gives a flat dict; `Metrics.prometheus` the text format.
A `gate` (the per-device garbage brake, `gps_ingest.device_brake`) may turn a drop into a quiet
``rate_limited`` one: counted under that reason, with no log line.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable

from gps_ingest.model import DropReason, Message, Position

log = logging.getLogger("gps_ingest.drop")


class Metrics:
    """Counters of one pipeline. Safe to read from another thread (e.g. a /metrics view)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()  # drops, per DropReason value
        self.messages = 0  # messages submitted
        self.committed = 0  # messages reported as committed (ackable)
        self.ignored = 0  # well-formed messages that carry no fix (e.g. OwnTracks transitions)
        self.accepted = 0  # fixes that passed validate and filter
        self.stored = 0  # fixes newly written by the store
        self.duplicates = 0  # fixes dropped as duplicate + store writes that were already there
        self.events = 0  # events emitted by detect
        self.store_errors = 0  # failed store writes (the batch is retried on the next flush)
        self.enrich_errors = 0  # zone/ETA lookups that failed (the fix is kept without them)
        self.publish_errors = 0  # failed fan-outs (best effort: the fix is already committed)
        self._captured: list[tuple[DropReason, str, str]] | None = None
        # (reason, item) -> False when the drop is braked: counted as rate_limited, not logged
        self.gate: Callable[[DropReason, Position | Message], bool] | None = None

    def drop(self, reason: DropReason, item: Position | Message, detail: str = "", path: str = "") -> None:
        """Count one dropped message or fix and log one line saying which check dropped it.

        ``path`` names the field at fault (``timestamp``, ``positions/3/lat``), when one is.
        While a `capture` is open, the drop is also recorded there (for the HTTP answer).
        """
        quiet = self.gate is not None and not self.gate(reason, item)
        if quiet:
            reason, detail = DropReason.RATE_LIMITED, f"braked {reason.value}"
        with self._lock:
            self.counts[reason.value] += 1
            if reason is DropReason.DUPLICATE:
                self.duplicates += 1
            if self._captured is not None:
                self._captured.append((reason, path, detail))
        if quiet:
            return
        field = f" field={path}" if path else ""
        if isinstance(item, Position):
            log.info("drop %s: vehicle=%s time=%s message=%s%s %s", reason.value, item.vehicle_id,
                     item.time.isoformat(), item.message_id, field, detail)
        else:
            log.info("drop %s: message=%s topic=%s%s %s", reason.value, item.id, item.topic, field, detail)

    def capture(self) -> list[tuple[DropReason, str, str]]:
        """Start recording every drop as (reason, path, detail) into the returned list, until `release`.

        The HTTP endpoint runs one request at a time through its pipeline, so what it captures
        between the two calls is that request's drops, fields named.
        """
        with self._lock:
            self._captured = []
            return self._captured

    def release(self) -> None:
        with self._lock:
            self._captured = None

    def add(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the plain counter attribute ``name`` (e.g. ``"stored"``)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def snapshot(self) -> dict[str, int]:
        """All counters as one flat dict; drop reasons appear as ``dropped_<reason>``."""
        with self._lock:
            out = {
                name: getattr(self, name)
                for name in (
                    "messages",
                    "committed",
                    "ignored",
                    "accepted",
                    "stored",
                    "duplicates",
                    "events",
                    "store_errors",
                    "enrich_errors",
                    "publish_errors",
                )
            }
            for reason in DropReason:
                out[f"dropped_{reason.value}"] = self.counts.get(reason.value, 0)
        return out

    def prometheus(self, prefix: str = "haul_gps") -> str:
        """The counters in the Prometheus text exposition format."""
        snap = self.snapshot()
        lines = [f"# TYPE {prefix}_dropped_total counter"]
        for reason in DropReason:
            lines.append(
                f'{prefix}_dropped_total{{reason="{reason.value}"}} {snap.pop(f"dropped_{reason.value}")}'
            )
        for name, value in snap.items():
            lines += [f"# TYPE {prefix}_{name}_total counter", f"{prefix}_{name}_total {value}"]
        return "\n".join(lines) + "\n"
