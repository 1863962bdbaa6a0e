"""Tracking links of a buyer that has only a stop on a multi-drop load (issue 18): bound to its stop,
managed by it alone, and showing the truck with that stop's ETA, site and events, nothing of the
other buyer's. On both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.extensions import db, socketio
from server.models import Load, LoadStop, Organisation, Site, TrackingLink
from tests.server.stops.multi_drop_factory import in_transit_two_buyer_load


@pytest.fixture
def multi(client, trade, make_party):
    """Buyer A (the load's own, lead buyer) and buyer B (a stop only) on one in-transit load, each stop with
    an ETA, an event at each buyer's site and a fix of the truck."""
    return in_transit_two_buyer_load(client, trade, make_party)


def _create(client, party, load_id):
    return client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=party.headers, json={"ttl_hours": 2})


def _names(multi, key):
    return db.session.get(Organisation, multi[key].id).name


def test_stop_buyer_creates_a_link_bound_to_its_stop(client, multi):
    """Buyer B gets 201 (it used to get 403); the link is bound to B, A's (the lead buyer's) to A, the seller's
    to none."""
    created = _create(client, multi["buyer_b"], multi["load_id"])
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["stop_buyer_id"] == multi["buyer_b"].id
    assert db.session.get(TrackingLink, created.get_json()["id"]).stop_buyer_org_id == multi["buyer_b"].id
    lead = _create(client, multi["buyer_a"], multi["load_id"]).get_json()
    assert lead["stop_buyer_id"] == multi["buyer_a"].id  # A too sees only its own stop of the load
    assert _create(client, multi["seller"], multi["load_id"]).get_json()["stop_buyer_id"] is None


def test_stop_buyers_public_snapshot_shows_its_stop_only(client, multi):
    """API and page: the truck, B's ETA and site, the event at B's site; not A's site, event, ETA or name."""
    token = _create(client, multi["buyer_b"], multi["load_id"]).get_json()["token"]
    snapshot = client.get(f"/api/v1/track/{token}").get_json()
    stop_b = db.session.query(LoadStop).filter_by(load_id=multi["load_id"], buyer_org_id=multi["buyer_b"].id).one()
    assert snapshot["eta"][:16] == stop_b.eta.isoformat()[:16]
    assert snapshot["stage"] == "in_transit"  # the truck arrived at A's stop, not at B's
    assert snapshot["position"]["lat"] == pytest.approx(50.80)
    assert snapshot["delivery_site"]["id"] == multi["yard_b"] and snapshot["delivery_site"]["name"] == "Bonn yard"
    assert [(e["kind"], e["site_id"]) for e in snapshot["timeline"]] == [("geofence_enter", multi["yard_b"])]
    yard_a = db.session.get(Site, multi["yard_a"]).name
    html = client.get(f"/track/{token}").get_data(as_text=True)
    assert "Bonn yard" in html and yard_a not in html and 'id="track-eta"' in html
    for leaked in (yard_a, _names(multi, "buyer_a"), "SO-A", "SKU-SO-A"):
        assert leaked not in str(snapshot) and leaked not in html
    whole = client.get(f"/api/v1/track/{_create(client, multi['seller'], multi['load_id']).get_json()['token']}")
    assert len(whole.get_json()["timeline"]) == 2 and "delivery_site" not in whole.get_json()  # unchanged


def test_stop_buyers_live_room_snapshot_is_narrowed_too(ctx, client, multi):
    """Joining the public room with B's token: B's ETA and events only."""
    token = _create(client, multi["buyer_b"], multi["load_id"]).get_json()["token"]
    ack = socketio.test_client(ctx).emit("join", {"tracking_token": token}, callback=True)
    assert ack["ok"] is True
    assert [e["site_id"] for e in ack["snapshot"]["timeline"]] == [multi["yard_b"]]
    assert ack["snapshot"]["delivery_site"]["id"] == multi["yard_b"]


def test_stop_buyer_lists_and_revokes_only_its_own_links(client, multi):
    """B sees and withdraws its own links only; A's and the seller's stay live, and they do not see B's (nor
    each other's: A's links are bound to A's stop)."""
    load_id = multi["load_id"]
    lead = _create(client, multi["buyer_a"], load_id).get_json()
    seller = _create(client, multi["seller"], load_id).get_json()
    own = _create(client, multi["buyer_b"], load_id).get_json()
    listed = client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_b"].headers).get_json()
    assert [link["id"] for link in listed] == [own["id"]]
    seen_by_a = client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_a"].headers).get_json()
    assert [link["id"] for link in seen_by_a] == [lead["id"]]
    seen_by_seller = client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["seller"].headers).get_json()
    assert [link["id"] for link in seen_by_seller] == [seller["id"]]
    refused = client.delete(f"/api/v1/loads/{load_id}/tracking-links/{lead['id']}", headers=multi["buyer_b"].headers)
    assert refused.status_code == 404
    assert client.delete(f"/api/v1/loads/{load_id}/tracking-links/{own['id']}",
                         headers=multi["buyer_a"].headers).status_code == 404
    assert client.delete(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_b"].headers).status_code == 204
    assert client.get(f"/api/v1/track/{own['token']}").status_code == 410
    for kept in (lead, seller):
        assert client.get(f"/api/v1/track/{kept['token']}").status_code == 200


def test_other_organisations_still_get_404_and_the_carrier_403(client, multi, make_party):
    load_id = multi["load_id"]
    assert _create(client, make_party("buyer"), load_id).status_code == 404
    assert client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=make_party("seller").headers).status_code == 404
    assert _create(client, multi["carrier"], load_id).status_code == 403


def test_stop_links_room_gets_positions_and_only_its_stops_events(ctx, client, multi):
    """The live room of B's link follows the truck and gets the events at the pickup and at B's site, not those
    at A's site nor A's proof (it used to get no event at all); the seller's whole-load link gets them all."""
    from gps_ingest.model import Event as LiveEvent
    from server.realtime import tracking_room
    from server.tracking.links import hash_token
    from server.tracking.rooms import DbRoomDirectory

    load_id = multi["load_id"]
    pickup = db.session.get(Load, load_id).pickup_site_id
    stop_a = db.session.query(LoadStop).filter_by(load_id=load_id, buyer_org_id=multi["buyer_a"].id).one().id
    whole = tracking_room(hash_token(_create(client, multi["seller"], load_id).get_json()["token"]))
    stop = tracking_room(hash_token(_create(client, multi["buyer_b"], load_id).get_json()["token"]))
    rooms = DbRoomDirectory(db.engine, ttl_s=0)
    vehicle = str(multi["vehicle_id"])
    assert {whole, stop} <= set(rooms.position_rooms(vehicle))
    assert whole in rooms.event_rooms(vehicle) and stop not in rooms.event_rooms(vehicle)  # no event named

    def gets(site_id, data=None):
        event = LiveEvent(vehicle, "arrived_delivery", datetime.now(UTC), str(site_id) if site_id else None, data or {})
        return rooms.event_rooms(vehicle, event)

    for site in (pickup, multi["yard_b"], None):
        assert stop in gets(site) and whole in gets(site)
    assert stop not in gets(multi["yard_a"]) and whole in gets(multi["yard_a"])
    assert stop not in gets(None, {"stop_id": stop_a}) and whole in gets(None, {"stop_id": stop_a})
