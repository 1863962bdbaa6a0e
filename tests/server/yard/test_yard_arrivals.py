"""A truck entering its pickup site's geofence is checked in at the gate by the ingest, on both backends."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Polygon

from gps_ingest.model import Message
from server.extensions import db, socketio
from server.models import Event, Load, Site, YardVisit
from server.realtime import driver_inbox
from server.tracking.runtime import build_runtime, ingest_settings
from tests.server.yard.yard_factory import authorize, fresh, make_load, make_plant

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
LAT, LON = 51.43, 6.76  # make_plant's site


def _fence(site_id: int) -> None:
    d = 0.005
    square = Polygon([(LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d)])
    site = db.session.get(Site, site_id)
    site.geofence = from_shape(square, srid=4326)
    db.session.commit()


def _drive_in(vehicle_id: int) -> tuple[list, object]:
    """Two fixes outside the plant, then two inside; returns what was emitted and the runtime."""
    emitted = []
    settings = replace(ingest_settings({}), reorder_hold_s=0.0)
    runtime = build_runtime(engine=db.engine, settings=settings, throttle_s=0.0,
                            emit=lambda event, data, room: emitted.append((event, data, room)))
    try:
        for k, lat in enumerate((51.30, 51.38, LAT, LAT)):
            t = int((NOW - timedelta(minutes=30 - 10 * k)).timestamp() * 1000)
            body = {"_type": "position", "v": 1, "t": t, "lat": lat, "lon": LON, "speed": 10.0, "acc": 5}
            runtime.pipeline.submit(Message(f"m{k}", "mqtt", topic=f"haul/v1/vehicles/{vehicle_id}/position",
                                            payload=json.dumps(body).encode()))
            runtime.pipeline.flush(drain=True)
    finally:
        runtime.recorder.stop()
        runtime.sockets.stop()
    return emitted, runtime


def _kinds(load_id: int) -> list[str]:
    db.session.expire_all()
    return [e.kind for e in db.session.query(Event).filter_by(load_id=load_id).order_by(Event.id)]


def test_an_authorized_truck_entering_the_pickup_geofence_is_queued(ctx, monkeypatch):
    """arrived_pickup checks the truck in: an arrived visit, gate_checked_in, and the queue is announced."""
    plant = make_plant()
    _fence(plant.site.id)
    load = make_load(plant, start=NOW - timedelta(hours=1))
    authorize(ctx, plant, load, expires=NOW + timedelta(hours=6))
    news, inbox = [], []
    monkeypatch.setattr(socketio, "emit", lambda event, data, to=None, **_: news.append((event, data, to)))
    monkeypatch.setattr(driver_inbox, "send", lambda driver, kind, payload: inbox.append((driver, kind, payload)))
    _, runtime = _drive_in(plant.truck.id)
    assert runtime.recorder.yard_failed == 0
    visits = db.session.query(YardVisit).filter_by(load_id=load.id).all()
    assert [(v.status, v.history[-1]["via"]) for v in visits] == [("arrived", "geofence")]
    assert fresh(Load, load.id).status == "at_pickup"
    kinds = _kinds(load.id)
    assert kinds.index("arrived_pickup") < kinds.index("gate_checked_in") and "gate_refused" not in kinds
    visit = visits[0]
    assert any(event == "yard.visit" and data["visit_id"] == visit.id and data["status"] == "arrived"
               and room == f"load:{load.id}" for event, data, room in news)
    assert any(event == "yard.queue" and room == f"org:{plant.seller.id}" for event, _, room in news)
    assert (plant.driver.id, "queue", 1) in [(d, kind, p["position"]) for d, kind, p in inbox]


def test_an_unauthorized_truck_entering_the_geofence_is_refused_and_not_queued(ctx):
    """Without a pickup authorization the geofence arrival logs gate_refused (no_authorization) and opens no visit."""
    plant = make_plant()
    _fence(plant.site.id)
    load = make_load(plant, start=NOW - timedelta(hours=1), status="assigned")
    _, runtime = _drive_in(plant.truck.id)
    assert runtime.recorder.yard_failed == 0
    kinds = _kinds(load.id)
    assert "arrived_pickup" in kinds and "gate_checked_in" not in kinds
    refusals = db.session.query(Event).filter_by(load_id=load.id, kind="gate_refused").all()
    assert [(e.data["reason"], e.data["via"]) for e in refusals] == [("no_authorization", "geofence")]
    assert db.session.query(YardVisit).filter_by(load_id=load.id, status="arrived").count() == 0
    assert fresh(Load, load.id).status == "at_pickup"  # the geofence still says where the truck is


WORKER = """
import json, sys
from dataclasses import replace
from gps_ingest.model import Message
from server.app import create_app
from server.tracking.runtime import build_runtime, ingest_settings

url, vehicle, fixes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
# as `haul ingest` does: no app until the first arrival, then one from the factory
runtime = build_runtime(url, emit=lambda *_: None, settings=replace(ingest_settings({}), reorder_hold_s=0.0),
                        retention_days=0, throttle_s=0.0,
                        app_factory=lambda: create_app({"SQLALCHEMY_DATABASE_URI": url}))
for k, body in enumerate(fixes):
    runtime.pipeline.submit(Message(f"m{k}", "mqtt", topic=f"haul/v1/vehicles/{vehicle}/position",
                                    payload=json.dumps(body).encode()))
    runtime.pipeline.flush(drain=True)
runtime.close()
print(json.dumps({"yard_failed": runtime.recorder.yard_failed}))
"""


def test_a_standalone_ingest_worker_checks_trucks_in_without_a_server_app(ctx, tmp_path):
    """`haul ingest` has no Flask app: the worker process builds one for the gate and queues the truck."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    plant = make_plant()
    _fence(plant.site.id)
    load = make_load(plant, start=NOW - timedelta(hours=1))
    authorize(ctx, plant, load, expires=NOW + timedelta(hours=6))
    fixes = [{"_type": "position", "v": 1, "t": int((NOW - timedelta(minutes=30 - 10 * k)).timestamp() * 1000),
              "lat": lat, "lon": LON, "speed": 10.0, "acc": 5} for k, lat in enumerate((51.30, 51.38, LAT, LAT))]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MQTT_URL", "DATABASE_URL")}
    env["HAUL_INSTANCE_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", WORKER, ctx.config["SQLALCHEMY_DATABASE_URI"],
                           str(plant.truck.id), json.dumps(fixes)], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).parents[3], timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"yard_failed": 0}
    db.session.expire_all()
    visits = db.session.query(YardVisit).filter_by(load_id=load.id).all()
    assert [(v.status, v.history[-1]["via"]) for v in visits] == [("arrived", "geofence")]
    assert "gate_checked_in" in _kinds(load.id)
