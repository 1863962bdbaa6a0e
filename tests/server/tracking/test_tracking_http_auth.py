"""HTTP positions need a secret: no secret or a wrong one is 401, the right one is stored; revocations
and new logins take effect within 5 s (server.tracking.http_auth)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Position
from tests.server.tracking.http_device_factory import basic, credential, ts

DEADLINE_S = 5.0


def _stored(vehicle_id) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Position).where(Position.vehicle_id == vehicle_id))


def _until(status: int, post) -> float:
    """Seconds until ``post(n)`` (the n-th attempt, each a new fix) answers ``status``; fails after DEADLINE_S."""
    started = time.monotonic()
    for n in range(1000):
        if post(n).status_code == status:
            return time.monotonic() - started
        assert time.monotonic() - started < DEADLINE_S, f"still not {status} after {DEADLINE_S} s"
        time.sleep(0.1)
    raise AssertionError("unreachable")


def _poster(client, login: dict, how: str):
    """``post(n)``: the login's n-th fix, by its HTTP id, or by HTTP Basic naming its username as id."""
    def post(n):
        if how == "http_id":
            return client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts(n)}")
        return client.get(f"/osmand?id={login['username']}&lat=51&lon=7&timestamp={ts(n)}",
                          headers=basic(login["username"], login["secret"]))

    return post


def test_positions_without_a_secret_are_refused(client, fleet):
    """No credentials, or a username as id (usernames are no secrets), is 401 with a challenge; nothing is stored."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, username="truck-7-phone", http_id=False)
    for query in (f"id={login['username']}&lat=51&lon=7&timestamp={ts()}",
                  f"deviceid={login['username']}&lat=51&lon=7&timestamp={ts(1)}", f"lat=51&lon=7&timestamp={ts(2)}"):
        refused = client.get(f"/osmand?{query}")
        assert refused.status_code == 401, query
        assert refused.mimetype == "application/problem+json" and refused.get_json()["reason"] == "unauthenticated"
        assert refused.headers["WWW-Authenticate"].startswith("Basic ")
    json_refused = client.post("/osmand", json={"device_id": login["username"], "location": {
        "timestamp": "2024-06-10T07:59:00Z", "coords": {"latitude": 51.0, "longitude": 7.0}}})
    assert json_refused.status_code == 401
    assert _stored(vehicle) == 0


def test_wrong_secrets_are_refused_and_right_ones_stored(client, fleet):
    """A wrong HTTP id, a wrong Basic secret or another scheme is 401; the right id or secret is stored."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle)
    wrong_id = login["http_id"][:-1] + ("0" if login["http_id"][-1] != "0" else "1")
    assert client.get(f"/osmand?id={wrong_id}&lat=51&lon=7&timestamp={ts()}").status_code == 401
    assert client.get(f"/osmand?lat=51&lon=7&timestamp={ts()}",
                      headers=basic(login["username"], login["secret"] + "x")).status_code == 401
    assert client.get(f"/osmand?lat=51&lon=7&timestamp={ts()}",
                      headers={"Authorization": f"Bearer {login['secret']}"}).status_code == 401
    assert client.get(f"/osmand?lat=51&lon=7&timestamp={ts()}", headers={"Authorization": "Basic !!"}).status_code == 401
    assert _stored(vehicle) == 0
    assert client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts(1)}").status_code == 200
    assert client.get(f"/osmand?lat=51&lon=7&timestamp={ts(2)}",
                      headers=basic(login["username"], login["secret"])).status_code == 200
    assert _stored(vehicle) == 2


def _cut_off(client, carrier, vehicle: int, cut: str):
    """Revoke the truck's logins (DELETE .../device-credentials) or set the truck inactive (PATCH)."""
    if cut == "revoked":
        return client.delete(f"/api/v1/vehicles/{vehicle}/device-credentials", headers=carrier.headers)
    return client.patch(f"/api/v1/vehicles/{vehicle}", headers=carrier.headers, json={"active": False})


@pytest.mark.parametrize("cut", ["revoked", "deactivated"])
@pytest.mark.parametrize("how", ["http_id", "basic"])
def test_a_revoked_login_or_inactive_truck_is_refused_within_5_s(client, fleet, how, cut):
    """After its logins are revoked, or the truck is set inactive, a device's next requests are 401 within 5 s."""
    carrier, (vehicle,) = fleet(1)
    post = _poster(client, credential(client, carrier, vehicle, http_id=how == "http_id"), how)
    assert post(0).status_code == 200
    assert _cut_off(client, carrier, vehicle, cut).status_code in (200, 204)
    assert _until(401, lambda n: post(n + 1)) < DEADLINE_S
    assert _stored(vehicle) == 1


def test_a_new_login_works_within_5_s(client, fleet):
    """A login made through the API is accepted within 5 s, by HTTP id and by Basic."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle)
    assert _until(200, lambda n: client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts(n)}")
                  ) < DEADLINE_S
    assert _until(200, lambda n: client.get(f"/osmand?lat=51&lon=7&timestamp={ts(100 + n)}",
                                            headers=basic(login["username"], login["secret"]))) < DEADLINE_S


def test_a_rotated_http_id_replaces_the_old_one_at_once(client, fleet):
    """After POST /device-credentials/{id}/http-id the old id is 401 and the new one is stored."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle)
    rotated = client.post(f"/api/v1/device-credentials/{login['id']}/http-id", headers=carrier.headers)
    assert rotated.status_code == 201
    new_id = rotated.get_json()["http_id"]
    assert new_id != login["http_id"]
    assert _until(401, lambda n: client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts(n)}")
                  ) < DEADLINE_S
    assert client.get(f"/osmand?id={new_id}&lat=51&lon=7&timestamp={ts(50)}").status_code == 200
