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
