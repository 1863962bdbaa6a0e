"""Issue 18: the pickup of a multi-drop load. Every buyer with a stop authorizes its own goods; the gate
accepts the truck once all have, and the seller and carrier see whom the load still awaits."""

import pytest

from server.extensions import db
from server.market import outcomes
from server.models import Load, Organisation
from tests.server.market.market_factory import PLANT, make_driver, make_truck, tender_body
from tests.server.stops.multi_drop_factory import two_buyer_load


@pytest.fixture
def assigned(client, trade, make_party):
    """The two-buyer load grabbed by a carrier that assigned a truck and a driver."""
    multi = two_buyer_load(client, trade, make_party)
    carrier = make_party("carrier")
    truck = make_truck(carrier.id, at=(PLANT[0] + 0.05, PLANT[1]))
    driver = make_driver(carrier.id)
    load_id = multi["load_id"]
    tender = client.post(f"/api/v1/loads/{load_id}/tenders", headers=multi["seller"].headers,
                         json=tender_body("grab")).get_json()
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).status_code == 201
    r = client.post(f"/api/v1/loads/{load_id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": truck.id, "driver_id": driver.id})
    assert r.status_code == 200, r.get_json()
    assert outcomes.flush()
    return {**multi, "carrier": carrier, "truck": truck, "driver": driver}


def _authorize(client, buyer, load_id) -> dict:
    r = client.post(f"/api/v1/loads/{load_id}/pickup-authorizations", headers=buyer.headers, json={})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _verify(client, party, token, truck) -> dict:
    r = client.post("/api/v1/pickup-authorizations/verify", headers=party.headers,
                    json={"token": token, "plate": truck.plate})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _status(load_id) -> str:
    db.session.expire_all()
    return db.session.get(Load, load_id).status


def test_the_gate_waits_for_every_buyer_and_the_seller_sees_whom(client, assigned):
    m = assigned
    load_id, seller, carrier = m["load_id"], m["seller"], m["carrier"]
    name_b = db.session.get(Organisation, m["buyer_b"].id).name
    name_a = db.session.get(Organisation, m["buyer_a"].id).name
    seen = client.get(f"/api/v1/loads/{load_id}", headers=seller.headers).get_json()
    assert sorted(seen["awaiting_authorization"]) == sorted([name_a, name_b])
    auth_a = _authorize(client, m["buyer_a"], load_id)
    assert _status(load_id) == "assigned"  # buyer B has not authorized its goods yet
    for party in (seller, carrier):
        seen = client.get(f"/api/v1/loads/{load_id}", headers=party.headers).get_json()
        assert seen["awaiting_authorization"] == [name_b]
    for buyer in (m["buyer_a"], m["buyer_b"]):  # a buyer never learns who else is on the load
        assert client.get(f"/api/v1/loads/{load_id}", headers=buyer.headers).get_json()["awaiting_authorization"] == []
    verdict = _verify(client, seller, auth_a["token"], m["truck"])
    assert verdict["valid"] is False and verdict["reason"] == "awaiting_authorization" and name_b in verdict["detail"]

    auth_b = _authorize(client, m["buyer_b"], load_id)
    assert _status(load_id) == "authorized"
    assert _authorize(client, m["buyer_a"], load_id)["id"] != auth_a["id"]  # A replaces its own, not B's
    assert _status(load_id) == "authorized"
    assert _verify(client, seller, auth_b["token"], m["truck"])["valid"] is True
    assert client.get(f"/api/v1/pickup-authorizations/{auth_b['id']}", headers=m["buyer_a"].headers).status_code == 404

    assert client.post(f"/api/v1/pickup-authorizations/{auth_b['id']}/revoke",
                       headers=m["buyer_b"].headers).status_code == 200
    assert _status(load_id) == "assigned"  # A's authorization alone does not let the truck in
    seen = client.get(f"/api/v1/loads/{load_id}", headers=carrier.headers).get_json()
    assert seen["awaiting_authorization"] == [name_b]


def test_the_load_page_shows_the_seller_whom_the_pickup_awaits(client, assigned):
    from tests.conftest import TEST_PASSWORD

    m = assigned
    _authorize(client, m["buyer_a"], m["load_id"])
    name_b = db.session.get(Organisation, m["buyer_b"].id).name
    assert client.post("/api/v1/auth/login", json={"email": m["seller"].user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    page = client.get(f"/loads/{m['load_id']}").get_data(as_text=True)
    assert f"Awaiting authorization from {name_b}" in page


def test_a_buyer_without_goods_on_the_load_cannot_authorize_it(client, assigned, make_party):
    stranger = make_party("buyer")
    r = client.post(f"/api/v1/loads/{assigned['load_id']}/pickup-authorizations", headers=stranger.headers, json={})
    assert r.status_code in (403, 404) and r.mimetype == "application/problem+json"
