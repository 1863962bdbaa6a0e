"""The OsmAnd HTTP endpoint: secret-bearing requests only, 200 only after commit, 4xx per bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.extensions import db
from server.models import Position
from tests.server.tracking.http_device_factory import basic, credential, ts


def _stored(vehicle_id=None) -> int:
    db.session.rollback()
    query = select(func.count()).select_from(Position)
    if vehicle_id is not None:
        query = query.where(Position.vehicle_id == vehicle_id)
    return db.session.scalar(query)


def test_osmand_query_is_stored_once_and_retry_is_idempotent(client, fleet):
    """A Traccar request with the device's HTTP id answers 200 after commit; the same request again stores nothing."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    query = f"/api/v1/osmand?id={http_id}&lat=51.5&lon=7.4&timestamp={ts()}&speed=10&accuracy=5"
    first = client.get(query)
    assert first.status_code == 200 and first.get_json()["stored"] == 1
    again = client.post(query)
    assert again.status_code == 200 and again.get_json()["stored"] == 0
    assert _stored(vehicle) == 1


def test_osmand_bad_input_gets_4xx_naming_the_field(client, fleet):
    """Missing fields, NaN, out-of-range and mistyped values get 4xx naming the field, not 500, and store nothing."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    cases = {
        f"lat=51.5&timestamp={ts()}": (400, "missing_field", "lon"),
        f"lon=7.4&timestamp={ts()}": (400, "missing_field", "lat"),
        f"lat=nan&lon=7.4&timestamp={ts()}": (400, "nan_or_inf", "lat"),
        f"lat=95&lon=7.4&timestamp={ts()}": (400, "lat_out_of_range", "lat"),
        f"lat=x&lon=7.4&timestamp={ts()}": (400, "wrong_type", "lat"),
        "lat=51&lon=7&timestamp=soon": (400, "wrong_type", "timestamp"),
    }
    for query, (status, reason, path) in cases.items():
        response = client.get(f"/osmand?id={http_id}&{query}")
        assert response.status_code == status, query
        body = response.get_json()
        assert response.mimetype == "application/problem+json" and body["dropped"] == {reason: 1}, query
        assert [(e["path"], e["reason"]) for e in body["errors"]] == [(path, reason)], query
    json_body = {"device_id": http_id, "location": {"timestamp": "2024-06-10T07:59:00Z", "coords": {"latitude": 51}}}
    missing = client.post("/osmand", json=json_body)
    assert missing.status_code == 400
    assert [e["path"] for e in missing.get_json()["errors"]] == ["location/coords/longitude"]
    big = client.post(f"/osmand?id={http_id}", data=b"x" * (200 * 1024), content_type="text/plain")
    assert big.status_code in (413, 400)
    assert _stored() == 0


def test_drop_log_line_names_the_field(client, fleet, caplog):
    """The drop log line of a rejected request names the field at fault."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    with caplog.at_level("INFO", logger="gps_ingest.drop"):
        assert client.get(f"/osmand?id={http_id}&lat=51.5&timestamp={ts()}").status_code == 400
    assert any(r.getMessage().startswith("drop missing_field:") and "field=lon" in r.getMessage()
               for r in caplog.records)


def test_osmand_without_timestamp_is_stored_at_receive_time_and_marked(client, fleet):
    """As Traccar does, a request without timestamp is stored at the time it arrived, marked time_source=received."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    response = client.get(f"/osmand?id={http_id}&lat=51.5&lon=7.4&altitude=120.5&hdop=0.8")
    assert response.status_code == 200 and response.get_json()["stored"] == 1
    db.session.rollback()
    row = db.session.execute(select(Position.time, Position.altitude, Position.attributes)).one()
    assert before <= row.time <= datetime.now(UTC)
    assert row.altitude == 120.5 and row.attributes == {"time_source": "received", "hdop": 0.8}


def test_traccar_json_keeps_altitude_and_attributes(client, fleet):
    """Traccar Client JSON stores altitude, and keeps motion, odometer, activity and charging as attributes."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    location = {"timestamp": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                "coords": {"latitude": 51.5, "longitude": 7.4, "altitude": 88.0, "accuracy": 4},
                "is_moving": True, "odometer": 5300, "activity": {"type": "in_vehicle"},
                "battery": {"level": 0.5, "is_charging": True}}
    response = client.post("/osmand", json={"device_id": http_id, "location": location})
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    row = db.session.execute(select(Position.altitude, Position.battery, Position.attributes)).one()
    assert row.altitude == 88.0 and row.battery == 50.0
    assert row.attributes == {"motion": True, "odometer": 5300, "activity": "in_vehicle", "charging": True}


def test_osmand_basic_auth_binds_device_to_its_vehicle(client, fleet):
    """With HTTP Basic, a device may only post for its own id; another device's id is 403, a wrong secret 401."""
    carrier, (v1, v2) = fleet(2)
    first = credential(client, carrier, v1)
    second = credential(client, carrier, v2)
    own = basic(first["username"], first["secret"])
    for index, claimed in enumerate((first["username"], first["http_id"])):
        ok = client.get(f"/osmand?id={claimed}&lat=51&lon=7&timestamp={ts(index)}", headers=own)
        assert ok.status_code == 200, ok.get_json()
    assert client.get(f"/osmand?lat=51&lon=7&timestamp={ts(5)}", headers=own).status_code == 200  # no id at all
    for claimed in (second["username"], second["http_id"]):
        spoof = client.get(f"/osmand?id={claimed}&lat=51&lon=7&timestamp={ts(10)}", headers=own)
        assert spoof.status_code == 403 and spoof.get_json()["reason"] == "topic_mismatch"
    wrong = client.get(f"/osmand?id={first['username']}&lat=51&lon=7&timestamp={ts(20)}",
                       headers=basic(first["username"], "nope"))
    assert wrong.status_code == 401
    assert _stored(v1) == 3 and _stored(v2) == 0


def test_osmand_answers_503_when_the_store_fails_and_commits_later(client, fleet, monkeypatch, make_party):
    """A failed commit answers 503; the fix stays queued and the next request writes it."""
    carrier, (vehicle,) = fleet(1)
    http_id = credential(client, carrier, vehicle)["http_id"]
    operator = make_party("platform", roles=("admin",)).headers
    assert client.get("/metrics", headers=operator).status_code == 200  # nothing built yet is fine
    client.get(f"/osmand?id={http_id}&lat=51&lon=7&timestamp={ts()}")  # builds the pipeline
    store = client.application.extensions["haul_http_ingest"].runtime.store

    def broken(_positions):
        raise ConnectionError("database away")

    monkeypatch.setattr(store, "write", broken)
    failed = client.get(f"/osmand?id={http_id}&lat=51.001&lon=7&timestamp={ts(10)}")
    assert failed.status_code == 503
    monkeypatch.undo()
    later = client.get(f"/osmand?id={http_id}&lat=51.002&lon=7&timestamp={ts(20)}")
    assert later.status_code == 200
    assert _stored(vehicle) == 3
    text = client.get("/metrics", headers=operator).get_data(as_text=True)
    assert "haul_osmand_store_errors_total 1" in text
