"""After the award: assignment of the carrier's own truck and driver, withdrawal, scorecards, loads."""

import pytest

from server import realtime
from tests.server.market.market_factory import make_board, make_driver, make_truck, tender_body


@pytest.fixture
def awarded(make_party, ctx, client):
    """A grabbed load: the board, the winning carrier and the award."""
    board = make_board(make_party, carriers=2)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    winner = board.carriers[0]
    award = client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=winner.headers).get_json()
    return {"board": board, "load_id": load.id, "tender": tender, "winner": winner, "award": award}


@pytest.fixture
def inbox(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime.driver_inbox, "send", lambda driver, kind, payload: sent.append((driver, kind, payload)))
    return sent


def test_carrier_assigns_its_truck_and_driver_and_the_driver_is_told(client, awarded, inbox):
    """The awarded carrier assigns its own truck and driver; the load is assigned and the driver's inbox hears."""
    winner, load_id = awarded["winner"], awarded["load_id"]
    driver = make_driver(winner.id, name="Ana")
    truck = awarded["board"].trucks[winner.id]
    r = client.post(f"/api/v1/loads/{load_id}/assignment", headers=winner.headers,
                    json={"vehicle_id": truck.id, "driver_id": driver.id})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["vehicle_id"], r.get_json()["driver_id"]) == (
        "assigned", truck.id, driver.id)
    assert [(d, kind, p["load_id"], p["plate"]) for d, kind, p in inbox] == [
        (driver.id, "load_assigned", load_id, truck.plate)]


def test_assignment_refuses_foreign_or_unfit_trucks_and_drivers(client, awarded, make_party, inbox):
    """Another carrier's truck or driver, or a truck too small, is a 422 naming the field; nothing changes."""
    winner, load_id = awarded["winner"], awarded["load_id"]
    other = awarded["board"].carriers[1]
    own_driver = make_driver(winner.id)
    small = make_truck(winner.id, max_weight_kg=3500)
    for body, path in (({"vehicle_id": awarded["board"].trucks[other.id].id, "driver_id": own_driver.id}, "vehicle_id"),
                       ({"vehicle_id": awarded["board"].trucks[winner.id].id, "driver_id": make_driver(other.id).id},
                        "driver_id"),
                       ({"vehicle_id": small.id, "driver_id": own_driver.id}, "vehicle_id")):
        r = client.post(f"/api/v1/loads/{load_id}/assignment", headers=winner.headers, json=body)
        assert r.status_code == 422 and path in {e["path"] for e in r.get_json()["errors"]}, r.get_json()
    assert client.get(f"/api/v1/loads/{load_id}", headers=winner.headers).get_json()["status"] == "awarded"
    assert inbox == []


def test_only_the_awarded_carrier_may_assign(client, awarded):
    """A losing carrier cannot even see the load (404)."""
    loser = awarded["board"].carriers[1]
    r = client.post(f"/api/v1/loads/{awarded['load_id']}/assignment", headers=loser.headers,
                    json={"vehicle_id": 1, "driver_id": 1})
    assert r.status_code == 404


def test_carrier_cancellation_is_scored_and_the_load_can_be_awarded_again(client, awarded, inbox):
    """Withdrawing after the award counts on the scorecard; the load returns to draft and is re-awarded."""
    board, winner, load_id = awarded["board"], awarded["winner"], awarded["load_id"]
    r = client.post(f"/api/v1/awards/{awarded['award']['id']}/cancel", headers=winner.headers,
                    json={"reason": "truck broke down"})
    assert r.status_code == 200 and r.get_json()["cancelled_at"] is not None
    load = client.get(f"/api/v1/loads/{load_id}", headers=board.seller.headers).get_json()
    assert (load["status"], load["carrier_id"]) == ("draft", None)
    again = client.post(f"/api/v1/awards/{awarded['award']['id']}/cancel", headers=winner.headers, json={})
    assert again.status_code == 409 and again.get_json()["reason"] == "already_cancelled"
    card = client.get(f"/api/v1/carriers/{winner.id}/scorecard", headers=board.seller.headers).get_json()
    assert (card["cancellations"], card["loads"]) == (1, 1) and card["score"] < 0.8
    tender = client.post(f"/api/v1/loads/{load_id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    second = board.carriers[1]
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=second.headers).status_code == 201
    assert client.get(f"/api/v1/loads/{load_id}", headers=second.headers).get_json()["carrier_id"] == second.id


def test_scorecard_is_private_between_carrier_and_its_sellers(client, awarded, make_party):
    """A carrier sees its own scorecard, the seller it won from sees it, an unrelated seller gets 404."""
    winner = awarded["winner"]
    assert client.get(f"/api/v1/carriers/{winner.id}/scorecard", headers=winner.headers).status_code == 200
    seller_view = client.get(f"/api/v1/carriers/{winner.id}/scorecard", headers=awarded["board"].seller.headers)
    assert seller_view.status_code == 200 and seller_view.get_json()["eligible"] is True
    stranger = make_party("seller")
    assert client.get(f"/api/v1/carriers/{winner.id}/scorecard", headers=stranger.headers).status_code == 404


def test_loads_are_listed_for_their_parties_only(client, awarded, make_party):
    """Seller, buyer and awarded carrier list the load; the buyer does not see the freight price; others see none."""
    board, winner, load_id = awarded["board"], awarded["winner"], awarded["load_id"]
    for party in (board.seller, board.buyer, winner):
        items = client.get("/api/v1/loads", headers=party.headers).get_json()["items"]
        assert [i["id"] for i in items] == [load_id]
    assert client.get(f"/api/v1/loads/{load_id}", headers=board.buyer.headers).get_json()["price"] is None
    assert client.get(f"/api/v1/loads/{load_id}", headers=winner.headers).get_json()["price"] == 900.0
    assert client.get("/api/v1/loads", headers=board.carriers[1].headers).get_json()["items"] == []
    assert client.get(f"/api/v1/loads/{load_id}", headers=make_party("buyer").headers).status_code == 404


def test_tendering_a_load_twice_is_an_illegal_transition(client, awarded):
    """A load already awarded cannot be tendered again: 409 naming the transition."""
    r = client.post(f"/api/v1/loads/{awarded['load_id']}/tenders", headers=awarded["board"].seller.headers,
                    json=tender_body("grab"))
    assert r.status_code == 409 and r.get_json()["reason"] == "illegal_transition"


def test_bad_tender_terms_name_each_field(client, make_party, ctx):
    """Missing ceiling and deadline, and a target above the ceiling, each get their own field error."""
    board = make_board(make_party, carriers=0)
    load = board.load()
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                    json={"mode": "auction", "target_price": 500})
    assert r.status_code == 422
    assert {"ceiling_price", "deadline"} <= {e["path"] for e in r.get_json()["errors"]}
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                    json=tender_body("auction", ceiling_price=400, target_price=500))
    assert r.status_code == 422 and "target_price" in {e["path"] for e in r.get_json()["errors"]}
    r = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers, json={"mode": "grab", "price": -1})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "price"
    assert client.get(f"/api/v1/loads/{load.id}", headers=board.seller.headers).get_json()["status"] == "draft"
