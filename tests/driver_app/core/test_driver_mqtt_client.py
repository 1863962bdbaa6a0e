"""The MQTT client and tracking service against a real, private Mosquitto."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from driver_app.core.api_models import MqttSettings
from driver_app.core.app_state import DriverDay, Step
from driver_app.core.clock import ManualClock
from driver_app.core.mqtt_client import DriverMqttClient
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.positions import Fix, decode_positions
from driver_app.core.publish_policy import PolicySettings, PublishPolicy
from driver_app.core.simulated_gps import SimulatedGps
from driver_app.core.tracking import TrackingService

pytestmark = pytest.mark.broker

ROUTE = Path(__file__).resolve().parents[2] / "data" / "driver_app" / "route_short.json"
ROOT = Path(__file__).resolve().parents[3]


def settings(port: int) -> MqttSettings:
    return MqttSettings(
        url=f"mqtt://127.0.0.1:{port}", username="dev-1", password="pw", vehicle_id="veh-1", driver_id="drv-1"
    )


class Collector:
    """A test subscriber that records what arrives on a topic filter."""

    def __init__(self, port: int, topic: str, client_id: str | None = None, persistent: bool = False):
        self.messages: list[mqtt.MQTTMessage] = []
        self._subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or "",
            protocol=mqtt.MQTTv311,
            clean_session=not persistent,
        )
        self.client.reconnect_delay_set(1, 2)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self._subscribed.set()
        self.client.on_message = lambda c, u, m: self.messages.append(m)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._subscribed.wait(10), "test subscriber did not subscribe"

    def positions(self) -> list[dict]:
        """Positions in arrival order; QoS 1 may deliver one twice, so repeats are dropped."""
        seen, out = set(), []
        for message in list(self.messages):
            for position in decode_positions(message.payload):
                if position["seq"] not in seen:
                    seen.add(position["seq"])
                    out.append(position)
        return out

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def cleanup():
    """Stops every client a test registers, even when the test fails."""
    stops = []
    yield stops.append
    for stop in reversed(stops):
        stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_simulated_drive_positions_reach_a_subscriber(mosquitto, cleanup, tmp_path, wait_until, protocol):
    """Positions from a simulated drive arrive at a subscriber in time order and leave the outbox."""
    collector = Collector(mosquitto.port, "haul/v1/vehicles/veh-1/position")
    cleanup(collector.close)
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    gps = SimulatedGps.from_file(ROUTE, speed_mps=30.0, interval_s=1.0, clock=ManualClock())
    policy = PublishPolicy(PolicySettings(interval_s=5.0, min_distance_m=50.0, heartbeat_s=None))
    client = DriverMqttClient(settings(mosquitto.port), protocol=protocol)
    tracking = TrackingService(gps, outbox, client, policy=policy, batch_size=5, max_in_flight=2)
    cleanup(tracking.stop)

    tracking.start()

    assert gps.join(10)
    assert wait_until(lambda: outbox.count() == 0 and len(collector.positions()) >= policy.accepted)
    received = collector.positions()
    assert policy.accepted >= 10
    assert [p["seq"] for p in received] == list(range(1, policy.accepted + 1))
    assert [p["t"] for p in received] == sorted(p["t"] for p in received)
    assert {p["_type"] for p in received} == {"position"}


def test_status_is_online_while_connected_and_offline_after_stop(mosquitto, cleanup, wait_until):
    """The retained status says online after connecting and offline after a clean stop."""
    client = DriverMqttClient(settings(mosquitto.port))
    client.start()
    assert client.wait_connected(10)
    online = Collector(mosquitto.port, "haul/v1/vehicles/veh-1/status")
    cleanup(online.close)
    assert wait_until(lambda: online.messages)
    assert json.loads(online.messages[-1].payload)["state"] == "online"

    client.stop()

    assert wait_until(lambda: json.loads(online.messages[-1].payload)["state"] == "offline")


def test_inbox_dock_call_moves_the_day_and_survives_reconnect(mosquitto, cleanup, tmp_path, wait_until):
    """A dock call on the driver's inbox moves the day to 'called to dock', also after a reconnect."""
    day = DriverDay()
    day.sign_in({"name": "Li Wei"})
    day.show_today([{"id": "L-1"}])
    day.select_load({"id": "L-1"})
    day.check_in({"id": "V-1", "queue_position": 2})
    client = DriverMqttClient(settings(mosquitto.port))
    TrackingService(
        SimulatedGps([(0, 0), (0, 0.001)]), PositionOutbox(tmp_path / "o.sqlite"), client, day=day
    )
    client.start()
    cleanup(client.stop)
    assert client.wait_connected(10)

    mosquitto.stop()
    assert wait_until(lambda: not client.is_connected() and not day.online)
    mosquitto.start()
    assert wait_until(lambda: client.is_connected() and day.online, timeout_s=20)

    publish = mqtt.Client(CallbackAPIVersion.VERSION2)
    publish.connect("127.0.0.1", mosquitto.port)
    publish.loop_start()
    cleanup(publish.loop_stop)
    message = {"_type": "queue", "v": 1, "load_id": "L-1", "position": 1}
    publish.publish("haul/v1/drivers/drv-1/inbox", json.dumps(message), qos=1).wait_for_publish(5)
    assert wait_until(lambda: day.queue_position == 1)
    message = {"_type": "dock_call", "v": 1, "load_id": "L-1", "dock": "3"}
    publish.publish("haul/v1/drivers/drv-1/inbox", json.dumps(message), qos=1).wait_for_publish(5)

    assert wait_until(lambda: day.step is Step.CALLED_TO_DOCK)
    assert day.dock == "3"


