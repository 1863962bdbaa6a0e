"""Grab tenders and sequential offers through the API, on both backends."""

from datetime import timedelta

import pytest

from server import clock
from tests.server.market.market_factory import add_carrier, make_board, tender_body


@pytest.fixture
def board(make_party, ctx):
    return make_board(make_party, carriers=3)


def _tender(client, board, load=None, **body):
    load = load or board.load()
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json=tender_body(**body))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_first_grab_wins_and_the_next_gets_409_with_a_reason(client, board):
    """The first carrier to grab gets the award; a second grab is refused with 'already_awarded'."""
    tender = _tender(client, board)
    first, second = board.carriers[:2]
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=first.headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["carrier_id"] == first.id and r.get_json()["price"] == 900.0
    late = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=second.headers)
    assert late.status_code == 409
    assert late.mimetype == "application/problem+json" and late.get_json()["reason"] == "already_awarded"
    load = client.get(f"/api/v1/loads/{tender['load_id']}", headers=first.headers).get_json()
    assert load["status"] == "awarded" and load["carrier_id"] == first.id
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["status"] == "awarded"


def test_seller_cannot_grab_its_own_load(client, board):
    """Grabbing one's own load is refused and changes nothing."""
    tender = _tender(client, board)
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=board.seller.headers)
    assert r.status_code == 403 and r.get_json()["reason"] == "own_load"
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["status"] == "open"


def test_unqualified_carrier_is_told_what_it_lacks(client, board, make_party):
    """A carrier whose only truck is a tanker gets 403 naming the missing equipment; nothing changes."""
    tanker = add_carrier(board, make_party, equipment=("liquid_arm",))
    tender = _tender(client, board)
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=tanker.headers)
    assert r.status_code == 403 and r.get_json()["reason"] == "not_qualified"
    assert any("equipment pallet_dock" in e["message"] for e in r.get_json()["errors"])
    assert client.get(f"/api/v1/tenders/{tender['id']}", headers=board.seller.headers).get_json()["status"] == "open"


def test_hazmat_load_needs_a_certified_truck(client, board, make_party):
    """A hazardous load refuses carriers without a hazmat-certified truck and accepts one with it."""
    certified = add_carrier(board, make_party, hazmat=True)
    tender = _tender(client, board, load=board.load(hazmat_classes="3"))
    plain = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=board.carriers[0].headers)
    assert plain.status_code == 403 and "hazmat" in plain.get_json()["detail"]
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=certified.headers).status_code == 201


def test_far_carrier_waits_until_the_radius_widens(client, board, make_party, monkeypatch):
    """Near-first: a carrier 300 km away is refused at first and may grab once the radius has grown."""
    far = add_carrier(board, make_party, near_km=300)
    tender = _tender(client, board, radius_km=50)
    early = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=far.headers)
    assert early.status_code == 403 and early.get_json()["reason"] == "not_near_yet"
    board_ids = [t["id"] for t in client.get("/api/v1/tenders", headers=far.headers).get_json()["items"]]
    assert tender["id"] not in board_ids
    later = clock.now() + timedelta(minutes=35)  # 50 -> 100 -> 200 -> 400 km after three 10-minute steps
    monkeypatch.setattr(clock, "now", lambda: later)
    board_ids = [t["id"] for t in client.get("/api/v1/tenders", headers=far.headers).get_json()["items"]]
    assert tender["id"] in board_ids
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=far.headers).status_code == 201


def test_auction_cannot_be_grabbed(client, board):
    """A grab on an auction answers 409 'not_grabbable'."""
    tender = _tender(client, board, mode="auction")
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=board.carriers[0].headers)
    assert r.status_code == 409 and r.get_json()["reason"] == "not_grabbable"


def test_sequential_offer_goes_one_carrier_at_a_time_then_to_the_board(client, board, monkeypatch):
    """Only the offered carrier may accept; a timeout and a decline move the offer on, then the board opens."""
    a, b, c = board.carriers
    tender = _tender(client, board, mode="sequential", preferred_carrier_ids=[a.id, b.id], offer_timeout_s=600)
    url = f"/api/v1/tenders/{tender['id']}"
    assert client.get(url, headers=c.headers).status_code == 404  # private while offered to the preferred
    assert client.post(f"{url}/grab", headers=b.headers).get_json()["reason"] == "offered_to_another"
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=601))  # a's time ran out
    seller_view = client.get(url, headers=board.seller.headers).get_json()
    assert seller_view["phase"] == {"kind": "offer", "offered_to": b.id, "reach_km": None, "open_to_all_at": None}
    assert client.post(f"{url}/decline", headers=a.headers).get_json()["reason"] == "not_offered"
    declined = client.post(f"{url}/decline", headers=b.headers)
    assert declined.status_code == 200 and declined.get_json()["phase"]["kind"] in ("near", "all")
    assert client.post(f"{url}/grab", headers=c.headers).status_code == 201


def test_sequential_offeree_accepts_by_grabbing(client, board):
    """The carrier offered a sequential tender takes it at the fixed price."""
    a, b, _ = board.carriers
    tender = _tender(client, board, mode="sequential", preferred_carrier_ids=[a.id, b.id])
    r = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=a.headers)
    assert r.status_code == 201 and r.get_json()["price"] == 950.0


def test_seller_cancels_an_open_tender(client, board):
    """Cancelling puts the load back to draft; a grab afterwards gets 409 'tender_cancelled'."""
    tender = _tender(client, board)
    r = client.post(f"/api/v1/tenders/{tender['id']}/cancel", headers=board.seller.headers)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    load = client.get(f"/api/v1/loads/{tender['load_id']}", headers=board.seller.headers).get_json()
    assert load["status"] == "draft"
    late = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=board.carriers[0].headers)
    assert late.status_code == 409 and late.get_json()["reason"] == "tender_cancelled"
