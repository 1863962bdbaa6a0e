"""A plant's booking rules over the API: lead time, move and cancel cut-offs named in the refusal, per-site
values, no-shows that free the dock, and late arrivals slotted into the next gap."""

from datetime import timedelta

import pytest

from server import clock
from server.extensions import db
from server.models import DockAppointment, Load, YardVisit
from server.yard import gate
from tests.server.yard.yard_factory import MONDAY, authorize, fresh, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def at(ctx, monkeypatch):
    """``at(moment)`` pins the server's clock."""
    moment = {"now": MONDAY}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def set_(value):
        moment["now"] = value
    return set_


def _book(ctx, who, load, dock, start):
    return ctx.test_client().post(f"/api/v1/loads/{load.id}/appointment", headers=who.headers,
                                  json={"dock_id": dock.id, "start": start.isoformat()})


def test_a_carrier_books_no_closer_than_the_lead_time(ctx, at):
    """Inside the site's lead time the carrier is refused 422 with the rule named; the dock manager may book."""
    plant = make_plant()
    ctx.test_client().patch(f"/api/v1/sites/{plant.site.id}/booking-rules", json={"lead_minutes": 120},
                            headers=plant.manager.headers)
    load = make_load(plant, start=MONDAY + H)
    r = _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + 90 * M)
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert (r.json["reason"], r.json["rule"], r.json["minutes"]) == ("lead_time", "lead_time", 120)
    assert r.json["errors"][0]["path"] == "start"
    assert _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + 2 * H).status_code == 201
    other = make_load(plant, start=MONDAY + H)
    assert _book(ctx, plant.manager, other, plant.docks["D2"], MONDAY + 90 * M).status_code == 201


def test_moving_and_cancelling_have_their_own_cut_offs(ctx, at):
    """With a 30 min move and 180 min cancel cut-off, 2 h before the slot it may be moved but not cancelled."""
    plant = make_plant()
    r = ctx.test_client().patch(f"/api/v1/sites/{plant.site.id}/booking-rules", headers=plant.seller.headers,
                                json={"move_cutoff_minutes": 30, "cancel_cutoff_minutes": 180, "lead_minutes": 0})
    assert r.status_code == 200 and r.json["cancel_cutoff_minutes"] == 180 and r.json["no_show_grace_minutes"] == 30
    load = make_load(plant, start=MONDAY + H)
    assert _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + 2 * H).status_code == 201
    cancel = ctx.test_client().delete(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers)
    assert (cancel.status_code, cancel.json["reason"], cancel.json["rule"]) == (409, "too_late_to_cancel",
                                                                                 "cancel_cutoff")
    assert _book(ctx, plant.carrier, load, plant.docks["D2"], MONDAY + 2 * H).status_code == 201
    at(MONDAY + 100 * M)
    moved = _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + 3 * H)
    assert (moved.status_code, moved.json["reason"], moved.json["rule"]) == (409, "too_late_to_reschedule",
                                                                              "move_cutoff")


def test_bad_rules_are_field_errors_and_other_plants_are_hidden(ctx, at):
    """A negative lead time is a 422 with its path; another organisation cannot read or set the rules."""
    plant, other = make_plant(), make_plant()
    r = ctx.test_client().patch(f"/api/v1/sites/{plant.site.id}/booking-rules", json={"lead_minutes": -5},
                                headers=plant.manager.headers)
    assert r.status_code == 422 and r.json["errors"][0]["path"].startswith("lead_minutes")
    assert ctx.test_client().get(f"/api/v1/sites/{plant.site.id}/booking-rules",
                                 headers=other.manager.headers).status_code == 404
    assert ctx.test_client().patch(f"/api/v1/sites/{plant.site.id}/booking-rules", json={"lead_minutes": 5},
                                   headers=plant.carrier.headers).status_code in (403, 404)


