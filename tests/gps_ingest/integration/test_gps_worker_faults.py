"""The MQTT ingest worker against a real Mosquitto and PostGIS: every position stored exactly once,
with two workers sharing the load, across a broker restart and across a database outage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gps_ingest.worker import MqttIngestWorker, WorkerOptions
from server.app import create_app
from server.tracking.runtime import build_runtime, ingest_settings
from tests.gps_ingest.integration.ingest_helpers import (
    PositionPublisher,
    expected_keys,
    psql,
    seed_vehicles,
    stored_keys,
    wait_for,
)

pytestmark = [pytest.mark.postgis, pytest.mark.broker]


def _worker(url: str, port: int, worker_id: str):
    settings = replace(ingest_settings({}), reorder_hold_s=0.2)
    runtime = build_runtime(url, emit=lambda *_: None, settings=settings, retention_days=0,
                            app_factory=lambda: create_app({"SQLALCHEMY_DATABASE_URI": url}))
    options = WorkerOptions(port=port, client_id=f"haul-ingest-{worker_id}", flush_interval_s=0.1)
    worker = MqttIngestWorker(runtime.pipeline, options, on_tick=runtime.tick,
                              store_available=runtime.store.available).start()
    assert worker.connected.wait(10)
    return worker, runtime


def _stop(*pairs):
    for worker, runtime in pairs:
        worker.stop()
        runtime.close()


def test_two_workers_share_the_stream_and_store_each_fix_once(ingest_db, broker):
    """Two shared-subscription workers each take part of the stream; the union is every fix, once."""
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 4)
    a, b = _worker(url, broker.port, "a"), _worker(url, broker.port, "b")
    publisher = PositionPublisher(broker.port)
    try:
        publisher.stream(vehicles, 50, rate_hz=2000).join()
        want = expected_keys(publisher, vehicles, 50)
        assert wait_for(lambda: len(stored_keys(engine, vehicles)) >= len(want), 20)
        _stop(a, b)
    finally:
        publisher.close()
    keys = stored_keys(engine, vehicles)
    assert sorted(keys) == sorted(want)
    assert a[0].received > 0 and b[0].received > 0
    assert a[0].acked + b[0].acked >= len(want)


def test_broker_restart_mid_stream_loses_nothing(ingest_db, broker):
    """Mosquitto restarts (SIGTERM, persistence) while positions flow; afterwards each is stored once."""
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    pair = _worker(url, broker.port, "restart")
    publisher = PositionPublisher(broker.port)
    try:
        restarted = []

        def during(i):
            if i == 100:
                broker.restart(down_s=1.0)
                restarted.append(i)

        publisher.stream(vehicles, 300, rate_hz=400, during=during).join()
        want = expected_keys(publisher, vehicles, 300)
        assert restarted
        assert wait_for(lambda: len(stored_keys(engine, vehicles)) >= len(want), 40)
        _stop(pair)
    finally:
        publisher.close()
    assert sorted(stored_keys(engine, vehicles)) == sorted(want)


def test_database_outage_mid_stream_loses_nothing(ingest_db, broker):
    """The worker's database refuses connections for a while; positions wait un-acked and all land once.

    The shared PostgreSQL is not restarted (other suites use it): the outage is simulated on this
    test's own database with ALLOW_CONNECTIONS false plus pg_terminate_backend of its sessions.
    """
    name, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    worker, runtime = _worker(url, broker.port, "dbdown")
    publisher = PositionPublisher(broker.port)
    outage = []

    def during(i):
        if i == 60:
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            outage.append(runtime.metrics.store_errors)
        if i == 160:
            outage.append(runtime.metrics.store_errors)
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    try:
        publisher.stream(vehicles, 240, rate_hz=200, during=during).join()
        want = expected_keys(publisher, vehicles, 240)
        assert wait_for(lambda: len(stored_keys(engine, vehicles)) >= len(want), 60)
        _stop((worker, runtime))
    finally:
        psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        publisher.close()
    assert outage[1] > outage[0], "the outage never made a write fail"
    assert sorted(stored_keys(engine, vehicles)) == sorted(want)
