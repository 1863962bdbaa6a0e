"""The yard queue's order and positions, calls to docks, the visit flow and the day's metrics, on both backends."""

from datetime import timedelta

import pytest

from server.extensions import db
from server.models import DockAppointment, Load, YardVisit
from server.realtime import driver_inbox
from server.yard import booking, flow, gate
from server.yard.metrics import site_metrics
from server.yard.queue import position_of, queue_entries
from server.yard.refusals import YardRefused
from tests.server.yard.yard_factory import MONDAY, authorize, fresh, make_load, make_plant

M = timedelta(minutes=1)
T = MONDAY - 2 * timedelta(hours=1)  # 06:00 UTC: trucks book early in the morning


@pytest.fixture
def inbox(monkeypatch):
    sent = []
    monkeypatch.setattr(driver_inbox, "send", lambda driver_id, kind, payload: sent.append((driver_id, kind, payload)))
    return sent


def _arrive(ctx, plant, load, at, slot=None, dock="D1"):
    """Book ``load`` at ``slot`` (if given), then check it in at ``at``; returns the visit id."""
    if slot is not None:
        booking.book(plant.carrier.principal, db.session.get(Load, load.id), plant.docks[dock].id, slot, T)
    token = authorize(ctx, plant, load)
    return gate.check_in(plant.driver_user.principal, db.session.get(Load, load.id), token, at).id


def _step(plant, visit_id, target, at, dock=None):
    visit = db.session.get(YardVisit, visit_id)
    if target == "called":
        return flow.call(plant.manager.principal, visit, plant.docks[dock].id if dock else None, at)
    return flow.transition(plant.manager.principal, visit, target, at)


def test_the_queue_runs_by_appointment_then_arrival(ctx, inbox):
    """Booked trucks wait in slot order whatever their arrival; walk-ins come after; each driver hears their place."""
    plant = make_plant()
    a, b, c = make_load(plant, start=T), make_load(plant, start=T), make_load(plant, start=T)
    va = _arrive(ctx, plant, a, MONDAY + 30 * M, slot=MONDAY + 2 * 60 * M)
    vb = _arrive(ctx, plant, b, MONDAY + 50 * M, slot=MONDAY + 60 * M, dock="D2")
    vc = _arrive(ctx, plant, c, MONDAY)
    entries = queue_entries(plant.site.id, MONDAY + 60 * M)
    assert [(e["visit_id"], e["position"]) for e in entries] == [(vb, 1), (va, 2), (vc, 3)]
    assert entries[2]["waiting_minutes"] == 60 and entries[0]["plate"] == "DU-AB 123"
    assert position_of(db.session.get(YardVisit, va)) == 2
    assert ("queue", 3) in [(kind, p["position"]) for _, kind, p in inbox if p.get("visit_id") == vc]
    _step(plant, vb, "called", MONDAY + 55 * M)
    entries = queue_entries(plant.site.id)
    assert [(e["visit_id"], e["position"], e["status"]) for e in entries] == [
        (va, 1, "arrived"), (vc, 2, "arrived"), (vb, None, "called")]
    assert position_of(fresh(YardVisit, vb)) is None


def test_a_truck_goes_from_call_to_departure_and_the_load_follows(ctx, inbox):
    """Called, loading, loaded, departed: the appointment is pinned, then freed; the load reaches in_transit."""
    plant = make_plant()
    load = make_load(plant, start=T)
    visit_id = _arrive(ctx, plant, load, MONDAY, slot=MONDAY + 30 * M)
    _step(plant, visit_id, "called", MONDAY + 5 * M)  # no dock named: the appointment's dock
    visit = fresh(YardVisit, visit_id)
    appointment = db.session.get(DockAppointment, visit.appointment_id)
    assert (visit.called_dock_id, appointment.status, appointment.start) == (plant.docks["D1"].id, "called",
                                                                           MONDAY + 5 * M)
    assert any(kind == "dock_call" and p["dock_name"] == "D1" for _, kind, p in inbox)
    _step(plant, visit_id, "loading", MONDAY + 8 * M)
    assert fresh(Load, load.id).status == "loading"
    _step(plant, visit_id, "loaded", MONDAY + 20 * M)
    row = fresh(DockAppointment, appointment.id)
    assert (row.status, row.end) == ("done", MONDAY + 20 * M)
    _step(plant, visit_id, "departed", MONDAY + 25 * M)
    assert fresh(Load, load.id).status == "in_transit"
    assert [e["status"] for e in fresh(YardVisit, visit_id).history] == [
        "requested", "scheduled", "arrived", "called", "loading", "loaded", "departed"]
    with pytest.raises(YardRefused) as refused:
        _step(plant, visit_id, "loading", MONDAY + 30 * M)
    assert refused.value.status == 409


