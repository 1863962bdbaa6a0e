"""The gate checks the pickup authorization, checks trucks in once, and logs every refusal, on both backends."""

from datetime import timedelta

import pytest

from server.extensions import db
from server.models import Event, Load, YardVisit
from server.yard import gate
from server.yard.refusals import YardRefused
from tests.server.yard.yard_factory import MONDAY, authorize, fresh, make_load, make_plant

H = timedelta(hours=1)


def _check_in(who, load, token, **kw):
    return gate.check_in(who.principal, db.session.get(Load, load.id), token, MONDAY, **kw)


def _refused(who, load, token, **kw) -> YardRefused:
    with pytest.raises(YardRefused) as refused:
        _check_in(who, load, token, **kw)
    return refused.value


def _gate_events(load_id):
    db.session.expire_all()
    return db.session.query(Event).filter_by(load_id=load_id, kind="gate_refused").all()


def test_a_valid_authorization_checks_the_truck_in_once(ctx):
    """The driver's scan puts the truck in the queue, moves the load to at_pickup, and a second scan changes nothing."""
    plant = make_plant()
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    visit = _check_in(plant.driver_user, load, token)
    assert (visit.status, visit.arrived_at, visit.driver_id) == ("arrived", MONDAY, plant.driver.id)
    assert fresh(Load, load.id).status == "at_pickup"
    again = _check_in(plant.driver_user, load, token)
    assert again.id == visit.id
    assert [e["status"] for e in fresh(YardVisit, visit.id).history] == ["requested", "arrived"]
    kinds = [e.kind for e in db.session.query(Event).filter_by(load_id=load.id)]
    assert kinds.count("gate_checked_in") == 1 and "status_changed" in kinds


@pytest.mark.parametrize("case,reason", [("expired", "expired"), ("revoked", "revoked"), ("forged", "forged"),
                                         ("plate", "wrong_plate"), ("other_load", "wrong_load"),
                                         ("other_driver", "wrong_driver")])
def test_bad_authorizations_are_refused_with_the_reason_and_logged(ctx, case, reason):
    """Expired, revoked, forged or mismatched authorizations: 403 with the reason, a gate_refused event, no check-in."""
    plant = make_plant()
    load, other = make_load(plant), make_load(plant)
    kw = {}
    if case == "expired":
        token = authorize(ctx, plant, load, expires=MONDAY - timedelta(minutes=1))
    elif case == "revoked":
        token = authorize(ctx, plant, load, revoked=True)
    elif case == "forged":
        good = authorize(ctx, plant, load)
        token = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    elif case == "plate":
        token, kw = authorize(ctx, plant, load), {"plate": "XX-ZZ 999"}
    elif case == "other_load":
        token = authorize(ctx, plant, other)
    else:
        token = authorize(ctx, plant, load, driver_id=None)
    refused = _refused(plant.driver_user, load, token, **kw)
    assert (refused.status, refused.reason) == (403, reason)
    events = _gate_events(load.id)
    assert len(events) == 1 and events[0].data["reason"] == reason and events[0].data["via"] == "qr"
    assert events[0].site_id == plant.site.id
    assert fresh(Load, load.id).status == "authorized"
    assert db.session.query(YardVisit).filter_by(load_id=load.id, status="arrived").count() == 0


def test_the_gate_keeper_may_type_the_token_and_the_plate_is_compared_loosely(ctx):
    """The plant's dock manager checks a truck in; 'du-ab123' matches the authorized plate 'DU-AB 123'."""
    plant = make_plant()
    load = make_load(plant)
    visit = _check_in(plant.manager, load, authorize(ctx, plant, load), plate="du-ab123")
    assert visit.status == "arrived"


def test_the_token_alone_checks_no_truck_in(ctx, client):
    """The gate keeper with only the token gets a 422 naming plate and driver (API and service); a wrong
    plate is refused and logged; the authorized driver, named by the gate keeper, is checked in."""
    plant = make_plant()
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    refused = _refused(plant.manager, load, token)
    assert (refused.status, refused.reason) == (422, "nothing_presented")
    assert {path for path, _ in refused.errors} == {"plate", "driver_id"}
    r = client.post("/api/v1/yard/checkin", headers=plant.manager.headers, json={"load_id": load.id, "token": token})
    assert r.status_code == 422 and r.get_json()["reason"] == "nothing_presented"
    assert _refused(plant.manager, load, token, plate="XX-ZZ 999").reason == "wrong_plate"
    assert [e.data["reason"] for e in _gate_events(load.id)] == ["wrong_plate"]
    assert _check_in(plant.manager, load, token, driver_id=plant.driver.id).status == "arrived"


def test_strangers_cannot_check_a_load_in(ctx):
    """The buyer's staff are not the gate: 403 not_allowed, and no visit is opened."""
    plant = make_plant()
    load = make_load(plant)
    refused = _refused(plant.buyer, load, authorize(ctx, plant, load))
    assert (refused.status, refused.reason) == (403, "not_allowed")
    assert db.session.query(YardVisit).count() == 0


def test_a_geofence_arrival_checks_in_with_the_stored_authorization(ctx):
    """Entering the plant's geofence checks the truck in when its load is authorized; the slot is remembered."""
    plant = make_plant()
    load = make_load(plant)
    authorize(ctx, plant, load)
    visit = gate.on_arrival(plant.truck.id, plant.site.id, MONDAY)
    assert visit is not None and visit.status == "arrived"
    assert visit.history[-1]["via"] == "geofence"
    assert gate.on_arrival(plant.truck.id, plant.site.id, MONDAY + H).id == visit.id
    assert gate.on_arrival(plant.truck.id, plant.site.id + 999, MONDAY) is None


def test_a_geofence_arrival_without_a_valid_authorization_is_refused_and_logged(ctx):
    """No authorization, or a revoked one: no check-in, and a gate_refused event says why."""
    plant = make_plant()
    load = make_load(plant)
    assert gate.on_arrival(plant.truck.id, plant.site.id, MONDAY) is None
    assert [e.data["reason"] for e in _gate_events(load.id)] == ["no_authorization"]
    authorize(ctx, plant, load, revoked=True)
    assert gate.on_arrival(plant.truck.id, plant.site.id, MONDAY) is None
    assert [e.data["reason"] for e in _gate_events(load.id)] == ["no_authorization", "revoked"]
    assert all(e.data["via"] == "geofence" for e in _gate_events(load.id))
    assert db.session.query(YardVisit).filter_by(status="arrived").count() == 0