def test_positions_made_while_broker_is_down_arrive_after_restart(
    persistent_mosquitto, cleanup, tmp_path, wait_until
):
    """Fixes taken while the broker is down stay on disk and are delivered in order once it is back."""
    broker = persistent_mosquitto
    collector = Collector(
        broker.port, "haul/v1/vehicles/veh-1/position", client_id="test-sub", persistent=True
    )
    cleanup(collector.close)
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    client = DriverMqttClient(settings(broker.port))
    policy = PublishPolicy(PolicySettings(interval_s=1.0, min_distance_m=0.0, heartbeat_s=None))
    tracking = TrackingService(SimulatedGps([(0, 0), (0, 1)]), outbox, client, policy=policy, batch_size=4)
    cleanup(tracking.stop)
    client.start()
    assert client.wait_connected(10)

    fixes = [
        Fix(t_ms=1_767_225_600_000 + 5_000 * i, lat=53.54, lon=9.98 + 0.001 * i, speed=12.0)
        for i in range(13)
    ]
    for fix in fixes[:3]:
        tracking.on_fix(fix)
    assert wait_until(lambda: outbox.count() == 0 and len(collector.positions()) == 3)

    broker.stop()
    assert wait_until(lambda: not client.is_connected())
    for fix in fixes[3:]:
        tracking.on_fix(fix)
    assert outbox.count() == 10

    broker.start()

    assert wait_until(lambda: outbox.count() == 0, timeout_s=30)
    assert wait_until(lambda: len(collector.positions()) >= 13, timeout_s=30)
    received = collector.positions()
    assert [p["t"] for p in received] == [f.t_ms for f in fixes]
    assert [p["seq"] for p in received] == list(range(1, 14))
    assert any(json.loads(m.payload)["_type"] == "batch" for m in collector.messages)


_DRIVER_PROCESS = """
import sys, time
from driver_app.core.api_models import MqttSettings
from driver_app.core.mqtt_client import DriverMqttClient
client = DriverMqttClient(MqttSettings(url=sys.argv[1], username="dev-1", password="pw",
                                       vehicle_id="veh-1", driver_id="drv-1"))
client.start()
assert client.wait_connected(10)
print("connected", flush=True)
time.sleep(60)
"""


def test_last_will_announces_offline_when_the_app_dies(mosquitto, cleanup, wait_until):
    """When the app process is killed, the broker publishes the retained 'offline' last will."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRIVER_PROCESS, f"mqtt://127.0.0.1:{mosquitto.port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cleanup(lambda: (proc.kill(), proc.wait(5)))
    assert proc.stdout.readline().strip() == "connected", proc.stderr.read()
    status = Collector(mosquitto.port, "haul/v1/vehicles/veh-1/status")
    cleanup(status.close)
    assert wait_until(lambda: status.messages)
    assert json.loads(status.messages[-1].payload)["state"] == "online"

    proc.kill()
    proc.wait(5)

    assert wait_until(lambda: json.loads(status.messages[-1].payload)["state"] == "offline")
    late = Collector(mosquitto.port, "haul/v1/vehicles/veh-1/status")
    cleanup(late.close)
    assert wait_until(lambda: late.messages)
    assert json.loads(late.messages[-1].payload)["state"] == "offline" and late.messages[-1].retain


def test_puback_without_subscribers_keeps_the_position_for_a_resend():
    """A PUBACK saying 'no matching subscribers' is not a delivery; any real failure is not either."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.reasoncodes import ReasonCode

    client = DriverMqttClient(MqttSettings(url="mqtt://127.0.0.1:1", username="u", password="p",
                                           vehicle_id="7", driver_id="3"))
    acks = []
    client.add_ack_listener(lambda mid, ok: acks.append((mid, ok)))
    for mid, code in ((1, 0), (2, 16), (3, 0x87)):
        client._on_publish(None, None, mid, ReasonCode(PacketTypes.PUBACK, identifier=code), None)
    assert acks == [(1, True), (2, False), (3, False)]
