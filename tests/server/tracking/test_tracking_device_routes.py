"""Device pairing: a dispatcher's single-use code signs a driver's phone in, on both backends."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.db.types import utcnow
from server.errors import refused_requests
from server.extensions import db
from server.models import ApiToken, DeviceCredential, DevicePairing, Driver, Vehicle, VehicleType
from server.tracking.pairing_codes import normalise

PAIR = "/api/v1/devices/pair"
PAIRINGS = "/api/v1/devices/pairings"


@pytest.fixture(autouse=True)
def fresh_brake(ctx):
    """Each test starts with no wrong codes on record (the app lives for the whole session)."""
    ctx.extensions.pop("haul_pairing_brake", None)


@pytest.fixture
def carrier_fleet(make_party):
    """A carrier (admin + dispatcher) with one driver and one truck; returns (party, driver id, vehicle id)."""

    def make(kind: str = "carrier"):
        party = make_party(kind)
        vtype = VehicleType(organisation_id=party.id, name="Tautliner", max_weight_kg=24000, max_volume_m3=90,
                            pallet_positions=33, equipment=[])
        db.session.add(vtype)
        db.session.flush()
        vehicle = Vehicle(organisation_id=party.id, vehicle_type_id=vtype.id, plate=f"DO-{uuid.uuid4().hex[:4]}")
        driver = Driver(organisation_id=party.id, name="Jan Kowalski")
        db.session.add_all([vehicle, driver])
        db.session.commit()
        return party, driver.id, vehicle.id

    return make


def _new_code(client, party, driver_id, vehicle_id=None, **extra):
    r = client.post(PAIRINGS, headers=party.headers, json={"driver_id": driver_id, "vehicle_id": vehicle_id, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _pair(client, code, address="10.1.1.1", **extra):
    return client.post(PAIR, json={"code": code, "device_name": "Pixel 7", **extra},
                       environ_base={"REMOTE_ADDR": address})


def test_dispatcher_gets_a_code_with_link_and_qr_and_only_its_hmac_is_stored(client, carrier_fleet):
    """The answer has a readable 10-symbol code, a 15-minute expiry, the link and its SVG QR; the code is not stored."""
    carrier, driver_id, vehicle_id = carrier_fleet()
    body = _new_code(client, carrier, driver_id, vehicle_id)
    assert normalise(body["code"]) is not None and len(body["code"]) == 11 and body["code"][5] == "-"
    assert body["pair_url"] == f"http://localhost/pair#code={body['code']}"
    assert body["qr_svg"].startswith("<svg") and "</svg>" in body["qr_svg"]
    assert body["status"] == "pending" and body["driver_id"] == driver_id and body["vehicle_id"] == vehicle_id
    row = db.session.get(DevicePairing, body["id"])
    assert timedelta(minutes=14) < row.expires_at - utcnow() <= timedelta(minutes=15)
    assert len(row.code_hash) == 64 and body["code"] not in row.code_hash and normalise(body["code"]) not in row.code_hash
    listed = client.get(PAIRINGS, headers=carrier.headers).get_json()
    assert [p["id"] for p in listed["items"]] == [body["id"]] and "code" not in listed["items"][0]


def test_the_phone_trades_the_code_for_a_driver_token_and_a_device_login(client, carrier_fleet):
    """Pairing without a login gives a driver-only bearer token that works, and the truck's device credential."""
    carrier, driver_id, vehicle_id = carrier_fleet()
    code = _new_code(client, carrier, driver_id, vehicle_id)["code"]
    r = _pair(client, code.lower().replace("-", " "))  # typed loosely: case and separators do not matter
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["driver"] == {"id": driver_id, "name": "Jan Kowalski", "user_id": None}
    assert body["vehicle"]["id"] == vehicle_id and body["mqtt"] is None  # no HAUL_DEVICE_MQTT_URL here
    assert body["device"]["secret"] and body["device"]["topics"]["position"] == f"haul/v1/vehicles/{vehicle_id}/position"
    phone = {"Authorization": f"Bearer {body['token']}"}
    me = client.get("/api/v1/auth/me", headers=phone).get_json()
    assert me == {"organisation_id": carrier.id, "roles": ["driver"]}
    assert client.get("/api/v1/loads?role=carrier", headers=phone).status_code == 200
    assert client.post(PAIRINGS, headers=phone, json={"driver_id": driver_id}).status_code == 403
    token = db.session.scalar(select(ApiToken).where(ApiToken.kind == "device"))
    assert token.expires_at - utcnow() > timedelta(days=29)
    cred = db.session.scalar(select(DeviceCredential))
    assert (cred.vehicle_id, cred.driver_id, cred.username) == (vehicle_id, driver_id, body["device"]["username"])
    assert client.get(PAIRINGS, headers=carrier.headers).get_json()["items"][0]["status"] == "paired"


