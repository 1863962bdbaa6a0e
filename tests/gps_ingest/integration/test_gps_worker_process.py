"""``haul ingest`` as a real process: SIGKILL mid-batch, a new process with the same worker id
takes over the persistent session, and every position is stored exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.gps_ingest.integration.ingest_helpers import (
    HAUL,
    PositionPublisher,
    expected_keys,
    seed_vehicles,
    stored_keys,
    wait_for,
)

pytestmark = [pytest.mark.postgis, pytest.mark.broker, pytest.mark.slow]



def _spawn(url: str, broker_url: str, worker_id: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "MQTT_URL": broker_url, "HAUL_GPS_REORDER_HOLD_S": "0.5"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen([HAUL, "ingest", "--worker-id", worker_id, "--flush-interval", "0.1"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_killed_worker_is_replaced_without_loss_or_duplicates(ingest_db, broker, tmp_path):
    """SIGKILL during the stream, restart under the same id: the union stored is every fix once."""
    _, url, engine = ingest_db
    vehicles = seed_vehicles(engine, 2)
    log = tmp_path / "worker.log"
    processes = [_spawn(url, broker.url, "victim", log)]
    publisher = PositionPublisher(broker.port)
    try:
        warm = publisher.fix(vehicles[0], -100)
        publisher.send(*warm)  # proves the worker is subscribed before the stream starts
        assert wait_for(lambda: publisher.resend_unrouted() >= 0 and len(stored_keys(engine, vehicles[:1])) == 1,
                        30), log.read_text()[-2000:]

        def during(i):
            if i == 150:
                processes[0].send_signal(signal.SIGKILL)
                processes[0].wait(10)
            if i == 220:
                processes.append(_spawn(url, broker.url, "victim", log))

        publisher.stream(vehicles, 400, rate_hz=300, during=during).join()
        want = expected_keys(publisher, vehicles, 400)
        assert wait_for(lambda: len(stored_keys(engine, vehicles)) >= len(want) + 1, 60), log.read_text()[-2000:]
    finally:
        publisher.close()
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    keys = set(stored_keys(engine, vehicles))
    assert want <= keys and len(keys) == len(want) + 1  # + the warm-up fix
    assert processes[0].returncode == -signal.SIGKILL
