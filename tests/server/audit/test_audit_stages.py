"""Orders, tenders and awards leave audit events both parties' admins find (#19)."""

from tests.server.market.market_factory import make_board, tender_body


def _actions(client, party, object_type):
    return [e["action"] for e in client.get(f"/api/v1/audit?object_type={object_type}",
                                            headers=party.headers).get_json()["items"]]


def test_order_created_and_cancelled(client, trade):
    """The seller's order and its cancellation are in the seller's and the buyer's trail."""
    seller, buyer = trade["seller"], trade["buyer"]
    order = client.post("/api/v1/orders", headers=seller.headers, json=trade["order"]).get_json()
    client.post(f"/api/v1/orders/{order['id']}/cancel", headers=seller.headers)
    assert _actions(client, seller, "order") == ["order.created", "order.cancelled"]
    assert _actions(client, buyer, "order") == ["order.created", "order.cancelled"]


def test_tender_opened_cancelled_and_award_made(client, make_party):
    """Opening and cancelling a tender, and a grab's award, are recorded; the carrier sees its award."""
    board = make_board(make_party, carriers=1)
    first, second = board.load(), board.load()
    tender = client.post(f"/api/v1/loads/{first.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    client.post(f"/api/v1/tenders/{tender['id']}/cancel", headers=board.seller.headers)
    assert _actions(client, board.seller, "tender") == ["tender.opened", "tender.cancelled"]
    grabbed = client.post(f"/api/v1/loads/{second.id}/tenders", headers=board.seller.headers,
                          json=tender_body("grab")).get_json()
    client.post(f"/api/v1/tenders/{grabbed['id']}/grab", headers=board.carriers[0].headers)
    assert _actions(client, board.seller, "award") == ["award.made"]
    assert _actions(client, board.carriers[0], "award") == ["award.made"]


def test_bids_declines_and_given_back_awards_are_recorded(client, make_party):
    """A bid, a declined sequential offer and an award the carrier gives back are in both parties' trails."""
    board = make_board(make_party, carriers=2)
    first, second, third = board.load(), board.load(), board.load()
    auction = client.post(f"/api/v1/loads/{first.id}/tenders", headers=board.seller.headers,
                          json=tender_body("auction")).get_json()
    bid = client.post(f"/api/v1/tenders/{auction['id']}/bids", headers=board.carriers[0].headers, json={"price": 1100.0})
    assert bid.status_code == 201, bid.get_json()
    assert _actions(client, board.seller, "bid") == ["bid.placed"]
    assert _actions(client, board.carriers[0], "bid") == ["bid.placed"]
    assert _actions(client, board.carriers[1], "bid") == []
    offered = client.post(f"/api/v1/loads/{second.id}/tenders", headers=board.seller.headers, json=tender_body(
        "sequential", preferred_carrier_ids=[board.carriers[1].id, board.carriers[0].id])).get_json()
    assert client.post(f"/api/v1/tenders/{offered['id']}/decline", headers=board.carriers[1].headers).status_code == 200
    assert "tender.declined" in _actions(client, board.seller, "tender")
    grabbed = client.post(f"/api/v1/loads/{third.id}/tenders", headers=board.seller.headers,
                          json=tender_body("grab")).get_json()
    award = client.post(f"/api/v1/tenders/{grabbed['id']}/grab", headers=board.carriers[0].headers).get_json()
    r = client.post(f"/api/v1/awards/{award['id']}/cancel", headers=board.carriers[0].headers, json={"reason": "truck broke"})
    assert r.status_code == 200, r.get_json()
    assert _actions(client, board.seller, "award")[-1] == "award.cancelled"
    assert _actions(client, board.carriers[0], "award")[-1] == "award.cancelled"


def test_dock_slots_booked_moved_and_cancelled_are_recorded(client, ctx, monkeypatch):
    """The carrier books, the plant moves, the carrier cancels: each step is in the plant's and the carrier's trail."""
    from datetime import timedelta

    from server import clock
    from tests.server.yard.yard_factory import MONDAY, make_load, make_plant

    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    plant = make_plant()
    load = make_load(plant)
    docks = plant.docks
    assert client.post(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers,
                       json={"dock_id": docks["D1"].id, "start": (MONDAY + timedelta(hours=2)).isoformat()}).status_code == 201
    assert client.post(f"/api/v1/loads/{load.id}/appointment", headers=plant.seller.headers,
                       json={"dock_id": docks["D2"].id, "start": (MONDAY + timedelta(hours=3)).isoformat()}).status_code == 201
    assert client.delete(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers).status_code in (200, 204)
    steps = ["slot.booked", "slot.moved", "slot.cancelled"]
    assert _actions(client, plant.seller, "dock_appointment") == steps
    assert _actions(client, plant.carrier, "dock_appointment") == steps
    assert _actions(client, plant.buyer, "dock_appointment") == []
