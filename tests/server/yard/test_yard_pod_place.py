"""Where a proof of delivery was given (server/yard/pod_place.py): recorded, flagged off the site, the buyer
told, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.db.types import utcnow
from server.extensions import db
from server.models import Event, Notification, Position
from tests.conftest import TEST_PASSWORD
from tests.server.market.market_factory import make_driver, make_truck, point

YARD = (50.94, 6.96)  # the trade fixture's delivery site
FENCE = {"type": "Polygon", "coordinates": [[[6.955, 50.935], [6.965, 50.935], [6.965, 50.945], [6.955, 50.945],
                                             [6.955, 50.935]]]}
SIXTY_KM_NORTH = {"lat": 51.48, "lon": 6.96}


def _in_transit(trade, make_load, make_party):
    carrier = make_party("carrier")
    truck = make_truck(carrier.id)
    load = make_load(trade, carrier=carrier, status="in_transit", vehicle_id=truck.id,
                     driver_id=make_driver(carrier.id).id)
    return load, truck


def _pod(client, trade, load, **body):
    r = client.post(f"/api/v1/loads/{load.id}/pod", headers=trade["buyer"].headers,
                    json={"signed_by": "Foreman", "received_quantity": 40, **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _buyer_exceptions(trade) -> list[dict]:
    db.session.expire_all()
    return [n.payload["data"] for n in db.session.scalars(select(Notification).where(
        Notification.organisation_id == trade["buyer"].id, Notification.kind == "exception"))]


def test_a_proof_60_km_from_the_fenced_site_is_recorded_flagged_and_told(client, trade, make_load, make_party):
    """The proof is stored with its distance and the flag, a pod_off_site event is on the load, the buyer
    gets an exception notification, and the load page shows the flag."""
    client.patch(f"/api/v1/sites/{trade['yard']['id']}", headers=trade["buyer"].headers, json={"geofence": FENCE})
    load, _truck = _in_transit(trade, make_load, make_party)
    pod = _pod(client, trade, load, position=SIXTY_KM_NORTH)
    assert pod["off_site"] is True and pod["position_source"] == "pod" and pod["radius_m"] is None
    assert 59_000 < pod["distance_m"] < 61_000
    events = db.session.scalars(select(Event).where(Event.load_id == load.id, Event.kind == "pod_off_site")).all()
    assert len(events) == 1 and events[0].data["distance_m"] == pod["distance_m"]
    told = _buyer_exceptions(trade)
    assert [(n["reason"], n["load_id"]) for n in told] == [("pod_off_site", load.id)]
    bundle = client.get(f"/api/v1/loads/{load.id}/evidence", headers=trade["seller"].headers).get_json()
    assert bundle["proof_of_delivery"]["off_site"] is True
    client.post("/api/v1/auth/login", json={"email": trade["buyer"].user.email, "password": TEST_PASSWORD})
    page = client.get(f"/loads/{load.id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-flag="pod-off-site"' in page and f"{pod['distance_m'] / 1000:.1f} km" in page


def test_a_proof_at_the_site_is_not_flagged(client, trade, make_load, make_party):
    """Inside the geofence: no flag, no notification."""
    client.patch(f"/api/v1/sites/{trade['yard']['id']}", headers=trade["buyer"].headers, json={"geofence": FENCE})
    load, _truck = _in_transit(trade, make_load, make_party)
    pod = _pod(client, trade, load, position={"lat": 50.941, "lon": 6.958})
    assert pod["off_site"] is False and pod["distance_m"] < 500
    assert _buyer_exceptions(trade) == []


def test_without_a_geofence_the_configured_radius_decides(client, trade, make_load, make_party):
    """A site without a fence holds the proof to HAUL_POD_RADIUS_M (1,000 m) around its point."""
    near, far = _in_transit(trade, make_load, make_party)[0], _in_transit(trade, make_load, make_party)[0]
    assert _pod(client, trade, near, position={"lat": YARD[0] + 0.005, "lon": YARD[1]})["off_site"] is False
    flagged = _pod(client, trade, far, position={"lat": YARD[0] + 0.015, "lon": YARD[1]})
    assert flagged["off_site"] is True and flagged["radius_m"] == 1000


def test_without_a_position_the_trucks_fresh_fix_counts_and_a_stale_one_does_not(client, trade, make_load, make_party):
    """No position sent: the truck's GPS fix of minutes ago is measured; one of hours ago leaves it unknown."""
    fresh, truck = _in_transit(trade, make_load, make_party)
    db.session.add(Position(vehicle_id=truck.id, time=utcnow() - timedelta(minutes=3),
                            geom=point(SIXTY_KM_NORTH["lat"], SIXTY_KM_NORTH["lon"]), source="haul"))
    db.session.commit()
    pod = _pod(client, trade, fresh)
    assert pod["position_source"] == "gps" and pod["off_site"] is True
    stale, old_truck = _in_transit(trade, make_load, make_party)
    db.session.add(Position(vehicle_id=old_truck.id, time=utcnow() - timedelta(hours=3),
                            geom=point(SIXTY_KM_NORTH["lat"], SIXTY_KM_NORTH["lon"]), source="haul"))
    db.session.commit()
    unknown = _pod(client, trade, stale)
    assert (unknown["distance_m"], unknown["position_source"], unknown["off_site"]) == (None, None, False)
