"""The per-device garbage brake on a real Mosquitto and PostGIS: a device flooding garbage has it dropped and
counted (rate_limited beyond its bucket), its carrier is told, and every valid fix still lands."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from gps_ingest.device_brake import GARBAGE
from gps_ingest.worker import MqttIngestWorker, WorkerOptions
from server.app import create_app
from server.tracking.runtime import build_runtime, ingest_settings
from tests.gps_ingest.integration.ingest_helpers import (
    PositionPublisher,
    expected_keys,
    seed_vehicles,
    stored_keys,
    wait_for,
)

pytestmark = [pytest.mark.postgis, pytest.mark.broker]

BURST, PER_S, FLAG_AFTER = 10, 1.0, 100


def _garbage(i: int, vehicle: int) -> tuple[str, bytes]:
    """Bad JSON, out-of-range coordinates, a future time or an oversize payload, in turn."""
    topic = f"haul/v1/vehicles/{vehicle}/position"
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    kind = i % 4
    if kind == 0:
        return topic, b'{"_type": "position", "v": 1, "t": '
    if kind == 1:
        return topic, json.dumps({"_type": "position", "v": 1, "t": now_ms - i, "lat": 123.4, "lon": 7}).encode()
    if kind == 2:
        return topic, json.dumps({"_type": "position", "v": 1, "t": now_ms + 86_400_000 + i, "lat": 51,
                                  "lon": 7}).encode()
    return topic, (b"x" * (300 * 1024) if i % 400 == 3 else b"[")


def _device_login(engine, vehicle: int) -> int:
    """A device login bound to ``vehicle`` (for the flag to name); returns its organisation."""
    with engine.begin() as conn:
        org = conn.execute(text("SELECT organisation_id FROM vehicles WHERE id = :v"), {"v": vehicle}).scalar()
        conn.execute(text("INSERT INTO device_credentials (organisation_id, vehicle_id, username, secret_hash, "
                          "created_at) VALUES (:o, :v, :u, 'x', :t)"),
                     {"o": org, "v": vehicle, "u": f"flood-{uuid.uuid4().hex[:8]}", "t": datetime.now(UTC)})
    return org


def test_garbage_at_high_rate_is_dropped_and_counted_while_valid_fixes_land(ingest_db, broker, monkeypatch):
    """3,000 garbage messages from one truck's topic next to 2 x 150 valid fixes: every valid fix is stored once,
    every garbage message is counted, all but the bucket's worth as rate_limited, and the carrier gets one flag."""
    monkeypatch.delenv("REDIS_URL", raising=False)  # in-process buckets (Redis sharing: the unit tests)
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    org = _device_login(engine, vehicles[0])
    settings = replace(ingest_settings({}), reorder_hold_s=0.2, garbage_burst=BURST, garbage_per_s=PER_S,
                       garbage_flag_after=FLAG_AFTER, garbage_suspend_after=0)
    runtime = build_runtime(url, emit=lambda *_: None, settings=settings, retention_days=0,
                            app_factory=lambda: create_app({"SQLALCHEMY_DATABASE_URI": url}))
    worker = MqttIngestWorker(runtime.pipeline, WorkerOptions(port=broker.port, client_id="haul-ingest-brake"),
                              on_tick=runtime.tick, store_available=runtime.store.available).start()
    assert worker.connected.wait(10)
    good, bad = PositionPublisher(broker.port), PositionPublisher(broker.port)
    sent = 3000
    started = datetime.now(UTC)
    try:
        flood = threading.Thread(target=lambda: [bad.send(*_garbage(i, vehicles[0])) for i in range(sent)])
        flood.start()
        good.stream(vehicles, 150, rate_hz=300).join()
        flood.join()
        assert wait_for(lambda: bad.acked == sent, 30)
        want = expected_keys(good, vehicles, 150)
        assert wait_for(lambda: len(stored_keys(engine, vehicles)) >= len(want), 30)
        assert wait_for(lambda: runtime.metrics.messages >= sent + len(want), 30)
        elapsed = (datetime.now(UTC) - started).total_seconds()
        worker.stop()
    finally:
        good.close()
        bad.close()
        runtime.close()
    assert sorted(stored_keys(engine, vehicles)) == sorted(want)
    counts = runtime.metrics.snapshot()
    own = sum(counts[f"dropped_{reason.value}"] for reason in GARBAGE)
    assert own + counts["dropped_rate_limited"] == sent
    assert BURST <= own <= BURST + PER_S * elapsed + 1
    assert counts["dropped_malformed_json"] > 0 and counts["dropped_rate_limited"] >= sent - own

    def flags():
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT kind FROM notifications WHERE organisation_id = :o"),
                                     {"o": org}).scalars())

    # Once per window of braked messages (twice only if the flood straddled a window's edge).
    assert wait_for(lambda: flags(), 10) and set(flags()) == {"device_flagged"}
