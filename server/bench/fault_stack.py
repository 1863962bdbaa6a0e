"""The production ingest path as real processes on this machine, for `server.bench.faults`.

Its own PostgreSQL cluster (`PgCluster`), its own RabbitMQ (`RabbitMQProcess`) whose HTTP auth
backend is a ``haul serve`` of this stack, ``haul ingest`` workers on the durable queue, and
device credentials for the phones, each a real device login checked by the broker through Haul.
Every process writes its log under ``directory``; `close` stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert, text

from server.bench.pg_cluster import PgCluster
from server.broker.mosquitto import free_port
from server.broker.passwords import hash_secret, new_secret
from server.broker.rabbitmq import RabbitMQProcess

HAUL = str(Path(sys.executable).with_name("haul"))


class FaultStack:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run = uuid.uuid4().hex[:6]
        self.pg = PgCluster(self.directory / "pg")
        self.auth_password = uuid.uuid4().hex
        self.serve_port = free_port()
        self.broker = RabbitMQProcess(
            self.directory / "rabbitmq",
            auth_url=f"http://rabbitmq:{self.auth_password}@127.0.0.1:{self.serve_port}/internal/broker")
        self.db_url = ""
        self.env: dict[str, str] = {}
        self.processes: dict[str, subprocess.Popen] = {}
        self._engine = None

    # -- start and stop ------------------------------------------------------------------------
    def start(self) -> FaultStack:
        self.pg.init().start()
        self.db_url = self.pg.create_database("haul")
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "AMQP_URL": self.broker.amqp_url,
                    "HAUL_BROKER_AUTH_PASSWORD": self.auth_password, "SECRET_KEY": f"faults-{self.run}",
                    "HAUL_INSTANCE_DIR": str(self.directory / "instance"), "HAUL_GPS_REORDER_HOLD_S": "0.1",
                    "HAUL_WEBHOOK_THREAD": "0"}
        self.env.pop("REDIS_URL", None)
        self.env.pop("MQTT_URL", None)
        subprocess.run([HAUL, "db", "upgrade"], env=self.env, check=True, capture_output=True, timeout=300)
        self.spawn("serve", "serve", "--port", str(self.serve_port))
        self.broker.start()
        # As on every deploy: the queue exists before the first phone publishes, or the broker
        # acknowledges fixes that route nowhere (seen here before this step: 45 of 3,055 lost).
        subprocess.run([HAUL, "broker", "setup"], env=self.env, check=True, capture_output=True, timeout=60)
        self._wait_http(f"http://127.0.0.1:{self.serve_port}/healthz")
        return self

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("ab")
        process = subprocess.Popen([HAUL, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def worker(self, worker_id: str) -> subprocess.Popen:
        return self.spawn(f"ingest-{worker_id}", "ingest", "--worker-id", worker_id, "--flush-interval", "0.1")

    def kill(self, name: str, sig: int = signal.SIGKILL, timeout_s: float = 30) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout_s)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def workers(self) -> list[str]:
        return [n for n, p in self.processes.items() if n.startswith("ingest-") and p.poll() is None]

    def close(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM, timeout_s=15)
        if self._engine is not None:
            self._engine.dispose()
        self.broker.kill()
        self.pg.stop("immediate")

    @staticmethod
    def _wait_http(url: str, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{url} did not answer in {timeout_s:.0f} s")

    # -- data ------------------------------------------------------------------------------------
    @property
    def engine(self):
        if self._engine is None:
            self._engine = create_engine(self.db_url, pool_pre_ping=True)
        return self._engine

    def seed_devices(self, count: int, label: str) -> list[tuple[int, str, str]]:
        """``count`` vehicles of one carrier, each with a device login; [(vehicle id, username, secret)]."""
        from server.models import DeviceCredential, Organisation, Vehicle, VehicleType

        devices = []
        with self.engine.begin() as conn:
            def add(model, **values):
                return conn.execute(insert(model.__table__).values(**values).returning(model.__table__.c.id)).scalar()

            org = add(Organisation, name=f"carrier-{label}-{self.run}", kind="carrier", settings={})
            vtype = add(VehicleType, organisation_id=org, name="T", max_weight_kg=24000, max_volume_m3=90,
                        pallet_positions=33, equipment=[])
            for i in range(count):
                vehicle = add(Vehicle, organisation_id=org, vehicle_type_id=vtype, plate=f"{label}-{i}-{self.run}")
                username, secret = f"dev-{label}-{i}-{self.run}", new_secret()
                # Few PBKDF2 rounds: the bench makes hundreds of logins, and the broker checks them through Haul.
                add(DeviceCredential, organisation_id=org, vehicle_id=vehicle, username=username,
                    secret_hash=hash_secret(secret, iterations=1))
                devices.append((vehicle, username, secret))
        return devices

    def stored(self, vehicle_ids: list[int]) -> tuple[set[tuple[int, datetime]], int]:
        """The distinct (vehicle, time) keys stored for ``vehicle_ids``, and the row count."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT vehicle_id, time FROM positions WHERE vehicle_id = ANY(:v)"),
                                {"v": vehicle_ids}).all()
        return {(r[0], r[1]) for r in rows}, len(rows)
