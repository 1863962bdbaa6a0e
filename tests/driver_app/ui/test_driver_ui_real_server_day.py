"""A driver's whole day in a real window against a real ``haul serve``: sign in, today, check in,
called to a dock, evidence, proof of delivery; the server then shows the load delivered with its
evidence bundle. The load is made through the real API by the demo's seller, carrier and buyer."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.demo.api import ApiSession
from server.demo.cast import Cast, prepare_plant
from server.demo.market import fits, needs_of
from server.seed import DEMO_PASSWORD

pytestmark = pytest.mark.timeout(300)

DRIVER_EMAIL, QUANTITY = "driver1@weber.demo", 18  # 18 bags of cement, 1 t each: one truckload


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def seed_load(server: str) -> dict:
    """Order -> load -> grab tender -> truck and driver -> pickup authorization, each through the API."""
    cast = Cast.assemble(server)
    seller = cast.seller
    prepare_plant(seller)  # docks open round the clock, so the call works at any hour
    carrier = next(c for c in cast.carriers.values() if c.login == "dispatch@weber.demo")
    buyer_id, buyer = sorted(cast.buyers.items())[0]
    reference = f"UI-DAY-{uuid.uuid4().hex[:6].upper()}"
    now = datetime.now(UTC).replace(microsecond=0)
    order = seller.session.post("/api/v1/orders", {
        "reference": reference, "buyer_id": buyer_id, "pickup_site_id": seller.plant_id,
        "delivery_site_id": buyer.site_id,
        "pickup_window": {"earliest": _iso(now - timedelta(hours=1)), "latest": _iso(now + timedelta(hours=8))},
        "delivery_window": {"earliest": _iso(now), "latest": _iso(now + timedelta(hours=30))},
        "lines": [{"sku": "CEM-I-42.5", "description": "Cement CEM I 42.5 R, bagged", "quantity": QUANTITY,
                   "unit_weight_kg": 1000, "unit_volume_m3": 1.0, "unit_pallets": 0.65, "splittable": True}],
    }, headers={"Idempotency-Key": f"ui-day:{reference}"})
    plan = seller.session.post("/api/v1/load-plans", {"order_ids": [order["id"]], "time_limit_s": 1.0})
    (load_id,) = seller.session.post(f"/api/v1/load-plans/{plan['id']}/commit")["load_ids"]
    tender = seller.session.post(f"/api/v1/loads/{load_id}/tenders", {"mode": "grab", "price": 900.0, "radius_km": 0})
    carrier.session.post(f"/api/v1/tenders/{tender['id']}/grab")
    load = carrier.session.get(f"/api/v1/loads/{load_id}")
    truck = next(t for t in carrier.vehicles if fits(t, needs_of(load)))
    driver = next(d for d in carrier.drivers if carrier.user_emails.get(d.get("user_id")) == DRIVER_EMAIL)
    carrier.session.post(f"/api/v1/loads/{load_id}/assignment", {"vehicle_id": truck["id"], "driver_id": driver["id"]})
    buyer.session.post(f"/api/v1/loads/{load_id}/pickup-authorizations", {"valid_hours": 24})
    dock = next(d for d in seller.docks if d["name"] == "Dock 2")
    seeded = {"load_id": load_id, "reference": load["reference"], "weight_kg": round(load["weight_kg"]),
              "quantity": QUANTITY, "driver_email": DRIVER_EMAIL, "password": DEMO_PASSWORD,
              "manager_email": seller.session.email, "buyer_email": buyer.session.email,
              "dock_id": dock["id"], "dock_name": dock["name"]}
    cast.close()
    return seeded


def test_real_server_day_check_in_dock_call_evidence_and_pod(haul_server, run_scenario, ui_artifacts):
    """The driver's taps move a real load from authorized to delivered, with a verified evidence chain."""
    seeded = seed_load(haul_server)
    run_scenario("real_server_day", haul_server, json.dumps(seeded))

    summary = json.loads((ui_artifacts / "summary-real-server-day.json").read_text())
    seen = summary["seen"]
    assert seeded["reference"] in seen["today"]
    assert seen["visit"]["status"] == "arrived" and seen["visit"]["position"] == 1
    assert seeded["dock_name"] in seen["called_text"]
    assert seen["rejected"] == 0
    assert summary["gl"]["window"] == "WindowSDL" and summary["gl"]["gl_backend"] != "mock"

    buyer = ApiSession(haul_server, seeded["buyer_email"], DEMO_PASSWORD).sign_in()
    load = buyer.get(f"/api/v1/loads/{seeded['load_id']}")
    assert load["status"] == "delivered"
    bundle = buyer.get(f"/api/v1/loads/{seeded['load_id']}/evidence")
    assert bundle["verification"]["ok"] is True
    kinds = [item["kind"] for item in bundle["items"]]
    assert kinds == ["weigh_ticket", "seal", "seal", "sample", "photo", "note"], kinds  # the note is the POD
    ticket = bundle["items"][0]["payload"]
    assert ticket["ticket_number"] == "WB-UI-0815" and ticket["net_kg"] == seeded["weight_kg"]
    assert {bundle["items"][1]["payload"]["seal_number"], bundle["items"][2]["payload"]["seal_number"]} == {
        "889120", "889121"}
    pod = bundle["proof_of_delivery"]
    assert pod["signed_by"] == "M. Becker" and pod["received_quantity"] == QUANTITY
    assert pod["signature_sha256"] and pod["exceptions"] == [{"code": "damage", "note": "Two bags torn"}]
    signature = buyer._http.get(f"{haul_server}/api/v1/loads/{seeded['load_id']}/evidence/files/"
                                f"{pod['signature_sha256']}", headers={"Authorization": f"Bearer {buyer._token}"})
    assert signature.status_code == 200 and signature.content.startswith(b"\x89PNG")
    buyer.close()
