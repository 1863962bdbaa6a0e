"""The demo's embedded amqtt broker with its in-process ingest worker: MQTT 3.1.1, one worker,
plain subscription; a published position lands in the database and on the live socket."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from gps_ingest.mqtt_client import probe_mqtt5
from server.broker.embedded import start_embedded_ingest
from server.broker.mosquitto import free_port
from server.extensions import db, socketio
from server.models import Position, Vehicle, VehicleType
from server.realtime import driver_inbox


def test_embedded_broker_feeds_the_pipeline(ctx, make_party):
    """amqtt refuses MQTT 5, so the worker falls back to 3.1.1; a fix is stored and reaches the fleet room."""
    carrier = make_party("carrier")
    vtype = VehicleType(organisation_id=carrier.id, name="T", max_weight_kg=1, max_volume_m3=1, pallet_positions=1,
                        equipment=[])
    db.session.add(vtype)
    db.session.flush()
    vehicle = Vehicle(organisation_id=carrier.id, vehicle_type_id=vtype.id, plate=f"E-{uuid.uuid4().hex[:6]}")
    db.session.add(vehicle)
    db.session.commit()
    vehicle_id = vehicle.id
    dashboard = socketio.test_client(ctx, auth={"token": carrier.token})
    port = free_port()
    saved_url, saved_inbox = ctx.config["MQTT_URL"], driver_inbox.url
    handle = start_embedded_ingest(ctx, port=port)
    try:
        assert handle.broker is not None and probe_mqtt5("127.0.0.1", port) is False
        assert handle.worker.connected.wait(10)
        device = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="demo-device", protocol=mqtt.MQTTv311)
        device.connect("127.0.0.1", port)
        device.loop_start()
        t = int((datetime.now(UTC) - timedelta(seconds=30)).timestamp() * 1000)
        body = {"_type": "position", "v": 1, "t": t, "lat": 51.5, "lon": 7.1}
        device.publish(f"haul/v1/vehicles/{vehicle_id}/position", json.dumps(body), qos=1).wait_for_publish(5)
        deadline = time.monotonic() + 15
        stored = 0
        while stored == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            db.session.rollback()
            stored = db.session.scalar(select(func.count()).select_from(Position))
        assert stored == 1
        deadline = time.monotonic() + 5
        positions = []
        while not positions and time.monotonic() < deadline:
            positions = [m for m in dashboard.get_received() if m["name"] == "position"]
            time.sleep(0.1)
        assert positions and positions[0]["args"][0]["vehicle_id"] == str(vehicle_id)
        device.disconnect()
        device.loop_stop()
    finally:
        handle.stop()
        ctx.config["MQTT_URL"] = saved_url
        driver_inbox.configure(saved_inbox)
