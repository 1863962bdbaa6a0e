"""A buyer with a purchasing manager and a pickup rule, and a load assigned to a carrier's truck and driver."""

from __future__ import annotations

from tests.server.access.access_factory import custom_role, member
from tests.server.market.market_factory import make_board, make_driver, tender_body


def assigned_load(client, make_party, **tender) -> dict:
    """A load grabbed by a carrier that assigned its truck and driver (20 t, grab price 900)."""
    board = make_board(make_party, carriers=1)
    load = board.load()
    made = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                       json=tender_body("grab", **tender)).get_json()
    carrier = board.carriers[0]
    client.post(f"/api/v1/tenders/{made['id']}/grab", headers=carrier.headers)
    driver = make_driver(carrier.id, name="Ana")
    truck = board.trucks[carrier.id]
    r = client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": truck.id, "driver_id": driver.id})
    return {"board": board, "load_id": load.id, "carrier": carrier, "driver": driver, "truck": truck,
            "tender_id": made["id"], "assignment": r}


def purchasing(client, buyer, levels=None, threshold: float = 10) -> dict:
    """The buyer's purchasing manager role and holder, a requester (dispatcher), and a tonnage rule over ``threshold`` t."""
    custom_role(client, buyer, "purchasing_manager", ["approve", "view_finances"])
    manager = member(buyer, ["purchasing_manager"], name="manager")
    requester = member(buyer, ["dispatcher"], name="requester")
    rule = client.post("/api/v1/approval-rules", headers=buyer.headers, json={
        "name": "Pickups over 10 t", "action": "authorize_pickup", "metric": "tonnage", "threshold": threshold,
        "levels": levels or [{"mode": "any", "role": "purchasing_manager"}]})
    assert rule.status_code == 201, rule.get_json()
    return {"manager": manager, "requester": requester, "rule": rule.get_json()}