def test_mqtt_settings_come_with_a_truck_when_the_server_names_its_broker(client, carrier_fleet, ctx, monkeypatch):
    """With HAUL_DEVICE_MQTT_URL set, a truck-bound pairing answers the broker URL, login and topics."""
    monkeypatch.setitem(ctx.config, "DEVICE_MQTT_URL", "mqtts://broker.haul.example:8883")
    carrier, driver_id, vehicle_id = carrier_fleet()
    mqtt = _pair(client, _new_code(client, carrier, driver_id, vehicle_id)["code"]).get_json()["mqtt"]
    assert mqtt["url"] == "mqtts://broker.haul.example:8883" and mqtt["password"] and mqtt["protocol"] == "5"
    assert (mqtt["vehicle_id"], mqtt["driver_id"]) == (vehicle_id, driver_id)
    assert mqtt["topics"]["inbox"] == f"haul/v1/drivers/{driver_id}/inbox"
    without_truck = _pair(client, _new_code(client, carrier, driver_id)["code"]).get_json()
    assert without_truck["mqtt"] is None and without_truck["device"] is None and without_truck["vehicle"] is None
    monkeypatch.setitem(ctx.config, "DEVICE_MQTT_PROTOCOL", "3.1.1")  # a broker without MQTT 5, as in the demo
    assert _pair(client, _new_code(client, carrier, driver_id, vehicle_id)["code"]).get_json()["mqtt"]["protocol"] == "3.1.1"


def test_a_code_works_once(client, carrier_fleet):
    """The second use of a code is a 409 problem with reason 'used', counted as a refused request."""
    carrier, driver_id, _ = carrier_fleet()
    code = _new_code(client, carrier, driver_id)["code"]
    assert _pair(client, code).status_code == 200
    before = refused_requests[409]
    again = _pair(client, code)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.get_json()["reason"] == "used" and refused_requests[409] == before + 1
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken).where(ApiToken.kind == "device")) == 1


def test_two_phones_racing_with_one_code_get_one_pairing(client, carrier_fleet, ctx):
    """Four simultaneous uses of one code: exactly one phone is paired, the others get 409."""
    carrier, driver_id, vehicle_id = carrier_fleet()
    code = _new_code(client, carrier, driver_id, vehicle_id)["code"]
    barrier, statuses = threading.Barrier(4), []

    def phone(n):
        with ctx.app_context():
            barrier.wait()
            statuses.append(_pair(ctx.test_client(), code, address=f"10.2.0.{n}").status_code)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert db.session.scalar(select(db.func.count()).select_from(DeviceCredential)) == 1


