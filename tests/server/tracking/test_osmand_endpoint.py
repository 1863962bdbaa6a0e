"""The OsmAnd HTTP endpoint and device credentials: 200 only after commit, 4xx per bad input."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.extensions import db
from server.models import Position


def _stored(vehicle_id=None) -> int:
    db.session.rollback()
    query = select(func.count()).select_from(Position)
    if vehicle_id is not None:
        query = query.where(Position.vehicle_id == vehicle_id)
    return db.session.scalar(query)


def _credential(client, carrier, vehicle_id, **extra):
    response = client.post("/api/v1/device-credentials", headers=carrier.headers,
                           json={"vehicle_id": vehicle_id, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def other_headers(make_party):
    return make_party("carrier").headers


def _ts(seconds=0):
    return int((datetime.now(UTC) - timedelta(minutes=5) + timedelta(seconds=seconds)).timestamp())


def test_device_credential_is_created_once_and_listed_without_secret(client, fleet, make_party):
    """The secret is shown once, the hash is Mosquitto's $7$, and another carrier's vehicle is 404."""
    from server.models import DeviceCredential

    carrier, (vehicle,) = fleet(1)
    body = _credential(client, carrier, vehicle, username="truck-dev-1")
    assert body["secret"] and body["topics"]["position"] == f"haul/v1/vehicles/{vehicle}/position"
    row = db.session.get(DeviceCredential, body["id"])
    assert row.secret_hash.startswith("$7$") and body["secret"] not in row.secret_hash
    listed = client.get("/api/v1/device-credentials", headers=carrier.headers).get_json()
    assert [c["username"] for c in listed["items"]] == ["truck-dev-1"] and "secret" not in listed["items"][0]
    assert client.post("/api/v1/device-credentials", headers=carrier.headers,
                       json={"vehicle_id": vehicle, "username": "truck-dev-1"}).status_code == 409
    assert client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=other_headers(make_party)
                         ).status_code == 404
    assert client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=carrier.headers
                         ).status_code == 204
    db.session.rollback()
    assert db.session.get(DeviceCredential, body["id"]).revoked_at is not None
    other = make_party("carrier")
    assert client.post("/api/v1/device-credentials", headers=other.headers,
                       json={"vehicle_id": vehicle}).status_code == 404


def test_osmand_query_is_stored_once_and_retry_is_idempotent(client, fleet):
    """A Traccar request answers 200 after commit; the same request again stores nothing new."""
    carrier, (vehicle,) = fleet(1)
    username = _credential(client, carrier, vehicle)["username"]
    query = f"/api/v1/osmand?id={username}&lat=51.5&lon=7.4&timestamp={_ts()}&speed=10&accuracy=5"
    first = client.get(query)
    assert first.status_code == 200 and first.get_json()["stored"] == 1
    again = client.post(query)
    assert again.status_code == 200 and again.get_json()["stored"] == 0
    assert _stored(vehicle) == 1


def test_osmand_bad_input_gets_4xx_per_reason(client, fleet):
    """Missing fields, NaN, out-of-range values, unknown ids and oversized bodies get 4xx, not 500."""
    carrier, (vehicle,) = fleet(1)
    username = _credential(client, carrier, vehicle)["username"]
    cases = {
        f"id={username}&lat=51.5&lon=7.4": (400, "missing_field"),
        f"id={username}&lat=nan&lon=7.4&timestamp={_ts()}": (400, "nan_or_inf"),
        f"id={username}&lat=95&lon=7.4&timestamp={_ts()}": (400, "lat_out_of_range"),
        f"id={username}&lat=x&lon=7.4&timestamp={_ts()}": (400, "wrong_type"),
        f"id=nobody&lat=51&lon=7&timestamp={_ts()}": (404, "unknown_vehicle"),
    }
    for query, (status, reason) in cases.items():
        response = client.get(f"/osmand?{query}")
        assert response.status_code == status, query
        assert response.get_json()["dropped"] == {reason: 1}, query
    big = client.post(f"/osmand?id={username}", data=b"x" * (200 * 1024), content_type="text/plain")
    assert big.status_code in (413, 400)
    assert _stored() == 0


def test_osmand_basic_auth_binds_device_to_its_vehicle(client, fleet):
    """With HTTP Basic, a device may only post for its own id; a wrong secret is 401."""
    carrier, (v1, v2) = fleet(2)
    first = _credential(client, carrier, v1)
    second = _credential(client, carrier, v2)

    def auth(user, secret):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}

    ok = client.get(f"/osmand?id={first['username']}&lat=51&lon=7&timestamp={_ts()}",
                    headers=auth(first["username"], first["secret"]))
    assert ok.status_code == 200
    spoof = client.get(f"/osmand?id={second['username']}&lat=51&lon=7&timestamp={_ts(1)}",
                       headers=auth(first["username"], first["secret"]))
    assert spoof.status_code == 403 and spoof.get_json()["dropped"] == {"topic_mismatch": 1}
    wrong = client.get(f"/osmand?id={first['username']}&lat=51&lon=7&timestamp={_ts(2)}",
                       headers=auth(first["username"], "nope"))
    assert wrong.status_code == 401
    assert _stored(v1) == 1 and _stored(v2) == 0


def test_osmand_answers_503_when_the_store_fails_and_commits_later(client, fleet, monkeypatch, make_party):
    """A failed commit answers 503; the fix stays queued and the next request writes it."""
    carrier, (vehicle,) = fleet(1)
    username = _credential(client, carrier, vehicle)["username"]
    operator = make_party("platform", roles=("admin",)).headers
    assert client.get("/metrics", headers=operator).status_code == 200  # nothing built yet is fine
    client.get(f"/osmand?id={username}&lat=51&lon=7&timestamp={_ts()}")  # builds the pipeline
    store = client.application.extensions["haul_http_ingest"].runtime.store

    def broken(_positions):
        raise ConnectionError("database away")

    monkeypatch.setattr(store, "write", broken)
    failed = client.get(f"/osmand?id={username}&lat=51.001&lon=7&timestamp={_ts(10)}")
    assert failed.status_code == 503
    monkeypatch.undo()
    later = client.get(f"/osmand?id={username}&lat=51.002&lon=7&timestamp={_ts(20)}")
    assert later.status_code == 200
    assert _stored(vehicle) == 3
    text = client.get("/metrics", headers=operator).get_data(as_text=True)
    assert "haul_osmand_store_errors_total 1" in text
