"""Pickup authorizations: issued by the buyer, shown as QR, revoked, and verified at the gate."""

from datetime import timedelta

import pytest

from server import clock
from tests.server.market.market_factory import make_board, make_driver, tender_body


@pytest.fixture
def assigned(make_party, ctx, client):
    """A load grabbed by a carrier that assigned its truck and driver."""
    board = make_board(make_party, carriers=2)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    carrier = board.carriers[0]
    client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers)
    driver = make_driver(carrier.id, name="Ana")
    truck = board.trucks[carrier.id]
    r = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": truck.id, "driver_id": driver.id})
    assert r.status_code == 200
    return {"board": board, "load_id": load.id, "carrier": carrier, "driver": driver, "truck": truck}


def _authorize(client, a, **body):
    return client.post(f"/api/v1/loads/{a['load_id']}/pickup-authorizations", headers=a["board"].buyer.headers,
                       json=body)


def _verify(client, party, token, **extra):
    if "plate" not in extra and "driver_id" not in extra:
        extra["plate"] = "GATE-1"  # what the gate reads; these tokens are refused before it is compared
    r = client.post("/api/v1/pickup-authorizations/verify", headers=party.headers, json={"token": token, **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_buyer_authorizes_and_the_gate_accepts(client, assigned):
    """The buyer's authorization defaults to the assigned driver and plate; the seller's gate finds it valid."""
    r = _authorize(client, assigned)
    assert r.status_code == 201, r.get_json()
    auth = r.get_json()
    assert (auth["carrier_id"], auth["driver_id"]) == (assigned["carrier"].id, assigned["driver"].id)
    verdict = _verify(client, assigned["board"].seller, auth["token"], load_id=assigned["load_id"],
                      plate=assigned["truck"].plate.lower(), driver_id=assigned["driver"].id)
    assert verdict["valid"] is True and verdict["authorization_id"] == auth["id"]
    load = client.get(f"/api/v1/loads/{assigned['load_id']}", headers=assigned["board"].buyer.headers).get_json()
    assert load["status"] == "authorized"


def test_qr_codes_come_as_svg_and_png_for_buyer_and_carrier(client, assigned):
    """The token renders as an SVG and a PNG QR code; the seller (the gate) gets the verdict, not the token."""
    auth = _authorize(client, assigned).get_json()
    svg = client.get(auth["qr_svg_url"], headers=assigned["carrier"].headers)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = client.get(auth["qr_png_url"], headers=assigned["board"].buyer.headers)
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(auth["qr_png_url"], headers=assigned["board"].seller.headers).status_code == 403
    seller_view = client.get(f"/api/v1/pickup-authorizations/{auth['id']}", headers=assigned["board"].seller.headers)
    assert seller_view.status_code == 200 and seller_view.get_json()["token"] is None


def test_forged_tampered_and_unknown_tokens_are_refused(client, assigned):
    """A token with a broken signature is 'forged'; the gate never accepts it."""
    token = _authorize(client, assigned).get_json()["token"]
    seller = assigned["board"].seller
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert _verify(client, seller, tampered)["reason"] == "forged"
    assert _verify(client, seller, "not-a-token")["reason"] == "forged"
    from itsdangerous import URLSafeTimedSerializer

    from server.market.pickup_token import SALT
    wrong_key = URLSafeTimedSerializer("another-secret", salt=SALT).dumps({"jti": "x"})
    assert _verify(client, seller, wrong_key)["reason"] == "forged"


def test_expired_token_is_refused(client, assigned, monkeypatch):
    """After its validity the token is refused as 'expired'."""
    token = _authorize(client, assigned, valid_hours=2).get_json()["token"]
    later = clock.now() + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _verify(client, assigned["board"].seller, token)["reason"] == "expired"


def test_revoked_token_is_refused_and_the_load_falls_back(client, assigned):
    """The buyer revokes; the gate answers 'revoked' and the load is assigned again."""
    auth = _authorize(client, assigned).get_json()
    r = client.post(f"/api/v1/pickup-authorizations/{auth['id']}/revoke", headers=assigned["board"].buyer.headers)
    assert r.status_code == 200 and r.get_json()["revoked_at"] is not None
    assert _verify(client, assigned["board"].seller, auth["token"])["reason"] == "revoked"
    load = client.get(f"/api/v1/loads/{assigned['load_id']}", headers=assigned["board"].buyer.headers).get_json()
    assert load["status"] == "assigned"
    again = client.post(f"/api/v1/pickup-authorizations/{auth['id']}/revoke", headers=assigned["board"].buyer.headers)
    assert again.status_code == 409


@pytest.mark.parametrize("field,reason", [("plate", "wrong_plate"), ("driver_id", "wrong_driver"),
                                          ("load_id", "wrong_load")])
def test_token_is_bound_to_plate_driver_and_load(client, assigned, field, reason):
    """Presented with another plate, driver or load, the gate refuses with the matching reason."""
    token = _authorize(client, assigned).get_json()["token"]
    other = {"plate": "ZZ-999", "driver_id": make_driver(assigned["carrier"].id).id, "load_id": 999_999}[field]
    assert _verify(client, assigned["board"].seller, token, **{field: other})["reason"] == reason


def test_unrelated_organisation_learns_nothing(client, assigned, make_party):
    """Another seller verifying a genuine token gets 'not_party' without any detail of the authorization."""
    token = _authorize(client, assigned).get_json()["token"]
    verdict = _verify(client, make_party("seller"), token)
    assert verdict["reason"] == "not_party" and verdict["authorization_id"] is None and verdict["plate"] is None


def test_authorization_for_a_carrier_that_was_not_awarded_is_refused(client, assigned):
    """Naming another carrier (or a driver and plate not of the awarded carrier) is a 422; nothing is issued."""
    loser = assigned["board"].carriers[1]
    r = _authorize(client, assigned, carrier_id=loser.id)
    assert r.status_code == 422 and r.get_json()["reason"] == "carrier_not_awarded"
    r = _authorize(client, assigned, driver_id=make_driver(loser.id).id, plate="NOPE-1")
    assert r.status_code == 422 and {e["path"] for e in r.get_json()["errors"]} == {"driver_id", "plate"}
    listed = client.get("/api/v1/pickup-authorizations", headers=assigned["board"].buyer.headers).get_json()
    assert listed["total"] == 0


def test_only_the_buyer_authorizes(client, assigned):
    """The seller and the carrier cannot issue a pickup authorization (403)."""
    for party in (assigned["board"].seller, assigned["carrier"]):
        r = client.post(f"/api/v1/loads/{assigned['load_id']}/pickup-authorizations", headers=party.headers, json={})
        assert r.status_code == 403


def test_new_assignment_revokes_the_authorization(client, assigned):
    """Changing the driver after authorization revokes the old token: it named the old driver."""
    token = _authorize(client, assigned).get_json()["token"]
    new_driver = make_driver(assigned["carrier"].id, name="Ben")
    r = client.post(f"/api/v1/loads/{assigned['load_id']}/assignment", headers=assigned["carrier"].headers,
                    json={"vehicle_id": assigned["truck"].id, "driver_id": new_driver.id})
    assert r.status_code == 200 and r.get_json()["status"] == "assigned"
    assert _verify(client, assigned["board"].seller, token)["reason"] == "revoked"


def test_the_token_alone_does_not_verify(client, assigned):
    """Without the plate or driver seen at the gate the check is a 422 naming both; a different plate or
    driver is refused with its reason, and the authorized ones pass."""
    auth = _authorize(client, assigned).get_json()
    seller = assigned["board"].seller
    r = client.post("/api/v1/pickup-authorizations/verify", headers=seller.headers, json={"token": auth["token"]})
    assert r.status_code == 422 and {e["path"] for e in r.get_json()["errors"]} == {"plate", "driver_id"}
    assert _verify(client, seller, auth["token"], plate="XX-OTHER 1")["reason"] == "wrong_plate"
    other_driver = make_driver(assigned["carrier"].id, name="Not Ana")
    assert _verify(client, seller, auth["token"], driver_id=other_driver.id)["reason"] == "wrong_driver"
    assert _verify(client, seller, auth["token"], plate=assigned["truck"].plate)["valid"] is True
    assert _verify(client, seller, auth["token"], driver_id=assigned["driver"].id)["valid"] is True