def test_expired_and_replaced_codes_are_gone_with_their_reason(client, carrier_fleet):
    """An expired code is 410 'expired'; a driver's older code is 410 'cancelled' once a new one is made."""
    carrier, driver_id, _ = carrier_fleet()
    old = _new_code(client, carrier, driver_id)
    new = _new_code(client, carrier, driver_id)
    replaced = _pair(client, old["code"])
    assert replaced.status_code == 410 and replaced.get_json()["reason"] == "cancelled"
    db.session.execute(update(DevicePairing).where(DevicePairing.id == new["id"])
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    expired = _pair(client, new["code"])
    assert expired.status_code == 410 and expired.get_json()["reason"] == "expired"
    assert "expired" in expired.get_json()["detail"]


def test_wrong_codes_are_refused_clearly_and_braked_per_address(client, carrier_fleet):
    """A wrong code is 404 'unknown_code'; after 20 wrong codes that address gets 429, even with a right code."""
    carrier, driver_id, _ = carrier_fleet()
    code = _new_code(client, carrier, driver_id)["code"]
    before = refused_requests[404]
    wrong = _pair(client, "ABCDE-FGHJK", address="10.3.3.3")
    assert wrong.status_code == 404 and wrong.mimetype == "application/problem+json"
    assert wrong.get_json()["reason"] == "unknown_code" and refused_requests[404] == before + 1
    assert _pair(client, "not a code at all", address="10.3.3.3").status_code == 404
    for _ in range(18):
        assert _pair(client, "ZZZZZ-ZZZZZ", address="10.3.3.3").status_code == 404
    braked = _pair(client, code, address="10.3.3.3")
    assert braked.status_code == 429 and braked.get_json()["reason"] == "too_many_attempts"
    assert braked.get_json()["retry_after"] > 0
    assert _pair(client, code, address="10.4.4.4").status_code == 200  # another phone is not punished
    assert client.post(PAIR, json={"device_name": "x"}).status_code == 422


def test_only_a_carriers_dispatcher_pairs_only_its_own_drivers_and_trucks(client, carrier_fleet, make_party):
    """Another carrier's driver or truck is a 404; viewers, buyers and anonymous callers are refused."""
    carrier, driver_id, vehicle_id = carrier_fleet()
    other, other_driver, other_vehicle = carrier_fleet()
    assert client.post(PAIRINGS, headers=other.headers, json={"driver_id": driver_id}).status_code == 404
    assert client.post(PAIRINGS, headers=other.headers,
                       json={"driver_id": other_driver, "vehicle_id": vehicle_id}).status_code == 404
    assert client.post(PAIRINGS, headers=carrier.headers, json={"driver_id": 2**40}).status_code in (404, 422)
    viewer = make_party("carrier", roles=("viewer",))
    assert client.post(PAIRINGS, headers=viewer.headers, json={"driver_id": driver_id}).status_code == 403
    buyer = make_party("buyer")
    assert client.post(PAIRINGS, headers=buyer.headers, json={"driver_id": driver_id}).status_code == 403
    assert client.post(PAIRINGS, json={"driver_id": driver_id}).status_code == 401
    assert client.post(PAIRINGS, headers=carrier.headers,
                       json={"driver_id": driver_id, "ttl_minutes": 600}).status_code == 422
    pending = _new_code(client, carrier, driver_id)
    assert client.delete(f"{PAIRINGS}/{pending['id']}", headers=other.headers).status_code == 404
    client.patch(f"/api/v1/drivers/{driver_id}", headers=carrier.headers, json={"active": False})
    retired = client.post(PAIRINGS, headers=carrier.headers, json={"driver_id": driver_id})
    assert retired.status_code == 422 and retired.get_json()["errors"][0]["path"] == "driver_id"


def test_unpairing_signs_the_phone_out_and_locks_its_device_login(client, carrier_fleet):
    """Deleting a used pairing revokes the phone's token and device credential; a pending one is withdrawn."""
    carrier, driver_id, vehicle_id = carrier_fleet()
    made = _new_code(client, carrier, driver_id, vehicle_id)
    phone = {"Authorization": f"Bearer {_pair(client, made['code']).get_json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 200
    assert client.delete(f"{PAIRINGS}/{made['id']}", headers=carrier.headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 401
    assert db.session.scalar(select(DeviceCredential.revoked_at)) is not None
    pending = _new_code(client, carrier, driver_id)
    assert client.delete(f"{PAIRINGS}/{pending['id']}", headers=carrier.headers).status_code == 204
    withdrawn = _pair(client, pending["code"])
    assert withdrawn.status_code == 410 and withdrawn.get_json()["reason"] == "cancelled"
