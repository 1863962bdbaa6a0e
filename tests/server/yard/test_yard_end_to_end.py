"""One load through the plant, all by the API: award, booking, check-in, call, loading, evidence, departure,
proof of delivery; dashboards and the driver's phone hear each step live. Runs on both backends."""

import base64
import io

import pytest
from sqlalchemy import select

from server.extensions import db, socketio
from server.models import Driver, Event
from server.realtime import driver_inbox
from tests.server.market.market_factory import make_board, make_driver, tender_body
from tests.server.yard.yard_factory import PIXEL_PNG, add_user


@pytest.fixture
def inbox(monkeypatch):
    sent = []
    monkeypatch.setattr(driver_inbox, "send", lambda driver_id, kind, payload: sent.append((driver_id, kind, payload)))
    return sent


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _names(ws):
    return [(m["name"], m["args"][0]) for m in ws.get_received()]


def test_a_load_goes_from_booking_to_delivery_with_live_updates(client, make_party, ctx, inbox):
    """Every step answers as it should, the load's status follows, the evidence verifies, and everyone is told."""
    board = make_board(make_party, carriers=1)
    seller, buyer, carrier = board.seller, board.buyer, board.carriers[0]
    plant = board.plant.id
    dock = _ok(client.post(f"/api/v1/sites/{plant}/docks", headers=seller.headers,
                           json={"name": "D1", "equipment": "pallet_dock"}), 201)
    _ok(client.post(f"/api/v1/sites/{plant}/docks", headers=seller.headers,
                    json={"name": "T1", "equipment": "liquid_arm"}), 201)
    load = board.load()
    tender = _ok(client.post(f"/api/v1/loads/{load.id}/tenders", headers=seller.headers, json=tender_body()), 201)
    _ok(client.post(f"/api/v1/tenders/{tender['id']}/grab", headers=carrier.headers), 201)
    driver_login = add_user(carrier.id, "carrier", roles=("driver",))
    driver = make_driver(carrier.id, name="Ana")
    db.session.get(Driver, driver.id).user_id = driver_login.user_id
    db.session.commit()
    _ok(client.post(f"/api/v1/loads/{load.id}/assignment", headers=carrier.headers,
                    json={"vehicle_id": board.trucks[carrier.id].id, "driver_id": driver.id}))
    token = _ok(client.post(f"/api/v1/loads/{load.id}/pickup-authorizations", headers=buyer.headers, json={}),
                201)["token"]

    plant_ws = socketio.test_client(ctx, auth={"token": seller.token})
    carrier_ws = socketio.test_client(ctx, auth={"token": carrier.token})
    buyer_ws = socketio.test_client(ctx, auth={"token": buyer.token})
    assert buyer_ws.emit("join", {"load_id": load.id}, callback=True)["ok"] is True

    # Booking: the carrier takes the first slot offered.
    offered = _ok(client.get(f"/api/v1/loads/{load.id}/slots", headers=carrier.headers))
    slot = offered["slots"][0]
    assert slot["dock_id"] == dock["id"] and offered["current"] is None
    booked = _ok(client.post(f"/api/v1/loads/{load.id}/appointment", headers=carrier.headers,
                             json={"dock_id": slot["dock_id"], "start": slot["start"]}), 201)
    assert booked["status"] == "booked" and booked["dock_name"] == "D1"
    assert ("yard.appointment", load.id) in [(n, a.get("load_id")) for n, a in _names(carrier_ws)]

    # Gate: the driver scans the QR code and joins the queue.
    visit = _ok(client.post("/api/v1/yard/checkin", headers=driver_login.headers,
                            json={"load_id": load.id, "token": token}))
    assert (visit["status"], visit["position"]) == ("arrived", 1)
    assert _ok(client.get(f"/api/v1/yard/visits/{visit['id']}", headers=driver_login.headers))["position"] == 1
    queue = _ok(client.get(f"/api/v1/sites/{plant}/queue", headers=seller.headers))["entries"]
    assert [(e["visit_id"], e["position"]) for e in queue] == [(visit["id"], 1)]
    assert any(n == "yard.queue" for n, _ in _names(plant_ws))

    # Call to the dock, then loading with evidence.
    called = _ok(client.post(f"/api/v1/yard/visits/{visit['id']}/call", headers=seller.headers,
                             json={"dock_id": dock["id"]}))
    assert (called["status"], called["called_dock_id"], called["position"]) == ("called", dock["id"], None)
    assert any(kind == "dock_call" and p["dock_id"] == dock["id"] for _, kind, p in inbox)
    _ok(client.post(f"/api/v1/yard/visits/{visit['id']}/transition", headers=seller.headers, json={"to": "loading"}))
    ticket = _ok(client.post(f"/api/v1/loads/{load.id}/evidence", headers=seller.headers, json={
        "kind": "weigh_ticket", "payload": {"tare_kg": 14000, "gross_kg": 34000},
        "position": {"lat": 51.43, "lon": 6.76}, "device_id": "weighbridge-1"}), 201)
    assert ticket["weight_exception"] is None and ticket["items"][0]["seq"] == 1
    _ok(client.post(f"/api/v1/loads/{load.id}/evidence", headers=seller.headers,
                    json={"kind": "seal", "payload": {"seal_number": "SL-42"}}), 201)
    photo = _ok(client.post(f"/api/v1/loads/{load.id}/evidence", headers=driver_login.headers,
                            data={"caption": "doors sealed", "photos": [(io.BytesIO(PIXEL_PNG), "p.png")]},
                            content_type="multipart/form-data"), 201)
    assert photo["items"][0]["payload"]["content_type"] == "image/png"
    _ok(client.post(f"/api/v1/yard/visits/{visit['id']}/transition", headers=seller.headers, json={"to": "loaded"}))
    _ok(client.post(f"/api/v1/yard/visits/{visit['id']}/transition", headers=seller.headers, json={"to": "departed"}))
    assert _ok(client.get(f"/api/v1/loads/{load.id}", headers=buyer.headers))["status"] == "in_transit"

    # Delivery: the buyer signs.
    pod = _ok(client.post(f"/api/v1/loads/{load.id}/pod", headers=buyer.headers, json={
        "signed_by": "R. Receiver", "received_quantity": 40, "signature_base64": base64.b64encode(PIXEL_PNG).decode(),
        "exceptions": [{"code": "damaged", "note": "one pallet wrap torn"}]}), 201)
    assert pod["signature_sha256"] and pod["exceptions"][0]["code"] == "damaged"
    assert _ok(client.get(f"/api/v1/loads/{load.id}", headers=buyer.headers))["status"] == "delivered"
    bundle = _ok(client.get(f"/api/v1/loads/{load.id}/evidence", headers=buyer.headers))
    assert [i["kind"] for i in bundle["items"]] == ["weigh_ticket", "seal", "photo", "note"]
    assert bundle["verification"]["ok"] is True and bundle["proof_of_delivery"]["signed_by"] == "R. Receiver"
    image = client.get(f"/api/v1/loads/{load.id}/evidence/files/{photo['items'][0]['payload']['sha256']}",
                       headers=buyer.headers)
    assert image.status_code == 200 and image.data == PIXEL_PNG and image.mimetype == "image/png"

    history = [e["status"] for e in _ok(client.get(f"/api/v1/yard/visits/{visit['id']}",
                                                   headers=carrier.headers))["history"]]
    assert history == ["requested", "scheduled", "arrived", "called", "loading", "loaded", "departed"]
    metrics = _ok(client.get(f"/api/v1/sites/{plant}/metrics", headers=seller.headers))
    assert metrics["waiting"]["trucks"] == 1 and metrics["on_time_arrival"]["booked_arrivals"] == 1

    seen = _names(buyer_ws)
    statuses = [a["status"] for n, a in seen if n == "yard.visit"]
    assert statuses == ["arrived", "called", "loading", "loaded", "departed"]
    assert {"yard.appointment", "yard.call", "yard.evidence", "load.delivered"} <= {n for n, _ in seen}
    assert {kind for _, kind, _ in inbox} >= {"appointment", "queue", "dock_call"}
    kinds = set(db.session.scalars(select(Event.kind).where(Event.load_id == load.id)))
    assert {"gate_checked_in", "status_changed", "delivered"} <= kinds
    # Each step is also a stored notification for the parties it concerns (issue 18).
    told = {party: [n["kind"] for n in _ok(client.get(f"/api/v1/notifications?load_id={load.id}&limit=100",
                                                      headers=party.headers))["items"]]
            for party in (seller, buyer, carrier)}
    for party in (seller, carrier):
        assert {"authorized", "dock_scheduled", "arrived", "called", "loading", "departed", "delivered"} <= set(told[party])
    assert {"authorized", "arrived", "departed", "delivered"} <= set(told[buyer])
    assert not {"called", "loading", "dock_scheduled"} & set(told[buyer])  # the plant's own steps
    for ws in (plant_ws, carrier_ws, buyer_ws):
        ws.disconnect()
