"""The gate console's API: a pass is read at one site, refusals say why and are logged, and a double tap
checks a truck in once."""

from datetime import timedelta

import pytest

from server import clock
from server.extensions import db
from server.models import Event, YardVisit
from tests.server.yard.yard_factory import MONDAY, authorize, make_load, make_plant


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant()


def _scan(ctx, who, site_id, **body):
    return ctx.test_client().post(f"/api/v1/sites/{site_id}/gate/scan", json=body, headers=who.headers)


def _refusals(site_id):
    db.session.expire_all()
    return [e.data["reason"] for e in db.session.query(Event).filter_by(site_id=site_id, kind="gate_refused")]


def test_a_scanned_pass_shows_what_the_buyer_authorized(ctx, plant):
    """A dock manager's scan answers the load, carrier, driver and plate the buyer authorized."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    r = _scan(ctx, plant.manager, plant.site.id, token=token)
    assert r.status_code == 200, r.json
    assert (r.json["load_id"], r.json["reference"], r.json["plate"], r.json["driver_name"]) == (
        load.id, load.reference, "DUAB123", "Ana")
    assert r.json["carrier_name"].startswith("carrier-") and r.json["token"] == token


def test_a_typed_plate_finds_the_pass(ctx, plant):
    """Typing the plate (any spacing or case) finds the load's pass at this plant; an unknown plate is refused."""
    load = make_load(plant)
    authorize(ctx, plant, load)
    r = _scan(ctx, plant.manager, plant.site.id, plate="du ab-123")
    assert r.status_code == 200 and r.json["load_id"] == load.id
    r = _scan(ctx, plant.manager, plant.site.id, plate="XX 999")
    assert (r.status_code, r.json["reason"]) == (403, "no_pass_for_plate")


@pytest.mark.parametrize("case", ["forged", "expired", "revoked", "other_site", "malformed"])
def test_bad_passes_are_refused_with_the_reason_and_logged(ctx, plant, case):
    """Forged, expired, revoked, other-plant and non-Haul codes: 403 problem+json with the reason, one gate_refused event."""
    load = make_load(plant)
    if case == "forged":
        good = authorize(ctx, plant, load)
        token = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    elif case == "expired":
        token = authorize(ctx, plant, load, expires=MONDAY - timedelta(minutes=1))
    elif case == "revoked":
        token = authorize(ctx, plant, load, revoked=True)
    elif case == "other_site":
        other = make_plant()  # another seller's plant: its genuine pass says nothing at this gate
        token = authorize(ctx, other, make_load(other))
    else:
        token = "https://example.com/not-a-pass"
    r = _scan(ctx, plant.manager, plant.site.id, token=token)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["reason"] == case
    assert _refusals(plant.site.id) == [case]
    check_in = ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/gate/checkin",
                                      json={"token": token, "plate": "DU-AB 123"}, headers=plant.manager.headers)
    assert check_in.status_code == 403 and check_in.json["reason"] == case
    assert db.session.query(YardVisit).filter_by(load_id=load.id, status="arrived").count() == 0


def test_a_double_tap_checks_the_truck_in_once(ctx, plant):
    """Two check-in taps answer the same visit: one arrival in its history, one gate_checked_in event."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    client = ctx.test_client()
    body = {"token": token, "plate": "DU-AB 123"}
    first = client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json=body, headers=plant.manager.headers)
    second = client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json=body, headers=plant.manager.headers)
    assert first.status_code == second.status_code == 200, (first.json, second.json)
    assert first.json["id"] == second.json["id"] and first.json["status"] == "arrived"
    db.session.expire_all()
    assert db.session.query(YardVisit).filter_by(load_id=load.id).count() == 1
    assert db.session.query(Event).filter_by(load_id=load.id, kind="gate_checked_in").count() == 1


def test_a_wrong_plate_at_check_in_is_refused(ctx, plant):
    """The plate seen must be the one the buyer authorized."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    r = ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/gate/checkin",
                               json={"token": token, "plate": "XX 1"}, headers=plant.manager.headers)
    assert (r.status_code, r.json["reason"]) == (403, "wrong_plate")


def test_only_the_sites_staff_use_its_console(ctx, plant):
    """The carrier cannot read passes at the plant's console, and another organisation's site is a 404."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    assert _scan(ctx, plant.carrier, plant.site.id, token=token).status_code in (403, 404)
    other = make_plant()
    assert _scan(ctx, other.manager, plant.site.id, token=token).status_code == 404


def test_nothing_to_read_is_a_field_error(ctx, plant):
    """Neither token nor plate: 422 with both field paths."""
    r = _scan(ctx, plant.manager, plant.site.id)
    assert r.status_code == 422
    assert {e["path"] for e in r.json["errors"]} >= {"token", "plate"}
