"""The production ingest path on a private RabbitMQ and PostGIS: a position the broker acknowledged
to a phone is stored exactly once when a worker is killed and replaced under a new id, when the
broker is killed and restarted under an MQTT 3.1.1 publisher, and when the database goes away."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pika
import pytest

from gps_ingest.amqp_topology import declare
from gps_ingest.amqp_worker import AmqpIngestWorker, AmqpOptions
from server.app import create_app
from server.bench.phone import Phone
from server.broker.rabbitmq import RabbitMQProcess
from server.tracking.runtime import build_runtime, ingest_settings
from tests.gps_ingest.integration.ingest_helpers import HAUL, psql, seed_vehicles, stored_keys, wait_for

pytestmark = [pytest.mark.postgis, pytest.mark.broker, pytest.mark.slow]


@pytest.fixture(scope="module")
def rabbit(tmp_path_factory):
    """A private RabbitMQ (service user only: the phones here publish as that user) with the queue declared."""
    broker = RabbitMQProcess(tmp_path_factory.mktemp("rabbit-ingest") / "rabbitmq").start()
    connection = pika.BlockingConnection(pika.URLParameters(broker.amqp_url))
    declare(connection.channel())
    connection.close()
    yield broker
    broker.kill()


def _phones(broker, vehicles, hours_back: int, protocol: str = "3.1.1") -> list[Phone]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_back)
    return [Phone(broker.mqtt_port, v, broker.service_user, broker.service_password, start, protocol=protocol,
                  client_id=f"phone-{v}") for v in vehicles]


def _stream(phones, count: int, during=None, every_s: float = 0.01) -> set:
    """Each phone publishes ``count`` fixes, resending what is unacknowledged; returns the acknowledged keys."""
    import time

    assert wait_for(lambda: all(p.connected.is_set() for p in phones), 10)
    for i in range(count):
        for phone in phones:
            phone.publish(i)
        if during is not None:
            during(i)
        if i % 20 == 0:
            for phone in phones:
                phone.resend()
        time.sleep(every_s)
    assert wait_for(lambda: not [p.resend() for p in phones if p.pending()] and not any(p.pending() for p in phones),
                    60, 1.0)
    return {(p.vehicle_id, p.fix_time(i)) for p in phones for i in p.acked}


def _spawn(url: str, broker, worker_id: str, log) -> subprocess.Popen:
    # MQTT_URL too: on a build without the durable path the worker would subscribe over MQTT instead.
    env = {**os.environ, "DATABASE_URL": url, "AMQP_URL": broker.amqp_url, "MQTT_URL": broker.mqtt_url(),
           "HAUL_GPS_REORDER_HOLD_S": "0.1"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen([HAUL, "ingest", "--worker-id", worker_id, "--flush-interval", "0.1"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def test_a_worker_killed_and_replaced_under_a_new_id_strands_nothing(ingest_db, rabbit, tmp_path):
    """kill -9 of one of two workers; a worker with another id replaces it: every acknowledged fix is stored once."""
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 3)
    log = tmp_path / "workers.log"
    workers = {"a": _spawn(url, rabbit, "a", log), "b": _spawn(url, rabbit, "b", log)}
    phones = _phones(rabbit, vehicles, hours_back=5)
    try:
        def during(i):
            if i == 60:
                os.killpg(workers["a"].pid, signal.SIGKILL)
                workers["a"].wait(10)
            if i == 120:
                workers["c"] = _spawn(url, rabbit, "c", log)

        acked = _stream(phones, 200, during)
        assert wait_for(lambda: acked <= set(stored_keys(engine, vehicles)), 90), log.read_text()[-3000:]
    finally:
        for phone in phones:
            phone.close()
        for process in workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
    keys = stored_keys(engine, vehicles)
    assert len(acked) == 600 and len(keys) == len(set(keys)) and acked <= set(keys)
    assert workers["a"].returncode == -signal.SIGKILL


def _worker(url: str, broker):
    settings = replace(ingest_settings({}), reorder_hold_s=0.1)
    runtime = build_runtime(url, emit=lambda *_: None, settings=settings, retention_days=0,
                            app_factory=lambda: create_app({"SQLALCHEMY_DATABASE_URI": url}))
    worker = AmqpIngestWorker(runtime.pipeline, AmqpOptions(url=broker.amqp_url, flush_interval_s=0.1),
                              on_tick=runtime.tick, store_available=runtime.store.available).start()
    assert worker.connected.wait(20)
    return worker, runtime


def test_a_broker_killed_under_mqtt_3_1_1_publishers_loses_no_acknowledged_fix(ingest_db, rabbit):
    """kill -9 of the whole broker node mid-stream, then a restart: each fix acknowledged before or after is stored once."""
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    worker, runtime = _worker(url, rabbit)
    phones = _phones(rabbit, vehicles, hours_back=4)
    try:
        def during(i):
            if i == 80:
                rabbit.restart(down_s=1.0, hard=True)

        acked = _stream(phones, 200, during)
        assert wait_for(lambda: acked <= set(stored_keys(engine, vehicles)), 90)
    finally:
        for phone in phones:
            phone.close()
        worker.stop()
        runtime.close()
    assert len(acked) == 400 and acked <= set(stored_keys(engine, vehicles))


def test_a_database_outage_keeps_fixes_in_the_queue_until_they_are_stored(ingest_db, rabbit):
    """The worker's database refuses connections for a while; nothing is acknowledged to the queue, all land once."""
    name, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    worker, runtime = _worker(url, rabbit)
    phones = _phones(rabbit, vehicles, hours_back=3)
    outage = []

    def during(i):
        if i == 50:
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            outage.append(runtime.metrics.store_errors)
        if i == 150:
            outage.append(runtime.metrics.store_errors)
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    try:
        acked = _stream(phones, 200, during, every_s=0.02)
        assert wait_for(lambda: acked <= set(stored_keys(engine, vehicles)), 60)
    finally:
        psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        for phone in phones:
            phone.close()
        worker.stop()
        runtime.close()
    assert outage[1] > outage[0], "the outage never made a write fail"
    assert len(acked) == 400 and acked <= set(stored_keys(engine, vehicles))
