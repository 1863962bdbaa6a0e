"""A stop-bound tracking link is live and honest (issue 18): its stop's events reach it live through the
ingest's own recorder and fan-out, another buyer's never; at its stop's proof of delivery it says delivered
(with the proof's time, no ETA) while the other stop's link goes on in transit with its own ETA. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gps_ingest.model import Event as VehicleEvent
from gps_ingest.socket_publisher import FanOut, SocketPublisher
from server.extensions import db, socketio
from server.models import Load, LoadStop, Notification, ProofOfDelivery, Site
from tests.conftest import TEST_PASSWORD
from tests.server.stops.multi_drop_factory import in_transit_two_buyer_load


@pytest.fixture
def multi(client, trade, make_party):
    """The in-transit two-buyer load, each buyer's stop-bound link, and each stop's id."""
    out = in_transit_two_buyer_load(client, trade, make_party)
    load_id = out["load_id"]
    stops = {s.buyer_org_id: s.id for s in db.session.query(LoadStop).filter_by(load_id=load_id, kind="delivery")}
    links = {}
    for key in ("buyer_a", "buyer_b"):
        made = client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=out[key].headers, json={})
        assert made.status_code == 201 and made.get_json()["stop_buyer_id"] == out[key].id
        links[key] = made.get_json()["token"]
    pickup = db.session.get(Load, load_id).pickup_site_id
    return {**out, "links": links, "stop_a": stops[out["buyer_a"].id], "stop_b": stops[out["buyer_b"].id],
            "pickup": pickup}


def _viewer(ctx, token):
    viewer = socketio.test_client(ctx)
    joined = viewer.emit("join", {"tracking_token": token}, callback=True)
    assert joined["ok"] and joined["room"], joined
    return viewer


def _events(viewer) -> list[dict]:
    out = []
    for message in viewer.get_received():
        if message["name"] == "event":
            out.append(message["args"][0])
        elif message["name"] == "events":
            out.extend(message["args"][0])
    return out


def _ingest():
    """The ingest's own event path: the load-event recorder, then the Socket.IO fan-out into this app."""
    from server.tracking.events import LoadEventRecorder
    from server.tracking.rooms import DbRoomDirectory

    sockets = SocketPublisher(lambda event, data, room: socketio.emit(event, data, to=room),
                              DbRoomDirectory(db.engine, ttl_s=0))
    return FanOut(LoadEventRecorder(db.engine, downstream=sockets), sockets), sockets


def test_a_stop_link_gets_its_stops_events_live_and_not_the_other_buyers(ctx, client, multi):
    """The truck leaves the pickup, reaches A's stop, then B's: each link hears the pickup and its own
    arrival, never the other's (B's link used to hear no event at all until reloaded)."""
    a, b = _viewer(ctx, multi["links"]["buyer_a"]), _viewer(ctx, multi["links"]["buyer_b"])
    refused = b.emit("join", {"load_id": multi["load_id"]}, callback=True)  # a link opens its own room only
    assert refused == {"ok": False, "error": "not_authenticated"}
    vehicle, now = str(multi["vehicle_id"]), datetime.now(UTC)
    ingest, sockets = _ingest()
    for minutes, kind, site in ((1, "zone_exit", multi["pickup"]), (30, "zone_enter", multi["yard_a"]),
                                (60, "zone_exit", multi["yard_a"]), (90, "zone_enter", multi["yard_b"])):
        ingest.publish_event(VehicleEvent(vehicle, kind, now + timedelta(minutes=minutes), str(site), {}))
    sockets.drain()
    seen_a = [(e["kind"], e["site_id"]) for e in _events(a)]
    seen_b = [(e["kind"], e["site_id"]) for e in _events(b)]
    assert ("departed_pickup", str(multi["pickup"])) in seen_a and ("departed_pickup", str(multi["pickup"])) in seen_b
    assert ("arrived_delivery", str(multi["yard_a"])) in seen_a and ("departed_delivery", str(multi["yard_a"])) in seen_a
    assert ("arrived_delivery", str(multi["yard_b"])) in seen_b  # B's stop is a delivery of the load too
    assert all(site != str(multi["yard_b"]) for _kind, site in seen_a)
    assert all(site != str(multi["yard_a"]) for _kind, site in seen_b)
    # Read again, the links say what they heard: B's truck is at B's stop, with no ETA any more.
    snapshot_b = client.get(f"/api/v1/track/{multi['links']['buyer_b']}").get_json()
    assert snapshot_b["stage"] == "at_delivery" and snapshot_b["eta"] is None
    a.disconnect()
    b.disconnect()


