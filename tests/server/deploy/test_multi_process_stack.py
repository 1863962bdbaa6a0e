"""Haul as it is deployed on more than one machine, as real processes: two ``haul serve`` on one PostGIS
database and one Redis, two ``haul ingest`` workers consuming the durable positions queue on RabbitMQ
(phones log in with device credentials that the broker checks with server A), and one ``haul worker`` on
the RQ queue. A dashboard on server A sees what ingest worker 2 stored after worker 1 was killed, and a
route plan asked of server B is solved by the job worker and read back through server A."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis as redis_lib
import requests
import socketio
from rq import Queue, Worker
from rq.job import Job as RqJob
from sqlalchemy import create_engine

from server.bench.phone import Phone
from tests.gps_ingest.integration.ingest_helpers import stored_keys, wait_for
from tests.server.deploy.deploy_stack import REDIS_URL, Deployment

pytestmark = [pytest.mark.postgis, pytest.mark.broker, pytest.mark.slow]


@pytest.fixture(scope="module")
def redis():
    client = redis_lib.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, redis):
    """The whole stack, started in parallel; stopped and cleaned off the shared services at the end."""
    stack = Deployment(tmp_path_factory.mktemp("deploy"))
    try:
        seeded = stack.create_database()
        stack.start_broker()
        stack.serve("server-a")
        stack.serve("server-b")
        stack.ingest(1)
        stack.ingest(2)
        stack.spawn("job-worker", "worker")
        for server in ("server-a", "server-b"):
            assert wait_for(lambda s=server: stack.healthy(s), 45), stack.log_tails()
        yield stack, seeded
    finally:
        stack.teardown(redis)


@pytest.fixture(autouse=True)
def print_logs_of_failures(deployment):
    """Every process's log tail, which pytest shows only for a test that failed."""
    yield
    print(deployment[0].log_tails())


class Recorder:
    """Socket.IO events received by a client, by name (handlers run on the client's thread)."""

    def __init__(self, client: socketio.Client, *names: str):
        self.items: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        for name in names:
            client.on(name, lambda data, n=name: self._add(n, data))

    def _add(self, name: str, data: dict) -> None:
        with self.lock:
            self.items.append((name, data))

    def of(self, name: str) -> list[dict]:
        with self.lock:
            return [data for n, data in self.items if n == name]


