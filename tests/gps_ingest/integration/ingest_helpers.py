"""Helpers for ingest integration tests: seeding, waiting, and a QoS 1 position publisher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import text


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                   check=True, capture_output=True)


PG_BASE = os.environ.get("HAUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
HAUL = str(Path(sys.executable).with_name("haul"))


def create_migrated_database(prefix: str = "haul_ingest") -> tuple[str, str]:
    """A new PostGIS database migrated to head by ``haul db upgrade`` in a subprocess (so this
    process's app and Socket.IO server stay untouched); returns (name, URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    psql(f"CREATE DATABASE {name}")
    url = f"{PG_BASE}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    subprocess.run([HAUL, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    return name, url


def seed_vehicles(engine, n: int) -> list[int]:
    """A carrier organisation with ``n`` vehicles in ``engine``'s database."""
    with engine.begin() as conn:
        now = datetime.now(UTC)
        org = conn.execute(text("INSERT INTO organisations (name, kind, settings, active, created_at) "
                                "VALUES (:n, 'carrier', '{}', true, :t) RETURNING id"),
                           {"n": f"c-{uuid.uuid4().hex[:6]}", "t": now}).scalar()
        vtype = conn.execute(text(
            "INSERT INTO vehicle_types (organisation_id, name, max_weight_kg, max_volume_m3, pallet_positions, "
            "equipment, fixed_cost, cost_per_km, created_at) VALUES (:o, 'T', 24000, 90, 33, '[]', 0, 0, :t) "
            "RETURNING id"), {"o": org, "t": now}).scalar()
        return [conn.execute(text(
            "INSERT INTO vehicles (organisation_id, vehicle_type_id, plate, hazmat_certified, active, created_at) "
            "VALUES (:o, :v, :p, false, true, :t) RETURNING id"),
            {"o": org, "v": vtype, "p": f"P-{uuid.uuid4().hex[:8]}", "t": now}).scalar() for _ in range(n)]


def stored_keys(engine, vehicle_ids) -> list[tuple[int, datetime]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            text("SELECT vehicle_id, time FROM positions WHERE vehicle_id = ANY(:v)"), {"v": list(vehicle_ids)})]


def wait_for(predicate, timeout_s: float, interval_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return predicate()


class PositionPublisher:
    """A well-behaved device: QoS 1, MQTT 5, a persistent session that rides out broker restarts,
    and a re-send of any position the broker routed nowhere (PUBACK reason 16, "no matching
    subscribers": e.g. after a broker restart, before the ingest workers resubscribed)."""

    def __init__(self, port: int, client_id: str | None = None, username=None, password=None,
                 retry_unrouted: bool = True):
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or f"pub-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        if username:
            self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, 2)
        self.retry_unrouted = retry_unrouted
        self.acked = 0
        self.unrouted = 0
        self.refused = 0
        self._sent: dict[int, tuple[str, bytes]] = {}
        self._retry: list[tuple[str, bytes]] = []
        self._early: dict = {}
        self._lock = threading.Lock()
        self.client.on_publish = self._on_publish
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect("127.0.0.1", port, keepalive=10, clean_start=False, properties=props)
        self.client.loop_start()
        self.start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties):
        # Runs on paho's network thread while paho holds its own locks: never call paho from here.
        with self._lock:
            if mid not in self._sent:
                self._early[mid] = reason_code  # the PUBACK beat send() to recording the mid
                return
            self._settle(mid, reason_code)

    def _settle(self, mid, reason_code):
        sent = self._sent.pop(mid)
        if reason_code.value == 16:
            self.unrouted += 1
            if self.retry_unrouted:
                self._retry.append(sent)
        elif reason_code.is_failure:
            self.refused += 1
        else:
            self.acked += 1

    def fix(self, vehicle_id: int, i: int) -> tuple[str, bytes]:
        t = int((self.start + timedelta(seconds=i)).timestamp() * 1000)
        body = {"_type": "position", "v": 1, "t": t, "lat": 51.0 + i * 1e-5, "lon": 7.0, "acc": 5.0, "seq": i}
        return f"haul/v1/vehicles/{vehicle_id}/position", json.dumps(body).encode()

    def send(self, topic: str, payload: bytes):
        info = self.client.publish(topic, payload, qos=1)  # not under self._lock: see _on_publish
        with self._lock:
            self._sent[info.mid] = (topic, payload)
            early = self._early.pop(info.mid, None)
            if early is not None:
                self._settle(info.mid, early)
        return info

    def publish(self, vehicle_id: int, i: int):
        return self.send(*self.fix(vehicle_id, i))

    def resend_unrouted(self) -> int:
        with self._lock:
            again, self._retry = self._retry, []
        for topic, payload in again:
            self.send(topic, payload)
        return len(again)

    def stream(self, vehicle_ids, count: int, rate_hz: float, during=None) -> threading.Thread:
        """Publish ``count`` fixes per vehicle at ``rate_hz`` messages/s in a thread; calls ``during(i)``."""

        def run():
            interval = 1.0 / rate_hz
            for i in range(count):
                for vehicle_id in vehicle_ids:
                    self.publish(vehicle_id, i)
                    time.sleep(interval)
                if during is not None:
                    during(i)
                if i % 20 == 0:
                    self.resend_unrouted()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # settle: every fix acked and routed somewhere
                time.sleep(0.5)
                if not self.resend_unrouted() and not self._sent:
                    break

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def expected_keys(publisher: PositionPublisher, vehicle_ids, count: int) -> set:
    return {(v, publisher.start + timedelta(seconds=i)) for v in vehicle_ids for i in range(count)}
