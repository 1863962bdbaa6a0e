"""What the screens show of loads, tenders and yard visits (driver_app.glue.load_view)."""

from __future__ import annotations

from driver_app.glue import load_view

SERVER_LOAD = {  # the shape GET /api/v1/loads/{id} has today
    "id": 12, "reference": "LD-12", "status": "in_transit", "pickup_site_id": 3, "delivery_site_id": 8,
    "pickup_window": {"earliest": "2026-03-01T08:00:00+01:00", "latest": "2026-03-01T10:00:00+01:00"},
    "delivery_window": {"earliest": "2026-03-01T12:00:00+01:00", "latest": "2026-03-02T09:00:00+01:00"},
}


def test_stops_from_the_servers_load_shape():
    """Windows come from pickup_window/delivery_window; unnamed sites show their id."""
    pickup, delivery = load_view.stops(SERVER_LOAD)
    assert (pickup["kind"], pickup["name"], pickup["window"]) == ("pickup", "#3", "03-01 08:00-10:00")
    assert delivery["window"] == "03-01 12:00 - 03-02 09:00"


def test_assignment_line_translates_known_statuses_only():
    """A known status gets its driver wording; an unknown one is shown as sent."""
    assert load_view.assignment_line(SERVER_LOAD)["status"] == "on the way"
    assert load_view.assignment_line({**SERVER_LOAD, "status": "teleported"})["status"] == "teleported"


def test_pickup_token_skips_revoked_authorizations():
    """Only an unrevoked authorization for the same load provides the gate token."""
    listed = [{"load_id": 12, "token": "old", "revoked_at": "2026-01-01T00:00:00Z"},
              {"load_id": 13, "token": "other"}, {"load_id": 12, "token": "good", "revoked_at": None}]
    assert load_view.authorization_for(12, listed)["token"] == "good"
    assert load_view.pickup_authorization_token({"pickup_authorization": listed[0]}) is None
    assert load_view.pickup_authorization_token({"pickup_authorization": listed[2]}) == "good"


def test_tender_lines_tell_grab_from_auction():
    """A grab shows its fixed price; an auction its lead price; sequential offers are taken like grabs."""
    grab = load_view.tender_line({"id": 7, "mode": "grab", "price": 820, "load": SERVER_LOAD})
    auction = load_view.tender_line({"id": 8, "mode": "auction", "lead_price": 1380.4, "ceiling_price": 1500,
                                     "deadline": "2026-03-01T09:00:00+01:00", "load": SERVER_LOAD})
    sequential = load_view.tender_line({"id": 9, "mode": "sequential", "price": 700, "load": SERVER_LOAD})
    assert (grab["mode"], grab["price"], grab["title"]) == ("grab", "820 €", "LD-12")
    assert (auction["mode"], auction["price"], auction["deadline"]) == ("auction", "1,380 €", "03-01 09:00")
    assert sequential["mode"] == "grab"


def test_a_visit_names_a_dock_only_once_the_truck_is_called():
    """The planned dock of a queued visit is not a call; called_dock or a called status is."""
    assert load_view.visit_called_dock({"status": "queued", "dock": "2", "queue_position": 4}) is None
    assert load_view.visit_called_dock({"status": "called", "dock": {"name": "Dock 2"}}) == "Dock 2"
    assert load_view.visit_called_dock({"called_dock_name": "3"}) == "3"
    assert load_view.visit_queue_position({"queue_position": 4}) == 4
