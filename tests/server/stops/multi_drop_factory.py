"""A load plan that consolidates two buyers' small orders from one plant into one multi-drop load."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from server.extensions import db
from server.models import Event, Load, LoadStop
from tests.conftest import accept_trading
from tests.server.market.market_factory import make_truck


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


def in_transit_two_buyer_load(client, trade, make_party) -> dict:
    """`two_buyer_load` in transit on a carrier's truck: A's stop due in 1 h, B's in 3 h, an event at each
    buyer's site and a fix of the truck; adds the carrier and the vehicle id."""
    from server.tracking.snapshot import register_snapshot_provider

    register_snapshot_provider()
    out = two_buyer_load(client, trade, make_party)
    carrier = make_party("carrier")
    load = db.session.get(Load, out["load_id"])
    assert load.buyer_org_id == out["buyer_a"].id  # B has only its stop
    now = datetime.now(UTC)
    vehicle_id = make_truck(carrier.id, at=(50.80, 7.05), fix_age=timedelta(minutes=1)).id
    load.status, load.carrier_org_id, load.vehicle_id, load.eta = "in_transit", carrier.id, vehicle_id, now + timedelta(hours=1)
    for stop in db.session.query(LoadStop).filter_by(load_id=load.id, kind="delivery"):
        stop.eta = now + timedelta(hours=1 if stop.buyer_org_id == out["buyer_a"].id else 3)
    db.session.add_all([
        Event(kind="arrived_delivery", time=now - timedelta(minutes=5), load_id=load.id, site_id=out["yard_a"], data={}),
        Event(kind="geofence_enter", time=now - timedelta(minutes=1), load_id=load.id, site_id=out["yard_b"], data={}),
    ])
    db.session.commit()
    return {**out, "carrier": carrier, "vehicle_id": vehicle_id}