def test_a_no_show_frees_the_dock_after_the_grace(ctx, at):
    """A booked truck not at the gate 30 min after its start becomes no_show and its dock is free again."""
    plant = make_plant()
    load = make_load(plant, start=MONDAY + H)
    assert _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + H).status_code == 201
    at(MONDAY + H + 20 * M)
    sweep = ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/no-shows", headers=plant.manager.headers)
    assert sweep.json["no_shows"] == []
    at(MONDAY + H + 31 * M)
    sweep = ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/no-shows", headers=plant.manager.headers)
    assert sweep.json["no_shows"] == [load.id]
    visit = db.session.query(YardVisit).filter_by(load_id=load.id).one()
    assert visit.status == "no_show" and visit.appointment_id is None
    assert {a.status for a in db.session.query(DockAppointment).filter_by(load_id=load.id)} == {"cancelled"}
    other = make_load(plant, start=MONDAY + H)
    assert _book(ctx, plant.manager, other, plant.docks["D1"], MONDAY + 2 * H).status_code == 201


def test_a_late_truck_is_slotted_into_the_next_gap(ctx, at):
    """A truck 45 min late does not keep its passed slot: it gets the first free gap from now, and counts as late."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    late, punctual = make_load(plant, start=MONDAY + H), make_load(plant, start=MONDAY + H)
    token = authorize(ctx, plant, late)
    assert _book(ctx, plant.carrier, late, plant.docks["D1"], MONDAY + H).status_code == 201
    assert _book(ctx, plant.carrier, punctual, plant.docks["D1"], MONDAY + 2 * H).status_code == 201
    now = MONDAY + H + 45 * M
    visit = gate.check_in(plant.manager.principal, db.session.get(Load, late.id), token, now, plate="DU-AB 123")
    visit = fresh(YardVisit, visit.id)
    appointment = db.session.get(DockAppointment, visit.appointment_id)
    punctual_slot = db.session.query(DockAppointment).filter_by(load_id=punctual.id, status="booked").one()
    assert appointment.start >= now and (appointment.end <= punctual_slot.start or
                                         appointment.start >= punctual_slot.end)
    arrived = next(e for e in visit.history if e["status"] == "arrived")
    assert arrived["late"] is True and arrived["slot"] == (MONDAY + H).isoformat()


def test_a_no_show_that_turns_up_is_slotted_again(ctx, at):
    """A truck marked no-show that arrives after all is checked in with a new slot in the next gap."""
    plant = make_plant()
    load = make_load(plant, start=MONDAY + H)
    token = authorize(ctx, plant, load)
    assert _book(ctx, plant.carrier, load, plant.docks["D1"], MONDAY + H).status_code == 201
    at(MONDAY + 2 * H)
    ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/no-shows", headers=plant.manager.headers)
    r = ctx.test_client().post(f"/api/v1/sites/{plant.site.id}/gate/checkin", headers=plant.manager.headers,
                               json={"token": token, "plate": "DU-AB 123"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "arrived"
    assert r.json["appointment"]["status"] == "booked" and r.json["appointment"]["start"] >= (MONDAY + 2 * H).isoformat()


def test_the_carrier_is_offered_no_slot_inside_the_lead_time(ctx, at):
    """With a 2 h lead time the carrier's offered slots start 2 h from now at the earliest; the plant sees them all."""
    plant = make_plant()
    ctx.test_client().patch(f"/api/v1/sites/{plant.site.id}/booking-rules", json={"lead_minutes": 120},
                            headers=plant.manager.headers)
    load = make_load(plant, start=MONDAY + H)
    carrier = ctx.test_client().get(f"/api/v1/loads/{load.id}/slots", headers=plant.carrier.headers).json["slots"]
    manager = ctx.test_client().get(f"/api/v1/loads/{load.id}/slots", headers=plant.manager.headers).json["slots"]
    assert min(s["start"] for s in carrier) == (MONDAY + 2 * H).isoformat()
    assert min(s["start"] for s in manager) == (MONDAY + H).isoformat()
