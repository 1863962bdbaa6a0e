"""A load plan that consolidates two buyers' small orders from one plant into one multi-drop load."""

from __future__ import annotations

import copy

from tests.conftest import accept_trading


def two_buyer_load(client, trade, make_party) -> dict:
    """Orders of buyer A (Köln) and buyer B (Bonn) built into one load; returns the parties and ids."""
    seller, buyer_a = trade["seller"], trade["buyer"]
    buyer_b = make_party("buyer")
    accept_trading(seller.id, buyer_b.id)
    bonn = client.post("/api/v1/sites", headers=buyer_b.headers, json={
        "name": "Bonn yard", "kind": "customer", "location": {"lat": 50.73, "lon": 7.10}}).get_json()
    orders = []
    for buyer, site, ref, qty in ((buyer_a, trade["yard"], "SO-A", 10), (buyer_b, bonn, "SO-B", 8)):
        body = copy.deepcopy(trade["order"])
        body.update(reference=ref, buyer_id=buyer.id, delivery_site_id=site["id"])
        body["lines"] = [{**body["lines"][0], "sku": f"SKU-{ref}", "quantity": qty}]
        r = client.post("/api/v1/orders", headers=seller.headers, json=body)
        assert r.status_code == 201, r.get_json()
        orders.append(r.get_json()["id"])
    plan = client.post("/api/v1/load-plans", headers=seller.headers,
                       json={"order_ids": orders, "time_limit_s": 2, "max_stops": 2}).get_json()
    assert len(plan["plan"]["loads"]) == 1, plan
    committed = client.post(f"/api/v1/load-plans/{plan['id']}/commit", headers=seller.headers).get_json()
    return {"seller": seller, "buyer_a": buyer_a, "buyer_b": buyer_b, "load_id": committed["load_ids"][0],
            "yard_a": trade["yard"]["id"], "yard_b": bonn["id"], "orders": orders}
