"""What the broker lets a device do, as Haul answers RabbitMQ's HTTP auth backend: own topics and
own inbox only, never a shared subscription, a wildcard, another vehicle or another inbox."""

from __future__ import annotations

import base64
import uuid

import pytest

from server.broker.device_access import Device, may_connect, may_publish, may_subscribe, may_use_resource
from server.broker.passwords import hash_secret
from server.extensions import db
from server.models import DeviceCredential, Vehicle, VehicleType

DEVICE = Device("dev-a", vehicle_id=7, driver_id=3)


@pytest.mark.parametrize("key", ["$share.ingest.haul.v1.vehicles.*.position", "#", "haul.#",
                                 "haul.v1.vehicles.*.position", "haul.v1.vehicles.8.position",
                                 "haul.v1.vehicles.7.position", "haul.v1.drivers.4.inbox", "haul.v1.drivers.*.inbox",
                                 "owntracks.*.*", "owntracks.#", "owntracks.dev-b.phone", "$share.g.haul.v1.drivers.3.inbox"])
def test_a_device_may_not_subscribe_to_shared_wildcard_or_foreign_topics(key):
    """Subscriptions other than the device's own inbox (and its own OwnTracks tree) are refused."""
    assert not may_subscribe(DEVICE, key)


def test_a_device_may_subscribe_to_its_own_inbox_and_owntracks_commands():
    """The driver's inbox and the OwnTracks app's own command topic are allowed."""
    assert may_subscribe(DEVICE, "haul.v1.drivers.3.inbox")
    assert may_subscribe(DEVICE, "owntracks.dev-a.phone.cmd")
    assert not may_subscribe(Device("dev-a", 7, None), "haul.v1.drivers.3.inbox")


@pytest.mark.parametrize("key, allowed", [
    ("haul.v1.vehicles.7.position", True), ("haul.v1.vehicles.7.status", True),
    ("haul.v1.vehicles.8.position", False), ("haul.v1.vehicles.7.inbox", False),
    ("haul.v1.vehicles.*.position", False), ("haul.v1.drivers.3.inbox", False),
    ("owntracks.dev-a.phone", True), ("owntracks.dev-a.phone.event", True),
    ("owntracks.dev-b.phone", False), ("owntracks.dev-a.*", False), ("owntracks.dev-a.phone.x.y", False),
    ("owntracks.dev-a", False), ("other.topic", False)])
def test_a_device_publishes_only_to_its_own_vehicle_and_owntracks_name(key, allowed):
    """Publishing is limited to the device's vehicle topics and OwnTracks topics under its username."""
    assert may_publish(DEVICE, key) is allowed


def test_a_username_with_a_dot_cannot_publish_owntracks_that_would_route_nowhere():
    """owntracks/a.b/phone becomes owntracks.a.b.phone, which no binding matches: refused, not lost."""
    dotted = Device("a.b", 7, None)
    assert not may_publish(dotted, "owntracks.a.b.phone")


def test_a_device_uses_only_its_own_session_queues_and_the_topic_exchange():
    """Queues of other clients (another device's inbox session, the positions queue) are refused."""
    assert may_connect(DEVICE, "dev-a") and may_connect(DEVICE, "haul-driver-dev-a")
    assert not may_connect(DEVICE, "haul-driver-dev-b") and not may_connect(DEVICE, "haul-ingest-1")
    assert may_use_resource(DEVICE, "queue", "mqtt-subscription-haul-driver-dev-aqos1", "configure")
    assert not may_use_resource(DEVICE, "queue", "mqtt-subscription-haul-driver-dev-bqos1", "read")
    assert not may_use_resource(DEVICE, "queue", "haul.positions", "read")
    assert may_use_resource(DEVICE, "exchange", "amq.topic", "write")
    assert not may_use_resource(DEVICE, "exchange", "amq.topic", "configure")
    assert not may_use_resource(DEVICE, "exchange", "amq.direct", "write")


def _device(org_id: int, username: str, secret: str, **extra) -> int:
    vtype = VehicleType(organisation_id=org_id, name="T", max_weight_kg=1, max_volume_m3=1, pallet_positions=1,
                        equipment=[])
    db.session.add(vtype)
    db.session.flush()
    vehicle = Vehicle(organisation_id=org_id, vehicle_type_id=vtype.id, plate=f"P-{uuid.uuid4().hex[:6]}")
    db.session.add(vehicle)
    db.session.flush()
    db.session.add(DeviceCredential(organisation_id=org_id, vehicle_id=vehicle.id, username=username,
                                    secret_hash=hash_secret(secret), **extra))
    db.session.commit()
    return vehicle.id


def _ask(client, check: str, broker_password: str = "broker-pw", **form):
    auth = base64.b64encode(f"rabbitmq:{broker_password}".encode()).decode()
    return client.post(f"/internal/broker/{check}", data=form, headers={"Authorization": f"Basic {auth}"})


def test_auth_backend_checks_the_database_on_every_connect(ctx, client, make_party, operator, monkeypatch):
    """A live device with its secret is allowed; a wrong secret, a revoked one or an inactive truck is denied."""
    monkeypatch.setitem(ctx.config, "BROKER_AUTH_PASSWORD", "broker-pw")
    carrier = make_party("carrier")
    vehicle = _device(carrier.id, "dev-a", "a-secret")
    _device(carrier.id, "dev-r", "r-secret", revoked_at=db.func.now())
    form = {"username": "dev-a", "password": "a-secret", "vhost": "/", "client_id": "haul-driver-dev-a"}
    assert _ask(client, "user", **form).get_data(as_text=True) == "allow"
    assert _ask(client, "user", **{**form, "password": "wrong"}).get_data(as_text=True) == "deny"
    assert _ask(client, "user", **{**form, "client_id": "haul-driver-dev-b"}).get_data(as_text=True) == "deny"
    assert _ask(client, "user", username="dev-r", password="r-secret").get_data(as_text=True) == "deny"
    topic = {"username": "dev-a", "vhost": "/", "resource": "topic", "name": "amq.topic", "permission": "write"}
    assert _ask(client, "topic", routing_key=f"haul.v1.vehicles.{vehicle}.position", **topic).data == b"allow"
    assert _ask(client, "topic", routing_key="#", **{**topic, "permission": "read"}).data == b"deny"
    db.session.get(Vehicle, vehicle).active = False
    db.session.commit()
    assert _ask(client, "user", **form).get_data(as_text=True) == "deny"
    assert 'haul_broker_auth_refusals_total{check="user"}' in client.get("/metrics", headers=operator).get_data(as_text=True)


def test_auth_backend_answers_only_the_broker(ctx, client, monkeypatch):
    """Without its password the routes are 401; without the setting they do not exist (404)."""
    monkeypatch.setitem(ctx.config, "BROKER_AUTH_PASSWORD", "")
    assert _ask(client, "user", username="x", password="y").status_code == 404
    monkeypatch.setitem(ctx.config, "BROKER_AUTH_PASSWORD", "broker-pw")
    assert _ask(client, "user", broker_password="not-it", username="x").status_code == 401
    assert client.post("/internal/broker/user", data={"username": "x"}).status_code == 401
