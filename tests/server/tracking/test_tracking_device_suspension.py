"""What the garbage brake's reports do (server.tracking.device_abuse, suspension_routes): a flagged device's
carrier is told; a suspended login is refused by the broker and the HTTP endpoints until its carrier
re-enables it, and no other organisation can."""

from __future__ import annotations

from sqlalchemy import select

from gps_ingest.device_brake import FLAGGED, SUSPENDED
from server.broker.live_devices import live_device
from server.extensions import db
from server.models import DeviceCredential, Notification
from server.tracking.device_abuse import DeviceAbuseReporter
from tests.server.tracking.http_device_factory import credential, ts


def _notes(org_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.organisation_id == org_id)
                                   .order_by(Notification.id)))


def _osmand(client, login, n: int):
    return client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts(n)}")


def test_a_flagged_device_is_told_to_its_carrier_and_keeps_working(client, fleet):
    """flagged: one device_flagged notification to the carrier, naming the login; the login stays live."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, username="flagged-dev-1")
    reporter = DeviceAbuseReporter(db.engine, background=False)
    assert reporter.report("login:flagged-dev-1", FLAGGED, 300) == ["flagged-dev-1"]
    db.session.rollback()
    [note] = _notes(carrier.id)
    assert note.kind == "device_flagged"
    assert note.payload["data"] == {"device_credential_ids": [login["id"]], "usernames": ["flagged-dev-1"],
                                    "vehicle_id": vehicle, "braked": 300}
    assert live_device(db.session, "flagged-dev-1") is not None
    assert _osmand(client, login, 1).status_code == 200


def test_a_suspended_vehicle_is_refused_until_its_carrier_reinstates_it(client, fleet, make_party):
    """suspended (vehicle key): every live login of the truck is suspended and refused over MQTT and HTTP;
    another carrier cannot reinstate it (404); its own carrier can, and it works again."""
    carrier, (vehicle, other_vehicle) = fleet(2)
    login = credential(client, carrier, vehicle, username="susp-dev-a")
    second = credential(client, carrier, vehicle, username="susp-dev-b")
    bystander = credential(client, carrier, other_vehicle, username="susp-dev-c")
    assert _osmand(client, login, 1).status_code == 200
    reporter = DeviceAbuseReporter(db.engine, background=False)
    assert sorted(reporter.report(f"vehicle:{vehicle}", SUSPENDED, 3000)) == ["susp-dev-a", "susp-dev-b"]
    db.session.rollback()
    assert [n.kind for n in _notes(carrier.id)] == ["device_suspended"]
    assert live_device(db.session, "susp-dev-a") is None and live_device(db.session, "susp-dev-b") is None
    assert live_device(db.session, "susp-dev-c") is not None
    assert _osmand(client, login, 2).status_code == 401
    assert _osmand(client, bystander, 3).status_code == 200
    listed = {c["username"]: c for c in client.get("/api/v1/device-credentials", headers=carrier.headers)
              .get_json()["items"]}
    assert listed["susp-dev-a"]["suspended_at"] and "3000" in listed["susp-dev-a"]["suspended_reason"]
    assert listed["susp-dev-c"]["suspended_at"] is None
    # Suspending again finds nothing live to suspend: no second notification.
    assert reporter.report(f"vehicle:{vehicle}", SUSPENDED, 3000) == []
    other = make_party("carrier")
    path = f"/api/v1/device-credentials/{login['id']}/reinstate"
    assert client.post(path, headers=other.headers).status_code == 404
    answer = client.post(path, headers=carrier.headers)
    assert answer.status_code == 200 and answer.get_json()["suspended_at"] is None
    assert _osmand(client, login, 4).status_code == 200
    db.session.rollback()
    assert db.session.get(DeviceCredential, second["id"]).suspended_at is not None
    assert client.post(path, headers=carrier.headers).status_code == 200  # not suspended: left as it is


def test_a_revoked_login_is_not_reinstated_and_unknown_keys_change_nothing(client, fleet):
    """Reinstating a revoked login is 409; a report for a key of no login, or a malformed key, does nothing."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, username="revoked-dev-1")
    assert client.delete(f"/api/v1/device-credentials/{login['id']}", headers=carrier.headers).status_code == 204
    refused = client.post(f"/api/v1/device-credentials/{login['id']}/reinstate", headers=carrier.headers)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "revoked"
    reporter = DeviceAbuseReporter(db.engine, background=False)
    assert reporter.report("login:revoked-dev-1", SUSPENDED, 9) == []
    assert reporter.report("login:nobody-here", FLAGGED, 9) == []
    assert reporter.report("vehicle:not-a-number", FLAGGED, 9) == []
    assert reporter.report("owntracks", FLAGGED, 9) == []
    db.session.rollback()
    assert _notes(carrier.id) == []


def test_braked_garbage_over_http_is_answered_429_not_200(client, fleet, monkeypatch):
    """A login over its garbage bucket gets 429 (rate_limited) for its next bad request, never a 200 that
    says "stored"; its good fixes are still stored."""
    monkeypatch.setenv("HAUL_GPS_GARBAGE_BURST", "1")
    monkeypatch.setenv("HAUL_GPS_GARBAGE_PER_S", "0.001")
    monkeypatch.delenv("REDIS_URL", raising=False)
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, username="http-flood-1")
    bad = f"/osmand?id={login['http_id']}&lat=123&lon=7&timestamp={ts()}"
    assert client.get(bad).status_code == 400
    braked = client.get(bad)
    assert braked.status_code == 429, braked.get_json()
    assert braked.get_json()["dropped"] == {"rate_limited": 1}
    assert _osmand(client, login, 5).status_code == 200
