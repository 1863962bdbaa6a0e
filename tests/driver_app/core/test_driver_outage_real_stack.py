"""A 10-minute broker outage at 1 Hz against the real stack: the driver core's tracking (simulated
GPS on an accelerated clock -> SQLite outbox -> paho) publishes to a private Mosquitto with
persistence, which is stopped for the outage and restarted; a real ``haul ingest`` process stores
into a fresh PostGIS database. Afterwards every position is stored exactly once, in order, and
the outbox is empty - and while the broker was down nothing left the outbox."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from driver_app.core.api_models import MqttSettings
from driver_app.core.clock import ScaledClock
from driver_app.core.mqtt_client import DriverMqttClient
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.publish_policy import PolicySettings, PublishPolicy
from driver_app.core.simulated_gps import SimulatedGps
from driver_app.core.tracking import TrackingService
from server.broker.mosquitto import MosquittoProcess
from tests.gps_ingest.integration.ingest_helpers import (
    HAUL,
    PositionPublisher,
    create_migrated_database,
    psql,
    seed_vehicles,
    stored_keys,
)

pytestmark = [pytest.mark.postgis, pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(120)]

BEFORE, OUTAGE, AFTER = 60, 600, 60  # fixes at 1 Hz: a minute online, ten minutes down, a minute back
SPEEDUP = 100.0  # simulated seconds per wall second: the outage lasts 6 s of wall time
ROUTE = [(51.4300, 6.7600), (51.4300, 6.9500)]  # ~13 km east, longer than 720 s at 13.9 m/s


@pytest.fixture
def stack(tmp_path, wait_until):
    """A fresh migrated PostGIS database with a vehicle, a private Mosquitto (persistence on) and
    a subscribed ``haul ingest`` process on it; yields (engine, vehicle id, broker, ingest log)."""
    name, url = create_migrated_database("haul_outage")
    engine = create_engine(url, pool_pre_ping=True)
    vehicle_id, probe_vehicle = seed_vehicles(engine, 2)
    broker = MosquittoProcess(tmp_path / "mosquitto").start()
    log = tmp_path / "ingest.log"
    env = {**os.environ, "DATABASE_URL": url, "MQTT_URL": broker.url, "HAUL_GPS_REORDER_HOLD_S": "0.5"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen([HAUL, "ingest", "--worker-id", "outage", "--flush-interval", "0.1"], env=env,
                              stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        # One fix of another vehicle stored proves the worker is subscribed before the drive.
        probe = PositionPublisher(broker.port)
        try:
            probe.publish(probe_vehicle, 0)
            assert wait_until(lambda: probe.resend_unrouted() >= 0 and stored_keys(engine, [probe_vehicle]),
                              60), log.read_text()[-2000:]
        finally:
            probe.close()
        yield engine, vehicle_id, broker, log
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        broker.stop()
        engine.dispose()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _stored(engine, vehicle_id: int) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT time, seq, ST_Y(geom), ST_X(geom) FROM positions WHERE vehicle_id = :v ORDER BY time"),
            {"v": vehicle_id})]


@pytest.mark.parametrize(("sessions_lost", "after"), [(False, AFTER), (True, 0)],
                         ids=["persistent-driving-on", "sessions-lost-parked"])
def test_ten_minute_outage_at_1hz_stores_every_position_once_in_order(stack, tmp_path: Path, wait_until,
                                                                       sessions_lost: bool, after: int):
    """``persistent-driving-on``: the broker keeps its sessions and the truck drives on for a minute.
    ``sessions-lost-parked``: the broker comes back without its saved sessions and the drive ends
    with the outage, so no new fix triggers a send: until the ingest worker reconnects (its own
    backoff) the broker routes the backlog nowhere and refuses it (reason 16), and the sender must
    retry the refused batches by itself."""
    _wait = wait_until
    engine, vehicle_id, broker, ingest_log = stack
    total = BEFORE + OUTAGE + after
    # An hour in the past, so the last fix is still well behind the ingest's "future" tolerance.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    clock = ScaledClock(SPEEDUP, start=start.timestamp())
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    deleted: list[int] = []
    real_delete = outbox.delete

    def recording_delete(seqs):
        seqs = list(seqs)
        deleted.extend(seqs)
        return real_delete(seqs)

    outbox.delete = recording_delete
    settings = MqttSettings(url=broker.url, username="device-1", password="secret",
                            vehicle_id=str(vehicle_id), driver_id="1")
    mqtt = DriverMqttClient(settings, client_id="haul-driver-outage", max_reconnect_s=2)
    gps = SimulatedGps(ROUTE, interval_s=1.0, clock=clock)
    tracking = TrackingService(gps, outbox, mqtt, policy=PublishPolicy(
        PolicySettings(interval_s=1.0, min_distance_m=0.0)), batch_size=100, max_in_flight=4)

    fixes = []
    seen: dict[str, object] = {}
    finished = threading.Event()

    def on_fix(fix) -> None:
        """The GPS thread: the outage starts at fix BEFORE+1 and ends after fix BEFORE+OUTAGE."""
        n = len(fixes) + 1
        if n > total:
            finished.set()
            return
        if n == BEFORE + 1:
            seen["acked_before"] = _wait(lambda: outbox.count() == 0, 20)
            broker.stop()
            seen["noticed_down"] = _wait(lambda: not mqtt.is_connected(), 20)
            seen["deleted_before_outage"] = len(deleted)
        fixes.append(fix)
        tracking.on_fix(fix)
        if n == BEFORE + OUTAGE:
            # Ten simulated minutes without a broker: every outage fix is on disk, none deleted.
            seen["queued_during_outage"] = outbox.count()
            seen["deleted_during_outage"] = len(deleted) - seen["deleted_before_outage"]
            if sessions_lost:
                (broker.directory / "mosquitto.db").unlink()
            broker.start()

    refused: list[int] = []
    mqtt.add_ack_listener(lambda mid, ok: None if ok else refused.append(mid))
    mqtt.start()
    try:
        assert mqtt.wait_connected(15), mqtt.connection_error
        gps.start(on_fix)
        assert finished.wait(60), f"the drive stalled after {len(fixes)} fixes: {seen}"
        gps.stop()
        assert _wait(lambda: outbox.count() == 0, 60), f"{outbox.count()} positions still queued: {seen}"
        assert _wait(lambda: len(_stored(engine, vehicle_id)) >= total, 30), ingest_log.read_text()[-3000:]
    finally:
        tracking.stop()
        outbox.close()

    print(f"sessions lost: {sessions_lost}; publishes refused after the restart: {len(refused)}")
    assert seen["acked_before"] and seen["noticed_down"], seen
    assert seen["deleted_before_outage"] == BEFORE
    assert seen["queued_during_outage"] == OUTAGE and seen["deleted_during_outage"] == 0, seen
    assert sorted(deleted) == list(range(1, total + 1))  # each row deleted once, after its ack

    rows = _stored(engine, vehicle_id)
    assert len(rows) == total, f"{len(rows)} stored, {total} sent"
    times = [r[0] for r in rows]
    first = datetime.fromtimestamp(fixes[0].t_ms / 1000, UTC)
    assert first >= start
    assert times == [first + timedelta(seconds=i) for i in range(total)]  # 1 Hz, no gap, no duplicate
    assert [r[1] for r in rows] == list(range(1, total + 1))  # sequence order is time order
    assert [(round(r[2], 7), round(r[3], 7)) for r in rows] == [(f.lat, f.lon) for f in fixes]
