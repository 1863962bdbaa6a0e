"""A production-shaped Haul as real OS processes on the shared services, for the deployment test.

Two ``haul serve`` processes, ``haul ingest`` workers and a ``haul worker`` (RQ) on one fresh PostGIS
database, a private RabbitMQ (the production broker: MQTT plugin, durable positions queue, devices
checked by server A's ``/internal/broker``) and the shared Redis (:6379). Everything a run names on
the shared Redis is private to it: the Socket.IO channel (pub/sub channels are global to a Redis
server, whatever the database number) and the RQ queue.
Each process writes its own log file; `Deployment.log_tails` is printed when a test fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from rq import Queue
from sqlalchemy import create_engine, insert

from server.broker.mosquitto import free_port
from server.broker.passwords import hash_secret, new_secret
from server.broker.rabbitmq import RabbitMQProcess
from server.models import ApiToken, DeviceCredential, Load, Organisation, Site, Vehicle, VehicleType
from server.tracking.ingest_metrics import METRICS_KEY
from tests.gps_ingest.integration.ingest_helpers import HAUL, create_migrated_database, psql

REDIS_URL = os.environ.get("HAUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def seed(url: str) -> dict:
    """A seller, a buyer and a carrier; two in-transit loads on two trucks (tracking) and two awarded
    loads for a route plan from the carrier's depot; an API token each for the buyer and the carrier; a
    device login per truck."""
    engine = create_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    tokens = {"buyer": "haul_" + uuid.uuid4().hex, "carrier": "haul_" + uuid.uuid4().hex}
    with engine.begin() as conn:
        def add(model, **values):
            return conn.execute(insert(model.__table__).values(**values).returning(model.__table__.c.id)).scalar()

        seller, buyer, carrier = (add(Organisation, name=f"{k}-deploy", kind=k, settings={})
                                  for k in ("seller", "buyer", "carrier"))
        plant = add(Site, organisation_id=seller, name="Plant", location="SRID=4326;POINT(6.76 51.43)")
        yard = add(Site, organisation_id=buyer, name="Yard", kind="customer", location="SRID=4326;POINT(6.96 50.94)")
        depot = add(Site, organisation_id=carrier, name="Depot", location="SRID=4326;POINT(6.80 51.20)")
        vtype = add(VehicleType, organisation_id=carrier, name="Tautliner", max_weight_kg=24000, max_volume_m3=90,
                    pallet_positions=33, equipment=[], fixed_cost=0, cost_per_km=1.0)
        trucks = [add(Vehicle, organisation_id=carrier, vehicle_type_id=vtype, plate=f"DEP-{i}") for i in range(4)]

        def load(reference, status, vehicle=None, start=now):
            return add(Load, seller_org_id=seller, buyer_org_id=buyer, carrier_org_id=carrier, reference=reference,
                       status=status, pickup_site_id=plant, delivery_site_id=yard, vehicle_id=vehicle,
                       pickup_earliest=start, pickup_latest=start + timedelta(hours=4),
                       delivery_earliest=start + timedelta(hours=3), delivery_latest=start + timedelta(hours=30),
                       weight_kg=10_000, volume_m3=30, pallets=10)

        tracked = [load(f"TRK-{i}", "in_transit", trucks[i]) for i in range(2)]
        devices = {}
        for truck in trucks:
            username, secret = f"dev-deploy-{truck}", new_secret()
            add(DeviceCredential, organisation_id=carrier, vehicle_id=truck, username=username,
                secret_hash=hash_secret(secret))
            devices[truck] = (username, secret)
        planned = [load(f"PLAN-{i}", "awarded", start=now + timedelta(hours=1)) for i in range(2)]
        for kind, org in (("buyer", buyer), ("carrier", carrier)):
            add(ApiToken, organisation_id=org, name="deploy-test", kind="erp", roles=["admin", "dispatcher"],
                token_hash=hashlib.sha256(tokens[kind].encode()).hexdigest(), prefix=tokens[kind][:12])
    engine.dispose()
    return {"tokens": tokens, "trucks": trucks, "tracked_loads": tracked, "planned_loads": planned, "depot": depot,
            "devices": devices}


@dataclass
class Deployment:
    directory: Path
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    db_name: str = ""
    db_url: str = ""
    env: dict = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    broker: RabbitMQProcess | None = None

    def worker_id(self, n: int) -> str:
        return f"deploy-{self.run}-{n}"

    def url(self, server: str) -> str:
        return f"http://127.0.0.1:{self.ports[server]}"

    def create_database(self) -> dict:
        """The database, and the broker whose device checks go to server A (its port is chosen here)."""
        self.db_name, self.db_url = create_migrated_database("haul_deploy")
        self.ports["server-a"] = free_port()
        auth_password = f"broker-{self.run}"
        self.broker = RabbitMQProcess(
            self.directory / "rabbitmq",
            auth_url=f"http://rabbitmq:{auth_password}@127.0.0.1:{self.ports['server-a']}/internal/broker")
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "MQTT_URL": self.broker.mqtt_url(),
                    "AMQP_URL": self.broker.amqp_url, "HAUL_BROKER_MANAGEMENT_URL": self.broker.management_url,
                    "HAUL_BROKER_AUTH_PASSWORD": auth_password, "REDIS_URL": REDIS_URL, "HAUL_SOCKETIO_CHANNEL": f"haul-deploy-{self.run}",
                    "HAUL_JOB_QUEUE": f"haul-deploy-{self.run}", "HAUL_ENV": "production",
                    "SECRET_KEY": f"deploy-secret-{self.run}", "HAUL_GPS_REORDER_HOLD_S": "0.1",
                    "HAUL_MAP_TILES": ""}
        return seed(self.db_url)

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        env = {**self.env, "HAUL_INSTANCE_DIR": str(self.directory / f"instance-{name}")}
        # Its own session, so a stop reaches the process's children too (RQ forks a work horse per job).
        process = subprocess.Popen([HAUL, *args], env=env, stdout=self.log(name).open("ab"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def start_broker(self) -> None:
        self.broker.start()
        subprocess.run([HAUL, "broker", "setup"], env=self.env, check=True, capture_output=True, timeout=60)

    def serve(self, name: str) -> None:
        self.ports.setdefault(name, free_port())
        self.spawn(name, "serve", "--port", str(self.ports[name]))

    def ingest(self, n: int) -> None:
        self.spawn(f"ingest-{n}", "ingest", "--worker-id", self.worker_id(n), "--flush-interval", "0.05")

    def healthy(self, server: str) -> bool:
        try:
            return requests.get(f"{self.url(server)}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def ingest_counters(self, redis) -> dict[str, dict]:
        """Each of this run's ingest workers' last reported counters (they report every ~5 s and on exit)."""
        raw = redis.hgetall(METRICS_KEY)
        return {k.decode(): json.loads(v) for k, v in raw.items() if k.decode().startswith(f"deploy-{self.run}-")}

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def log_tails(self, chars: int = 3000) -> str:
        parts = []
        for name, process in self.processes.items():
            text = self.log(name).read_text(errors="replace") if self.log(name).exists() else ""
            parts.append(f"----- {name} (exit code {process.poll()}) -----\n{text[-chars:]}")
        return "\n".join(parts)

    def stop(self, *names: str, timeout_s: float = 15, sig: int = signal.SIGTERM) -> int:
        """SIGTERM (a clean stop: ingest workers drain and ack) to all ``names`` at once, SIGKILL after
        ``timeout_s``; the exit code of the first."""
        processes = [self.processes[name] for name in names]
        for process in processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout_s
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return processes[0].returncode

    def teardown(self, redis) -> None:
        """Stop every process, then remove what the run left on the shared services."""
        self.stop(*self.processes)
        if self.broker is not None:
            self.broker.kill()
        try:
            redis.hdel(METRICS_KEY, *[self.worker_id(n) for n in range(1, 3)])
            queue = Queue(self.env.get("HAUL_JOB_QUEUE", "none"), connection=redis)
            done = queue.finished_job_registry.get_job_ids()
            queue.delete(delete_jobs=True)
            # The registries outlive the queue (a finished registry never expires), the jobs ~8 minutes.
            keys = [*redis.scan_iter(f"rq:*:{queue.name}"), *(f"rq:{kind}:{job}" for job in done
                                                                for kind in ("job", "results"))]
            if keys:
                redis.delete(*keys)
        finally:
            if self.db_name:
                psql(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
