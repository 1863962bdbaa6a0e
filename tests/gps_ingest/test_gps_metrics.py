"""Tests for gps_ingest.metrics: counters for /metrics."""

from __future__ import annotations

from gps_ingest.metrics import Metrics
from gps_ingest.model import DropReason, Message


def test_snapshot_lists_every_reason_and_counter(make_fix):
    """The snapshot has a dropped_<reason> entry for every reason plus the plain counters."""
    metrics = Metrics()
    metrics.drop(DropReason.FUTURE, make_fix())
    metrics.drop(DropReason.DUPLICATE, make_fix())
    metrics.drop(DropReason.MALFORMED_JSON, Message("m", "mqtt", "t"))
    metrics.add("stored", 3)
    snap = metrics.snapshot()
    assert (
        snap["dropped_future"] == 1 and snap["dropped_malformed_json"] == 1 and snap["dropped_zero_fix"] == 0
    )
    assert snap["stored"] == 3 and snap["duplicates"] == 1
    assert {f"dropped_{r.value}" for r in DropReason} <= snap.keys()


def test_prometheus_text_format():
    """The Prometheus rendering has one labelled drop series per reason and *_total counters."""
    metrics = Metrics()
    metrics.drop(DropReason.ZERO_FIX, Message("m", "mqtt", "t"))
    text = metrics.prometheus()
    assert 'haul_gps_dropped_total{reason="zero_fix"} 1' in text
    assert "haul_gps_stored_total 0" in text
    assert text.endswith("\n")


def test_capture_records_drops_with_their_fields_until_released():
    """Between capture and release every drop is recorded as (reason, path, detail); outside, nothing is."""
    metrics = Metrics()
    message = Message("h", "http")
    metrics.drop(DropReason.WRONG_TYPE, message, "before", "lat")
    captured = metrics.capture()
    metrics.drop(DropReason.MISSING_FIELD, message, "is required", "timestamp")
    metrics.release()
    metrics.drop(DropReason.WRONG_TYPE, message, "after", "lon")
    assert captured == [(DropReason.MISSING_FIELD, "timestamp", "is required")]
    assert metrics.counts == {"wrong_type": 2, "missing_field": 1}
