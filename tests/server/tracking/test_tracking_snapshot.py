"""A public tracking link freezes at proof of delivery (server/tracking/snapshot.py), on both backends."""

from __future__ import annotations

from datetime import timedelta

from server.db.types import utcnow
from server.extensions import db, socketio
from server.models import Position
from tests.server.market.market_factory import make_driver, make_truck, point

AT_THE_YARD, NEXT_CUSTOMER = (50.9413, 6.9583), (52.5200, 13.4050)


def _fix(vehicle_id: int, at, where) -> None:
    db.session.add(Position(vehicle_id=vehicle_id, time=at, geom=point(*where), source="haul"))
    db.session.commit()


def _delivering(client, trade, make_load, make_party):
    """An in-transit load whose truck reported at the yard, with a public link, delivered by the buyer."""
    carrier = make_party("carrier")
    truck = make_truck(carrier.id)
    load = make_load(trade, carrier=carrier, status="in_transit", vehicle_id=truck.id,
                     driver_id=make_driver(carrier.id).id, eta=utcnow() + timedelta(minutes=5))
    _fix(truck.id, utcnow() - timedelta(minutes=2), AT_THE_YARD)
    link = client.post(f"/api/v1/loads/{load.id}/tracking-links", headers=trade["buyer"].headers, json={}).get_json()
    return load, truck, link["token"]


def _deliver(client, trade, load):
    r = client.post(f"/api/v1/loads/{load.id}/pod", headers=trade["buyer"].headers,
                    json={"signed_by": "Yard foreman", "received_quantity": 40})
    assert r.status_code == 201, r.get_json()


def test_after_delivery_the_link_shows_no_later_position_and_no_eta(client, trade, make_load, make_party):
    """Once delivered, the JSON and the page show the truck where it was at delivery, not where it went next."""
    load, truck, token = _delivering(client, trade, make_load, make_party)
    assert client.get(f"/api/v1/track/{token}").get_json()["eta"] is not None
    _deliver(client, trade, load)
    _fix(truck.id, utcnow() + timedelta(minutes=1), NEXT_CUSTOMER)  # the truck drives on
    snapshot = client.get(f"/api/v1/track/{token}").get_json()
    assert snapshot["status"] == "delivered" and snapshot["live"] is False and snapshot["eta"] is None
    assert (snapshot["position"]["lat"], snapshot["position"]["lon"]) == AT_THE_YARD
    assert snapshot["delivered_at"] and all(item["time"] <= snapshot["delivered_at"] for item in snapshot["timeline"])
    html = client.get(f"/track/{token}").get_data(as_text=True)
    assert "52.52000" not in html and "50.94130" in html
    assert "data-tracking-token" not in html and "track-eta" not in html


def test_the_tracking_room_closes_at_delivery(client, trade, make_load, make_party, ctx):
    """A viewer in the room gets the final status and then nothing more; a new join gets the frozen
    snapshot and no room."""
    load, truck, token = _delivering(client, trade, make_load, make_party)
    viewer = socketio.test_client(ctx)
    joined = viewer.emit("join", {"tracking_token": token}, callback=True)
    assert joined["ok"] and joined["room"]
    _deliver(client, trade, load)
    finals = [m["args"][0] for m in viewer.get_received() if m["name"] == "event"]
    assert finals and finals[-1]["final"] is True and finals[-1]["data"]["status"] == "delivered"
    socketio.emit("position", {"lat": NEXT_CUSTOMER[0], "lon": NEXT_CUSTOMER[1]}, to=joined["room"])
    assert viewer.get_received() == []
    late = socketio.test_client(ctx)
    again = late.emit("join", {"tracking_token": token}, callback=True)
    assert again["ok"] and again["room"] is None and again["final"] is True
    assert again["snapshot"]["live"] is False
    viewer.disconnect()
    late.disconnect()
