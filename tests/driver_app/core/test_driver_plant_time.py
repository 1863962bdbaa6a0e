"""Issue 17: the driver reads the slot and window on the plant's clock with its zone, and places by name."""

from __future__ import annotations

from driver_app.core import plant_time
from driver_app.glue.load_view import assignment_line, dock_slot, stops

STAMP = {"utc": "2030-12-09T08:37:00Z", "local": "2030-12-09T09:37:00+01:00", "zone": "Europe/Berlin",
         "abbr": "CET"}
ASSIGNMENT = {  # as GET /api/v1/driver/assignments answers (server.market.driver_day)
    "id": 7, "reference": "LD-7", "status": "authorized", "pickup_site_id": 1, "delivery_site_id": 2,
    "pickup_window": {"earliest": "2030-12-09T07:00:00+00:00", "latest": "2030-12-09T11:00:00+00:00"},
    "pickup": {"site_id": 1, "name": "Weber Zement Duisburg", "address": "Hafenstr. 1", "lat": 51.43, "lon": 6.76},
    "delivery": {"site_id": 2, "name": "Buyer DC Köln", "address": "", "lat": 50.94, "lon": 6.96},
    "pickup_window_local": {"earliest": {**STAMP, "local": "2030-12-09T08:00:00+01:00"},
                            "latest": {**STAMP, "local": "2030-12-09T12:00:00+01:00"}, "timezone": "Europe/Berlin"},
    "dock_slot": {"dock_name": "Dock 3", "start": STAMP, "end": STAMP, "timezone": "Europe/Berlin"},
    "visit": {"id": 3, "status": "arrived", "queue_position": 2},
}


def test_the_slot_reads_dock_and_plant_time_with_zone():
    assert plant_time.clock(STAMP) == "09:37 CET"
    assert dock_slot(ASSIGNMENT) == "Dock 3, 09:37 CET"
    inbox_appointment = {"dock_name": "D2", "start": "2030-12-09T08:37:00+00:00",
                         "start_local": "2030-12-09T09:37:00+01:00", "abbr": "CET", "timezone": "Europe/Berlin"}
    assert plant_time.slot(inbox_appointment) == "D2, 09:37 CET"


def test_the_row_shows_places_by_name_the_local_window_and_the_queue():
    line = assignment_line(ASSIGNMENT)
    assert line["where"] == "Weber Zement Duisburg → Buyer DC Köln"
    assert line["pickup"] == "12-09 08:00–12:00 CET"
    assert line["dock"] == "Dock 3, 09:37 CET" and line["queue"] == "2"
    pickup = stops(ASSIGNMENT)[0]
    assert (pickup["lat"], pickup["lon"]) == (51.43, 6.76)  # the Navigate button has somewhere to go
