"""Device logins through the API (server.tracking.devices and routes): secrets and HTTP ids are shown once,
stored hashed and never listed."""

from __future__ import annotations

import hashlib

from server.extensions import db
from server.models import DeviceCredential
from tests.server.tracking.http_device_factory import credential


def test_device_credential_is_created_once_and_listed_without_secrets(client, fleet, make_party):
    """The secret and HTTP id are shown once; only hashes are stored; lists show the id's prefix; others get 404."""
    carrier, (vehicle,) = fleet(1)
    body = credential(client, carrier, vehicle, username="truck-dev-1", owntracks_device="phone")
    assert body["secret"] and body["topics"]["position"] == f"haul/v1/vehicles/{vehicle}/position"
    assert body["topics"]["owntracks"] == "owntracks/truck-dev-1/phone"
    http_id = body["http_id"]
    assert len(http_id) == 26 and body["http_id_prefix"] == http_id[:6]
    assert body["osmand_url"] == f"http://localhost/osmand?id={http_id}"
    row = db.session.get(DeviceCredential, body["id"])
    assert row.secret_hash.startswith("$7$") and body["secret"] not in row.secret_hash
    assert row.http_id_hash == hashlib.sha256(http_id.encode()).hexdigest() and row.owntracks_device == "phone"
    listed = client.get("/api/v1/device-credentials", headers=carrier.headers).get_json()
    [item] = listed["items"]
    assert item["username"] == "truck-dev-1" and item["http_id_prefix"] == http_id[:6]
    assert "secret" not in item and "http_id" not in item and http_id not in str(listed)
    assert client.post("/api/v1/device-credentials", headers=carrier.headers,
                       json={"vehicle_id": vehicle, "username": "truck-dev-1"}).status_code == 409
    other = make_party("carrier")
    assert client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=other.headers).status_code == 404
    assert client.post(f"/api/v1/device-credentials/{body['id']}/http-id", headers=other.headers).status_code == 404
    assert client.delete(f"/api/v1/device-credentials/{body['id']}/http-id", headers=other.headers).status_code == 404
    assert client.post("/api/v1/device-credentials", headers=other.headers,
                       json={"vehicle_id": vehicle}).status_code == 404
    assert client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=carrier.headers).status_code == 204
    db.session.rollback()
    assert db.session.get(DeviceCredential, body["id"]).revoked_at is not None


def test_a_login_without_http_id_gets_one_later_and_can_lose_it(client, fleet):
    """A login made without an HTTP id gets one (shown once); deleting it stops the id, the secret still works."""
    carrier, (vehicle,) = fleet(1)
    body = credential(client, carrier, vehicle, http_id=False)
    assert "http_id" not in body and body["http_id_prefix"] is None
    made = client.post(f"/api/v1/device-credentials/{body['id']}/http-id", headers=carrier.headers).get_json()
    assert made["http_id_prefix"] == made["http_id"][:6] and "secret" not in made
    assert client.delete(f"/api/v1/device-credentials/{body['id']}/http-id", headers=carrier.headers).status_code == 204
    db.session.rollback()
    row = db.session.get(DeviceCredential, body["id"])
    assert row.http_id_hash is None and row.http_id_prefix is None


def test_only_writers_manage_http_ids_and_never_of_revoked_logins(client, fleet):
    """A viewer cannot make an HTTP id; a revoked login's id cannot be renewed (409); a bad device name is 422."""
    carrier, (vehicle,) = fleet(1)
    body = credential(client, carrier, vehicle)
    from server.auth.principal import issue_token

    token, _ = issue_token(carrier.id, "a viewer of the carrier", ["viewer"])
    db.session.commit()
    viewer = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/device-credentials/{body['id']}/http-id", headers=viewer).status_code == 403
    assert client.delete(f"/api/v1/device-credentials/{body['id']}/http-id", headers=viewer).status_code == 403
    client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=carrier.headers)
    revoked = client.post(f"/api/v1/device-credentials/{body['id']}/http-id", headers=carrier.headers)
    assert revoked.status_code == 409 and revoked.get_json()["reason"] == "revoked"
    bad = client.post("/api/v1/device-credentials", headers=carrier.headers,
                      json={"vehicle_id": vehicle, "owntracks_device": "phone/#"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "owntracks_device"


def test_one_device_login_is_revoked_by_its_own_id(client, fleet, make_party):
    """DELETE /device-credentials/{id} revokes that login only (issue 18: the demo called it and got 404)."""
    carrier, (vehicle,) = fleet(1)
    first = credential(client, carrier, vehicle, username="truck-one-a")
    second = credential(client, carrier, vehicle, username="truck-one-b")
    other = make_party("carrier")
    assert client.delete(f"/api/v1/device-credentials/{first['id']}", headers=other.headers).status_code == 404
    assert client.delete(f"/api/v1/device-credentials/{first['id']}", headers=carrier.headers).status_code == 204
    assert client.delete(f"/api/v1/device-credentials/{first['id']}", headers=carrier.headers).status_code == 204
    db.session.rollback()
    assert db.session.get(DeviceCredential, first["id"]).revoked_at is not None
    assert db.session.get(DeviceCredential, second["id"]).revoked_at is None
