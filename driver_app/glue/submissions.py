"""Evidence and proof-of-delivery forms into the submission outbox (Kivy-free).

A valid form is stamped with the time and the last GPS position, stored in the outbox and
moves the driver's day on at once: once it is on the phone's disk it is as good as sent,
and the outbox sends it when the server can be reached. An invalid form raises
``FormInvalid`` (core validation) and nothing is stored.

On a multi-drop load the proof is one stop's: it is queued for that stop's endpoint, the stop
shows signed at once, and only the last stop's proof moves the day to delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driver_app.core.app_state import DriverDay
from driver_app.core.i18n import Msg
from driver_app.core.stops import find_stop, is_multi_drop, unsigned, with_stop_signed
from driver_app.core.submission_outbox import FlushResult, SubmissionOutbox
from driver_app.core.validation import validate_evidence, validate_pod

SENT = Msg("Sent to the server.")
QUEUED = Msg("Saved on the phone. It will be sent when the connection is back.")


class SubmissionDesk:
    """Takes the driver's forms into ``outbox`` and keeps the day's waiting count current."""

    def __init__(self, outbox: SubmissionOutbox, day: DriverDay):
        self.outbox = outbox
        self.day = day
        self.busy = False  # a flush is under way
        self.count()

    def count(self) -> int:
        waiting = self.outbox.count()
        self.day.set_connection(submissions_waiting=waiting)
        return waiting

    def _load_id(self) -> str:
        return str((self.day.load or {}).get("id") or "")

    def evidence(self, data: dict[str, Any], stamp: dict[str, Any]) -> dict[str, Any]:
        """Validate and queue the dock evidence; moves the day to "evidence recorded"."""
        form = validate_evidence(data)
        payload = {**form.to_payload(), **stamp, "photo_stamps": list(data.get("photo_stamps") or [])}
        self.outbox.enqueue("evidence", self._load_id(), payload, form.photos)
        self.count()
        if self.day.can("record_evidence"):
            self.day.record_evidence(payload)
        return payload

    def pod(self, data: dict[str, Any], stamp: dict[str, Any], stop_id: Any = None) -> dict[str, Any]:
        """Validate and queue the proof of delivery (signature image first); moves the day to delivered.

        On a multi-drop load ``stop_id`` says which stop is signed (required: ``ValueError`` without a
        known, unsigned one); the day is delivered once no stop is left."""
        load = self.day.load or {}
        stop = find_stop(load, stop_id) if is_multi_drop(load) else None
        if is_multi_drop(load) and (stop is None or stop.get("signed")):
            raise ValueError(f"no unsigned delivery stop {stop_id!r} on load {load.get('id')!r}")
        form = validate_pod(data)
        payload = {**form.to_payload(), **stamp, "exception_kind": data.get("exception_kind") or None,
                   "photo_stamps": list(data.get("photo_stamps") or [])}
        if not form.has_exception:
            payload["exception_kind"] = None
        if stop is not None:
            self.outbox.enqueue("stop_pod", self._load_id(), {**payload, "stop_id": stop["id"]}, tuple(form.files()))
            self.count()
            self.day.patch_load(load.get("id"), stops=with_stop_signed(load, stop["id"]))
            if unsigned(self.day.load):
                return payload
        else:
            self.outbox.enqueue("pod", self._load_id(), payload, tuple(form.files()))
            self.count()
        if self.day.can("deliver"):
            self.day.deliver(payload)
        return payload

    def report(self, result: FlushResult, explain: Callable[[BaseException], Msg | str]) -> Msg | None:
        """One line for the driver about what the last flush did."""
        self.count()
        if result.rejected:
            reason = explain(result.rejected[-1][1])
            return reason if isinstance(reason, Msg) else Msg("The server refused a report: {reason}",
                                                              reason=reason)
        if result.stopped_by is not None:
            return QUEUED
        if result.sent:
            return SENT
        return None
