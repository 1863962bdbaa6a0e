"""Devices on the real broker (a private RabbitMQ whose auth backend is a Haul server on PostGIS):
they cannot subscribe to shared subscriptions, wildcards, other vehicles or other inboxes; a new
device connects within 5 s of its creation; a revoked one, or one suspended for garbage, is cut off and
refused within 5 s."""

from __future__ import annotations

import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pika
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import update
from werkzeug.serving import make_server

from gps_ingest.amqp_topology import POSITIONS_QUEUE, declare
from server.broker.mosquitto import free_port
from server.broker.rabbitmq import RabbitMQProcess
from tests.gps_ingest.integration.ingest_helpers import create_migrated_database, psql, wait_for

pytestmark = [pytest.mark.postgis, pytest.mark.broker, pytest.mark.slow]


class Stack:
    def __init__(self, app, broker: RabbitMQProcess):
        self.app, self.broker = app, broker
        self.client = app.test_client()

    def carrier(self) -> dict:
        """A carrier with two trucks and two drivers, and a dispatcher's token."""
        from server.auth.principal import issue_token
        from server.extensions import db
        from server.models import Driver, Organisation, Vehicle, VehicleType

        with self.app.app_context():
            org = Organisation(name=f"carrier-{uuid.uuid4().hex[:6]}", kind="carrier", settings={})
            db.session.add(org)
            db.session.flush()
            vtype = VehicleType(organisation_id=org.id, name="T", max_weight_kg=1, max_volume_m3=1,
                                pallet_positions=1, equipment=[])
            db.session.add(vtype)
            db.session.flush()
            vehicles = [Vehicle(organisation_id=org.id, vehicle_type_id=vtype.id, plate=f"P-{uuid.uuid4().hex[:6]}")
                        for _ in range(2)]
            drivers = [Driver(organisation_id=org.id, name=f"Driver {i}") for i in range(2)]
            db.session.add_all(vehicles + drivers)
            db.session.flush()
            token, _ = issue_token(org.id, "test", ["admin", "dispatcher"], kind="erp")
            db.session.commit()
            return {"headers": {"Authorization": f"Bearer {token}"}, "vehicles": [v.id for v in vehicles],
                    "drivers": [d.id for d in drivers]}

    def device(self, carrier: dict, k: int) -> dict:
        answer = self.client.post("/api/v1/device-credentials", headers=carrier["headers"],
                                  json={"vehicle_id": carrier["vehicles"][k], "driver_id": carrier["drivers"][k]})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def pair(self, carrier: dict, k: int) -> tuple[dict, dict]:
        """A phone paired for driver and truck ``k``: (the pairing, the phone's answer)."""
        code = self.client.post("/api/v1/devices/pairings", headers=carrier["headers"],
                                json={"driver_id": carrier["drivers"][k], "vehicle_id": carrier["vehicles"][k]})
        pairing = code.get_json()
        return pairing, self.client.post("/api/v1/devices/pair", json={"code": pairing["code"]}).get_json()

    def queued(self) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(self.broker.amqp_url))
        try:
            return connection.channel().queue_declare(POSITIONS_QUEUE, passive=True).method.message_count
        finally:
            connection.close()