def test_only_the_gate_checks_trucks_in_and_only_site_staff_move_them(ctx):
    """'arrived' cannot be set by hand (the gate checks the authorization); a carrier cannot move a visit."""
    plant = make_plant()
    load = make_load(plant, start=T)
    booking.book(plant.carrier.principal, db.session.get(Load, load.id), plant.docks["D1"].id, MONDAY, T)
    visit = db.session.query(YardVisit).filter_by(load_id=load.id).one()
    with pytest.raises(YardRefused) as refused:
        flow.transition(plant.manager.principal, visit, "arrived", MONDAY)
    assert refused.value.reason == "check_in_at_gate"
    db.session.rollback()
    with pytest.raises(YardRefused) as refused:
        flow.transition(plant.carrier.principal, visit, "no_show", MONDAY)
    assert refused.value.status == 403
    db.session.rollback()
    flow.transition(plant.manager.principal, db.session.get(YardVisit, visit.id), "no_show", MONDAY + 60 * M)
    assert db.session.query(DockAppointment).filter_by(load_id=load.id).one().status == "cancelled"


def test_metrics_of_a_day(ctx):
    """Waiting is check-in to loading; utilisation is loading over open minutes; on time is within the grace."""
    plant = make_plant()
    a, b, c = make_load(plant, start=T), make_load(plant, start=T), make_load(plant, start=T)
    va = _arrive(ctx, plant, a, MONDAY + 50 * M, slot=MONDAY + 60 * M)  # 10 min early: on time
    vb = _arrive(ctx, plant, b, MONDAY + 115 * M, slot=MONDAY + 90 * M, dock="D2")  # 25 min late
    _arrive(ctx, plant, c, MONDAY + 120 * M)  # walk-in, still waiting
    for visit_id, dock, start in ((va, "D1", MONDAY + 60 * M), (vb, "D2", MONDAY + 120 * M)):
        _step(plant, visit_id, "called", start, dock)
        _step(plant, visit_id, "loading", start + 5 * M)
        _step(plant, visit_id, "loaded", start + 29 * M)
    no_show = make_load(plant, start=T, window_hours=8)
    booking.book(plant.carrier.principal, db.session.get(Load, no_show.id), plant.docks["D1"].id,
                 MONDAY + 180 * M, T)
    flow.transition(plant.manager.principal, db.session.query(YardVisit).filter_by(load_id=no_show.id).one(),
                    "no_show", MONDAY + 240 * M)
    metrics = site_metrics(plant.site, MONDAY.date(), MONDAY + 300 * M)
    assert metrics["waiting"] == {"trucks": 2, "still_waiting": 1, "mean_minutes": 12.5, "median_minutes": 12.5,
                                  "max_minutes": 15.0}
    assert metrics["on_time_arrival"] == {"booked_arrivals": 2, "on_time": 1, "share": 0.5, "unbooked_arrivals": 1,
                                          "no_shows": 1, "grace_minutes": 15}
    docks = {d["name"]: d for d in metrics["docks"]}
    assert docks["D1"]["open_minutes"] == 1440 and docks["D1"]["loading_minutes"] == 24.0
    assert docks["D1"]["utilisation"] == round(24 / 1440, 3) and docks["T1"]["loading_minutes"] == 0
    assert docks["D2"]["booked_minutes"] == 24  # the slot moved to the call at 10:00; its 09:30 booking was freed
    empty = site_metrics(plant.site, (MONDAY + timedelta(days=1)).date(), MONDAY)
    assert empty["waiting"]["trucks"] == 0 and empty["on_time_arrival"]["share"] is None
