"""Issue 17, defect 1: the driver's assignments carry the booked dock slot, the places by name and
coordinates, the pickup window and the queue position, every time as ISO UTC plus the plant's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from driver_app.core.stops import stop_pod_body
from server.extensions import db
from server.models import DockAppointment, Load, LoadStop, Organisation, Site, YardVisit
from tests.server.yard.yard_factory import keep, make_load, make_plant, org

WINTER = datetime(2030, 12, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin (CET)


def _booked_day(plant):
    customer = keep(Site(organisation_id=plant.buyer.id, name="Buyer DC Köln", kind="customer",
                         address="Industriestr. 1, Köln", timezone="Europe/Berlin",
                         location=from_shape(Point(6.96, 50.94), srid=4326)))
    load = make_load(plant, start=WINTER)
    row = db.session.get(Load, load.id)
    row.delivery_site_id = customer.id
    slot_start = WINTER + timedelta(hours=1, minutes=37)
    db.session.add(DockAppointment(load_id=load.id, dock_id=plant.docks["D2"].id, start=slot_start,
                                   end=slot_start + timedelta(minutes=40), status="booked"))
    db.session.commit()
    return load


def test_the_assignment_carries_the_slot_places_and_window_on_the_plants_clock(ctx, client):
    plant = make_plant(timezone="Europe/Berlin")
    load = _booked_day(plant)

    answer = client.get("/api/v1/driver/assignments", headers=plant.driver_user.headers)
    assert answer.status_code == 200
    item = answer.json["items"][0]
    assert item["id"] == load.id and item["site_timezone"] == "Europe/Berlin"
    slot = item["dock_slot"]
    assert slot["dock_name"] == "D2" and slot["text"] == "D2, 09:37 CET"
    assert slot["start"] == {"utc": "2030-12-09T08:37:00Z", "local": "2030-12-09T09:37:00+01:00",
                             "zone": "Europe/Berlin", "abbr": "CET"}
    assert slot["end"]["utc"] == "2030-12-09T09:17:00Z"
    assert item["pickup"]["name"] == "Plant" and item["pickup"]["lat"] == 51.43 and item["pickup"]["lon"] == 6.76
    assert item["delivery"] == {"site_id": item["delivery"]["site_id"], "name": "Buyer DC Köln",
                                "address": "Industriestr. 1, Köln", "lat": 50.94, "lon": 6.96,
                                "timezone": "Europe/Berlin"}
    window = item["pickup_window_local"]
    assert window["earliest"]["local"] == "2030-12-09T08:00:00+01:00" and window["latest"]["abbr"] == "CET"
    assert window["text"] == "9 Dec 08:00 CET – 12:00 CET"
    assert item["plate"] == "DU-AB 123" and item["visit"] is None


def test_a_checked_in_driver_sees_the_visit_and_the_place_in_the_queue(ctx, client):
    plant = make_plant(timezone="Europe/Berlin")
    ahead = make_load(plant, start=WINTER - timedelta(hours=1))
    mine = _booked_day(plant)
    db.session.add_all([
        YardVisit(load_id=ahead.id, site_id=plant.site.id, status="arrived", arrived_at=WINTER, history=[]),
        YardVisit(load_id=mine.id, site_id=plant.site.id, status="arrived", driver_id=plant.driver.id,
                  arrived_at=WINTER + timedelta(minutes=5), history=[])])
    db.session.commit()

    items = client.get("/api/v1/driver/assignments", headers=plant.driver_user.headers).json["items"]
    visit = next(item for item in items if item["id"] == mine.id)["visit"]
    assert visit["status"] == "arrived" and visit["queue_position"] == 2
    assert visit["arrived_at"]["local"] == "2030-12-09T08:05:00+01:00" and visit["arrived_at"]["zone"] == "Europe/Berlin"


def test_a_multi_drop_assignment_names_each_stop_and_says_which_are_signed(ctx, client, tmp_path):
    """Issue 18: the phone signs per stop; before, a stop had no site name, buyer name nor ``signed`` flag."""
    plant = make_plant(timezone="Europe/Berlin")
    load = _booked_day(plant)
    row = db.session.get(Load, load.id)
    row.status = "in_transit"
    other_buyer = org("buyer")
    bonn = keep(Site(organisation_id=other_buyer, name="Bonn yard", kind="customer", timezone="Europe/Berlin",
                     location=from_shape(Point(7.10, 50.73), srid=4326)))
    times = {"earliest": WINTER, "latest": WINTER + timedelta(hours=9)}
    db.session.add_all([
        LoadStop(load_id=load.id, seq=1, kind="pickup", site_id=plant.site.id, **times),
        LoadStop(load_id=load.id, seq=2, kind="delivery", site_id=row.delivery_site_id,
                 buyer_org_id=plant.buyer.id, **times),
        LoadStop(load_id=load.id, seq=3, kind="delivery", site_id=bonn.id, buyer_org_id=other_buyer, **times)])
    db.session.commit()
    stops = client.get("/api/v1/driver/assignments", headers=plant.driver_user.headers).json["items"][0]["stops"]
    assert [(s["seq"], s["site"]["name"], s["signed"]) for s in stops] == [
        (1, "Plant", False), (2, "Buyer DC Köln", False), (3, "Bonn yard", False)]
    assert stops[2]["buyer_name"] == db.session.get(Organisation, other_buyer).name
    assert stops[2]["site"]["lat"] == 50.73

    # The body the phone sends (driver_app.core.stops): the API's fields, files inline, position lat/lon only.
    signature = tmp_path / "signature.png"
    signature.write_bytes(b"\x89PNG signature")
    body = stop_pod_body({"receiver_name": "Köln receiver", "received_quantity": 10.0, "exception": "Two bags torn",
                          "exception_kind": "damage", "position": {"lat": 50.94, "lon": 6.96, "acc": 8, "t": "x"}},
                         [str(signature)])
    signed = client.post(f"/api/v1/loads/{load.id}/stops/{stops[1]['id']}/pod", headers=plant.driver_user.headers,
                         json=body)
    assert signed.status_code == 201, signed.json
    again = client.get("/api/v1/driver/assignments", headers=plant.driver_user.headers).json["items"][0]["stops"]
    assert [s["signed"] for s in again] == [False, True, False]
    assert signed.json["signed_by"] == "Köln receiver" and signed.json["exceptions"][0]["code"] == "damage"
