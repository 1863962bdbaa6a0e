"""Generated Mosquitto password and ACL files, checked against a real Mosquitto on a free port:
a device may publish only to its own vehicle's topic, so it can never pose as another vehicle."""

from __future__ import annotations

import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from server.broker.acl import acl_file, device_users, write_broker_files
from server.broker.mosquitto import MosquittoProcess
from server.broker.passwords import hash_secret, verify_secret
from server.extensions import db
from server.models import DeviceCredential, Vehicle, VehicleType

pytestmark = pytest.mark.broker


def _vehicle(org_id: int) -> int:
    vtype = VehicleType(organisation_id=org_id, name="T", max_weight_kg=1, max_volume_m3=1, pallet_positions=1,
                        equipment=[])
    db.session.add(vtype)
    db.session.flush()
    vehicle = Vehicle(organisation_id=org_id, vehicle_type_id=vtype.id, plate=f"P-{uuid.uuid4().hex[:6]}")
    db.session.add(vehicle)
    db.session.flush()
    return vehicle.id


def _device(org_id: int, vehicle_id: int, username: str, secret: str, **extra) -> None:
    db.session.add(DeviceCredential(organisation_id=org_id, vehicle_id=vehicle_id, username=username,
                                    secret_hash=hash_secret(secret), **extra))
    db.session.commit()


def _client(port, username, password, on_message=None):
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{username}-{uuid.uuid4().hex[:4]}",
                         protocol=mqtt.MQTTv5)
    client.username_pw_set(username, password)
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc, p: connected.set() if not rc.is_failure else None
    if on_message:
        client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert connected.wait(5), f"{username} could not connect"
    return client


def test_password_hash_is_what_mosquitto_passwd_writes():
    """hash_secret produces $7$ PBKDF2-SHA512 hashes that verify, and wrong secrets do not."""
    stored = hash_secret("s3cret")
    assert stored.startswith("$7$101$")
    assert verify_secret("s3cret", stored) and not verify_secret("S3cret", stored)
    assert not verify_secret("s3cret", "pbkdf2:sha256:1000$x$y")


def test_acl_lists_own_topics_and_skips_revoked_or_foreign_hashes(ctx, make_party):
    """Each live device gets its vehicle's write topic and driver's inbox; revoked and non-$7$ ones are left out."""
    carrier = make_party("carrier")
    v1, v2 = _vehicle(carrier.id), _vehicle(carrier.id)
    _device(carrier.id, v1, "dev-a", "a-secret")
    _device(carrier.id, v2, "dev-b", "b-secret", revoked_at=db.func.now())
    db.session.add(DeviceCredential(organisation_id=carrier.id, vehicle_id=v2, username="dev-c",
                                    secret_hash="pbkdf2:sha256:1000$x$y"))
    db.session.commit()
    users = device_users(db.engine)
    assert [u.username for u in users] == ["dev-a"]
    text = acl_file(users, ["haul-ingest"])
    assert f"user dev-a\ntopic write owntracks/dev-a/#\ntopic write haul/v1/vehicles/{v1}/#" in text
    assert "user haul-ingest\ntopic read haul/v1/vehicles/#" in text


def test_real_mosquitto_rejects_a_device_publishing_as_another_vehicle(ctx, make_party, tmp_path):
    """Device A's publish on B's topic is refused by Mosquitto and never reaches the ingest subscriber."""
    carrier = make_party("carrier")
    va, vb = _vehicle(carrier.id), _vehicle(carrier.id)
    _device(carrier.id, va, "dev-a", "a-secret")
    _device(carrier.id, vb, "dev-b", "b-secret")
    passwd, acl = write_broker_files(db.engine, tmp_path / "auth", {"haul-ingest": hash_secret("ingest-secret")})
    broker = MosquittoProcess(tmp_path / "broker", password_file=passwd, acl_file=acl).start()
    received: list[str] = []
    try:
        ingest = _client(broker.port, "haul-ingest", "ingest-secret",
                         on_message=lambda c, u, m: received.append(m.topic))
        ingest.subscribe("$share/ingest/haul/v1/vehicles/+/position", qos=1)
        time.sleep(0.3)
        results: dict[int, int] = {}
        device_a = _client(broker.port, "dev-a", "a-secret")
        device_a.on_publish = lambda c, u, mid, rc, p: results.__setitem__(mid, rc.value)
        own = device_a.publish(f"haul/v1/vehicles/{va}/position", b"{}", qos=1).mid
        spoof = device_a.publish(f"haul/v1/vehicles/{vb}/position", b"{}", qos=1).mid
        deadline = time.monotonic() + 5
        while (len(results) < 2 or len(received) < 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert results[own] == 0 and results[spoof] == 135  # 135: not authorized
        assert received == [f"haul/v1/vehicles/{va}/position"]
        wrong = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder", protocol=mqtt.MQTTv5)
        wrong.username_pw_set("dev-a", "not-the-secret")
        refused = threading.Event()
        wrong.on_connect = lambda c, u, f, rc, p: refused.set() if rc.is_failure else None
        wrong.connect("127.0.0.1", broker.port)
        wrong.loop_start()
        assert refused.wait(5)
        for client in (ingest, device_a, wrong):
            client.disconnect()
            client.loop_stop()
    finally:
        broker.stop()