class Probe:
    """One MQTT 3.1.1 client (as the driver app on RabbitMQ): what happened to it, in order."""

    def __init__(self, port: int, username: str, password: str, client_id: str | None = None):
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or f"haul-driver-{username}",
                                  protocol=mqtt.MQTTv311, clean_session=False)
        self.client.username_pw_set(username, password)
        self.client.reconnect_delay_set(1, 1)
        self.connects: list[bool] = []
        self.disconnects = 0
        self.granted: dict[int, bool] = {}
        self.acked: set[int] = set()
        self.messages: list[str] = []
        self.client.on_connect = lambda _c, _u, _f, rc, _p: self.connects.append(not rc.is_failure)
        self.client.on_disconnect = lambda *_a: setattr(self, "disconnects", self.disconnects + 1)
        self.client.on_subscribe = lambda _c, _u, mid, rcs, _p: self.granted.__setitem__(
            mid, not any(rc.is_failure for rc in rcs))
        self.client.on_publish = lambda _c, _u, mid, rc, _p: self.acked.add(mid)
        self.client.on_message = lambda _c, _u, m: self.messages.append(m.topic)
        self.client.connect_async("127.0.0.1", port, keepalive=10)
        self.client.loop_start()

    def connected(self, timeout_s: float = 5) -> bool:
        return wait_for(lambda: bool(self.connects) and self.connects[-1] and self.client.is_connected(), timeout_s,
                        0.05)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from server.app import create_app

    directory = tmp_path_factory.mktemp("rabbit-devices")
    name, url = create_migrated_database("haul_broker")
    port = free_port()
    broker = RabbitMQProcess(directory / "rabbitmq",
                             auth_url=f"http://rabbitmq:broker-pw@127.0.0.1:{port}/internal/broker")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "HAUL_INSTANCE_DIR": str(directory),
                      "BROKER_AUTH_PASSWORD": "broker-pw", "BROKER_MANAGEMENT_URL": broker.management_url,
                      "DEVICE_MQTT_URL": f"mqtt://127.0.0.1:{broker.mqtt_port}", "DEVICE_MQTT_PROTOCOL": "3.1.1"})
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        broker.start()
        connection = pika.BlockingConnection(pika.URLParameters(broker.amqp_url))
        declare(connection.channel())
        connection.close()
        yield Stack(app, broker)
    finally:
        broker.kill()
        server.shutdown()
        from server.extensions import db

        with app.app_context():
            db.engine.dispose()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_device_cannot_take_other_vehicles_positions_or_other_inboxes(stack):
    """$share/..., #, another vehicle's topic and another inbox are refused; the victim's fixes all reach the queue."""
    carrier = stack.carrier()
    thief, victim = stack.device(carrier, 0), stack.device(carrier, 1)
    before = stack.queued()
    for topic in ("$share/ingest/haul/v1/vehicles/+/position", "#", "haul/v1/vehicles/+/position",
                  f"haul/v1/vehicles/{carrier['vehicles'][1]}/position", f"haul/v1/drivers/{carrier['drivers'][1]}/inbox"):
        probe = Probe(stack.broker.mqtt_port, thief["username"], thief["secret"])
        assert probe.connected()
        mid = probe.client.subscribe(topic, qos=1)[1]
        # RabbitMQ answers a refused subscription (MQTT 3.1.1 has no refusal code) by closing the connection.
        assert wait_for(lambda p=probe: p.disconnects > 0, 5), topic
        assert not probe.granted.get(mid), topic
        owner = Probe(stack.broker.mqtt_port, victim["username"], victim["secret"])
        assert owner.connected()
        mids = [owner.client.publish(victim["topics"]["position"], b'{"_type":"position"}', qos=1).mid
                for _ in range(3)]
        assert wait_for(lambda o=owner, m=mids: set(m) <= o.acked, 5)
        time.sleep(0.3)
        assert probe.messages == [], topic
        owner.close()
        probe.close()
    assert wait_for(lambda: stack.queued() == before + 15, 5), stack.queued() - before


def test_a_device_reads_its_own_inbox_and_publishes_only_as_its_own_vehicle(stack):
    """Its inbox subscription is granted; a publish on another vehicle's topic closes the connection, unrouted."""
    carrier = stack.carrier()
    device = stack.device(carrier, 0)
    probe = Probe(stack.broker.mqtt_port, device["username"], device["secret"])
    assert probe.connected()
    mid = probe.client.subscribe(device["topics"]["inbox"], qos=1)[1]
    assert wait_for(lambda: probe.granted.get(mid), 5)
    before = stack.queued()
    probe.client.publish(f"haul/v1/vehicles/{carrier['vehicles'][1]}/position", b"{}", qos=1)
    assert wait_for(lambda: probe.disconnects > 0, 5)
    probe.close()
    time.sleep(0.5)
    assert stack.queued() == before


def test_a_new_device_connects_within_5_s_of_its_creation_and_of_its_pairing(stack):
    """Credentials from the API and from pairing work on the broker at once: it asks Haul, no file to regenerate."""
    carrier = stack.carrier()
    device = stack.device(carrier, 0)
    probe = Probe(stack.broker.mqtt_port, device["username"], device["secret"])
    assert probe.connected(5)
    probe.close()
    _, paired = stack.pair(carrier, 1)
    from driver_app.core.api_models import MqttSettings
    from driver_app.core.mqtt_client import DriverMqttClient

    settings = MqttSettings.from_json(paired["mqtt"])
    assert settings.protocol == "3.1.1" and settings.endpoint()[1] == stack.broker.mqtt_port
    phone = DriverMqttClient(settings)
    phone.start()
    try:
        assert phone.wait_connected(5), phone.connection_error
    finally:
        phone.stop()