def _dashboard_row(client, load_id) -> str:
    import re

    table = client.get("/fragments/buyer/loads").get_data(as_text=True)
    return re.search(rf'<tr data-load-id="{load_id}">(.*?)</tr>', table, re.S).group(1)


def _sign_in(client, party):
    client.post("/api/v1/auth/logout")
    assert client.post("/api/v1/auth/login", json={"email": party.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200


def test_after_the_first_stops_proof_its_link_says_delivered_and_the_second_goes_on(ctx, client, multi):
    """A's proof: A's link (page, API, room), A's load page and API and A's notification say delivered at the
    proof's time with no ETA; B's link, page and API stay in transit with B's own ETA and hear nothing of A."""
    a, b = _viewer(ctx, multi["links"]["buyer_a"]), _viewer(ctx, multi["links"]["buyer_b"])
    load_id = multi["load_id"]
    signed = client.post(f"/api/v1/loads/{load_id}/stops/{multi['stop_a']}/pod", headers=multi["carrier"].headers,
                         json={"signed_by": "Köln receiver", "received_quantity": 10})
    assert signed.status_code == 201, signed.get_json()
    pod_at = db.session.query(ProofOfDelivery).filter_by(stop_id=multi["stop_a"]).one().delivered_at
    finals = _events(a)
    assert finals and finals[-1]["final"] is True and finals[-1]["kind"] == "delivered"
    assert _events(b) == []

    link_a = client.get(f"/api/v1/track/{multi['links']['buyer_a']}").get_json()
    assert (link_a["status"], link_a["stage"], link_a["eta"], link_a["live"]) == ("delivered", "delivered", None, False)
    assert datetime.fromisoformat(link_a["delivered_at"]) == pod_at
    page_a = client.get(f"/track/{multi['links']['buyer_a']}").get_data(as_text=True)
    assert 'id="track-delivered"' in page_a and 'id="track-eta"' not in page_a
    again = socketio.test_client(ctx).emit("join", {"tracking_token": multi["links"]["buyer_a"]}, callback=True)
    assert again["room"] is None and again["final"] is True

    stop_b_eta = db.session.get(LoadStop, multi["stop_b"]).eta
    link_b = client.get(f"/api/v1/track/{multi['links']['buyer_b']}").get_json()
    assert (link_b["stage"], link_b["live"]) == ("in_transit", True)
    assert datetime.fromisoformat(link_b["eta"]) == stop_b_eta  # its own stop's, not the load's (A's, 1 h)
    assert "delivered" not in [e["kind"] for e in link_b["timeline"]]
    assert 'id="track-eta"' in client.get(f"/track/{multi['links']['buyer_b']}").get_data(as_text=True)

    api_a = client.get(f"/api/v1/loads/{load_id}", headers=multi["buyer_a"].headers).get_json()
    assert (api_a["stage"], api_a["eta"]) == ("delivered", None) and api_a["delivered_at"]
    api_b = client.get(f"/api/v1/loads/{load_id}", headers=multi["buyer_b"].headers).get_json()
    assert api_b["stage"] == "in_transit" and datetime.fromisoformat(api_b["eta"]) == stop_b_eta
    told = db.session.query(Notification).filter_by(organisation_id=multi["buyer_a"].id, kind="delivered").one()
    data = told.payload["data"]
    assert data["stop_id"] == multi["stop_a"] and data["status"] == "delivered"
    assert datetime.fromisoformat(data["delivered_at"]) == pod_at
    assert db.session.query(Notification).filter_by(organisation_id=multi["buyer_b"].id, kind="delivered").count() == 0

    yard_a = db.session.get(Site, multi["yard_a"]).name
    _sign_in(client, multi["buyer_a"])
    page = client.get(f"/loads/{load_id}").get_data(as_text=True)
    assert 'data-field="stop-delivered"' in page and 'data-field="stop-eta"' not in page
    row = _dashboard_row(client, load_id)
    assert "delivered" in row and yard_a in row
    _sign_in(client, multi["buyer_b"])
    page = client.get(f"/loads/{load_id}").get_data(as_text=True)
    assert 'data-field="stop-eta"' in page and 'data-field="stop-delivered"' not in page
    row = _dashboard_row(client, load_id)  # B's own stop, site and ETA; not A's site (it used to name it)
    assert "in transit" in row and "Bonn yard" in row and yard_a not in row
    assert 'data-eta-for-vehicle' not in row  # the truck's live ETA is to another stop
    events = client.get("/fragments/buyer/events").get_data(as_text=True)  # A's arrival and proof: not B's news
    assert "geofence enter" in events and "Arrived at delivery" not in events and "Delivered" not in events
    a.disconnect()
    b.disconnect()


def test_a_stop_links_fixes_carry_no_eta_or_zones_of_the_truck(ctx, client, multi):
    """The truck's fixes reach B's link without their ETA and zones (the ETA to A's stop, A's site: it used to
    get them as they were); the seller's whole-load link gets them whole, in the per-room emits and in a frame."""
    from gps_ingest.model import Position, ZoneTag
    from server.realtime import tracking_room
    from server.tracking.links import hash_token
    from server.tracking.rooms import DbRoomDirectory

    whole_token = client.post(f"/api/v1/loads/{multi['load_id']}/tracking-links", headers=multi["seller"].headers,
                              json={}).get_json()["token"]
    whole, b = _viewer(ctx, whole_token), _viewer(ctx, multi["links"]["buyer_b"])
    now = datetime.now(UTC)
    fix = Position("m1", "haul", str(multi["vehicle_id"]), now, 50.9, 6.95, zones=(ZoneTag(str(multi["yard_a"]), "delivery"),),
                   eta=now + timedelta(minutes=20), eta_site_id=str(multi["yard_a"]))
    rooms = DbRoomDirectory(db.engine, ttl_s=0)
    sockets = SocketPublisher(lambda event, data, room: socketio.emit(event, data, to=room), rooms)
    sockets.publish_position(fix)
    sockets.drain()
    seen_whole = [m["args"][0] for m in whole.get_received() if m["name"] == "position"]
    seen_b = [m["args"][0] for m in b.get_received() if m["name"] == "position"]
    assert seen_whole and seen_whole[0]["eta_site_id"] == str(multi["yard_a"]) and seen_whole[0]["zones"]
    assert seen_b and seen_b[0]["lat"] == 50.9 and not {"eta", "eta_site_id", "zones"} & set(seen_b[0])

    class Frames:
        def __init__(self):
            self.frames = []

        def __call__(self, event, data, room):
            raise AssertionError("a batching emitter gets frames")

        def batch(self, frame):
            self.frames.append(frame)

    frames = Frames()
    batching = SocketPublisher(frames, rooms)
    batching.publish_position(fix)
    batching.drain()
    frame = frames.frames[0]
    stop_room = tracking_room(hash_token(multi["links"]["buyer_b"]))
    [to_b] = frame["rooms"][stop_room][0]
    [to_whole] = frame["rooms"][tracking_room(hash_token(whole_token))][0]
    assert "eta" not in frame["positions"][to_b] and frame["positions"][to_whole]["eta"]
    whole.disconnect()
    b.disconnect()


def test_a_signed_in_stop_buyer_follows_its_own_stop_room(ctx, client, multi):
    """B's signed-in load page joins its own stop's room, not the load's: it hears the pickup and its own
    stop, not A's site nor A's proof, and hears its own proof; A's dashboard room hears nothing at B's site;
    the seller's load room hears everything (B's page used to be in the load's room, hearing A's events)."""
    from server.realtime import load_room, stop_room

    load_id, vehicle, now = multi["load_id"], str(multi["vehicle_id"]), datetime.now(UTC)
    b = socketio.test_client(ctx, auth={"token": multi["buyer_b"].token})
    joined = b.emit("join", {"load_id": load_id}, callback=True)
    assert joined["ok"] and joined["room"] == stop_room(load_id, multi["buyer_b"].id)
    a = socketio.test_client(ctx, auth={"token": multi["buyer_a"].token})  # A's dashboard: its organisation room
    seller = socketio.test_client(ctx, auth={"token": multi["seller"].token})
    assert seller.emit("join", {"load_id": load_id}, callback=True)["room"] == load_room(load_id)
    for client_ in (a, b, seller):
        client_.get_received()
    ingest, sockets = _ingest()
    for minutes, kind, site in ((1, "zone_exit", multi["pickup"]), (30, "zone_enter", multi["yard_a"]),
                                (90, "zone_enter", multi["yard_b"])):
        ingest.publish_event(VehicleEvent(vehicle, kind, now + timedelta(minutes=minutes), str(site), {}))
    sockets.drain()
    seen_b = {(e["kind"], e["site_id"]) for e in _events(b)}
    seen_a = {(e["kind"], e["site_id"]) for e in _events(a)}
    seen_seller = {(e["kind"], e["site_id"]) for e in _events(seller)}
    assert ("departed_pickup", str(multi["pickup"])) in seen_b & seen_a
    assert ("arrived_delivery", str(multi["yard_b"])) in seen_b - seen_a
    assert ("arrived_delivery", str(multi["yard_a"])) in seen_a - seen_b
    assert {("arrived_delivery", str(multi["yard_a"])), ("arrived_delivery", str(multi["yard_b"]))} <= seen_seller
    signed = client.post(f"/api/v1/loads/{load_id}/stops/{multi['stop_a']}/pod", headers=multi["carrier"].headers,
                         json={"signed_by": "Köln receiver", "received_quantity": 10})
    assert signed.status_code == 201
    assert [e for e in _events(b) if e["kind"] == "delivered"] == []
    assert [e["data"]["stop_id"] for e in _events(seller) if e["kind"] == "delivered"] == [multi["stop_a"]]
    signed = client.post(f"/api/v1/loads/{load_id}/stops/{multi['stop_b']}/pod", headers=multi["carrier"].headers,
                         json={"signed_by": "Bonn receiver", "received_quantity": 8})
    assert signed.status_code == 201
    assert [e["data"]["stop_id"] for e in _events(b) if e["kind"] == "delivered"] == [multi["stop_b"]]
    for client_ in (a, b, seller):
        client_.disconnect()


def test_the_ingest_aims_the_eta_at_the_next_undelivered_stop(ctx, client, multi):
    """After A's proof the truck's ETA is computed to B's stop (it stayed aimed at the load's delivery site,
    A's, so B's link never got a live ETA of its own)."""
    from gps_ingest.db_seams import DbPlans

    vehicle = str(multi["vehicle_id"])
    assert DbPlans(db.engine, ttl_s=0).remaining_route(vehicle).site_id == str(multi["yard_a"])
    signed = client.post(f"/api/v1/loads/{multi['load_id']}/stops/{multi['stop_a']}/pod",
                         headers=multi["carrier"].headers, json={"signed_by": "Köln receiver", "received_quantity": 10})
    assert signed.status_code == 201
    assert DbPlans(db.engine, ttl_s=0).remaining_route(vehicle).site_id == str(multi["yard_b"])
