"""Shipment events after the award reach their parties as notifications: pickup authorized and withdrawn."""

from tests.server.market.market_factory import make_board, make_driver, tender_body


def _kinds(client, party) -> list[str]:
    return [n["kind"] for n in client.get("/api/v1/notifications?limit=100", headers=party.headers).get_json()["items"]]


def test_pickup_authorized_and_withdrawn_tell_seller_buyer_and_carrier_only(client, make_party):
    """The buyer authorizes then withdraws a pickup: seller, buyer and carrier hear both; the other carrier neither."""
    board = make_board(make_party, carriers=2)
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("grab")).get_json()
    carrier, other = board.carriers
    assert client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers).status_code == 201
    driver = make_driver(carrier.id, name="Ana")
    assert client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                       json={"vehicle_id": board.trucks[carrier.id].id, "driver_id": driver.id}).status_code == 200
    auth = client.post(f"/api/v1/loads/{load.id}/pickup-authorizations", headers=board.buyer.headers, json={})
    assert auth.status_code == 201, auth.get_json()
    assert client.post(f"/api/v1/pickup-authorizations/{auth.get_json()['id']}/revoke",
                       headers=board.buyer.headers).status_code == 200
    for party in (board.seller, board.buyer, carrier):
        kinds = _kinds(client, party)
        assert "authorized" in kinds and "authorization_withdrawn" in kinds
    assert not {"authorized", "authorization_withdrawn"} & set(_kinds(client, other))
    note = client.get("/api/v1/notifications?kind=authorized", headers=carrier.headers).get_json()["items"][0]
    assert note["url"] == f"/loads/{load.id}" and load.reference in note["title"]