def _cut_off_within_5_s(stack, username: str, secret: str, revoke, listed_first: bool = False) -> None:
    """A connected device loses its connection, and is refused when it reconnects, within 5 s of ``revoke()``.
    ``listed_first``: the clock starts once the broker's management API lists the connection (it lists new
    connections only at its next statistics tick, up to 5 s later, and a reconciler sees only what it lists)."""
    probe = Probe(stack.broker.mqtt_port, username, secret)
    try:
        assert probe.connected()
        if listed_first:
            from server.broker.sessions import BrokerSessions

            listed = BrokerSessions(stack.broker.management_url)
            assert wait_for(lambda: username in listed.connected_users(), 15)
        started = time.monotonic()
        revoke()
        assert wait_for(lambda: probe.disconnects > 0 and False in probe.connects, 5), probe.connects
        assert time.monotonic() - started < 5 and not probe.client.is_connected()
    finally:
        probe.close()


def test_a_revoked_device_is_cut_off_and_refused_within_5_s(stack):
    """DELETE device-credentials, unpairing and deactivating the truck each close the live connection and refuse the next."""
    carrier = stack.carrier()
    device = stack.device(carrier, 0)
    _cut_off_within_5_s(stack, device["username"], device["secret"], lambda: stack.client.delete(
        f"/api/v1/vehicles/{carrier['vehicles'][0]}/device-credentials", headers=carrier["headers"]))
    code, paired = stack.pair(carrier, 1)
    _cut_off_within_5_s(stack, paired["mqtt"]["username"], paired["mqtt"]["password"], lambda: stack.client.delete(
        f"/api/v1/devices/pairings/{code['id']}", headers=carrier["headers"]))
    again = stack.device(carrier, 1)
    _cut_off_within_5_s(stack, again["username"], again["secret"], lambda: stack.client.patch(
        f"/api/v1/vehicles/{carrier['vehicles'][1]}", headers=carrier["headers"], json={"active": False}))


def test_the_reconciler_cuts_off_a_device_revoked_without_the_api(stack):
    """A credential revoked in the database directly (no cut-off call) loses its connection on the next reconcile."""
    from server.broker.sessions import Reconciler
    from server.extensions import db
    from server.models import DeviceCredential

    carrier = stack.carrier()
    device = stack.device(carrier, 0)

    def revoke_behind_the_apis_back():
        with stack.app.app_context():
            db.session.execute(update(DeviceCredential).where(DeviceCredential.username == device["username"])
                               .values(revoked_at=db.func.now()))
            db.session.commit()
            reconciler = Reconciler(stack.broker.management_url, db.engine)
            assert wait_for(lambda: device["username"] in reconciler.run(), 5)

    _cut_off_within_5_s(stack, device["username"], device["secret"], revoke_behind_the_apis_back, listed_first=True)


def test_a_device_cannot_connect_as_another_devices_client_id(stack):
    """Taking over another device's session (and its inbox queue) by its client id is refused."""
    carrier = stack.carrier()
    mine, other = stack.device(carrier, 0), stack.device(carrier, 1)
    probe = Probe(stack.broker.mqtt_port, mine["username"], mine["secret"], client_id=f"haul-driver-{other['username']}")
    assert wait_for(lambda: probe.connects and not probe.connects[0], 5), probe.connects
    probe.close()


def test_a_device_suspended_for_garbage_is_cut_off_until_its_carrier_reinstates_it(stack):
    """The garbage brake's suspension closes the live connection and refuses the next within 5 s; after
    POST .../reinstate the same login connects again within 5 s."""
    from gps_ingest.device_brake import SUSPENDED
    from server.extensions import db
    from server.tracking.device_abuse import DeviceAbuseReporter

    carrier = stack.carrier()
    device = stack.device(carrier, 0)

    def suspend():
        with stack.app.app_context():
            reporter = DeviceAbuseReporter(db.engine, stack.broker.management_url, background=False)
            assert reporter.report(f"login:{device['username']}", SUSPENDED, 3000) == [device["username"]]

    _cut_off_within_5_s(stack, device["username"], device["secret"], suspend)
    answer = stack.client.post(f"/api/v1/device-credentials/{device['id']}/reinstate", headers=carrier["headers"])
    assert answer.status_code == 200 and answer.get_json()["suspended_at"] is None
    probe = Probe(stack.broker.mqtt_port, device["username"], device["secret"])
    try:
        assert probe.connected(5), probe.connects
    finally:
        probe.close()
