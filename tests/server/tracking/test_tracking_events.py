"""The ingest pipeline on the real database: geofence events drive load status, ETA and fan-out."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gps_ingest.model import Message
from server.extensions import db
from server.models import Event, Load
from server.tracking.runtime import build_runtime, ingest_settings

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def _square(lat, lon, d=0.005):
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
    return {"type": "Polygon", "coordinates": [ring]}


def _site(client, party, name, kind, lat, lon):
    response = client.post("/api/v1/sites", headers=party.headers, json={
        "name": name, "kind": kind, "location": {"lat": lat, "lon": lon}, "geofence": _square(lat, lon)})
    assert response.status_code == 201
    return response.get_json()["id"]


def _fix(vehicle_id, minutes, lat, lon, speed=15.0):
    t = int((START + timedelta(minutes=minutes)).timestamp() * 1000)
    body = {"_type": "position", "v": 1, "t": t, "lat": lat, "lon": lon, "speed": speed, "acc": 5}
    return Message(f"m{minutes}", "mqtt", topic=f"haul/v1/vehicles/{vehicle_id}/position",
                   payload=json.dumps(body).encode())


def _drive(client, trade, make_load, fleet, track, pickup_kind="plant", delivery_kind="customer",
           pickup_at=(51.40, 6.70), delivery_at=(51.60, 6.90)):
    """An assigned load between two fenced sites, its truck driven along ``track``; (load, carrier, emits)."""
    carrier, (vehicle,) = fleet(1)
    pickup = _site(client, trade["seller"], "Pickup", pickup_kind, *pickup_at)
    delivery = _site(client, trade["buyer"], "Delivery", delivery_kind, *delivery_at)
    load = make_load({**trade, "plant": {"id": pickup}, "yard": {"id": delivery}}, carrier=carrier,
                     status="assigned", vehicle_id=vehicle)
    emitted = []
    runtime = build_runtime(engine=db.engine, settings=replace(ingest_settings({}), reorder_hold_s=0.0),
                            throttle_s=0.0, emit=lambda event, data, room: emitted.append((event, data, room)))
    try:
        for minutes, lat, lon in track:
            runtime.pipeline.submit(_fix(vehicle, minutes, lat, lon))
            runtime.pipeline.flush(drain=True)
    finally:
        runtime.recorder.stop()
        runtime.sockets.stop()
    return load, carrier, emitted


def test_geofence_visits_move_the_load_and_reach_its_rooms(client, trade, make_load, fleet):
    """Entering and leaving the pickup zone sets at_pickup then in_transit; events are stored and emitted."""
    track = [(0, 51.30, 6.70), (20, 51.40, 6.70), (30, 51.40, 6.70), (45, 51.48, 6.78), (80, 51.60, 6.90)]
    load, carrier, emitted = _drive(client, trade, make_load, fleet, track)
    db.session.expire_all()
    row = db.session.get(Load, load.id)
    kinds = db.session.scalars(select(Event.kind).where(Event.load_id == load.id).order_by(Event.id)).all()
    assert "arrived_pickup" in kinds and "departed_pickup" in kinds and "arrived_delivery" in kinds
    assert kinds.count("status_changed") == 2
    assert row.status == "in_transit"
    assert row.eta is not None
    # Batched emits ("positions"/"events" lists) count as their single items.
    emitted = [(e[:-1] if isinstance(d, list) else e, item, r) for e, d, r in emitted
               for item in (d if isinstance(d, list) else [d])]
    rooms = {room for _, _, room in emitted}
    assert f"load:{load.id}" in rooms and f"org:{trade['buyer'].id}" in rooms
    statuses = [d["data"]["status"] for e, d, r in emitted if e == "event" and d["kind"] == "status_changed"
                and r == f"load:{load.id}"]
    assert statuses == ["at_pickup", "in_transit"]
    positions = [d for e, d, r in emitted if e == "position" and r == f"load:{load.id}"]
    assert len(positions) == len(track) and positions[-1]["load_id"] == load.id


def test_positions_are_throttled_per_vehicle_and_room(client, fleet):
    """Ten fixes in one flush reach the fleet room once; the newest goes out when the interval is over."""
    carrier, (vehicle,) = fleet(1)
    emitted = []
    settings = replace(ingest_settings({}), reorder_hold_s=0.0)
    runtime = build_runtime(engine=db.engine, settings=settings, throttle_s=3600.0,
                            emit=lambda event, data, room: emitted.append((event, data, room)))
    runtime.sockets.stop()  # emit on this thread with drain(), so the test sees every step
    for second in range(10):
        runtime.pipeline.submit(_fix(vehicle, second / 60, 51.0 + second * 1e-4, 7.0))
    runtime.pipeline.flush(drain=True)
    runtime.sockets.drain()
    assert [(e, r) for e, _, r in emitted] == [("position", f"org:{carrier.id}")]
    assert runtime.metrics.stored == 10


def test_a_fix_means_arrived_once_against_the_loads_own_sites(client, trade, make_load, fleet):
    """The live views hear arrived/departed once, from the recorder, at the load's sites whatever their kind."""
    track = [(0, 51.70, 6.90), (20, 51.60, 6.90), (30, 51.60, 6.90), (45, 51.50, 6.80), (80, 51.40, 6.70)]
    load, _, emitted = _drive(client, trade, make_load, fleet, track, pickup_kind="customer", delivery_kind="plant",
                              pickup_at=(51.60, 6.90), delivery_at=(51.40, 6.70))
    pickup, delivery = load.pickup_site_id, load.delivery_site_id
    items = [item for e, d, r in emitted if e.startswith("event") and r == f"load:{load.id}"
             for item in (d if isinstance(d, list) else [d])]
    meanings = [(item["kind"], int(item["site_id"])) for item in items
                if item["kind"].startswith(("arrived_", "departed_"))]
    assert meanings == [("arrived_pickup", pickup), ("departed_pickup", pickup), ("arrived_delivery", delivery)]
    assert all(item["load_id"] == load.id for item in items if item["kind"].startswith(("arrived_", "departed_")))