def _dashboard(stack: Deployment, server: str, token: str, *events: str) -> tuple[socketio.Client, Recorder]:
    client = socketio.Client(reconnection=False)
    recorder = Recorder(client, *events)
    client.connect(stack.url(server), auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client, recorder


def test_position_ingested_by_worker_2_reaches_a_dashboard_on_server_a(deployment, redis):
    """Both workers consume the queue; with worker 1 killed (kill -9), worker 2's fixes reach the load room on A."""
    stack, seeded = deployment
    followed, unfollowed = seeded["trucks"][:2]
    engine = create_engine(stack.db_url)
    client, received = _dashboard(stack, "server-a", seeded["tokens"]["buyer"], "position")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    # Each truck's phone logs in with its own device credentials, which the broker checks with server A.
    phones = {truck: Phone(stack.broker.mqtt_port, truck, *seeded["devices"][truck], start)
              for truck in seeded["trucks"]}
    try:
        assert wait_for(lambda: all(p.connected.is_set() for p in phones.values()), 20), stack.log_tails()
        assert client.call("join", {"load_id": seeded["tracked_loads"][0]}, timeout=10)["ok"]
        # Waves over all four trucks until each worker has stored some: the queue hands its messages to
        # both consumers in turn.
        wave = 0
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            for phone in phones.values():
                phone.publish(wave)
            wave += 1
            time.sleep(0.25)
            counters = stack.ingest_counters(redis)
            if len(counters) == 2 and all(c["stored"] > 0 for c in counters.values()):
                break
        assert {w: c["stored"] > 0 for w, c in stack.ingest_counters(redis).items()} == {
            stack.worker_id(1): True, stack.worker_id(2): True}
        assert wait_for(lambda: len(stored_keys(engine, seeded["trucks"])) == 4 * wave, 20), f"{wave} waves"

        # Worker 1 dies without a word (kill -9): nothing of it is waited for, no session is left to retire.
        stack.stop("ingest-1", sig=signal.SIGKILL)
        phase_2 = range(500, 505)
        for i in phase_2:
            phones[followed].publish(i)
            phones[unfollowed].publish(i)
            time.sleep(0.3)  # the fan-out sends at most one position per vehicle and room a second
        phase_2_times = {(start + timedelta(seconds=i)).isoformat() for i in phase_2}
        newest = (start + timedelta(seconds=phase_2[-1])).isoformat()
        want_rows = 4 * wave + 2 * len(phase_2)

        def phase_2_on_a():
            return [p for p in received.of("position") if p["time"] in phase_2_times]

        assert wait_for(lambda: not [p.resend() for p in phones.values() if p.pending()]
                        and len(stored_keys(engine, seeded["trucks"])) == want_rows, 20)
        assert stack.processes["ingest-1"].returncode == -signal.SIGKILL  # so worker 2 stored phase 2
        # The throttle holds back all but the first fix of a second, then sends the newest one.
        assert wait_for(lambda: any(p["time"] == newest for p in phase_2_on_a()), 15), received.of("position")
        # Only the joined load's truck reaches this client: the other truck's fixes are stored, not sent here.
        assert {p["vehicle_id"] for p in phase_2_on_a()} == {str(followed)}
        assert all(p["load_id"] == seeded["tracked_loads"][0] for p in received.of("position"))
    finally:
        for phone in phones.values():
            phone.close()
        client.disconnect()
        engine.dispose()


def test_route_plan_from_server_b_runs_on_the_job_worker_and_shows_on_server_a(deployment, redis):
    """The servers only queue the job; the worker process solves it and server A serves the result."""
    stack, seeded = deployment
    headers = {"Authorization": f"Bearer {seeded['tokens']['carrier']}"}
    queue = Queue(stack.env["HAUL_JOB_QUEUE"], connection=redis)
    worker_process = stack.processes["job-worker"]
    assert wait_for(lambda: [w for w in Worker.all(queue=queue) if w.pid == worker_process.pid], 30), \
        stack.log_tails()
    rq_worker = next(w for w in Worker.all(queue=queue) if w.pid == worker_process.pid)
    client, received = _dashboard(stack, "server-a", seeded["tokens"]["carrier"], "job.progress")
    # The only worker is frozen while the job is submitted: if a server ran jobs itself, it would start.
    os.kill(worker_process.pid, signal.SIGSTOP)
    try:
        answer = requests.post(f"{stack.url('server-b')}/api/v1/route-plans", headers=headers, timeout=15, json={
            "load_ids": seeded["planned_loads"], "vehicle_ids": seeded["trucks"][:2],
            "depot_site_id": seeded["depot"], "time_limit_s": 2})
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]
        time.sleep(2)
        waiting = requests.get(f"{stack.url('server-a')}/api/v1/jobs/{job_id}", headers=headers, timeout=10).json()
        assert waiting["status"] == "queued"  # (Redis already handed it to the frozen worker's blocking pop)
    finally:
        os.kill(worker_process.pid, signal.SIGCONT)
    try:
        def finished():
            body = requests.get(f"{stack.url('server-a')}/api/v1/route-plans/{job_id}", headers=headers,
                                timeout=10).json()
            return body if body["status"] in {"succeeded", "failed", "cancelled"} else None

        assert wait_for(finished, 30), stack.log_tails()
        plan = finished()
        assert plan["status"] == "succeeded", plan
        solved = plan["result"]["result"]
        assert solved["dropped"] == [] and sum(len(r["stops"]) for r in solved["routes"]) == 4
        ran = [RqJob.fetch(i, connection=redis) for i in queue.finished_job_registry.get_job_ids()]
        assert [(j.args, j.worker_name) for j in ran] == [((job_id,), rq_worker.name)]
        # The worker's own emits reach server A's client through the shared Redis channel.
        assert wait_for(lambda: any(e["job_id"] == job_id and e["status"] == "succeeded"
                                    for e in received.of("job.progress")), 10), received.of("job.progress")
    finally:
        client.disconnect()
