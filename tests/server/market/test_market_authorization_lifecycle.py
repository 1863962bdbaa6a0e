"""Issue 17, defect 2: assigning exactly the truck and driver the buyer authorized keeps the authorization;
a real change withdraws it and tells the buyer (in-app and webhook), the seller, the carrier and the drivers;
the buyer re-authorizes in one step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server import realtime
from server.extensions import db
from server.models import Notification, WebhookDelivery
from tests.server.market.market_factory import make_board, make_driver, tender_body


@pytest.fixture
def inbox(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime.driver_inbox, "send", lambda driver_id, kind, payload: sent.append(
        (driver_id, kind, payload)) or True)
    return sent


@pytest.fixture
def grabbed(make_party, ctx, client):
    """A load a carrier grabbed, with nothing assigned yet; the buyer authorizes driver Ana on truck HX."""
    board = make_board(make_party, carriers=1)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    carrier = board.carriers[0]
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).status_code in (200, 201)
    return {"board": board, "load_id": load.id, "carrier": carrier, "driver": make_driver(carrier.id, name="Ana"),
            "truck": board.trucks[carrier.id]}


def _authorize(client, g):
    answer = client.post(f"/api/v1/loads/{g['load_id']}/pickup-authorizations", headers=g["board"].buyer.headers,
                         json={"driver_id": g["driver"].id, "plate": g["truck"].plate})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _assign(client, g, driver_id):
    answer = client.post(f"/api/v1/loads/{g['load_id']}/assignment", headers=g["carrier"].headers,
                         json={"vehicle_id": g["truck"].id, "driver_id": driver_id})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _verify(client, g, token, driver_id):
    return client.post("/api/v1/pickup-authorizations/verify", headers=g["board"].seller.headers,
                       json={"token": token, "driver_id": driver_id}).get_json()


def _withdrawn_notes(org_id):
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.organisation_id == org_id,
                                                              Notification.kind == "authorization_withdrawn")))


def test_assigning_exactly_the_authorized_truck_and_driver_keeps_the_authorization(client, grabbed, inbox):
    auth = _authorize(client, grabbed)
    load = _assign(client, grabbed, grabbed["driver"].id)

    assert load["status"] == "authorized"
    row = client.get(f"/api/v1/pickup-authorizations/{auth['id']}", headers=grabbed["board"].buyer.headers).json
    assert row["revoked_at"] is None
    assert _verify(client, grabbed, auth["token"], grabbed["driver"].id)["valid"] is True
    assert _withdrawn_notes(grabbed["board"].buyer.id) == []
    assert not [kind for _, kind, _ in inbox if kind == "authorization_withdrawn"]


def test_a_real_change_withdraws_it_tells_everyone_and_the_buyer_reauthorizes_in_one_step(client, grabbed, inbox):
    hook = client.post("/api/v1/webhooks", headers=grabbed["board"].buyer.headers,
                       json={"url": "https://erp.example.com/hook", "events": ["authorization_withdrawn"]})
    assert hook.status_code == 201, hook.get_json()
    auth = _authorize(client, grabbed)
    _assign(client, grabbed, grabbed["driver"].id)
    ben = make_driver(grabbed["carrier"].id, name="Ben")
    assert _assign(client, grabbed, ben.id)["status"] == "assigned"
    assert _verify(client, grabbed, auth["token"], grabbed["driver"].id)["reason"] == "revoked"

    buyer = grabbed["board"].buyer
    notes = _withdrawn_notes(buyer.id)
    assert len(notes) == 1
    data = notes[0].payload["data"]
    assert data["reason"] == "truck_or_driver_changed" and data["new_driver_id"] == ben.id
    assert data["revoked_at"].endswith("Z") and data["site_timezone"]
    assert data["reauthorize_url"] == f"/api/v1/pickup-authorizations/{auth['id']}/reissue"
    assert _withdrawn_notes(grabbed["carrier"].id) and _withdrawn_notes(grabbed["board"].seller.id)
    hooks = list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "authorization_withdrawn")))
    assert len(hooks) == 1 and hooks[0].payload["data"]["authorization_id"] == auth["id"]
    told = {driver_id for driver_id, kind, _ in inbox if kind == "authorization_withdrawn"}
    assert told == {grabbed["driver"].id, ben.id}

    again = client.post(data["reauthorize_url"], headers=buyer.headers)
    assert again.status_code == 201, again.get_json()
    fresh = again.get_json()
    assert fresh["driver_id"] == ben.id and fresh["plate"] == auth["plate"]
    assert _verify(client, grabbed, fresh["token"], ben.id)["valid"] is True
    assert (ben.id, "authorized") in {(driver_id, kind) for driver_id, kind, _ in inbox}


def test_the_buyers_revocation_is_told_to_the_carrier_and_driver(client, grabbed, inbox):
    auth = _authorize(client, grabbed)
    _assign(client, grabbed, grabbed["driver"].id)
    revoked = client.post(f"/api/v1/pickup-authorizations/{auth['id']}/revoke", headers=grabbed["board"].buyer.headers)
    assert revoked.status_code == 200
    assert [n.payload["data"]["reason"] for n in _withdrawn_notes(grabbed["carrier"].id)] == ["revoked_by_buyer"]
    assert (grabbed["driver"].id, "authorization_withdrawn") in {(d, k) for d, k, _ in inbox}


def test_only_the_buyer_reissues(client, grabbed):
    auth = _authorize(client, grabbed)
    answer = client.post(f"/api/v1/pickup-authorizations/{auth['id']}/reissue", headers=grabbed["carrier"].headers)
    assert answer.status_code == 403
