"""Trading relationships (server/api/trading.py): no orders for a buyer until it accepts, on both backends."""

from pathlib import Path

import pytest
from sqlalchemy import delete

from server.extensions import db
from server.models import Notification, TradingRelationship

CSV = Path(__file__).parents[2] / "data" / "orders" / "two_orders_one_bad_row.csv"
URL = "/api/v1/trading-relationships"


@pytest.fixture
def strangers(trade):
    """The trade fixture's seller and buyer, before the buyer ever accepted the seller."""
    db.session.execute(delete(TradingRelationship))
    db.session.commit()
    return trade


def _notes(org_id: int) -> list[dict]:
    db.session.expire_all()
    return [n.payload["data"] for n in db.session.query(Notification).filter_by(organisation_id=org_id,
                                                                                 kind="trading_relationship")]


def test_no_order_for_a_buyer_who_has_not_accepted(client, strangers):
    """JSON and CSV orders for a buyer without an accepted relationship are refused naming the rule;
    the buyer's site is then as unknown as a foreign one."""
    seller = strangers["seller"]
    r = client.post("/api/v1/orders", headers=seller.headers, json=strangers["order"])
    assert r.status_code == 422 and r.get_json()["rule"] == "trading_relationship_required"
    errors = {e["path"]: e["message"] for e in r.get_json()["errors"]}
    assert "trading relationship" in errors["buyer_id"] and errors["delivery_site_id"] == "unknown site"
    text = CSV.read_text().format(buyer=strangers["buyer"].id, plant=strangers["plant"]["id"],
                                  yard=strangers["yard"]["id"])
    imported = client.post("/api/v1/orders/import", headers={**seller.headers, "Content-Type": "text/csv"},
                           data=text.encode())
    assert imported.status_code == 422
    report = imported.get_json()["report"]
    assert report["created"] == [] and any("trading relationship" in e["message"] and e["column"] == "buyer_id"
                                           for e in report["errors"])
    assert client.get("/api/v1/orders", headers=seller.headers).get_json()["total"] == 0


def test_request_accept_then_order_and_see_the_sites(client, strangers):
    """The seller asks, the buyer is told and accepts, the seller is told; then orders go through and the
    seller sees the buyer's name and delivery sites, which it did not before."""
    seller, buyer = strangers["seller"], strangers["buyer"]
    asked = client.post(URL, headers=seller.headers, json={"buyer_id": buyer.id, "message": "Cement from Duisburg"})
    assert asked.status_code == 201
    rel = asked.get_json()
    assert rel["status"] == "requested" and rel["buyer"] == {"id": buyer.id, "name": None}
    assert client.post(URL, headers=seller.headers, json={"buyer_id": buyer.id}).status_code == 200  # no second
    assert client.get(f"{URL}/{rel['id']}/sites", headers=seller.headers).status_code == 403
    assert _notes(buyer.id) == [{"relationship_id": rel["id"], "status": "requested", "seller_id": seller.id,
                                 "buyer_id": buyer.id}]
    seen = client.get(URL, headers=buyer.headers).get_json()["items"]
    assert seen[0]["seller"]["name"] == seller.org.name and seen[0]["message"] == "Cement from Duisburg"
    accepted = client.post(f"{URL}/{rel['id']}/accept", headers=buyer.headers)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert _notes(seller.id)[-1]["status"] == "accepted"
    assert client.get(f"{URL}/{rel['id']}", headers=seller.headers).get_json()["buyer"]["name"] == buyer.org.name
    sites = client.get(f"{URL}/{rel['id']}/sites", headers=seller.headers).get_json()
    assert [s["id"] for s in sites] == [strangers["yard"]["id"]]
    assert client.post("/api/v1/orders", headers=seller.headers, json=strangers["order"]).status_code == 201


def test_decline_end_and_ask_again(client, strangers):
    """A declined seller may ask again; an ended relationship refuses new orders but keeps the old ones."""
    seller, buyer = strangers["seller"], strangers["buyer"]
    rel = client.post(URL, headers=seller.headers, json={"buyer_id": buyer.id}).get_json()
    assert client.post(f"{URL}/{rel['id']}/decline", headers=buyer.headers).get_json()["status"] == "declined"
    assert client.post("/api/v1/orders", headers=seller.headers, json=strangers["order"]).status_code == 422
    again = client.post(URL, headers=seller.headers, json={"buyer_id": buyer.id})
    assert again.status_code == 201 and again.get_json()["status"] == "requested" and again.get_json()["id"] == rel["id"]
    client.post(f"{URL}/{rel['id']}/accept", headers=buyer.headers)
    order = client.post("/api/v1/orders", headers=seller.headers, json=strangers["order"]).get_json()
    ended = client.post(f"{URL}/{rel['id']}/end", headers=buyer.headers)
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    assert _notes(seller.id)[-1]["status"] == "ended"
    refused = client.post("/api/v1/orders", headers=seller.headers, json={**strangers["order"], "reference": "SO-2"})
    assert refused.status_code == 422 and refused.get_json()["rule"] == "trading_relationship_required"
    assert client.get(f"/api/v1/orders/{order['id']}", headers=seller.headers).status_code == 200
    assert client.post(f"{URL}/{rel['id']}/end", headers=seller.headers).status_code == 409


def test_who_may_decide(client, strangers, make_party):
    """Only the buyer's admin accepts; the seller withdraws its own request; strangers see nothing."""
    seller, buyer = strangers["seller"], strangers["buyer"]
    rel = client.post(URL, headers=seller.headers, json={"buyer_id": buyer.id}).get_json()
    assert client.post(f"{URL}/{rel['id']}/accept", headers=seller.headers).status_code == 403
    clerk = make_party("buyer", roles=("dispatcher",))
    assert client.post(f"{URL}/{rel['id']}/accept", headers=clerk.headers).status_code == 403
    for kind in ("seller", "buyer", "carrier"):
        stranger = make_party(kind)
        assert client.get(f"{URL}/{rel['id']}", headers=stranger.headers).status_code == 404
        assert client.get(URL, headers=stranger.headers).get_json()["items"] == []
    assert client.post(f"{URL}/{rel['id']}/withdraw", headers=buyer.headers).status_code == 403
    assert client.post(f"{URL}/{rel['id']}/withdraw", headers=seller.headers).get_json()["status"] == "withdrawn"
    assert client.post(f"{URL}/{rel['id']}/accept", headers=buyer.headers).get_json()["reason"] == "withdrawn"


def test_only_buyers_can_be_asked(client, strangers, make_party):
    """Asking a carrier, another seller or an id that does not exist is the same 422 on buyer_id."""
    seller = strangers["seller"]
    for buyer_id in (make_party("carrier").id, make_party("seller").id, 2**31 - 1):
        r = client.post(URL, headers=seller.headers, json={"buyer_id": buyer_id})
        assert r.status_code == 422 and r.get_json()["errors"] == [{"path": "buyer_id", "message": "unknown buyer"}]
