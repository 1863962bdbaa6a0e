"""The whole chain in one run, across roles (issue 18, first "Done when" item).

The seller builds loads on its page from two buyers' orders, one of them partly unplaceable (the preview
says "partial", the order list "partly planned" with the reason) -> one multi-drop load goes to auction ->
two carriers bid on their boards, the outbid one is told on its bell, the winner reads "won" after the
close -> the winner picks a suitable truck and driver from the assignment options -> the load's buyer
authorizes the pickup -> a dock slot is booked -> the truck checks in at the gate (plate + token), is
called, loads and departs -> it delivers to both buyers, one proof per stop -> each buyer's load page
shows its own stop and proof of delivery and nothing of the other buyer's.

Pages are used where a person looks at a key moment; the API (bearer tokens, so no cross-site check)
does the rest. Every wait is on a visible state; the only pause is the auction's own deadline.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import wait_live
from tests.browser.shipments import order_body

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
AUCTION_S = 20


def _shot(page, screenshots: Path, name: str) -> None:
    """A screenshot in the session's folder, copied to docs/img for the README."""
    target = screenshots / f"whole-chain-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(target, DOCS_IMG / target.name)


def _orders(api) -> dict:
    """Buyer A's order (10 t that fit, 2 x 26 t that fit no truck) and buyer B's 8 t, from the one plant.

    Buyer B's site is near Köln, so both orders ride one truck as one multi-drop load."""
    plant = api.plant()
    site_a = api.call("buyer", "GET", "/api/v1/sites")["items"][0]
    site_b = api.call("buyer2", "POST", "/api/v1/sites", {"name": "Hafen Logistik Bonn depot", "kind": "customer",
                                                          "location": {"lat": 50.73, "lon": 7.10},
                                                          "timezone": "Europe/Berlin"})
    buyer_a = api.call("buyer", "GET", "/api/v1/auth/me")["organisation_id"]
    buyer_b = api.call("buyer2", "GET", "/api/v1/auth/me")["organisation_id"]
    partial = order_body(buyer_a, plant["id"], site_a["id"], tonnes=10)
    partial["lines"].append({**partial["lines"][0], "sku": "HEAVY", "quantity": 2, "unit_weight_kg": 26_000,
                             "splittable": False})
    order_a = api.call("seller", "POST", "/api/v1/orders", partial)
    order_b = api.call("seller", "POST", "/api/v1/orders", order_body(buyer_b, plant["id"], site_b["id"], tonnes=8))
    return {"a": order_a, "b": order_b, "site_a": site_a, "site_b": site_b, "buyer_a": buyer_a, "buyer_b": buyer_b}


def _bid(page, tender_id: int, price: int) -> None:
    row = page.locator(f'#board tr[data-tender-id="{tender_id}"]')
    row.locator('input[name="price"]').fill(str(price))
    row.get_by_role("button", name="Bid").click()
    page.locator(f"#bid-{tender_id}-status.ok").wait_for()


