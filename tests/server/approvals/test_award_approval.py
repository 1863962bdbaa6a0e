"""An award above the seller's price rule needs a second person before the carrier assigns or the buyer authorizes."""

from tests.server.access.access_factory import member


def _award_rule(client, seller, threshold=500):
    r = client.post("/api/v1/approval-rules", headers=seller.headers, json={
        "name": "Awards over 500", "action": "award", "metric": "price", "threshold": threshold,
        "levels": [{"mode": "any", "role": "admin"}]})
    assert r.status_code == 201, r.get_json()


def _pending(client, party):
    return client.get("/api/v1/approvals?status=pending", headers=party.headers).get_json()["items"]


def test_assignment_waits_for_the_award_approval(client, make_party):
    """A 900 grab over a 500 rule: the assignment is 409 awaiting_approval until a seller admin approves."""
    from tests.server.market.market_factory import make_board

    board = make_board(make_party, carriers=1)
    _award_rule(client, board.seller)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json={"mode": "grab", "price": 900.0}).get_json()
    carrier = board.carriers[0]
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).status_code in (200, 201)
    from tests.server.market.market_factory import make_driver

    driver, truck = make_driver(carrier.id), board.trucks[carrier.id]
    body = {"vehicle_id": truck.id, "driver_id": driver.id}
    held = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers, json=body)
    assert held.status_code == 409 and held.get_json()["reason"] == "awaiting_approval"
    [request] = _pending(client, board.seller)
    assert request["object_type"] == "award" and request["measured"] == 900
    second = member(board.seller, ["admin"], name="second")
    assert client.post(f"/api/v1/approvals/{request['id']}/approve", headers=second.headers,
                       json={}).status_code == 200
    assert client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers, json=body).status_code == 200


def test_a_rejected_award_gives_the_load_back(client, make_party):
    """Rejecting the award cancels it and the load is a draft again."""
    from tests.server.market.market_factory import make_board

    board = make_board(make_party, carriers=1)
    _award_rule(client, board.seller)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json={"mode": "grab", "price": 900.0}).get_json()
    client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=board.carriers[0].headers)
    [request] = _pending(client, board.seller)
    r = client.post(f"/api/v1/approvals/{request['id']}/reject", headers=board.seller.headers, json={})
    assert r.get_json()["status"] == "rejected"
    assert client.get(f"/api/v1/loads/{load.id}", headers=board.seller.headers).get_json()["status"] == "draft"


def test_below_the_price_the_award_proceeds(client, make_party):
    """A 900 grab under a 1000 rule opens no request; assignment works at once."""
    from tests.server.market.market_factory import make_board, make_driver

    board = make_board(make_party, carriers=1)
    _award_rule(client, board.seller, threshold=1000)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json={"mode": "grab", "price": 900.0}).get_json()
    carrier = board.carriers[0]
    client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers)
    body = {"vehicle_id": board.trucks[carrier.id].id, "driver_id": make_driver(carrier.id).id}
    assert client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers, json=body).status_code == 200
    assert _pending(client, board.seller) == []
