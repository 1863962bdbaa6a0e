"""Socket.IO fan-out across two real ``haul serve`` processes sharing Redis: a position posted to
one server (OsmAnd, by the device's secret HTTP id, which that server's access log shows only by
its first characters), and an emit or a live frame from an outside process (an ingest worker's
emitter), reach dashboard and public-link clients connected to the other server."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio
from sqlalchemy import create_engine, insert

from server.broker.mosquitto import free_port
from server.broker.passwords import hash_secret
from server.models import ApiToken, DeviceCredential, Load, Organisation, Site, Vehicle, VehicleType
from server.tracking.runtime import emitter_for
from tests.gps_ingest.integration.ingest_helpers import HAUL, create_migrated_database, psql, wait_for

pytestmark = [pytest.mark.postgis, pytest.mark.slow]
REDIS_URL = os.environ.get("HAUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
HTTP_ID = "k3v9q2m8x7c4d1f6g5h0j2n8p4"  # the device's secret HTTP id (Traccar Client's "device identifier")


def _seed(url: str) -> dict:
    engine = create_engine(url)
    now = datetime.now(UTC)
    token = "haul_" + uuid.uuid4().hex
    with engine.begin() as conn:
        def add(table, **values):
            return conn.execute(insert(table.__table__).values(**values).returning(table.__table__.c.id)).scalar()

        seller = add(Organisation, name="S", kind="seller", settings={})
        buyer = add(Organisation, name="B", kind="buyer", settings={})
        carrier = add(Organisation, name="C", kind="carrier", settings={})
        plant = add(Site, organisation_id=seller, name="P", location="SRID=4326;POINT(6.7 51.4)")
        yard = add(Site, organisation_id=buyer, name="Y", kind="customer", location="SRID=4326;POINT(6.9 51.6)")
        vtype = add(VehicleType, organisation_id=carrier, name="T", max_weight_kg=1, max_volume_m3=1,
                    pallet_positions=1, equipment=[])
        vehicle = add(Vehicle, organisation_id=carrier, vehicle_type_id=vtype, plate="TWO-1")
        load = add(Load, seller_org_id=seller, buyer_org_id=buyer, carrier_org_id=carrier, reference="L-TWO",
                   status="in_transit", pickup_site_id=plant, delivery_site_id=yard, vehicle_id=vehicle,
                   pickup_earliest=now, pickup_latest=now, delivery_earliest=now, delivery_latest=now)
        add(ApiToken, organisation_id=buyer, name="t", kind="erp", token_hash=hashlib.sha256(token.encode()).hexdigest(),
            prefix=token[:12], roles=["admin"])
        add(DeviceCredential, organisation_id=carrier, vehicle_id=vehicle, username="two-dev",
            secret_hash=hash_secret("two-secret"), http_id_hash=hashlib.sha256(HTTP_ID.encode()).hexdigest(),
            http_id_prefix=HTTP_ID[:6])
    engine.dispose()
    return {"token": token, "load": load, "vehicle": vehicle}


def _serve(url: str, port: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "HAUL_INSTANCE_DIR": str(tmp_path / str(port))}
    log = (tmp_path / f"serve-{port}.log").open("wb")  # the access log (stdout) and the error log (stderr)
    return subprocess.Popen([HAUL, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)


class Recorder:
    def __init__(self):
        self.items: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def __call__(self, name):
        def handler(data):
            with self.lock:
                self.items.append((name, data))
        return handler

    def names(self, name):
        with self.lock:
            return [d for n, d in self.items if n == name]


def test_two_servers_relay_through_redis(tmp_path):
    """A client on server A gets what server B and an outside emitter (emits, frames) send to its rooms."""
    name, url = create_migrated_database("haul_fanout")
    seed = _seed(url)
    ports = [free_port(), free_port()]
    servers = [_serve(url, port, tmp_path) for port in ports]
    clients = []
    try:
        for port in ports:
            assert wait_for(lambda p=port: _healthy(p), 40), (tmp_path / f"serve-{port}.log").read_text()[-2000:]
        base_a, base_b = (f"http://127.0.0.1:{p}" for p in ports)
        link = requests.post(f"{base_b}/api/v1/loads/{seed['load']}/tracking-links", json={"ttl_hours": 1},
                             headers={"Authorization": f"Bearer {seed['token']}"}, timeout=10).json()
        dashboard, public = Recorder(), Recorder()
        on_a = socketio.Client(reconnection=False)
        anonymous = socketio.Client(reconnection=False)
        clients += [on_a, anonymous]
        for client, recorder in ((on_a, dashboard), (anonymous, public)):
            client.on("position", recorder("position"))
            client.on("event", recorder("event"))
        on_a.connect(base_a, auth={"token": seed["token"]}, transports=["websocket"], wait_timeout=10)
        ack = on_a.call("join", {"load_id": seed["load"]}, timeout=10)
        assert ack["ok"] and ack["snapshot"]["reference"] == "L-TWO"
        anonymous.connect(base_a, transports=["websocket"], wait_timeout=10)
        assert anonymous.call("join", {"tracking_token": link["token"]}, timeout=10)["ok"]
        ts = int((datetime.now(UTC) - timedelta(seconds=20)).timestamp())
        by_username = requests.get(f"{base_b}/osmand", params={"id": "two-dev", "lat": 51.5, "lon": 6.8,
                                                               "timestamp": ts}, timeout=10)
        assert by_username.status_code == 401  # a username is no secret
        posted = requests.get(f"{base_b}/osmand", params={"id": HTTP_ID, "lat": 51.5, "lon": 6.8, "timestamp": ts},
                              timeout=10)
        assert posted.status_code == 200 and posted.json()["stored"] == 1
        access_log = tmp_path / f"serve-{ports[1]}.log"
        assert wait_for(lambda: f"id={HTTP_ID[:6]}...&" in access_log.read_text(), 10), access_log.read_text()[-2000:]
        assert HTTP_ID not in access_log.read_text()
        assert wait_for(lambda: dashboard.names("position") and public.names("position"), 15)
        got = dashboard.names("position")[0]
        assert got["load_id"] == seed["load"] and got["lat"] == 51.5
        emitter_for(REDIS_URL)("event", {"kind": "probe", "load_id": seed["load"]}, f"load:{seed['load']}")
        assert wait_for(lambda: any(e.get("kind") == "probe" for e in dashboard.names("event")), 15)
        assert not any(e.get("kind") == "probe" for e in public.names("event"))
        fix = {"vehicle_id": str(seed["vehicle"]), "time": "2024-06-10T08:00:00+00:00", "lat": 1.5, "lon": 2.5,
               "load_id": seed["load"]}
        emitter_for(REDIS_URL).batch({"positions": [fix], "events": [{"kind": "framed", "load_id": seed["load"]}],
                                      "rooms": {f"load:{seed['load']}": [[0], [0]]}})
        assert wait_for(lambda: fix in dashboard.names("position")
                        and any(e.get("kind") == "framed" for e in dashboard.names("event")), 15)
        assert fix not in public.names("position")
    finally:
        for client in clients:
            if client.connected:
                client.disconnect()
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False
    finally:
        time.sleep(0)