def test_one_load_from_two_buyers_orders_goes_from_plan_to_both_proofs(open_as, api, screenshots):
    started = time.monotonic()
    orders = _orders(api)

    # 1. The seller previews loads for both orders on its page: one load, the heavy line left out, "partial".
    seller = open_as("seller", "/seller")
    for order in (orders["a"], orders["b"]):
        seller.get_by_label(f"Plan order {order['reference']}").check()
    seller.get_by_role("button", name="Preview loads for the ticked orders").click()
    preview = seller.locator("#plan-preview .plan")
    preview.wait_for()
    heading = preview.locator("h3").inner_text()
    assert "partial" in heading and "optimal" not in heading, heading
    assert seller.locator("#plan-preview tbody tr").count() == 1  # both buyers' goods on one truck
    expect(preview).to_contain_text(f"{orders['a']['reference']} ×2")  # the heavy units, not placed, with a reason
    _shot(seller, screenshots, "1-seller-preview")
    with seller.expect_navigation():
        seller.get_by_role("button", name="Create these loads").click()
    row_a = seller.locator("#seller-orders tr", has_text=orders["a"]["reference"])
    expect(row_a).to_contain_text("partly planned")
    expect(row_a).to_contain_text("HEAVY ×2 not planned")
    expect(seller.locator("#seller-orders tr", has_text=orders["b"]["reference"])).to_contain_text("planned")
    state_a = api.call("seller", "GET", f"/api/v1/orders/{orders['a']['id']}")
    assert state_a["status"] == "partly_planned" and state_a["unplaced_quantity"] == 2
    assert state_a["unplaced"][0]["reason"]
    assert api.call("seller", "GET", f"/api/v1/orders/{orders['b']['id']}")["status"] == "planned"
    _shot(seller, screenshots, "2-seller-orders")

    load = api.call("seller", "GET", "/api/v1/loads?status=draft")["items"][0]  # newest first: the one just built
    stops = api.call("seller", "GET", f"/api/v1/loads/{load['id']}/stops")
    assert [s["kind"] for s in stops] == ["pickup", "delivery", "delivery"]
    assert {s["order_id"] for s in stops if s["kind"] == "delivery"} == {orders["a"]["id"], orders["b"]["id"]}

    # 2. The load goes to auction; both carriers watch their boards.
    winner_truck, winner_driver = api.add_truck("carrier2")
    loser = open_as("carrier", "/carrier")
    winner = open_as("carrier2", "/carrier")
    wait_live(loser)
    wait_live(winner)
    deadline = datetime.now(UTC) + timedelta(seconds=AUCTION_S)
    tender = api.call("seller", "POST", f"/api/v1/loads/{load['id']}/tenders", {
        "mode": "auction", "ceiling_price": 1500, "min_decrement": 10, "max_bids_per_carrier": 3,
        "deadline": deadline.isoformat(), "radius_km": 0})
    for page in (loser, winner):
        page.locator(f'#board tr[data-tender-id="{tender["id"]}"]').wait_for()

    # 3. Two bids: the first bidder is outbid and told, live, on its bell and its board row.
    _bid(loser, tender["id"], 1400)
    loser.locator(f'#board tr[data-tender-id="{tender["id"]}"][data-standing="leading"]').wait_for()
    _bid(winner, tender["id"], 1300)
    loser.locator(f'#board tr[data-tender-id="{tender["id"]}"][data-standing="outbid"]').wait_for()
    loser.get_by_role("button", name="Notifications").click()
    outbid = loser.locator('#bell-list li[data-kind="outbid"]', has_text=load["reference"]).first
    outbid.wait_for()
    assert f"You were outbid on {load['reference']}" in outbid.inner_text()
    _shot(loser, screenshots, "3-carrier-outbid")

    # 4. After the deadline the winner reads "won" on its board and its bell; the other "lost".
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
    assert api.call("seller", "GET", f"/api/v1/tenders/{tender['id']}")["status"] == "awarded"
    winner.locator(f'#board #tender-{tender["id"]}[data-standing="won"]').wait_for()
    loser.locator(f'#board #tender-{tender["id"]}[data-standing="lost"]').wait_for()
    winner.get_by_role("button", name="Notifications").click()
    won = winner.locator('#bell-list li[data-kind="won"]', has_text=load["reference"]).first
    won.wait_for()
    assert f"You won {load['reference']}" in won.inner_text()
    _shot(winner, screenshots, "4-carrier-won")

    # 5. The winner assigns a truck and driver the options call suitable.
    options = api.call("carrier2", "GET", f"/api/v1/loads/{load['id']}/assignment-options")
    assert winner_truck in {v["id"] for v in options["vehicles"]}, options
    assert winner_driver in {d["id"] for d in options["drivers"]}, options
    assert all(v["reasons"] for v in options["unsuitable_vehicles"])  # the others say why
    api.call("carrier2", "POST", f"/api/v1/loads/{load['id']}/assignment",
             {"vehicle_id": winner_truck, "driver_id": winner_driver})

    # 6. Each buyer authorizes the pickup of its own goods (the seller sees who is still to); a dock slot is booked.
    api.call("buyer", "POST", f"/api/v1/loads/{load['id']}/pickup-authorizations", {})
    waiting = api.call("seller", "GET", f"/api/v1/loads/{load['id']}")
    assert waiting["status"] == "assigned" and len(waiting["awaiting_authorization"]) == 1, waiting
    grant = api.call("buyer2", "POST", f"/api/v1/loads/{load['id']}/pickup-authorizations", {})
    assert api.call("seller", "GET", f"/api/v1/loads/{load['id']}")["status"] == "authorized"
    slot = api.call("seller", "GET", f"/api/v1/loads/{load['id']}/slots")["slots"][0]
    api.call("seller", "POST", f"/api/v1/loads/{load['id']}/appointment",
             {"dock_id": slot["dock_id"], "start": slot["start"]})

    # 7. At the gate: plate and token check the truck in; it is called, loads and departs.
    visit = api.call("seller", "POST", "/api/v1/yard/checkin",
                     {"load_id": load["id"], "token": grant["token"], "plate": grant["plate"]})
    assert visit["status"] == "arrived"
    assert api.call("seller", "POST", f"/api/v1/yard/visits/{visit['id']}/call", {})["status"] == "called"
    for step in ("loading", "loaded", "departed"):
        visit = api.call("seller", "POST", f"/api/v1/yard/visits/{visit['id']}/transition", {"to": step})
        assert visit["status"] == step
    assert api.call("seller", "GET", f"/api/v1/loads/{load['id']}")["status"] == "in_transit"

    # 8. Two drops: the carrier's driver gives a proof of delivery at each buyer's stop.
    deliveries = {s["buyer_id"]: s for s in api.call("carrier2", "GET", f"/api/v1/loads/{load['id']}/stops")
                  if s["kind"] == "delivery"}
    signers = {orders["buyer_a"]: "Köln receiver Anna", orders["buyer_b"]: "Bonn receiver Ben"}
    for buyer_id, stop in deliveries.items():
        api.call("carrier2", "POST", f"/api/v1/loads/{load['id']}/stops/{stop['id']}/pod",
                 {"signed_by": signers[buyer_id], "received_quantity": stop["weight_kg"] / 1000})
    assert api.call("seller", "GET", f"/api/v1/loads/{load['id']}")["status"] == "delivered"

    # 9. Each buyer's load page: its own stop and proof, nothing of the other buyer's.
    mine = {"buyer": (orders["buyer_a"], orders["site_a"], orders["site_b"], orders["buyer_b"]),
            "buyer2": (orders["buyer_b"], orders["site_b"], orders["site_a"], orders["buyer_a"])}
    for party, (own_id, own_site, other_site, other_id) in mine.items():
        page = open_as(party, f"/loads/{load['id']}")
        facts = page.locator("#load-facts")
        expect(facts).to_contain_text(own_site["name"])
        expect(page.locator("body")).to_contain_text(signers[own_id])
        text = page.locator("main").inner_text()
        assert other_site["name"] not in text and signers[other_id] not in text, (party, text)
        # The stop's window is on its site's clock, like the pickup's (it read UTC beside a CET pickup).
        own_row = facts.locator("dt", has_text="Your stop").locator("xpath=following-sibling::dd[1]").inner_text()
        assert re.search(r"\d\d:\d\d CES?T – .+ \d\d:\d\d CES?T", own_row), own_row
        own_stops = api.call(party, "GET", f"/api/v1/loads/{load['id']}/stops")
        assert [s["site_id"] for s in own_stops if s["kind"] == "delivery"] == [own_site["id"]]
        other_stop = deliveries[other_id]["id"]
        api.call(party, "GET", f"/api/v1/loads/{load['id']}/stops/{other_stop}/pod", expect=(404,))
        _shot(page, screenshots, f"5-{party}-load")
        assert not page.context.__dict__.get("js_errors"), page.context.__dict__.get("js_errors")

    for page in (seller, loser, winner):
        assert not page.context.__dict__.get("js_errors"), page.context.__dict__.get("js_errors")
    assert time.monotonic() - started < 180
